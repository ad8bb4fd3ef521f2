import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSweepHandler } from '../../src/handlers/create-sweep-handler';
import { startStandin, type Standin } from '../../standin/index';
import { ACCOUNT, lambdaContext, LAMBDA_CALLER_ARN, runtimeFor, runCliAgainst } from '../helpers/standin-runtime';

const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
let standin: Standin;
let topicArn: string;

beforeAll(async () => {
  standin = await startStandin({ accountId: ACCOUNT, callerArn: LAMBDA_CALLER_ARN, regions: REGIONS });
});
afterAll(async () => {
  await standin.close();
});
beforeEach(() => {
  standin.reset();
  topicArn = standin.createTopic('eu-west-1', 'alerts');
});

function cli(args: string[], env: Record<string, string | undefined> = {}) {
  return runCliAgainst(standin, args, { AWS_REGION: 'eu-west-1', CVPN_TOPIC_ARN: topicArn, ...env });
}

const writes = () =>
  standin.calls.filter((c) => ['ModifyClientVpnEndpoint', 'CreateLogGroup', 'PutRetentionPolicy', 'Publish'].includes(c.action));

/** One endpoint of each kind in a region; returns their IDs. */
function seed(region: string) {
  standin.addLogGroup(region, 'kept-group', { retentionInDays: 731 });
  return {
    off: standin.addEndpoint(region, { logging: { enabled: false } }),
    on: standin.addEndpoint(region, { logging: { enabled: true, logGroup: 'kept-group' } }),
    drift: standin.addEndpoint(region, { logging: { enabled: true, logGroup: '/aws/clientvpn/gone' } }),
    exempt: standin.addEndpoint(region, { logging: { enabled: false }, tags: { 'cvpn-log-guard:exempt': 'lab until=2099-12-31' } }),
    deleted: (() => {
      const id = standin.addEndpoint(region, { logging: { enabled: false } });
      standin.deleteEndpoint(region, id);
      return id;
    })(),
  };
}

describe('cvpn-log-guard scan', () => {
  it('lists every endpoint with logging, log group, retention and exemption, and changes nothing', async () => {
    const ids = seed('eu-west-1');
    const r = await cli(['scan']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/region\s+endpoint\s+status\s+logging\s+log group\s+exists\s+retention\s+exempt\s+result/);
    expect(r.out).toMatch(new RegExp(`${ids.on}\\s+available\\s+on\\s+kept-group\\s+yes\\s+731\\s+-\\s+ok`));
    expect(r.out).toMatch(new RegExp(`${ids.drift}\\s+available\\s+on\\s+/aws/clientvpn/gone\\s+NO\\s+-\\s+-\\s+NON-COMPLIANT`));
    expect(r.out).toMatch(new RegExp(`${ids.exempt}\\s+available\\s+OFF.*yes: lab \\(until 2099-12-31\\)\\s+ok`));
    expect(r.out).toMatch(new RegExp(`NON-COMPLIANT ${ids.off} \\(eu-west-1\\): connection logging is off`));
    expect(r.out).toMatch(new RegExp(`NON-COMPLIANT ${ids.drift} \\(eu-west-1\\): logging points at log group /aws/clientvpn/gone, which no longer exists`));
    expect(r.out).toMatch(/5 endpoints in 1 region: 3 compliant, 2 non-compliant; run with --apply to fix/);
    expect(writes()).toHaveLength(0);
  });

  it('--apply fixes disabled logging and deleted log groups, alerts, then exits 0', async () => {
    const ids = seed('eu-west-1');
    const r = await cli(['scan', '--apply']);
    expect(r.code, r.out).toBe(0);
    expect(standin.getEndpoint('eu-west-1', ids.off)?.logging).toMatchObject({ enabled: true, logGroup: `/aws/clientvpn/${ids.off}` });
    // The deleted group is re-created under its own name and logging re-pointed at it.
    expect(standin.getLogGroup('eu-west-1', '/aws/clientvpn/gone')).toBeDefined();
    expect(standin.getEndpoint('eu-west-1', ids.drift)?.logging).toMatchObject({ enabled: true, logGroup: '/aws/clientvpn/gone' });
    expect(standin.getEndpoint('eu-west-1', ids.exempt)?.logging.enabled).toBe(false);
    const modified = standin.callsTo('ModifyClientVpnEndpoint').map((c) => c.params.ClientVpnEndpointId).sort();
    expect(modified).toEqual([ids.off, ids.drift].sort());
    for (const c of standin.callsTo('ModifyClientVpnEndpoint')) {
      expect(Object.keys(c.params).every((k) => k === 'ClientVpnEndpointId' || k.startsWith('ConnectionLogOptions.'))).toBe(true);
    }
    expect(standin.published(topicArn).map((m) => m.attributes.outcome?.stringValue)).toEqual(['remediated', 'remediated']);
    expect(r.out).toMatch(/5 endpoints in 1 region: 5 compliant \(2 fixed now\), 0 non-compliant/);

    const again = await cli(['scan']);
    expect(again.code).toBe(0);
  });

  it('in notify-only mode --apply changes nothing and still exits 1', async () => {
    seed('eu-west-1');
    const r = await cli(['scan', '--apply'], { CVPN_MODE: 'notify-only' });
    expect(r.code).toBe(1);
    expect(standin.callsTo('ModifyClientVpnEndpoint')).toHaveLength(0);
    expect(standin.callsTo('CreateLogGroup')).toHaveLength(0);
  });

  it('--regions all scans every enabled region concurrently', async () => {
    const byRegion = Object.fromEntries(REGIONS.map((r) => [r, seed(r)]));
    const r = await cli(['scan', '--regions', 'all', '--apply']);
    expect(r.code, r.out).toBe(0);
    for (const region of REGIONS) {
      expect(standin.getEndpoint(region, byRegion[region]?.off ?? "")?.logging.enabled).toBe(true);
    }
    expect(standin.callsTo('DescribeRegions')).toHaveLength(1);
    expect(r.out).toMatch(/15 endpoints in 3 regions: 15 compliant \(6 fixed now\)/);
  });

  it('pages through more than 1000 endpoints', async () => {
    for (let i = 0; i < 1003; i++) standin.addEndpoint('us-east-1', { logging: { enabled: true, logGroup: 'kept-group' } });
    standin.addLogGroup('us-east-1', 'kept-group');
    const r = await cli(['scan', '--regions', 'us-east-1', '--json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toHaveLength(1003);
    expect(standin.callsTo('DescribeClientVpnEndpoints').length).toBe(2);
  });

  it('--json prints one object per endpoint', async () => {
    const ids = seed('eu-west-1');
    const r = await cli(['scan', '--json']);
    const rows = r.stdout.map((l) => JSON.parse(l));
    expect(rows.find((x) => x.endpointId === ids.drift)).toMatchObject({ kind: 'endpoint', compliant: false, logGroupExists: false });
  });

  it.each([
    [['scan', '--regions', 'mars-1,eu-west-1'], /not region names: mars-1/],
    [['scan', '--apply', '--bogus'], /Unknown option '--bogus'/],
    [['scan', '--json', '--quiet'], /exclude each other/],
  ])('usage error %j exits 2', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});

describe('sweep function', () => {
  it('fixes its own region and announces only what it changed', async () => {
    const ids = seed('eu-west-1');
    seed('us-east-1');
    const logger = new Logger({ serviceName: 'cvpn-log-guard', logLevel: 'SILENT' });
    const metrics = new Metrics({ namespace: 'CvpnLogGuardTest', serviceName: 'cvpn-log-guard' });
    const handler = createSweepHandler({
      runtime: runtimeFor(standin, { CVPN_TOPIC_ARN: topicArn }),
      region: 'eu-west-1',
      logger,
      metrics,
    });
    const summary = await handler({}, lambdaContext());
    expect(summary).toEqual({ region: 'eu-west-1', endpoints: 5, compliant: 5, remediated: 2, failed: 0, nonCompliant: 0 });
    expect(standin.getEndpoint('eu-west-1', ids.off)?.logging.enabled).toBe(true);
    expect(standin.published(topicArn)).toHaveLength(2);
    expect(standin.calls.filter((c) => c.region === 'us-east-1' && c.action === 'ModifyClientVpnEndpoint')).toHaveLength(0);

    const second = await handler({}, lambdaContext());
    expect(second).toMatchObject({ remediated: 0, nonCompliant: 0 });
    expect(standin.published(topicArn)).toHaveLength(2);
  });
});
