import { describe, expect, it } from 'vitest';
import {
  DELIVERY_GRACE_MS,
  deliveringAnswer,
  evaluateDelivery,
  keyPolicyLetsLogsEncrypt,
  keyRequirementProblem,
  keyUsability,
  raisedRetentionDays,
  retentionShortfall,
  streamPrefixFor,
  streamsForEndpoint,
} from '../../../src/domain/log-group-requirements';

const REGION = 'eu-west-1';
const ENDPOINT = 'cvpn-endpoint-0123456abcd123456';
const GROUP_ARN = 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/clientvpn/x';
const policy = (...statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const ROOT = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' };
// The statement the CloudWatch Logs User Guide documents for a log-group key.
const LOGS_DOC = {
  Effect: 'Allow',
  Principal: { Service: `logs.${REGION}.amazonaws.com` },
  Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
  Resource: '*',
  Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:123456789012:log-group:*' } },
};

describe('retention', () => {
  it('a shorter retention falls short; equal or longer meets it; never-expires meets every requirement', () => {
    expect(retentionShortfall('g', 7, 365)).toEqual({ logGroup: 'g', retentionDays: 7, requiredDays: 365 });
    expect(retentionShortfall('g', 365, 365)).toBeUndefined();
    expect(retentionShortfall('g', 3653, 365)).toBeUndefined();
    expect(retentionShortfall('g', undefined, 3653)).toBeUndefined();
  });

  it('raises to the requirement, never below the current value', () => {
    expect(raisedRetentionDays(7, 365)).toBe(365);
    expect(raisedRetentionDays(400, 365)).toBe(400);
  });
});

describe('key requirement', () => {
  const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1111';
  it('none configured: no requirement', () => {
    expect(keyRequirementProblem(undefined, { requireKms: false })).toBeUndefined();
  });
  it('kmsKeyArn: that key, by key ID', () => {
    expect(keyRequirementProblem(KEY, { kmsKeyArn: KEY, requireKms: false })).toBeUndefined();
    expect(keyRequirementProblem(undefined, { kmsKeyArn: KEY, requireKms: false })).toEqual({ kind: 'unencrypted', expectedKeyArn: KEY });
    expect(keyRequirementProblem('arn:aws:kms:eu-west-1:123456789012:key/2222', { kmsKeyArn: KEY, requireKms: false })).toMatchObject({ kind: 'other-key' });
  });
  it('requireKms alone: any key', () => {
    expect(keyRequirementProblem('arn:aws:kms:eu-west-1:123456789012:key/2222', { requireKms: true })).toBeUndefined();
    expect(keyRequirementProblem(undefined, { requireKms: true })).toEqual({ kind: 'unencrypted', expectedKeyArn: undefined });
  });
});

describe('key policy: may CloudWatch Logs use the key?', () => {
  it('the documented statement allows it, for a group its condition admits', () => {
    expect(keyPolicyLetsLogsEncrypt(policy(ROOT, LOGS_DOC), REGION, GROUP_ARN).allows).toBe(true);
  });
  it('kms:* for logs.amazonaws.com counts; a policy with only the account root does not', () => {
    expect(keyPolicyLetsLogsEncrypt(policy({ Effect: 'Allow', Principal: { Service: ['logs.amazonaws.com'] }, Action: 'kms:*', Resource: '*' }), REGION).allows).toBe(true);
    const root = keyPolicyLetsLogsEncrypt(policy(ROOT), REGION);
    expect(root.allows).toBe(false);
    expect(root.detail).toMatch(/does not allow logs\.eu-west-1\.amazonaws\.com kms:Encrypt, kms:Decrypt, kms:GenerateDataKey/);
  });
  it('a statement for another region, or missing an action, does not count', () => {
    expect(keyPolicyLetsLogsEncrypt(policy({ ...LOGS_DOC, Principal: { Service: 'logs.us-east-1.amazonaws.com' }, Condition: undefined }), REGION).allows).toBe(false);
    const noDecrypt = keyPolicyLetsLogsEncrypt(policy({ ...LOGS_DOC, Action: ['kms:Encrypt*', 'kms:GenerateDataKey*'] }), REGION, GROUP_ARN);
    expect(noDecrypt).toMatchObject({ allows: false, detail: expect.stringMatching(/kms:Decrypt$|kms:Decrypt for/) });
  });
  it('a Deny for the principal wins, and so does one for everyone', () => {
    expect(keyPolicyLetsLogsEncrypt(policy(LOGS_DOC, { Effect: 'Deny', Principal: '*', Action: 'kms:GenerateDataKey*', Resource: '*' }), REGION, GROUP_ARN)).toMatchObject({
      allows: false,
      detail: expect.stringMatching(/denies .* kms:GenerateDataKey/),
    });
  });
  it('an encryption-context condition that excludes the group excludes it', () => {
    const narrow = { ...LOGS_DOC, Condition: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:123456789012:log-group:other' } } };
    expect(keyPolicyLetsLogsEncrypt(policy(narrow), REGION, GROUP_ARN).allows).toBe(false);
    expect(keyPolicyLetsLogsEncrypt(policy(narrow), REGION, undefined).allows).toBe(true);
  });
  it('NotAction on Allow covers what it does not list', () => {
    expect(keyPolicyLetsLogsEncrypt(policy({ Effect: 'Allow', Principal: { Service: 'logs.eu-west-1.amazonaws.com' }, NotAction: 'kms:ScheduleKeyDeletion', Resource: '*' }), REGION).allows).toBe(true);
  });
  it('China regions also accept the .amazonaws.com.cn principal', () => {
    expect(keyPolicyLetsLogsEncrypt(policy({ Effect: 'Allow', Principal: { Service: 'logs.cn-north-1.amazonaws.com.cn' }, Action: 'kms:*', Resource: '*' }), 'cn-north-1').allows).toBe(true);
  });
});

describe('key usability', () => {
  const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1111';
  it('states KMS refuses: disabled, pending deletion, pending import, unavailable; a missing key', () => {
    expect(keyUsability({ keyArn: KEY, keyState: 'Disabled' }, REGION, undefined)).toMatchObject({ usable: 'no', why: 'disabled' });
    expect(keyUsability({ keyArn: KEY, keyState: 'PendingDeletion' }, REGION, undefined)).toMatchObject({ usable: 'no', why: 'pending-deletion' });
    expect(keyUsability({ keyArn: KEY, keyState: 'PendingImport' }, REGION, undefined)).toMatchObject({ usable: 'no', why: 'unavailable' });
    expect(keyUsability({ keyArn: KEY, notFound: true }, REGION, undefined)).toMatchObject({ usable: 'no', why: 'not-found' });
  });
  it('enabled with the documented policy is usable; an unreadable policy is unknown, said plainly', () => {
    expect(keyUsability({ keyArn: KEY, keyState: 'Enabled', policy: policy(ROOT, LOGS_DOC) }, REGION, GROUP_ARN)).toEqual({ usable: 'yes' });
    expect(keyUsability({ keyArn: KEY, keyState: 'Enabled', policyError: 'AccessDeniedException' }, REGION, GROUP_ARN)).toEqual({
      usable: 'unknown',
      detail: `unknown: no permission to read the key ${KEY} (kms:GetKeyPolicy (AccessDeniedException))`,
    });
  });
  it('a known-bad state wins over an unreadable policy', () => {
    expect(keyUsability({ keyArn: KEY, keyState: 'Disabled', policyError: 'AccessDeniedException' }, REGION, undefined).usable).toBe('no');
  });
});

describe('delivery', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');
  const stream = (name: string, lastIngestionTime?: number) => ({ name, creationTime: now - 2 * DELIVERY_GRACE_MS, lastIngestionTime });

  it('matches streams by the endpoint ID prefix Client VPN names them with, or the configured name', () => {
    expect(streamPrefixFor(ENDPOINT, undefined)).toBe(`${ENDPOINT}-`);
    const streams = [stream(`${ENDPOINT}-eu-west-1-2026/06/01-abcdEFGH1234`), stream('cvpn-endpoint-0123456abcd1234567-x'), stream('mine')];
    expect(streamsForEndpoint(streams, ENDPOINT, undefined).map((s) => s.name)).toEqual([`${ENDPOINT}-eu-west-1-2026/06/01-abcdEFGH1234`]);
    expect(streamsForEndpoint(streams, ENDPOINT, 'mine').map((s) => s.name)).toEqual(['mine']);
  });

  it('a stream for the endpoint: delivering, with the last ingestion time', () => {
    const check = evaluateDelivery({ endpointId: ENDPOINT, streams: [stream(`${ENDPOINT}-a`, now - 5000)], now });
    expect(check).toMatchObject({ status: 'delivering', lastIngestionTime: new Date(now - 5000).toISOString() });
    expect(deliveringAnswer(check)).toBe('yes');
  });

  it('no stream an hour after logging was turned on: not delivering, with the likely causes', () => {
    const check = evaluateDelivery({ endpointId: ENDPOINT, streams: [], loggingOnSince: now - DELIVERY_GRACE_MS, now, serviceLinkedRole: 'missing', groupHasKey: true });
    expect(check.status).toBe('not-delivering');
    expect(check.likelyCauses?.map((c) => [c.cause, c.confirmed])).toEqual([
      ['service-linked-role-missing', true],
      ['key-unusable', false],
      ['group-recreated', false],
    ]);
    expect(deliveringAnswer(check)).toBe('no');
  });

  it('no stream within the hour after logging was turned on (or the group created): pending until then', () => {
    const check = evaluateDelivery({ endpointId: ENDPOINT, streams: [], loggingOnSince: now - 10 * 60_000, now });
    expect(check).toMatchObject({ status: 'pending', checkAfter: new Date(now - 10 * 60_000 + DELIVERY_GRACE_MS).toISOString() });
    expect(evaluateDelivery({ endpointId: ENDPOINT, streams: [], groupCreationTime: now - 60_000, now }).status).toBe('pending');
    expect(deliveringAnswer(check)).toBe('unknown');
  });

  it('no records since the last known connection (older than the grace): not delivering', () => {
    const check = evaluateDelivery({
      endpointId: ENDPOINT,
      streams: [stream(`${ENDPOINT}-a`, now - 5 * DELIVERY_GRACE_MS)],
      lastKnownConnection: now - 2 * DELIVERY_GRACE_MS,
      serviceLinkedRole: 'present',
      now,
    });
    expect(check).toMatchObject({ status: 'not-delivering', logStream: `${ENDPOINT}-a` });
    expect(check.likelyCauses?.map((c) => c.cause)).toEqual(['group-recreated']);
  });
});
