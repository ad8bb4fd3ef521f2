/**
 * `replay --since`: missed events read back from CloudTrail's event history in several regions,
 * paced to the LookupEvents quota that the stand-in enforces (2 requests/second/region).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRemediateHandler } from '../../src/handlers/create-remediate-handler';
import { startStandin, type Standin } from '../../standin/index';
import { createRecord, fixture, modifyRecord, retarget } from '../helpers/events';
import { ACCOUNT, lambdaContext, LAMBDA_CALLER_ARN, runtimeFor, runCliAgainst } from '../helpers/standin-runtime';

const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
const NOW = Date.now();
let standin: Standin;

beforeAll(async () => {
  standin = await startStandin({ accountId: ACCOUNT, callerArn: LAMBDA_CALLER_ARN, regions: REGIONS });
});
afterAll(async () => {
  await standin.close();
});
beforeEach(() => {
  standin.reset();
});

function cli(args: string[], env: Record<string, string | undefined> = {}) {
  return runCliAgainst(standin, args, { AWS_REGION: 'eu-west-1', ...env });
}

let seq = 0;
const eventId = () => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;
const hoursAgo = (h: number) => new Date(NOW - h * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Per region: `broken` endpoints with logging off, `fine` ones with it on, and `events` CloudTrail
 * records spread over them (Modify from the console, Create from the console), newest last.
 */
function seedRegion(region: string, broken: number, modifyEvents: number, createEvents: number) {
  standin.addLogGroup(region, 'kept');
  const brokenIds = Array.from({ length: broken }, () => standin.addEndpoint(region, { logging: { enabled: false } }));
  const fineIds = Array.from({ length: 3 }, () => standin.addEndpoint(region, { logging: { enabled: true, logGroup: 'kept' } }));
  const targets = [...brokenIds, ...fineIds];
  for (let i = 0; i < modifyEvents; i++) {
    const endpointId = targets[i % targets.length] ?? '';
    standin.addCloudTrailEvent(region, retarget(modifyRecord(), { region, account: ACCOUNT, endpointId, eventId: eventId(), eventTime: hoursAgo(100 - i) }));
  }
  for (let i = 0; i < createEvents; i++) {
    const endpointId = targets[i % targets.length] ?? '';
    standin.addCloudTrailEvent(region, retarget(createRecord(), { region, account: ACCOUNT, endpointId, eventId: eventId(), eventTime: hoursAgo(150 - i) }));
  }
  return brokenIds;
}

describe('cvpn-log-guard replay --since', () => {
  it('fixes every affected endpoint exactly once across 3 regions, never over 2 LookupEvents/s/region', async () => {
    const broken = {
      'eu-west-1': seedRegion('eu-west-1', 5, 70, 5), // 70 Modify events: two pages
      'us-east-1': seedRegion('us-east-1', 3, 25, 5),
      'ap-southeast-2': seedRegion('ap-southeast-2', 2, 10, 5),
    };
    // Noise the lookup must drop: a failed call and an event older than the window.
    standin.addCloudTrailEvent('eu-west-1', retarget(fixture('cloudtrail-modify-clientvpn-failed-invalidparametervalue-assumedrole.json'), { region: 'eu-west-1', account: ACCOUNT, eventId: eventId(), eventTime: hoursAgo(2) }));
    standin.addCloudTrailEvent('eu-west-1', retarget(modifyRecord(), { region: 'eu-west-1', account: ACCOUNT, endpointId: broken['eu-west-1'][0], eventId: eventId(), eventTime: hoursAgo(24 * 8) }));

    const r = await cli(['replay', '--since', '7d', '--regions', 'all']);

    expect(r.code, r.out).toBe(0);
    for (const [region, ids] of Object.entries(broken)) {
      for (const id of ids) expect(standin.getEndpoint(region, id)?.logging.enabled, `${region} ${id}`).toBe(true);
      const writes = standin.calls.filter((c) => c.region === region && c.action === 'ModifyClientVpnEndpoint');
      expect(writes.map((c) => c.params.ClientVpnEndpointId).sort()).toEqual([...ids].sort());
      expect(standin.maxRequestsPerSecond('LookupEvents', region)).toBeLessThanOrEqual(2);
    }
    expect(standin.throttledCount('LookupEvents')).toBe(0);
    expect(standin.callsTo('LookupEvents').filter((c) => c.region === 'eu-west-1')).toHaveLength(3);
    expect(r.out).toMatch(/^eu-west-1\s+3\s+75\s+5\s+0\s/m);
    expect(r.out).toMatch(/120 events from .* in 3 regions: /);
    expect(r.stdout.filter((l) => /^remediated\s/.test(l))).toHaveLength(10);
  }, 30_000);

  it('judges retention from one log-group read per region, not one per event, and still reports a short one', async () => {
    standin.addLogGroup('eu-west-1', '/aws/clientvpn/short', { retentionInDays: 7 });
    standin.addLogGroup('eu-west-1', '/aws/clientvpn/long', { retentionInDays: 731 });
    const short = standin.addEndpoint('eu-west-1', { logging: { enabled: true, logGroup: '/aws/clientvpn/short' } });
    const long = standin.addEndpoint('eu-west-1', { logging: { enabled: true, logGroup: '/aws/clientvpn/long' } });
    for (let i = 0; i < 12; i++) {
      const endpointId = i % 2 === 0 ? short : long;
      standin.addCloudTrailEvent('eu-west-1', retarget(modifyRecord(), { region: 'eu-west-1', account: ACCOUNT, endpointId, eventId: eventId(), eventTime: hoursAgo(20 - i) }));
    }
    const r = await cli(['replay', '--since', '2d', '--json']);
    const outcomes = r.stdout.map((l) => JSON.parse(l) as { kind?: string; endpointId?: string; action?: string }).filter((o) => o.endpointId);
    expect(outcomes.filter((o) => o.endpointId === short).map((o) => o.action)).toEqual(Array(6).fill('retention-short'));
    expect(outcomes.filter((o) => o.endpointId === long).map((o) => o.action)).toEqual(Array(6).fill('already-compliant'));
    expect(standin.callsTo('DescribeLogGroups')).toHaveLength(1);
    expect(standin.callsTo('DescribeClientVpnEndpoints')).toHaveLength(1);
  });

  it('after fixing an endpoint, its later events are judged from the fix, not from a read each', async () => {
    const off = standin.addEndpoint('eu-west-1', { logging: { enabled: false } });
    standin.addEndpoint('eu-west-1', { logging: { enabled: false } });
    for (let i = 0; i < 5; i++) {
      standin.addCloudTrailEvent('eu-west-1', retarget(modifyRecord(), { region: 'eu-west-1', account: ACCOUNT, endpointId: off, eventId: eventId(), eventTime: hoursAgo(20 - i) }));
    }
    const r = await cli(['replay', '--since', '2d', '--json']);
    const actions = r.stdout.map((l) => JSON.parse(l) as { endpointId?: string; action?: string }).filter((o) => o.endpointId === off).map((o) => o.action);
    expect(actions).toEqual(['remediated', 'already-compliant', 'already-compliant', 'already-compliant', 'already-compliant']);
    // The snapshot's listing needs no group read (nothing logs yet) and the fix creates the group
    // without one; the event queued right behind the fix may start before the snapshot is updated
    // and read the new group once. Without carrying the fix forward it was one read per later event.
    expect(standin.callsTo('DescribeLogGroups').length).toBeLessThanOrEqual(1);
    expect(standin.callsTo('ModifyClientVpnEndpoint')).toHaveLength(1);
  });

  it('dry run changes nothing and publishes nothing', async () => {
    const topic = standin.createTopic('eu-west-1', 'alerts');
    seedRegion('eu-west-1', 2, 4, 0);
    const r = await cli(['replay', '--since', '7d', '--dry-run', '--topic-arn', topic]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('would-remediate');
    expect(standin.callsTo('ModifyClientVpnEndpoint')).toHaveLength(0);
    expect(standin.callsTo('CreateLogGroup')).toHaveLength(0);
    expect(standin.published()).toHaveLength(0);
  });

  it('reports malformed CloudTrailEvent strings and still processes the rest (exit 1)', async () => {
    const [id] = seedRegion('eu-west-1', 1, 1, 0);
    standin.addCloudTrailEvent('eu-west-1', retarget(modifyRecord(), { region: 'eu-west-1', account: ACCOUNT, eventId: 'broken-record', eventTime: hoursAgo(1) }), {
      rawCloudTrailEvent: '{"eventVersion":"1.08","userIdentity":',
    });
    const r = await cli(['replay', '--since', '7d']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^invalid\s+eu-west-1 event broken-record: CloudTrailEvent is not valid JSON/m);
    expect(standin.getEndpoint('eu-west-1', id ?? '')?.logging.enabled).toBe(true);
  });

  it('--json prints only JSON lines', async () => {
    seedRegion('us-east-1', 1, 1, 0);
    const r = await cli(['replay', '--since', '7d', '--regions', 'us-east-1', '--json']);
    expect(r.code).toBe(0);
    for (const line of r.stdout) expect(() => JSON.parse(line)).not.toThrow();
    expect(r.stdout.map((l) => JSON.parse(l).action)).toEqual(['remediated']);
  });

  it('--invoke hands each rebuilt event to the deployed function', async () => {
    const [id] = seedRegion('eu-west-1', 1, 2, 0);
    const topic = standin.createTopic('eu-west-1', 'alerts');
    const logger = new Logger({ serviceName: 'cvpn-log-guard', logLevel: 'SILENT' });
    const metrics = new Metrics({ namespace: 'CvpnLogGuardTest', serviceName: 'cvpn-log-guard' });
    const handler = createRemediateHandler({ runtime: runtimeFor(standin, { CVPN_TOPIC_ARN: topic }), logger, metrics });
    standin.registerFunction('cvpn-log-guard-prod-remediate', (event) => handler(event, lambdaContext()));

    const r = await cli(['replay', '--since', '7d', '--invoke', 'cvpn-log-guard-prod-remediate']);
    expect(r.code, r.out).toBe(0);
    const invocations = standin.invocations('cvpn-log-guard-prod-remediate');
    expect(invocations).toHaveLength(2);
    expect(JSON.parse(String(invocations[0]?.payload))).toMatchObject({ 'replay-name': 'cvpn-log-guard-replay', source: 'aws.ec2' });
    expect(standin.getEndpoint('eu-west-1', id ?? '')?.logging.enabled).toBe(true);
    expect(r.out).toMatch(/^remediated\s+eu-west-1 event \d+ eu-west-1 .*invoked: remediated/m);
    expect(standin.published(topic)).toHaveLength(1);
  });

  it.each([
    [['replay', '--since', '120d'], /more than 90 days ago/],
    [['replay', '--since', 'yesterday'], /--since must be an ISO 8601 time or a duration/],
    [['replay', '--since', '1d', '--until', '2d'], /must be before --until/],
    [['replay', '--since', '1d', '--file', 'x.json'], /--file or --since, not both/],
    [['replay', '--since', '1d', '--regions', 'moon'], /not region names: moon/],
    [['replay', '--since', '1d', '--invoke', 'not a function!'], /must be a Lambda function name or ARN/],
  ])('usage error %j', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(standin.callsTo('LookupEvents')).toHaveLength(0);
  });
});
