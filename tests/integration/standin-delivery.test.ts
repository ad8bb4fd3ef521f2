// DescribeLogStreams, KMS DescribeKey/GetKeyPolicy and IAM GetRole in the stand-in, through the REAL SDK
// clients; and Client VPN's delivery model (stream at enable time, records per simulated connection).

import { CloudWatchLogsClient, DescribeLogStreamsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client, ModifyClientVpnEndpointCommand } from '@aws-sdk/client-ec2';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
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
});

const logs = () => new CloudWatchLogsClient({ region: REGION, endpoint: standin.url, credentials, maxAttempts: 1 });
const kms = () => new KMSClient({ region: REGION, endpoint: standin.url, credentials, maxAttempts: 1 });
// IAM is global; the SDK signs it for us-east-1 in the commercial partition.
const iam = () => new IAMClient({ region: 'us-east-1', endpoint: standin.url, credentials, maxAttempts: 1 });
const ec2 = () => new EC2Client({ region: REGION, endpoint: standin.url, credentials, maxAttempts: 1 });

interface SdkError {
  name: string;
  $metadata: { httpStatusCode?: number };
  message: string;
}
async function sdkError(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected the call to fail');
}

describe('stand-in CloudWatch Logs DescribeLogStreams', () => {
  it('Client VPN creates its stream at enable time; records from a connection set lastIngestionTime', async () => {
    standin.addLogGroup(REGION, '/aws/clientvpn/conn');
    const id = standin.addEndpoint(REGION, { logging: { enabled: false } });
    await ec2().send(new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: id, ConnectionLogOptions: { Enabled: true, CloudwatchLogGroup: '/aws/clientvpn/conn' } }));
    const stream = standin.getEndpoint(REGION, id)?.logging.logStream ?? '';
    expect(stream.startsWith(`${id}-${REGION}-`)).toBe(true);

    const before = await logs().send(new DescribeLogStreamsCommand({ logGroupName: '/aws/clientvpn/conn', logStreamNamePrefix: id }));
    expect(before.logStreams).toHaveLength(1);
    expect(before.logStreams?.[0]).toMatchObject({ logStreamName: stream, storedBytes: 0 });
    expect(before.logStreams?.[0]?.lastIngestionTime).toBeUndefined();
    expect(before.logStreams?.[0]?.arn).toMatch(/^arn:aws:logs:eu-west-1:\d{12}:log-group:\/aws\/clientvpn\/conn:log-stream:cvpn-endpoint-/);

    const at = new Date(Date.now() - 5_000);
    expect(standin.simulateConnection(REGION, id, at)).toBe(true);
    const after = await logs().send(new DescribeLogStreamsCommand({ logGroupIdentifier: '/aws/clientvpn/conn' }));
    expect(after.logStreams?.[0]).toMatchObject({ lastIngestionTime: at.getTime(), lastEventTimestamp: at.getTime(), firstEventTimestamp: at.getTime() });
    expect(typeof after.logStreams?.[0]?.creationTime).toBe('number');
  });

  it('pages with limit/nextToken, filters by prefix, and rejects orderBy LastEventTime with a prefix', async () => {
    standin.addLogGroup(REGION, 'g');
    for (let i = 0; i < 3; i++) standin.addEndpoint(REGION, { logging: { enabled: true, logGroup: 'g', logStream: `s-${i}` } });
    const first = await logs().send(new DescribeLogStreamsCommand({ logGroupName: 'g', limit: 2 }));
    expect(first.logStreams?.map((s) => s.logStreamName)).toEqual(['s-0', 's-1']);
    const second = await logs().send(new DescribeLogStreamsCommand({ logGroupName: 'g', limit: 2, nextToken: first.nextToken }));
    expect(second.logStreams?.map((s) => s.logStreamName)).toEqual(['s-2']);
    expect(second.nextToken).toBeUndefined();
    const prefixed = await logs().send(new DescribeLogStreamsCommand({ logGroupName: 'g', logStreamNamePrefix: 's-1' }));
    expect(prefixed.logStreams?.map((s) => s.logStreamName)).toEqual(['s-1']);
    const bad = await sdkError(logs().send(new DescribeLogStreamsCommand({ logGroupName: 'g', logStreamNamePrefix: 's', orderBy: 'LastEventTime' })));
    expect(bad.name).toBe('InvalidParameterException');
  });

  it('answers ResourceNotFoundException for a missing group', async () => {
    const e = await sdkError(logs().send(new DescribeLogStreamsCommand({ logGroupName: 'nope' })));
    expect(e.name).toBe('ResourceNotFoundException');
    expect(e.$metadata.httpStatusCode).toBe(400);
  });

  it('creates no stream and writes no record without the service-linked role', async () => {
    standin.setServiceLinkedRole(false);
    standin.addLogGroup(REGION, 'g');
    const id = standin.addEndpoint(REGION, { logging: { enabled: true, logGroup: 'g' } });
    expect(standin.logStreams(REGION, 'g')).toEqual([]);
    expect(standin.simulateConnection(REGION, id)).toBe(false);
  });
});

describe('stand-in KMS (JSON 1.1, TrentService)', () => {
  it('DescribeKey by ARN and by key ID: KeyMetadata with KeyState, Enabled, KeyManager', async () => {
    const arn = standin.addKmsKey(REGION, { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab' });
    const out = await kms().send(new DescribeKeyCommand({ KeyId: arn }));
    expect(out.KeyMetadata).toMatchObject({ Arn: arn, KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', KeyState: 'Enabled', Enabled: true, KeyManager: 'CUSTOMER', KeySpec: 'SYMMETRIC_DEFAULT' });
    expect(out.KeyMetadata?.CreationDate).toBeInstanceOf(Date);
    const byId = await kms().send(new DescribeKeyCommand({ KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' }));
    expect(byId.KeyMetadata?.Arn).toBe(arn);

    standin.updateKmsKey(arn, { keyState: 'PendingDeletion' });
    const pending = await kms().send(new DescribeKeyCommand({ KeyId: arn }));
    expect(pending.KeyMetadata).toMatchObject({ KeyState: 'PendingDeletion', Enabled: false });
    expect(pending.KeyMetadata?.DeletionDate).toBeInstanceOf(Date);
  });

  it('GetKeyPolicy returns the policy text and name "default"', async () => {
    const arn = standin.addKmsKey(REGION);
    const out = await kms().send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: 'default' }));
    expect(out.PolicyName).toBe('default');
    expect(JSON.parse(out.Policy ?? '{}').Statement[1].Principal.Service).toBe(`logs.${REGION}.amazonaws.com`);
  });

  it('NotFoundException for an unknown key and AccessDeniedException when injected', async () => {
    const missing = await sdkError(kms().send(new DescribeKeyCommand({ KeyId: `arn:aws:kms:${REGION}:123456789012:key/00000000-0000-0000-0000-000000000000` })));
    expect(missing.name).toBe('NotFoundException');
    expect(missing.$metadata.httpStatusCode).toBe(400);
    const arn = standin.addKmsKey(REGION);
    standin.injectFault({ service: 'kms', action: 'GetKeyPolicy', code: 'AccessDeniedException', message: 'User is not authorized to perform: kms:GetKeyPolicy' });
    const denied = await sdkError(kms().send(new GetKeyPolicyCommand({ KeyId: arn })));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.message).toMatch(/kms:GetKeyPolicy/);
  });

  it('a disabled key or a policy without CloudWatch Logs blocks records', async () => {
    const arn = standin.addKmsKey(REGION);
    standin.addLogGroup(REGION, 'enc', { kmsKeyId: arn });
    const id = standin.addEndpoint(REGION, { logging: { enabled: true, logGroup: 'enc' } });
    expect(standin.simulateConnection(REGION, id)).toBe(true);
    standin.updateKmsKey(arn, { keyState: 'Disabled' });
    expect(standin.simulateConnection(REGION, id)).toBe(false);
    standin.updateKmsKey(arn, { keyState: 'Enabled', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' }] } });
    expect(standin.logGroupKeyProblem(REGION, 'enc')).toMatch(/does not allow CloudWatch Logs/);
    expect(standin.simulateConnection(REGION, id)).toBe(false);
  });
});

describe('stand-in IAM (Query/XML, global)', () => {
  it('GetRole finds the Client VPN service-linked role with its path and ARN', async () => {
    const out = await iam().send(new GetRoleCommand({ RoleName: 'AWSServiceRoleForClientVPN' }));
    expect(out.Role).toMatchObject({
      RoleName: 'AWSServiceRoleForClientVPN',
      Path: '/aws-service-role/clientvpn.amazonaws.com/',
      Arn: 'arn:aws:iam::123456789012:role/aws-service-role/clientvpn.amazonaws.com/AWSServiceRoleForClientVPN',
    });
    expect(out.Role?.CreateDate).toBeInstanceOf(Date);
    expect(JSON.parse(decodeURIComponent(out.Role?.AssumeRolePolicyDocument ?? '')).Statement[0].Principal.Service).toBe('clientvpn.amazonaws.com');
    expect(standin.callsTo('GetRole')[0]?.region).toBe('us-east-1');
  });

  it('a missing role is NoSuchEntity, HTTP 404, which the SDK names NoSuchEntityException', async () => {
    standin.setServiceLinkedRole(false);
    const e = await sdkError(iam().send(new GetRoleCommand({ RoleName: 'AWSServiceRoleForClientVPN' })));
    expect(e.name).toBe('NoSuchEntityException');
    expect(e.$metadata.httpStatusCode).toBe(404);
    expect((e as unknown as { Error?: { Code?: string } }).Error?.Code).toBe('NoSuchEntity');
  });
});
