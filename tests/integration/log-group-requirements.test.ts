// The "Done when", against the stand-in through the real SDK: retention requirement on the
// event path, the scan and the sweep; keys that block records; delivery; the service-linked role.

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { scanRegion } from '../../src/app/services';
import { createSweepHandler } from '../../src/handlers/create-sweep-handler';
import type { RemediationOutcome } from '../../src/domain/outcome';
import type { Standin } from '../../standin/index';
import { envelope, modifyRecord } from '../helpers/events';
import { ENDPOINT, handlerFor, lambdaContext, REGION, runCliAgainst, runtimeFor, standinForAccount } from '../helpers/standin-runtime';

let standin: Standin;
let topicArn: string;
const GROUP = '/aws/clientvpn/existing';
const HOUR = 60 * 60 * 1000;

beforeAll(async () => {
  standin = await standinForAccount();
});
afterAll(async () => {
  await standin.close();
});
beforeEach(() => {
  standin.reset();
  topicArn = standin.createTopic(REGION, 'alerts');
});

const alerts = () => standin.published(topicArn).map((m) => m.attributes.outcome?.stringValue);
const reads = (action: string) => standin.callsTo(action).length;

function sweep(env: Record<string, string> = {}) {
  const logger = new Logger({ serviceName: 'cvpn-log-guard', logLevel: 'SILENT' });
  const metrics = new Metrics({ namespace: 'CvpnLogGuardTest', serviceName: 'cvpn-log-guard' });
  const runtime = runtimeFor(standin, { CVPN_TOPIC_ARN: topicArn, ...env });
  return { handler: createSweepHandler({ runtime, region: REGION, logger, metrics }), runtime };
}

/** The outcomes a scan --apply reports, as the sweep's alerts carry them. */
async function applyScan(env: Record<string, string> = {}) {
  const runtime = runtimeFor(standin, { CVPN_TOPIC_ARN: topicArn, ...env });
  const outcomes: RemediationOutcome[] = [];
  const scan = await scanRegion(runtime, REGION, { apply: true, onOutcome: async (o) => void outcomes.push(o) });
  runtime.close();
  return { scan, outcomes, row: (id: string) => scan.rows.find((r) => r.endpointId === id) };
}

describe('retention requirement', () => {
  it('event path: logging on to an existing 7-day group is retention-short, with an alert, and nothing is changed', async () => {
    standin.addLogGroup(REGION, GROUP, { retentionInDays: 7 });
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: true, logGroup: GROUP } });
    const { handler } = handlerFor(runtimeFor(standin, { CVPN_TOPIC_ARN: topicArn }));
    const result = await handler(envelope(modifyRecord()), lambdaContext());
    expect(result).toMatchObject({ status: 'processed', action: 'retention-short' });
    expect(alerts()).toEqual(['retention-short']);
    expect(standin.getLogGroup(REGION, GROUP)?.retentionInDays).toBe(7);
    expect(reads('PutRetentionPolicy')).toBe(0);
    // The event path reads the one group it knows, and nothing about keys, streams or roles.
    expect(reads('DescribeLogGroups')).toBe(1);
    expect(reads('DescribeLogStreams') + reads('DescribeKey') + reads('GetKeyPolicy') + reads('GetRole')).toBe(0);
  });

  it('event path with CVPN_RAISE_RETENTION=true raises it to the requirement (retention-raised)', async () => {
    standin.addLogGroup(REGION, GROUP, { retentionInDays: 7 });
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: true, logGroup: GROUP } });
    const { handler } = handlerFor(runtimeFor(standin, { CVPN_TOPIC_ARN: topicArn, CVPN_RAISE_RETENTION: 'true', CVPN_MIN_RETENTION_DAYS: '400', CVPN_RETENTION_DAYS: '400' }));
    const result = await handler(envelope(modifyRecord()), lambdaContext());
    expect(result).toMatchObject({ action: 'retention-raised' });
    expect(standin.getLogGroup(REGION, GROUP)?.retentionInDays).toBe(400);
    expect(alerts()).toEqual(['retention-raised']);
  });

  it('never lowers a retention, and a group that never expires meets every requirement', async () => {
    standin.addLogGroup(REGION, GROUP, { retentionInDays: 3653 });
    standin.addLogGroup(REGION, '/aws/clientvpn/forever');
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: true, logGroup: GROUP } });
    const other = standin.addEndpoint(REGION, { logging: { enabled: true, logGroup: '/aws/clientvpn/forever' } });
    const { handler } = handlerFor(runtimeFor(standin, { CVPN_TOPIC_ARN: topicArn, CVPN_RAISE_RETENTION: 'true' }));
    expect(await handler(envelope(modifyRecord()), lambdaContext())).toMatchObject({ action: 'already-compliant' });
    const { scan } = await applyScan({ CVPN_RAISE_RETENTION: 'true' });
    expect(scan.rows.find((r) => r.endpointId === other)).toMatchObject({ retentionMeets: true, compliant: true });
    expect(reads('PutRetentionPolicy')).toBe(0);
    expect(standin.getLogGroup(REGION, GROUP)?.retentionInDays).toBe(3653);
  });

  it('event path turning logging on to an existing short group says so on the fix, and when delivery is checked', async () => {
    standin.addLogGroup(REGION, `/aws/clientvpn/${ENDPOINT}`, { retentionInDays: 7 });
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    const runtime = runtimeFor(standin, { CVPN_TOPIC_ARN: topicArn });
    const { handler, lines } = handlerFor(runtime);
    const before = Date.now();
    await handler(envelope(modifyRecord()), lambdaContext());
    const outcome = (lines.find((l) => l.message === 'Remediation outcome')?.attributes as { outcome: RemediationOutcome }).outcome;
    expect(outcome).toMatchObject({
      action: 'remediated',
      logGroupCreated: false,
      requiredRetentionDays: 365,
      retentionShort: { logGroup: `/aws/clientvpn/${ENDPOINT}`, retentionDays: 7, requiredDays: 365 },
    });
    const checkAfter = Date.parse(outcome.deliveryCheckAfter ?? '');
    expect(checkAfter).toBeGreaterThanOrEqual(before + HOUR);
    expect(checkAfter).toBeLessThan(Date.now() + HOUR + 1000);
    expect(standin.getLogGroup(REGION, `/aws/clientvpn/${ENDPOINT}`)?.retentionInDays).toBe(7);
  });

  it('sweep: retention-short with an alert; raised only with raiseRetention on', async () => {
    standin.addLogGroup(REGION, GROUP, { retentionInDays: 7 });
    standin.addEndpoint(REGION, { logging: { enabled: true, logGroup: GROUP } });
    const off = sweep();
    const summary = await off.handler({}, lambdaContext());
    expect(summary).toMatchObject({ endpoints: 1, nonCompliant: 1, remediated: 0 });
    expect(alerts()).toEqual(['retention-short']);
    expect(standin.getLogGroup(REGION, GROUP)?.retentionInDays).toBe(7);

    const on = sweep({ CVPN_RAISE_RETENTION: 'true' });
    const raised = await on.handler({}, lambdaContext());
    expect(raised).toMatchObject({ endpoints: 1, compliant: 1, remediated: 0 });
    expect(standin.getLogGroup(REGION, GROUP)?.retentionInDays).toBe(365);
    expect(alerts()).toEqual(['retention-short', 'retention-raised']);
    expect(standin.callsTo('PutRetentionPolicy').map((c) => c.params)).toEqual([{ logGroupName: GROUP, retentionInDays: 365 }]);
  });

  it('scan (no apply) shows retention against the requirement and changes nothing', async () => {
    standin.addLogGroup(REGION, GROUP, { retentionInDays: 7 });
    const id = standin.addEndpoint(REGION, { logging: { enabled: true, logGroup: GROUP } });
    const runtime = runtimeFor(standin, { CVPN_TOPIC_ARN: topicArn });
    const scan = await scanRegion(runtime, REGION, { apply: false });
    expect(scan.rows.find((r) => r.endpointId === id)).toMatchObject({
      retentionDays: 7,
      requiredRetentionDays: 365,
      retentionMeets: false,
      compliant: false,
      problem: expect.stringMatching(/keeps records 7 days; the requirement is 365/),
    });
    expect(standin.published(topicArn)).toHaveLength(0);
  });
});

describe('encryption: keys that keep records from being written', () => {
  it('a disabled key, one pending deletion, or a policy without CloudWatch Logs is cannot-write', async () => {
    const disabled = standin.addKmsKey(REGION, { keyState: 'Disabled' });
    const pending = standin.addKmsKey(REGION, { keyState: 'PendingDeletion' });
    const noLogs = standin.addKmsKey(REGION, {
      policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 'kms:*', Resource: '*' }] },
    });
    const good = standin.addKmsKey(REGION);
    const ids: Record<string, string> = {};
    for (const [name, key] of Object.entries({ disabled, pending, noLogs, good })) {
      standin.addLogGroup(REGION, `/aws/clientvpn/${name}`, { kmsKeyId: key });
      ids[name] = standin.addEndpoint(REGION, { logging: { enabled: true, logGroup: `/aws/clientvpn/${name}` } });
    }
    const { outcomes, row } = await applyScan();
    const byEndpoint = new Map(outcomes.map((o) => [o.endpointId, o]));
    expect(byEndpoint.get(ids.disabled ?? '')).toMatchObject({ action: 'cannot-write', key: { usable: 'no', why: 'disabled' } });
    expect(byEndpoint.get(ids.pending ?? '')).toMatchObject({ action: 'cannot-write', key: { usable: 'no', why: 'pending-deletion' } });
    expect(byEndpoint.get(ids.noLogs ?? '')).toMatchObject({ action: 'cannot-write', key: { usable: 'no', why: 'policy-excludes-logs' } });
    expect(byEndpoint.get(ids.noLogs ?? '')?.reason).toMatch(/does not allow logs\.ap-northeast-1\.amazonaws\.com kms:Encrypt, kms:Decrypt, kms:GenerateDataKey/);
    expect(byEndpoint.has(ids.good ?? '')).toBe(false);
    expect(row(ids.good ?? '')).toMatchObject({ keyStatus: 'ok', kmsKeyId: good, compliant: true });
    expect(row(ids.disabled ?? '')).toMatchObject({ keyStatus: 'unusable', compliant: false });
    // One DescribeKey and one GetKeyPolicy per key.
    expect(reads('DescribeKey')).toBe(4);
    expect(reads('GetKeyPolicy')).toBe(4);
  });

  it('says plainly when it may not read the key', async () => {
    const key = standin.addKmsKey(REGION);
    standin.addLogGroup(REGION, GROUP, { kmsKeyId: key });
    const id = standin.addEndpoint(REGION, { logging: { enabled: true, logGroup: GROUP } });
    standin.injectFault({ service: 'kms', action: 'GetKeyPolicy', code: 'AccessDeniedException', times: Infinity });
    const { row, outcomes } = await applyScan();
    expect(row(id)).toMatchObject({ keyStatus: 'unknown', compliant: true, keyDetail: expect.stringMatching(/no permission to read the key .*kms:GetKeyPolicy \(AccessDeniedException\)/) });
    expect(outcomes).toHaveLength(0);
  });

  it('with CVPN_KMS_KEY_ARN set, a group without that key is key-mismatch; with CVPN_REQUIRE_KMS alone, any key will do', async () => {
    const required = standin.addKmsKey(REGION);
    const other = standin.addKmsKey(REGION);
    standin.addLogGroup(REGION, '/aws/clientvpn/plain');
    standin.addLogGroup(REGION, '/aws/clientvpn/other', { kmsKeyId: other });
    standin.addLogGroup(REGION, '/aws/clientvpn/required', { kmsKeyId: required });
    const plain = standin.addEndpoint(REGION, { logging: { enabled: true, logGroup: '/aws/clientvpn/plain' } });
    const otherId = standin.addEndpoint(REGION, { logging: { enabled: true, logGroup: '/aws/clientvpn/other' } });
    const ok = standin.addEndpoint(REGION, { logging: { enabled: true, logGroup: '/aws/clientvpn/required' } });
    const withKey = await applyScan({ CVPN_KMS_KEY_ARN: required });
    expect(withKey.row(plain)).toMatchObject({ keyStatus: 'unencrypted', compliant: false });
    expect(withKey.row(otherId)).toMatchObject({ keyStatus: 'other-key', compliant: false });
    expect(withKey.row(ok)).toMatchObject({ keyStatus: 'ok', compliant: true });
    expect(withKey.outcomes.map((o) => o.action).sort()).toEqual(['key-mismatch', 'key-mismatch']);

    const anyKey = await applyScan({ CVPN_REQUIRE_KMS: 'true' });
    expect(anyKey.row(plain)).toMatchObject({ keyStatus: 'unencrypted', compliant: false });
    expect(anyKey.row(otherId)).toMatchObject({ keyStatus: 'ok', compliant: true });
  });
});

describe('several findings', () => {
  it('the most severe names the outcome; the others ride along as fields and in the reason', async () => {
    const required = standin.addKmsKey(REGION);
    standin.addLogGroup(REGION, GROUP, { retentionInDays: 7 });
    const id = standin.addEndpoint(REGION, { logging: { enabled: true, logGroup: GROUP } });
    const { outcomes, row } = await applyScan({ CVPN_KMS_KEY_ARN: required });
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({
      endpointId: id,
      action: 'key-mismatch',
      keyRequirement: { kind: 'unencrypted', expectedKeyArn: required },
      retentionShort: { retentionDays: 7, requiredDays: 365 },
      delivery: { status: 'delivering' },
    });
    expect(outcomes[0]?.reason).toMatch(/not encrypted with .*; log group .* keeps records 7 days; the requirement is 365/);
    expect(row(id)).toMatchObject({ compliant: false, keyStatus: 'unencrypted', retentionMeets: false, delivering: 'yes' });
  });
});

describe('delivery', () => {
  it('sweep: a group with no stream for the endpoint is not-delivering; one with recent records is delivering', async () => {
    standin.addLogGroup(REGION, '/aws/clientvpn/recreated');
    standin.addLogGroup(REGION, '/aws/clientvpn/live');
    const silent = standin.addEndpoint(REGION, { logging: { enabled: true, logGroup: '/aws/clientvpn/recreated' } });
    const live = standin.addEndpoint(REGION, { logging: { enabled: true, logGroup: '/aws/clientvpn/live' } });
    // The group was deleted and re-created long ago: the endpoint's stream is gone with it.
    standin.deleteLogGroup(REGION, '/aws/clientvpn/recreated');
    standin.addLogGroup(REGION, '/aws/clientvpn/recreated');
    standin.setLogGroupCreationTime(REGION, '/aws/clientvpn/recreated', Date.now() - 3 * HOUR);
    const at = new Date(Date.now() - 60_000);
    expect(standin.simulateConnection(REGION, live, at)).toBe(true);

    const { outcomes, row } = await applyScan();
    expect(row(live)).toMatchObject({ delivering: 'yes', lastIngestionTime: at.toISOString(), compliant: true });
    expect(row(silent)).toMatchObject({ delivering: 'no', compliant: false });
    expect(outcomes.map((o) => [o.endpointId, o.action])).toEqual([[silent, 'not-delivering']]);
    // The role exists and the group has no key: the re-created group is the cause left to name.
    expect(outcomes[0]?.delivery?.likelyCauses?.map((c) => c.cause)).toEqual(['group-recreated']);
    // One DescribeLogStreams per group (each has one endpoint: a prefix query); GetRole once.
    expect(standin.callsTo('DescribeLogStreams').map((c) => c.params.logStreamNamePrefix).sort()).toEqual([`${live}-`, `${silent}-`].sort());
    expect(reads('GetRole')).toBe(1);
    expect(reads('GetRole')).toBe(1);
    const lookups = standin.callsTo('LookupEvents');
    expect(lookups.length).toBeLessThanOrEqual(1);
  });

  it('the sweep handler alerts not-delivering and counts it non-compliant', async () => {
    standin.addLogGroup(REGION, GROUP);
    standin.addEndpoint(REGION, { logging: { enabled: true, logGroup: GROUP } });
    standin.deleteLogGroup(REGION, GROUP);
    standin.addLogGroup(REGION, GROUP);
    standin.setLogGroupCreationTime(REGION, GROUP, Date.now() - 2 * HOUR);
    const summary = await sweep().handler({}, lambdaContext());
    expect(summary).toMatchObject({ endpoints: 1, nonCompliant: 1, remediated: 0, failed: 0 });
    expect(alerts()).toEqual(['not-delivering']);
  });

  it('refused reads make the answer unknown, never fail the scan', async () => {
    const key = standin.addKmsKey(REGION);
    standin.addLogGroup(REGION, GROUP, { kmsKeyId: key });
    const id = standin.addEndpoint(REGION, { logging: { enabled: true, logGroup: GROUP } });
    standin.injectFault({ service: 'logs', action: 'DescribeLogStreams', code: 'AccessDeniedException', times: Infinity });
    standin.injectFault({ service: 'iam', action: 'GetRole', code: 'AccessDenied', status: 403, times: Infinity });
    standin.injectFault({ service: 'kms', action: 'DescribeKey', code: 'AccessDeniedException', times: Infinity });
    const { scan, row, outcomes } = await applyScan();
    expect(row(id)).toMatchObject({ delivering: 'unknown', delivery: { status: 'unknown' }, keyStatus: 'unknown', compliant: true });
    expect(row(id)?.delivery?.reason).toMatch(/DescribeLogStreams AccessDeniedException/);
    expect(scan.serviceLinkedRole).toBe('unknown');
    expect(outcomes).toHaveLength(0);
  });

  it('lists a shared group once (paged), and paces DescribeLogStreams to its 5 requests/second quota', async () => {
    standin.addLogGroup(REGION, GROUP);
    const shared = Array.from({ length: 120 }, () => standin.addEndpoint(REGION, { logging: { enabled: true, logGroup: GROUP } }));
    const own = Array.from({ length: 8 }, (_, i) => {
      standin.addLogGroup(REGION, `/aws/clientvpn/own-${i}`);
      return standin.addEndpoint(REGION, { logging: { enabled: true, logGroup: `/aws/clientvpn/own-${i}` } });
    });
    const { row } = await applyScan();
    for (const id of [...shared, ...own]) expect(row(id)?.delivering, id).toBe('yes');
    // 120 streams in one group: three pages of 50; one prefix query per group of its own.
    const calls = standin.callsTo('DescribeLogStreams');
    expect(calls.filter((c) => c.params.logGroupName === GROUP)).toHaveLength(3);
    expect(calls).toHaveLength(3 + 8);
    expect(standin.throttledCount('DescribeLogStreams')).toBe(0);
    expect(standin.maxRequestsPerSecond('DescribeLogStreams', REGION)).toBeLessThanOrEqual(5);
  }, 15_000);

  it('a stream missing less than an hour after logging was turned on is pending, not an alert', async () => {
    standin.addLogGroup(REGION, '/aws/clientvpn/new');
    const id = standin.addEndpoint(REGION, { logging: { enabled: true, logGroup: '/aws/clientvpn/new' } });
    standin.deleteLogGroup(REGION, '/aws/clientvpn/new');
    standin.addLogGroup(REGION, '/aws/clientvpn/new');
    const { outcomes, row } = await applyScan();
    expect(row(id)).toMatchObject({ delivering: 'unknown', delivery: { status: 'pending' }, compliant: true });
    expect(Date.parse(row(id)?.delivery?.checkAfter ?? '')).toBeGreaterThan(Date.now() + HOUR - 60_000);
    expect(outcomes).toHaveLength(0);
  });

  it('an aged stream with records stays delivering (an idle VPN writes nothing); the endpoint just fixed is pending', async () => {
    standin.addLogGroup(REGION, GROUP);
    const idle = standin.addEndpoint(REGION, { logging: { enabled: true, logGroup: GROUP } });
    const stream = standin.getEndpoint(REGION, idle)?.logging.logStream ?? '';
    standin.simulateConnection(REGION, idle);
    const old = Date.now() - 30 * 24 * HOUR;
    standin.setLogStreamTimes(REGION, GROUP, stream, { creationTime: old - HOUR, lastIngestionTime: old, lastEventTimestamp: old });
    const off = standin.addEndpoint(REGION, { logging: { enabled: false } });
    const { row, outcomes } = await applyScan();
    expect(row(idle)).toMatchObject({ delivering: 'yes', lastIngestionTime: new Date(old).toISOString() });
    expect(row(off)).toMatchObject({ delivering: 'unknown', delivery: { status: 'pending' } });
    expect(outcomes.find((o) => o.endpointId === off)).toMatchObject({ action: 'remediated', deliveryCheckAfter: expect.any(String) });
  });

  it('a missing service-linked role is reported once per account, whatever the number of regions', async () => {
    standin.setServiceLinkedRole(false);
    const regions = ['eu-west-1', 'us-east-1', 'ap-southeast-2'];
    standin.setRegions(regions);
    for (const region of regions) {
      standin.addLogGroup(region, GROUP);
      standin.addEndpoint(region, { logging: { enabled: true, logGroup: GROUP } });
    }
    const r = await runCliAgainst(standin, ['scan', '--apply', '--regions', 'all', '--json'], { AWS_REGION: 'eu-west-1', CVPN_TOPIC_ARN: topicArn });
    expect(alerts().filter((a) => a === 'service-role-missing')).toHaveLength(1);
    expect(reads('GetRole')).toBe(1);
    const rows = r.stdout.map((l) => JSON.parse(l) as { kind: string; delivering?: string }).filter((l) => l.kind === 'endpoint');
    expect(rows).toHaveLength(3);
  });
});
