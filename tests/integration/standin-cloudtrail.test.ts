// CloudTrail LookupEvents in the stand-in, exercised only through the REAL @aws-sdk/client-cloudtrail.

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  CloudTrailClient,
  LookupEventsCommand,
  paginateLookupEvents,
  type Event as TrailEvent,
  type LookupEventsCommandInput,
} from '@aws-sdk/client-cloudtrail';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStandin, type Standin } from '../../standin/index';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const REGION = 'eu-west-1';
let standin: Standin;

beforeAll(async () => {
  standin = await startStandin();
});
afterAll(async () => {
  await standin.close();
});
beforeEach(() => {
  standin.reset({ config: true });
  base = Math.floor(Date.now() / 1000) * 1000;
});

function cloudtrail(region = REGION, extra: Partial<ConstructorParameters<typeof CloudTrailClient>[0]> = {}): CloudTrailClient {
  return new CloudTrailClient({ region, endpoint: standin.url, credentials, maxAttempts: 1, ...extra });
}

interface SdkError {
  name: string;
  message: string;
  $metadata: { httpStatusCode?: number; attempts?: number };
}

function isSdkError(e: unknown): e is SdkError {
  return e instanceof Error && typeof Reflect.get(e, '$metadata') === 'object';
}

async function sdkError(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    if (isSdkError(e)) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

/** CloudTrail's own time format: seconds, no fraction. */
function ctTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const ENDPOINT_ID = 'cvpn-endpoint-0123456789abcdef0';

function modifyRecord(at: Date, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDA2KEX3JLIYUA7ET75O',
      arn: 'arn:aws:iam::123456789012:user/alice',
      accountId: '123456789012',
      accessKeyId: 'AKIAEXAMPLEALICE0001',
      userName: 'alice',
    },
    eventTime: ctTime(at),
    eventSource: 'ec2.amazonaws.com',
    eventName: 'ModifyClientVpnEndpoint',
    awsRegion: REGION,
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: { ModifyClientVpnEndpointRequest: { ClientVpnEndpointId: ENDPOINT_ID, ConnectionLogOptions: { Enabled: false } } },
    responseElements: { ModifyClientVpnEndpointResponse: { return: true } },
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '123456789012',
    eventCategory: 'Management',
    ...over,
  };
}

/** Whole seconds, fixed per test so that a second ticking over mid-test changes nothing. */
let base = 0;
const minutesAgo = (m: number): Date => new Date(base - m * 60_000);

async function allPages(client: CloudTrailClient, input: LookupEventsCommandInput): Promise<TrailEvent[][]> {
  const pages: TrailEvent[][] = [];
  for await (const page of paginateLookupEvents({ client }, input)) pages.push(page.Events ?? []);
  return pages;
}

describe('CloudTrail LookupEvents', () => {
  it('pages newest first across several pages with the same parameters; summary fields round-trip', async () => {
    standin.setRateLimit('LookupEvents', Number.POSITIVE_INFINITY);
    // 12 Modify records added in shuffled order, plus noise with another name and in another region.
    const order = [7, 2, 11, 0, 5, 9, 1, 10, 3, 8, 6, 4];
    const ids = new Map<number, string>();
    for (const i of order) ids.set(i, standin.addCloudTrailEvent(REGION, modifyRecord(minutesAgo(i + 1))));
    standin.addCloudTrailEvent(REGION, modifyRecord(minutesAgo(3), { eventName: 'DescribeClientVpnEndpoints', readOnly: true }));
    standin.addCloudTrailEvent('us-east-1', modifyRecord(minutesAgo(1)));

    const client = cloudtrail();
    const input = { LookupAttributes: [{ AttributeKey: 'EventName' as const, AttributeValue: 'ModifyClientVpnEndpoint' }], MaxResults: 5 };
    const pages = await allPages(client, input);
    expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
    const events = pages.flat();
    // newest first: i = 0 (1 minute ago) ... 11
    expect(events.map((e) => e.EventId)).toEqual([...Array(12).keys()].map((i) => ids.get(i)));
    const times = events.map((e) => e.EventTime?.getTime() ?? 0);
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    // every page request carried the same parameters; only NextToken changed
    const sent = standin.callsTo('LookupEvents').map((c) => ({ ...c.params, NextToken: undefined }));
    expect(sent).toEqual([sent[0], sent[0], sent[0]]);
    expect(standin.callsTo('LookupEvents').map((c) => typeof c.params.NextToken)).toEqual(['undefined', 'string', 'string']);

    const first = events[0];
    expect(first).toMatchObject({
      EventName: 'ModifyClientVpnEndpoint',
      ReadOnly: 'false',
      AccessKeyId: 'AKIAEXAMPLEALICE0001',
      EventSource: 'ec2.amazonaws.com',
      Username: 'alice',
      Resources: [{ ResourceType: 'AWS::EC2::ClientVpnEndpoint', ResourceName: ENDPOINT_ID }],
    });
    expect(first?.EventTime).toBeInstanceOf(Date);
    expect(first?.EventTime?.toISOString()).toBe(minutesAgo(1).toISOString());
    // CloudTrailEvent is the record as a JSON string
    const record: unknown = JSON.parse(first?.CloudTrailEvent ?? '');
    expect(record).toMatchObject({ eventID: ids.get(0), eventName: 'ModifyClientVpnEndpoint', userIdentity: { userName: 'alice' } });
  });

  it('freezes a listing at its first page: events added while paging do not shift later pages', async () => {
    standin.setRateLimit('LookupEvents', Number.POSITIVE_INFINITY);
    for (let i = 0; i < 6; i++) standin.addCloudTrailEvent(REGION, modifyRecord(minutesAgo(10 + i)));
    const client = cloudtrail();
    const input = { LookupAttributes: [{ AttributeKey: 'EventName' as const, AttributeValue: 'ModifyClientVpnEndpoint' }], MaxResults: 3 };
    const p1 = await client.send(new LookupEventsCommand(input));
    standin.addCloudTrailEvent(REGION, modifyRecord(minutesAgo(1))); // newer: would push everything down by one
    const p2 = await client.send(new LookupEventsCommand({ ...input, NextToken: p1.NextToken }));
    const seen = [...(p1.Events ?? []), ...(p2.Events ?? [])].map((e) => e.EventId);
    expect(new Set(seen).size).toBe(6);
    expect(p2.NextToken).toBeUndefined();
    // a fresh listing sees the new one first
    const again = await client.send(new LookupEventsCommand(input));
    expect(again.Events?.[0]?.EventTime?.toISOString()).toBe(minutesAgo(1).toISOString());
  });

  it('allows one lookup attribute and filters on EventId, ResourceName, EventSource, Username', async () => {
    standin.setRateLimit('LookupEvents', Number.POSITIVE_INFINITY);
    const a = standin.addCloudTrailEvent(REGION, modifyRecord(minutesAgo(5)));
    const b = standin.addCloudTrailEvent(
      REGION,
      modifyRecord(minutesAgo(4), {
        eventSource: 'signin.amazonaws.com',
        eventName: 'ConsoleLogin',
        requestParameters: null,
        userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::123456789012:assumed-role/Admin/bob', principalId: 'AROAEXAMPLE:bob' },
      }),
    );
    const client = cloudtrail();
    const two = await sdkError(
      client.send(
        new LookupEventsCommand({
          LookupAttributes: [
            { AttributeKey: 'EventName', AttributeValue: 'ModifyClientVpnEndpoint' },
            { AttributeKey: 'Username', AttributeValue: 'alice' },
          ],
        }),
      ),
    );
    expect(two.name).toBe('InvalidLookupAttributesException');
    expect(two.$metadata.httpStatusCode).toBe(400);

    const badKey = await sdkError(
      client.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'Colour' as 'EventName', AttributeValue: 'x' }] })),
    );
    expect(badKey.name).toBe('InvalidLookupAttributesException');

    const by = async (AttributeKey: 'EventId' | 'ResourceName' | 'EventSource' | 'Username', AttributeValue: string): Promise<string[]> =>
      ((await client.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey, AttributeValue }] }))).Events ?? []).map(
        (e) => e.EventId ?? '',
      );
    expect(await by('EventId', b)).toEqual([b]);
    expect(await by('ResourceName', ENDPOINT_ID)).toEqual([a]);
    expect(await by('EventSource', 'signin.amazonaws.com')).toEqual([b]);
    expect(await by('Username', 'bob')).toEqual([b]); // role session name
    expect(await by('Username', 'alice')).toEqual([a]);
    expect((await client.send(new LookupEventsCommand({}))).Events?.map((e) => e.EventId)).toEqual([b, a]);
  });

  it('rejects a NextToken used with other parameters, or not issued by the service', async () => {
    standin.setRateLimit('LookupEvents', Number.POSITIVE_INFINITY);
    for (let i = 0; i < 4; i++) standin.addCloudTrailEvent(REGION, modifyRecord(minutesAgo(i + 1)));
    const client = cloudtrail();
    const start = minutesAgo(60);
    const input = {
      LookupAttributes: [{ AttributeKey: 'EventName' as const, AttributeValue: 'ModifyClientVpnEndpoint' }],
      StartTime: start,
      MaxResults: 2,
    };
    const p1 = await client.send(new LookupEventsCommand(input));
    expect(p1.NextToken).toEqual(expect.any(String));
    const token = p1.NextToken;

    const otherAttr = await sdkError(
      client.send(new LookupEventsCommand({ ...input, LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'alice' }], NextToken: token })),
    );
    expect(otherAttr.name).toBe('InvalidNextTokenException');
    expect(otherAttr.$metadata.httpStatusCode).toBe(400);
    const otherStart = await sdkError(client.send(new LookupEventsCommand({ ...input, StartTime: minutesAgo(30), NextToken: token })));
    expect(otherStart.name).toBe('InvalidNextTokenException');
    const noAttr = await sdkError(client.send(new LookupEventsCommand({ StartTime: start, MaxResults: 2, NextToken: token })));
    expect(noAttr.name).toBe('InvalidNextTokenException');
    const garbage = await sdkError(client.send(new LookupEventsCommand({ ...input, NextToken: 'not-a-token' })));
    expect(garbage.name).toBe('InvalidNextTokenException');

    const p2 = await client.send(new LookupEventsCommand({ ...input, NextToken: token }));
    expect(p2.Events).toHaveLength(2);
    expect(p2.NextToken).toBeUndefined();
  });

  it('validates MaxResults and the time range; applies StartTime/EndTime inclusively and the 90-day horizon', async () => {
    standin.setRateLimit('LookupEvents', Number.POSITIVE_INFINITY);
    const t = [minutesAgo(30), minutesAgo(20), minutesAgo(10)];
    const ids = t.map((d) => standin.addCloudTrailEvent(REGION, modifyRecord(d)));
    const old = standin.addCloudTrailEvent(REGION, modifyRecord(new Date(Date.now() - 91 * 24 * 3600 * 1000)));
    const client = cloudtrail();

    for (const MaxResults of [0, 51]) {
      const e = await sdkError(client.send(new LookupEventsCommand({ MaxResults })));
      expect(e.name).toBe('InvalidMaxResultsException');
    }
    const range = await sdkError(client.send(new LookupEventsCommand({ StartTime: minutesAgo(1), EndTime: minutesAgo(2) })));
    expect(range.name).toBe('InvalidTimeRangeException');

    const window = await client.send(new LookupEventsCommand({ StartTime: t[0], EndTime: t[1] }));
    expect(window.Events?.map((e) => e.EventId)).toEqual([ids[1], ids[0]]);
    // the SDK sends epoch seconds, fractions for milliseconds
    expect(standin.callsTo('LookupEvents').at(-1)?.params.StartTime).toBe((t[0]?.getTime() ?? 0) / 1000);

    const everything = await client.send(new LookupEventsCommand({ StartTime: new Date(Date.now() - 365 * 24 * 3600 * 1000) }));
    expect(everything.Events?.map((e) => e.EventId)).toEqual([ids[2], ids[1], ids[0]]);
    expect(everything.Events?.some((e) => e.EventId === old)).toBe(false);
  });

  it('reproduces the awscli sample: assumed-role Username is the session name, Resources is [], record kept verbatim', async () => {
    standin.setRateLimit('LookupEvents', Number.POSITIVE_INFINITY);
    const sample: { Events: Array<{ EventId: string; Username: string; EventName: string; CloudTrailEvent: string; Resources: unknown[] }> } =
      JSON.parse(readFileSync('/work/shared/fixtures/cloudtrail-lookup-events-awscli-example.json', 'utf8'));
    const expected = sample.Events[0];
    if (expected === undefined) throw new Error('fixture has no event');
    const record: Record<string, unknown> = JSON.parse(expected.CloudTrailEvent);
    // The sample is from 2016: older than 90 days, so LookupEvents doesn't return it ...
    standin.addCloudTrailEvent('us-east-1', record);
    const client = cloudtrail('us-east-1');
    expect((await client.send(new LookupEventsCommand({}))).Events).toEqual([]);
    // ... moved to yesterday, it comes back with the sample's summary fields.
    const recent = { ...record, eventTime: ctTime(minutesAgo(24 * 60)) };
    standin.addCloudTrailEvent('us-east-1', recent);
    const out = await client.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'ConsoleLogin' }] }));
    expect(out.Events).toHaveLength(1);
    expect(out.Events?.[0]).toMatchObject({
      EventId: expected.EventId,
      Username: expected.Username,
      EventName: expected.EventName,
      Resources: expected.Resources,
      EventSource: 'signin.amazonaws.com',
    });
    expect(out.Events?.[0]?.CloudTrailEvent).toBe(JSON.stringify(recent));
    // no accessKeyId in the record -> no AccessKeyId; no readOnly -> no ReadOnly
    expect(out.Events?.[0]?.AccessKeyId).toBeUndefined();
    expect(out.Events?.[0]?.ReadOnly).toBeUndefined();
  });

  it('can serve a malformed CloudTrailEvent string', async () => {
    standin.addCloudTrailEvent(REGION, modifyRecord(minutesAgo(1)), { rawCloudTrailEvent: '{"eventVersion":' });
    const out = await cloudtrail().send(new LookupEventsCommand({}));
    expect(out.Events?.[0]?.CloudTrailEvent).toBe('{"eventVersion":');
    expect(out.Events?.[0]?.EventName).toBe('ModifyClientVpnEndpoint');
  });
});

describe('CloudTrail LookupEvents rate limit (2 per second per region)', () => {
  it('throttles 10 parallel requests down to 2 with ThrottlingException; the window counter sees all 10', async () => {
    standin.addCloudTrailEvent(REGION, modifyRecord(minutesAgo(1)));
    const client = cloudtrail();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => client.send(new LookupEventsCommand({}))));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(ok).toHaveLength(2);
    expect(failed).toHaveLength(8);
    for (const e of failed) {
      expect(isSdkError(e)).toBe(true);
      if (!isSdkError(e)) continue;
      expect(e.name).toBe('ThrottlingException');
      expect(e.message).toBe('Rate exceeded');
      expect(e.$metadata.httpStatusCode).toBe(400);
    }
    expect(standin.throttledCount('LookupEvents')).toBe(8);
    expect(standin.maxRequestsPerSecond('LookupEvents', REGION)).toBe(10);
    expect(standin.maxRequestsPerSecond('LookupEvents', REGION, { acceptedOnly: true })).toBe(2);

    // per region: another region has its own allowance
    await cloudtrail('us-east-1').send(new LookupEventsCommand({}));
    expect(standin.maxRequestsPerSecond('LookupEvents', 'us-east-1')).toBe(1);
  });

  it('a client that paces itself to 2/s is never throttled and the counter shows it', async () => {
    const client = cloudtrail();
    for (let i = 0; i < 4; i++) {
      if (i === 2) await new Promise((r) => setTimeout(r, 1010));
      await client.send(new LookupEventsCommand({}));
    }
    expect(standin.throttledCount()).toBe(0);
    expect(standin.maxRequestsPerSecond('LookupEvents', REGION)).toBeLessThanOrEqual(2);
  });

  it('the SDK retries ThrottlingException and succeeds after a pause', async () => {
    // fixed 1.05 s backoff (the standard strategy's retry rules, without its jitter)
    const client = cloudtrail(REGION, { retryStrategy: new ConfiguredRetryStrategy(3, 1050) });
    await client.send(new LookupEventsCommand({}));
    await client.send(new LookupEventsCommand({}));
    const third = await client.send(new LookupEventsCommand({}));
    expect(third.$metadata.attempts).toBe(2);
    expect(standin.callsTo('LookupEvents').map((c) => [c.status, c.errorCode])).toEqual([
      [200, undefined],
      [200, undefined],
      [400, 'ThrottlingException'],
      [200, undefined],
    ]);
    expect(standin.throttledCount('LookupEvents')).toBe(1);
  });

  it('is configurable: setRateLimit(5) admits 5; Infinity switches it off', async () => {
    const client = cloudtrail();
    standin.setRateLimit('LookupEvents', 5);
    const five = await Promise.allSettled(Array.from({ length: 7 }, () => client.send(new LookupEventsCommand({}))));
    expect(five.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    standin.setRateLimit('LookupEvents', Number.POSITIVE_INFINITY);
    const all = await Promise.allSettled(Array.from({ length: 20 }, () => client.send(new LookupEventsCommand({}))));
    expect(all.every((r) => r.status === 'fulfilled')).toBe(true);
  });
});
