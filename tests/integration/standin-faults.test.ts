// Faults, throttling and latency in the stand-in, seen through the REAL AWS SDK v3 clients.

import {
  DescribeClientVpnEndpointsCommand,
  DescribeRegionsCommand,
  EC2Client,
  type DescribeRegionsCommandInput,
  ModifyClientVpnEndpointCommand,
  paginateDescribeClientVpnEndpoints,
} from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AWS_EC2_THROTTLING, startStandin, type Standin } from '../../standin/index';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let standin: Standin;

beforeAll(async () => {
  standin = await startStandin();
});
afterAll(async () => {
  await standin.close();
});
beforeEach(() => {
  standin.reset({ config: true });
});

type Ec2Config = ConstructorParameters<typeof EC2Client>[0];

function ec2(region = 'us-east-1', extra: Partial<Ec2Config> = {}): EC2Client {
  return new EC2Client({ region, endpoint: standin.url, credentials, maxAttempts: 1, ...extra });
}

interface SdkError {
  name: string;
  message: string;
  code?: string;
  $metadata: { httpStatusCode?: number; attempts?: number };
}

function asError(e: unknown): SdkError {
  if (!(e instanceof Error)) throw new Error(`not an Error: ${String(e)}`);
  const meta: unknown = Reflect.get(e, '$metadata');
  const code: unknown = Reflect.get(e, 'code');
  const out: SdkError = { name: e.name, message: e.message, $metadata: typeof meta === 'object' && meta !== null ? meta : {} };
  if (typeof code === 'string') out.code = code;
  return out;
}

async function failure(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    return asError(e);
  }
  throw new Error('expected the call to fail');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('EC2 token-bucket throttling', () => {
  it('capacity 3, refill 10/s: the 4th immediate Describe gets RequestLimitExceeded 503; later ones succeed', async () => {
    const client = ec2();
    await client.send(new DescribeRegionsCommand({})); // warm up the client before the clock matters
    standin.setEc2Throttling({ nonMutating: { capacity: 3, refillPerSecond: 10 } });

    const burst = await Promise.allSettled(Array.from({ length: 4 }, () => client.send(new DescribeRegionsCommand({}))));
    expect(burst.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const rejected = burst.flatMap((r) => (r.status === 'rejected' ? [asError(r.reason)] : []));
    expect(rejected.map((e) => [e.name, e.$metadata.httpStatusCode])).toEqual([['RequestLimitExceeded', 503]]);
    expect(standin.throttledCount('DescribeRegions')).toBe(1);
    expect(standin.throttledCount()).toBe(1);

    await sleep(250); // 2.5 tokens back
    await client.send(new DescribeRegionsCommand({}));
    await client.send(new DescribeRegionsCommand({}));

    // mutating calls use their own bucket, unthrottled here
    const id = standin.addEndpoint('us-east-1');
    for (let i = 0; i < 5; i++) {
      await client.send(new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: id, Description: `d${i}` }));
    }
    expect(standin.throttledCount('ModifyClientVpnEndpoint')).toBe(0);
  });

  it('the SDK retries RequestLimitExceeded and gets through once a token is back', async () => {
    const client = ec2('us-east-1', { maxAttempts: undefined, retryStrategy: new ConfiguredRetryStrategy(3, 150) });
    await client.send(new DescribeRegionsCommand({}));
    standin.setEc2Throttling({ nonMutating: { capacity: 1, refillPerSecond: 10 } });
    await client.send(new DescribeRegionsCommand({}));
    const second = await client.send(new DescribeRegionsCommand({}));
    expect(second.$metadata.attempts).toBe(2);
    expect(standin.throttledCount('DescribeRegions')).toBe(1);
  });

  it('throttles mutating calls on their bucket, per region; a region can be exempted', async () => {
    standin.setEc2Throttling({ mutating: { capacity: 2, refillPerSecond: 0.001 } });
    standin.setEc2Throttling(null, 'eu-west-1');
    const us = standin.addEndpoint('us-east-1');
    const eu = standin.addEndpoint('eu-west-1');
    const modify = (region: string, id: string): Promise<unknown> =>
      ec2(region).send(new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: id, Description: 'x' }));
    await modify('us-east-1', us);
    await modify('us-east-1', us);
    const third = await failure(modify('us-east-1', us));
    expect([third.name, third.$metadata.httpStatusCode]).toEqual(['RequestLimitExceeded', 503]);
    for (let i = 0; i < 4; i++) await modify('eu-west-1', eu);
    // Describe is non-mutating: no bucket configured for it
    await ec2().send(new DescribeClientVpnEndpointsCommand({}));
    expect(standin.throttledCount()).toBe(1);
    standin.setEc2Throttling(null);
    await modify('us-east-1', us);
  });

  it("AWS's documented buckets: a burst of 130 Describes gets about 100 through", async () => {
    const client = ec2();
    await client.send(new DescribeRegionsCommand({}));
    standin.setEc2Throttling(AWS_EC2_THROTTLING);
    const burst = await Promise.allSettled(Array.from({ length: 130 }, () => client.send(new DescribeRegionsCommand({}))));
    const ok = burst.filter((r) => r.status === 'fulfilled').length;
    // 100 from the full bucket plus whatever refilled (20/s) while the burst arrived
    expect(ok).toBeGreaterThanOrEqual(100);
    expect(ok).toBeLessThan(130);
    expect(standin.throttledCount('DescribeRegions')).toBe(130 - ok);
  });
});

describe('delay and reset faults', () => {
  it('a delay longer than requestTimeout gives the SDK a TimeoutError; the call still took effect', async () => {
    const id = standin.addEndpoint('us-east-1', { description: 'before' });
    standin.addLogGroup('us-east-1', '/vpn');
    standin.injectFault({ kind: 'delay', ms: 1500, action: 'ModifyClientVpnEndpoint' });
    const client = ec2('us-east-1', { requestHandler: new NodeHttpHandler({ requestTimeout: 200, throwOnRequestTimeout: true }) });
    const started = Date.now();
    const err = await failure(
      client.send(
        new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: id, ConnectionLogOptions: { Enabled: true, CloudwatchLogGroup: '/vpn' } }),
      ),
    );
    expect(err.name).toBe('TimeoutError');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(standin.getEndpoint('us-east-1', id)?.logging.enabled).toBe(true);
    expect(standin.callsTo('ModifyClientVpnEndpoint')[0]?.fault).toBe('delay');
    // the next call is not delayed
    await client.send(new DescribeRegionsCommand({}));
  });

  it('without throwOnRequestTimeout, requestTimeout only warns and the late answer is used', async () => {
    standin.injectFault({ kind: 'delay', ms: 400, action: 'DescribeRegions' });
    const warnings: string[] = [];
    const logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: (m: unknown) => warnings.push(String(m)), error: () => undefined };
    const client = ec2('us-east-1', { requestHandler: new NodeHttpHandler({ requestTimeout: 100, logger }) });
    const out = await client.send(new DescribeRegionsCommand({}));
    expect(out.Regions?.length).toBeGreaterThan(0);
    expect(warnings.join('\n')).toContain('requestTimeout');
  });

  it('reset destroys the connection: the SDK reports a network error, and retries it as transient', async () => {
    standin.injectFault({ kind: 'reset', action: 'DescribeRegions' });
    const err = await failure(ec2().send(new DescribeRegionsCommand({})));
    expect(err.code).toBe('ECONNRESET');
    expect(err.$metadata.httpStatusCode).toBeUndefined();
    expect(standin.callsTo('DescribeRegions')[0]).toMatchObject({ status: 0, fault: 'reset' });

    standin.injectFault({ kind: 'reset', action: 'DescribeRegions' });
    const retrying = ec2('us-east-1', { maxAttempts: undefined, retryStrategy: new ConfiguredRetryStrategy(3, 5) });
    const out = await retrying.send(new DescribeRegionsCommand({}));
    expect(out.$metadata.attempts).toBe(2);
  });

  it('reset with applies: the call takes effect but the answer is lost', async () => {
    const id = standin.addEndpoint('us-east-1', { description: 'before' });
    standin.injectFault({ kind: 'reset', action: 'ModifyClientVpnEndpoint', applies: true });
    const err = await failure(ec2().send(new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: id, Description: 'after' })));
    expect(err.code).toBe('ECONNRESET');
    expect(standin.getEndpoint('us-east-1', id)?.description).toBe('after');
  });

  it('a fault with no action matches every call of the service', async () => {
    standin.injectFault({ service: 'sts', code: 'ExpiredToken', status: 403, times: 2 });
    const sts = new STSClient({ region: 'us-east-1', endpoint: standin.url, credentials, maxAttempts: 1 });
    expect((await failure(sts.send(new GetCallerIdentityCommand({})))).name).toBe('ExpiredToken');
    await ec2().send(new DescribeRegionsCommand({}));
    expect((await failure(sts.send(new GetCallerIdentityCommand({})))).name).toBe('ExpiredToken');
    await sts.send(new GetCallerIdentityCommand({}));
  });
});

describe('seeded probabilistic faults', () => {
  const failures = (p: string): number => (p.match(/x/g) ?? []).length;

  async function pattern(n: number): Promise<string> {
    const client = ec2();
    let out = '';
    for (let i = 0; i < n; i++) {
      try {
        await client.send(new DescribeRegionsCommand({}));
        out += '.';
      } catch {
        out += 'x';
      }
    }
    return out;
  }

  it('the same seed gives the same faults; another seed gives others', async () => {
    const inject = (): void => {
      standin.injectFault({ action: 'DescribeRegions', code: 'InternalError', status: 500, probability: 0.4, times: Number.POSITIVE_INFINITY });
    };
    standin.setSeed(42);
    inject();
    const a = await pattern(40);
    standin.reset(); // keeps the seed, restarts its sequence
    inject();
    const b = await pattern(40);
    standin.reset();
    standin.setSeed(7);
    inject();
    const c = await pattern(40);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    const hits = failures(a);
    expect(hits).toBeGreaterThan(5);
    expect(hits).toBeLessThan(30);
    expect(standin.callsTo('DescribeRegions').filter((c) => c.fault === 'error').length).toBe(failures(c));
  });

  it('times counts only the calls the probability hits', async () => {
    standin.setSeed(3);
    standin.injectFault({ action: 'DescribeRegions', code: 'InternalError', status: 500, probability: 0.5, times: 3 });
    const p = await pattern(40);
    expect(failures(p)).toBe(3);
  });
});

describe('latency', () => {
  it('holds every answer back; a per-action value overrides the global one', async () => {
    const client = ec2();
    await client.send(new DescribeRegionsCommand({}));
    standin.setLatency(150);
    let t = Date.now();
    await client.send(new DescribeRegionsCommand({}));
    expect(Date.now() - t).toBeGreaterThanOrEqual(145);
    standin.setLatency(0, 'DescribeRegions');
    t = Date.now();
    await client.send(new DescribeRegionsCommand({}));
    expect(Date.now() - t).toBeLessThan(140);
    standin.clearLatency();
  });

  it('close() does not wait for held answers', async () => {
    const s = await startStandin();
    s.setLatency(30_000);
    const client = new EC2Client({ region: 'us-east-1', endpoint: s.url, credentials, maxAttempts: 1 });
    const pending = client.send(new DescribeRegionsCommand({})).catch((e: unknown) => asError(e));
    await sleep(50);
    const t = Date.now();
    await s.close();
    expect(Date.now() - t).toBeLessThan(1000);
    expect(await pending).toMatchObject({ code: 'ECONNRESET' });
  });
});

describe('EC2 DescribeRegions with a configured region list', () => {
  it('three regions: the default answer leaves out not-opted-in ones; AllRegions and opt-in filters show them', async () => {
    const s = await startStandin({
      regions: ['eu-west-1', { name: 'us-east-1', optInStatus: 'opt-in-not-required' }, { name: 'ap-east-1', optInStatus: 'not-opted-in' }],
    });
    try {
      const client = new EC2Client({ region: 'us-east-1', endpoint: s.url, credentials, maxAttempts: 1 });
      const names = async (input: DescribeRegionsCommandInput): Promise<Array<[string?, string?]>> =>
        ((await client.send(new DescribeRegionsCommand(input))).Regions ?? []).map((r) => [r.RegionName, r.OptInStatus]);
      expect(await names({})).toEqual([
        ['eu-west-1', 'opt-in-not-required'],
        ['us-east-1', 'opt-in-not-required'],
      ]);
      expect(await names({ AllRegions: true })).toEqual([
        ['eu-west-1', 'opt-in-not-required'],
        ['us-east-1', 'opt-in-not-required'],
        ['ap-east-1', 'not-opted-in'],
      ]);
      expect(await names({ AllRegions: true, Filters: [{ Name: 'opt-in-status', Values: ['opted-in', 'opt-in-not-required'] }] })).toEqual([
        ['eu-west-1', 'opt-in-not-required'],
        ['us-east-1', 'opt-in-not-required'],
      ]);
      s.setRegions(['eu-west-1', { name: 'ap-east-1', optInStatus: 'opted-in' }, 'sa-east-1']);
      expect((await names({})).map(([n]) => n)).toEqual(['eu-west-1', 'ap-east-1', 'sa-east-1']);
    } finally {
      await s.close();
    }
  });
});

describe('DescribeClientVpnEndpoints at scale', () => {
  it('pages 250 endpoints in each of 20 regions quickly', async () => {
    const regions = Array.from({ length: 20 }, (_, i) => `test-region-${i + 1}`);
    for (const r of regions) for (let i = 0; i < 250; i++) standin.addEndpoint(r, { tags: { Name: `vpn-${i}` } });
    const started = performance.now();
    const counts = await Promise.all(
      regions.map(async (r) => {
        const client = ec2(r);
        let n = 0;
        let pages = 0;
        for await (const page of paginateDescribeClientVpnEndpoints({ client, pageSize: 100 }, {})) {
          n += page.ClientVpnEndpoints?.length ?? 0;
          pages++;
        }
        return [n, pages];
      }),
    );
    const elapsed = performance.now() - started;
    expect(counts.every(([n, pages]) => n === 250 && pages === 3)).toBe(true);
    expect(elapsed).toBeLessThan(8000);
    const oneShot = performance.now();
    const all = await ec2(regions[0]).send(new DescribeClientVpnEndpointsCommand({}));
    expect(all.ClientVpnEndpoints).toHaveLength(250);
    expect(performance.now() - oneShot).toBeLessThan(2000);
  });
});
