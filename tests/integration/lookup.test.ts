import { CloudTrailClient, LookupEventsCommand, ThrottlingException } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { lookupClientVpnEvents } from '../../src/aws/cloudtrail';
import { IntervalLimiter } from '../../src/util/rate-limiter';
import { checkWindow, parseTimeArg } from '../../src/cli/time-window';
import { createRecord, fixture, modifyRecord, retarget } from '../helpers/events';

const ct = mockClient(CloudTrailClient);
const NOW = new Date('2026-11-26T12:00:00Z');
const WINDOW = { since: new Date('2026-11-19T12:00:00Z'), until: NOW };

function summary(record: any) {
  return { EventId: record.eventID, EventName: record.eventName, CloudTrailEvent: JSON.stringify(record) };
}

function deps() {
  const sleeps: number[] = [];
  return {
    sleeps,
    deps: {
      cloudtrail: new CloudTrailClient({ region: 'eu-west-1' }),
      limiter: new IntervalLimiter(1000, () => 0, async () => {}, 0),
      sleep: async (ms: number) => {
        sleeps.push(ms);
      },
    },
  };
}

beforeEach(() => ct.reset());

describe('lookupClientVpnEvents', () => {
  it('queries each event name with one attribute, pages with the same parameters, oldest first', async () => {
    const m1 = retarget(modifyRecord(), { eventId: 'm1', eventTime: '2026-11-25T10:00:00Z' });
    const m2 = retarget(modifyRecord(), { eventId: 'm2', eventTime: '2026-11-20T10:00:00Z' });
    const c1 = retarget(createRecord(), { eventId: 'c1', eventTime: '2026-11-22T10:00:00Z' });
    ct.on(LookupEventsCommand, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateClientVpnEndpoint' }] }).resolves({
      Events: [summary(c1)],
    });
    const modify = { LookupAttributes: [{ AttributeKey: 'EventName' as const, AttributeValue: 'ModifyClientVpnEndpoint' }] };
    ct.on(LookupEventsCommand, { ...modify, NextToken: undefined }).resolves({ Events: [summary(m1)], NextToken: 't1' });
    ct.on(LookupEventsCommand, { ...modify, NextToken: 't1' }).resolves({ Events: [summary(m2), summary(m1)] });

    const { deps: d } = deps();
    const result = await lookupClientVpnEvents(d, 'eu-west-1', WINDOW);

    expect(result.pages).toBe(3);
    expect(result.duplicates).toBe(1);
    expect(result.envelopes.map((e: any) => e.detail.eventID)).toEqual(['m2', 'c1', 'm1']);
    expect(result.envelopes[0]).toMatchObject({ 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', 'replay-name': 'cvpn-log-guard-replay' });
    for (const call of ct.commandCalls(LookupEventsCommand)) {
      const input = call.args[0].input;
      expect(input.LookupAttributes).toHaveLength(1);
      expect(input).toMatchObject({ StartTime: WINDOW.since, EndTime: WINDOW.until, MaxResults: 50 });
    }
  });

  it('reports malformed CloudTrailEvent strings and skips them; drops failed calls and other services', async () => {
    const failed = fixture('cloudtrail-modify-clientvpn-failed-invalidparametervalue-assumedrole.json');
    const other = fixture('cloudtrail-lookup-events-awscli-example.json').Events[0];
    ct.on(LookupEventsCommand).resolves({
      Events: [
        { EventId: 'bad-1', CloudTrailEvent: '{"eventVersion": "1.08", "truncated' },
        { EventId: 'bad-2', CloudTrailEvent: '[1,2]' },
        summary(failed),
        other,
        summary(createRecord()),
      ],
    });
    const { deps: d } = deps();
    const result = await lookupClientVpnEvents(d, 'eu-west-1', WINDOW);
    expect(result.malformed.map((m) => m.eventId)).toEqual(['bad-1', 'bad-2', 'bad-1', 'bad-2']);
    expect(result.malformed[0]?.reason).toMatch(/CloudTrailEvent is not valid JSON/);
    expect(result.filtered).toBe(4); // both queries returned the failed call and the ConsoleLogin
    expect(result.envelopes).toHaveLength(1);
  });

  it('waits out throttling that got past the limiter, then carries on', async () => {
    ct.on(LookupEventsCommand)
      .rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }))
      .resolves({ Events: [] });
    const { deps: d, sleeps } = deps();
    const result = await lookupClientVpnEvents(d, 'eu-west-1', WINDOW);
    expect(result.pages).toBe(2);
    expect(sleeps).toEqual([1000]);
  });
});

describe('IntervalLimiter', () => {
  it('spaces request starts to stay under the quota', async () => {
    let now = 0;
    const starts: number[] = [];
    const limiter = new IntervalLimiter(2, () => now, async (ms) => {
      now += ms;
    });
    for (let i = 0; i < 6; i++) {
      await limiter.acquire();
      starts.push(now);
    }
    // No one-second window ever holds more than 2 starts.
    for (const t of starts) expect(starts.filter((s) => s >= t && s < t + 1000).length).toBeLessThanOrEqual(2);
    expect(starts.at(-1)).toBeLessThan(5 * 600);
  });
});

describe('time windows', () => {
  it.each([
    ['90m', '2026-11-26T10:30:00.000Z'],
    ['24h', '2026-11-25T12:00:00.000Z'],
    ['7d', '2026-11-19T12:00:00.000Z'],
    ['2026-11-20T08:00:00Z', '2026-11-20T08:00:00.000Z'],
  ])('reads %s', (text, iso) => {
    expect(parseTimeArg(text, NOW)?.toISOString()).toBe(iso);
  });

  it.each(['yesterday', '7 days', '-1d', '', '2026-13-45'])('rejects %j', (text) => {
    expect(parseTimeArg(text, NOW)).toBeUndefined();
  });

  it('refuses windows older than CloudTrail keeps, or upside down', () => {
    expect(checkWindow(new Date('2026-08-01T00:00:00Z'), NOW, NOW)).toMatch(/more than 90 days ago/);
    expect(checkWindow(NOW, new Date('2026-11-01T00:00:00Z'), NOW)).toMatch(/must be before --until/);
    expect(checkWindow(WINDOW.since, new Date('2027-01-01T00:00:00Z'), NOW)).toEqual({ since: WINDOW.since, until: NOW });
  });
});
