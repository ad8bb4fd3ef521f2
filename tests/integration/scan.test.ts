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
    // One table per region; the header fits 80 columns.
    expect(r.out).toMatch(/^eu-west-1\nendpoint\s+logs\s+retention\s+key\s+delivers\s+result$/m);
    expect(r.out).toMatch(new RegExp(`^${ids.on}\\s+on\\s+731 d\\s+none\\s+yes\\s+ok\\n  kept-group$`, 'm'));
    expect(r.out).toMatch(new RegExp(`^${ids.drift}\\s+on\\s+-\\s+-\\s+-\\s+NO\\n  /aws/clientvpn/gone \\(MISSING\\)$`, 'm'));
    expect(r.out).toMatch(new RegExp(`^${ids.exempt}\\s+OFF\\s+-\\s+-\\s+-\\s+ok\\n  exempt: lab \\(until 2099-12-31\\)$`, 'm'));
    expect(r.out).toMatch(new RegExp(`^${ids.deleted}\\s+OFF.*ok\\n  deleted$`, 'm'));
    expect(r.out).toMatch(new RegExp(`NON-COMPLIANT ${ids.off} \\(eu-west-1\\)\\n  connection logging is off`));
    expect(r.out).toMatch(new RegExp(`NON-COMPLIANT ${ids.drift} \\(eu-west-1\\)\\n  logging points at log group /aws/clientvpn/gone, which no longer exists`));
    for (const line of r.out.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
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
    // The group it created is described from what it made: retention and key, delivery not yet known.
    expect(r.out).toMatch(new RegExp(`^${ids.off}\\s+on\\s+365 d\\s+none\\s+\\?\\s+fixed$`, 'm'));

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

describe('cvpn-log-guard scan: the log group requirements from flags', () => {
  it('--min-retention-days judges retention; only --raise-retention with --apply raises it, never lowers', async () => {
    standin.addLogGroup('eu-west-1', '/aws/clientvpn/fortnight', { retentionInDays: 14 });
    standin.addLogGroup('eu-west-1', '/aws/clientvpn/years', { retentionInDays: 731 });
    const short = standin.addEndpoint('eu-west-1', { logging: { enabled: true, logGroup: '/aws/clientvpn/fortnight' } });
    const long = standin.addEndpoint('eu-west-1', { logging: { enabled: true, logGroup: '/aws/clientvpn/years' } });

    const lenient = await cli(['scan', '--min-retention-days', '14']);
    expect(lenient.code, lenient.out).toBe(0);

    const strict = await cli(['scan', '--min-retention-days', '30']);
    expect(strict.code).toBe(1);
    expect(strict.out).toMatch(new RegExp(`^${short}\\s+on\\s+14 d <30\\s+none\\s+\\S+\\s+NO$`, 'm'));
    expect(strict.out).toMatch(new RegExp(`^${long}\\s+on\\s+731 d\\s+`, 'm'));

    const reported = await cli(['scan', '--apply', '--min-retention-days', '30']);
    expect(reported.code).toBe(1);
    expect(standin.callsTo('PutRetentionPolicy')).toHaveLength(0);
    expect(standin.published(topicArn).map((m) => m.attributes.outcome?.stringValue)).toEqual(['retention-short']);

    const raised = await cli(['scan', '--apply', '--min-retention-days', '30', '--raise-retention']);
    expect(raised.code, raised.out).toBe(0);
    expect(standin.callsTo('PutRetentionPolicy').map((c) => c.params)).toEqual([{ logGroupName: '/aws/clientvpn/fortnight', retentionInDays: 30 }]);
    expect(standin.getLogGroup('eu-west-1', '/aws/clientvpn/fortnight')?.retentionInDays).toBe(30);
    expect(standin.getLogGroup('eu-west-1', '/aws/clientvpn/years')?.retentionInDays).toBe(731);
    expect(raised.out).toMatch(new RegExp(`^${short}\\s+.*raised$`, 'm'));
  });

  it('--kms-key-arn and --require-kms judge the group key', async () => {
    const key = standin.addKmsKey('eu-west-1');
    standin.addLogGroup('eu-west-1', '/aws/clientvpn/plain', { retentionInDays: 365 });
    standin.addLogGroup('eu-west-1', '/aws/clientvpn/sealed', { kmsKeyId: key, retentionInDays: 365 });
    const plain = standin.addEndpoint('eu-west-1', { logging: { enabled: true, logGroup: '/aws/clientvpn/plain' } });
    const sealed = standin.addEndpoint('eu-west-1', { logging: { enabled: true, logGroup: '/aws/clientvpn/sealed' } });

    expect((await cli(['scan'])).code).toBe(0);
    const anyKey = await cli(['scan', '--require-kms']);
    expect(anyKey.code).toBe(1);
    expect(anyKey.out).toMatch(new RegExp(`^${plain}\\s+on\\s+365 d\\s+NONE\\s`, 'm'));
    expect(anyKey.out).toMatch(new RegExp(`^${sealed}\\s+on\\s+365 d\\s+ok\\s`, 'm'));

    const other = standin.addKmsKey('eu-west-1');
    const named = await cli(['scan', '--json', '--kms-key-arn', other]);
    const rows = named.stdout.map((l) => JSON.parse(l) as { endpointId: string; keyStatus: string; kmsKeyId?: string });
    expect(rows.find((r) => r.endpointId === sealed)).toMatchObject({ keyStatus: 'other-key', kmsKeyId: key });
    expect(rows.find((r) => r.endpointId === plain)).toMatchObject({ keyStatus: 'unencrypted' });
  });

  it('shows when the endpoint\'s stream last received records', async () => {
    standin.addLogGroup('eu-west-1', '/aws/clientvpn/busy', { retentionInDays: 365 });
    const id = standin.addEndpoint('eu-west-1', { logging: { enabled: true, logGroup: '/aws/clientvpn/busy' } });
    expect(standin.simulateConnection('eu-west-1', id, new Date('2026-12-03T09:41:27Z'))).toBe(true);
    const r = await cli(['scan']);
    expect(r.out).toMatch(new RegExp(`^${id}\\s+on\\s+365 d\\s+none\\s+yes\\s+ok\\n  /aws/clientvpn/busy · last records 2026-12-03 09:41 UTC$`, 'm'));
    const json = await cli(['scan', '--json']);
    expect(JSON.parse(json.stdout[0] ?? '{}')).toMatchObject({ delivering: 'yes', lastIngestionTime: '2026-12-03T09:41:27.000Z' });
  });

  it('--no-delivery-check makes no stream read and says delivery is unknown', async () => {
    standin.addLogGroup('eu-west-1', '/aws/clientvpn/g');
    // A group that never expires meets every requirement.
    const id = standin.addEndpoint('eu-west-1', { logging: { enabled: true, logGroup: '/aws/clientvpn/g' } });
    const r = await cli(['scan', '--no-delivery-check']);
    expect(r.code).toBe(0);
    expect(standin.callsTo('DescribeLogStreams')).toHaveLength(0);
    expect(r.out).toMatch(new RegExp(`^${id}\\s+on\\s+never\\s+none\\s+\\?\\s+ok$`, 'm'));
    const json = await cli(['scan', '--json', '--no-delivery-check']);
    expect(JSON.parse(json.stdout[0] ?? '{}')).toMatchObject({ delivering: 'unknown', delivery: { reason: expect.stringMatching(/turned off/) } });
  });

  it.each([
    [['scan', '--min-retention-days', '300'], /CVPN_MIN_RETENTION_DAYS \(--min-retention-days\): 300 is not a retention CloudWatch Logs accepts.*\(the next longer one is 365\)/],
    [['scan', '--min-retention-days', '731'], /CVPN_RETENTION_DAYS \(--retention-days\) \(365\) is below CVPN_MIN_RETENTION_DAYS \(--min-retention-days\) \(731\)/],
    [['scan', '--kms-key-arn', 'my-key'], /CVPN_KMS_KEY_ARN \(--kms-key-arn\)/],
    [['replay', '--file', 'x', '--min-retention-days', 'a year'], /--min-retention-days\): a year is not a retention/],
  ])('usage error %j exits 2 before any AWS call', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(standin.calls).toHaveLength(0);
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
