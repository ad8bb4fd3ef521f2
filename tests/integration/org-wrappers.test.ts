// The src/aws wrappers of the organization-wide mode (Organizations, STS AssumeRole, EventBridge rules, CloudTrail
// trails, the per-account client factory) against the stand-in, through the real SDK.

import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClientFactory, type StaticCredentials } from '../../src/aws/clients';
import { readTrails } from '../../src/aws/cloudtrail';
import { listEndpoints } from '../../src/aws/ec2';
import { listRuleNames, readRule } from '../../src/aws/eventbridge';
import { describeAccount, listAccounts, listActiveAccounts } from '../../src/aws/organizations';
import { assumeRole } from '../../src/aws/sts';
import { AwsCallError } from '../../src/domain/errors';
import { startStandin, type Standin } from '../../standin/index';

const CENTRAL = '123456789012';
const MEMBER = '222222222222';
const FUNCTION_ROLE_ARN = `arn:aws:iam::${CENTRAL}:role/cvpn-log-guard-dev-us-east-1-lambdaRole`;
const MEMBER_ROLE_ARN = `arn:aws:iam::${MEMBER}:role/cvpn-log-guard-member`;

let standin: Standin;
let clients: AwsClientFactory;
beforeAll(async () => {
  standin = await startStandin();
});
afterAll(async () => {
  clients.destroy();
  await standin.close();
});
beforeEach(() => {
  standin.reset({ config: true });
  clients = new AwsClientFactory({ endpoint: standin.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
});

async function caught(p: Promise<unknown>): Promise<AwsCallError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AwsCallError) return e;
    throw e;
  }
  throw new Error('expected an AwsCallError');
}

describe('Organizations wrapper', () => {
  it('lists every page and keeps ACTIVE accounts, reading State', async () => {
    standin.setOrganization();
    for (let i = 1; i <= 44; i++) standin.addOrganizationAccount(String(200000000000 + i), { name: `m${i}` });
    standin.setOrganizationAccountState('200000000007', 'SUSPENDED');
    standin.setOrganizationAccountState('200000000030', 'PENDING_CLOSURE');
    const organizations = clients.get(OrganizationsClient, 'us-east-1');
    expect(await listAccounts(organizations)).toHaveLength(45);
    const active = await listActiveAccounts(organizations);
    expect(active).toHaveLength(43);
    expect(active.map((a) => a.id)).not.toContain('200000000007');
    expect(standin.callsTo('ListAccounts')).toHaveLength(2 * 3);
    expect(await describeAccount(organizations, '200000000007')).toEqual({
      id: '200000000007',
      name: 'm7',
      state: 'SUSPENDED',
      arn: `arn:aws:organizations::${CENTRAL}:account/o-exampleorgid/200000000007`,
    });
    expect(await describeAccount(organizations, '999999999999')).toBeUndefined();
  });

  it('falls back to Status when the answer has no State (answers from before 2025)', async () => {
    standin.setOrganization({ accountFields: 'status' });
    standin.addOrganizationAccount(MEMBER, { state: 'SUSPENDED' });
    const organizations = clients.get(OrganizationsClient, 'us-east-1');
    expect(await listAccounts(organizations)).toEqual([
      { id: CENTRAL, name: 'Management Account', state: 'ACTIVE', arn: expect.stringMatching(`:account/o-[a-z0-9]+/${CENTRAL}$`) },
      { id: MEMBER, name: `Account ${MEMBER}`, state: 'SUSPENDED', arn: expect.stringMatching(`:account/o-[a-z0-9]+/${MEMBER}$`) },
    ]);
    expect((await listActiveAccounts(organizations)).map((a) => a.id)).toEqual([CENTRAL]);
  });

  it('turns a refused call into an AwsCallError with the code', async () => {
    const organizations = clients.get(OrganizationsClient, 'us-east-1');
    const notInUse = await caught(listActiveAccounts(organizations));
    expect([notInUse.operation, notInUse.code, notInUse.retryable]).toEqual(['ListAccounts', 'AWSOrganizationsNotInUseException', false]);
    standin.setOrganization({ managementAccountId: '111111111111' });
    standin.addOrganizationAccount(CENTRAL);
    const denied = await caught(describeAccount(organizations, CENTRAL));
    expect([denied.operation, denied.code, denied.retryable]).toEqual(['DescribeAccount', 'AccessDeniedException', false]);
  });
});

describe('assumeRole and clientsFor', () => {
  it('returns credentials with their expiry; a factory made from them acts on the member account', async () => {
    standin.addEndpoint('eu-west-1', { id: 'cvpn-endpoint-0000000000central' });
    standin.account(MEMBER).addEndpoint('eu-west-1', { id: 'cvpn-endpoint-00000000000member' });
    standin.account(MEMBER).addRole('cvpn-log-guard-member', { trustedPrincipals: [FUNCTION_ROLE_ARN] });

    const assumed = await assumeRole(clients.get(STSClient, 'eu-west-1'), { roleArn: MEMBER_ROLE_ARN, sessionName: 'cvpn-log-guard' });
    expect(assumed.assumedRoleArn).toBe(`arn:aws:sts::${MEMBER}:assumed-role/cvpn-log-guard-member/cvpn-log-guard`);
    expect(assumed.credentials.expiration).toBeInstanceOf(Date);
    expect(assumed.credentials.expiration.getTime()).toBeGreaterThan(Date.now() + 3500_000);

    let provided = 0;
    const member = clients.clientsFor(async (): Promise<StaticCredentials> => {
      provided++;
      return assumed.credentials;
    });
    const seen = await listEndpoints(member.get(EC2Client, 'eu-west-1'));
    expect(seen.endpoints.map((e) => e.endpointId)).toEqual(['cvpn-endpoint-00000000000member']);
    await listEndpoints(member.get(EC2Client, 'eu-west-1'));
    // The SDK caches what the provider returns until it is near expiry.
    expect(provided).toBe(1);
    const central = await listEndpoints(clients.get(EC2Client, 'eu-west-1'));
    expect(central.endpoints.map((e) => e.endpointId)).toEqual(['cvpn-endpoint-0000000000central']);
    member.destroy();
  });

  it('a role the caller may not assume is AccessDenied, not retryable', async () => {
    const err = await caught(assumeRole(clients.get(STSClient, 'eu-west-1'), { roleArn: MEMBER_ROLE_ARN, sessionName: 'cvpn-log-guard' }));
    expect([err.operation, err.code, err.retryable]).toEqual(['AssumeRole', 'AccessDenied', false]);
    expect(err.awsMessage).toContain(`sts:AssumeRole on resource: ${MEMBER_ROLE_ARN}`);
  });
});

describe('EventBridge and CloudTrail readers', () => {
  const centralBus = `arn:aws:events:eu-west-1:${CENTRAL}:event-bus/cvpn-log-guard-dev`;

  it('reads the forwarding rule with its targets, and undefined for a missing rule', async () => {
    const member = standin.account(MEMBER);
    member.addAccessKey('AKIAMEMBER000000001');
    member.addRule('eu-west-1', {
      name: 'cvpn-log-guard-forward',
      eventPattern: { source: ['aws.ec2'] },
      state: 'DISABLED',
      targets: [{ Id: 'central', Arn: centralBus, RoleArn: `arn:aws:iam::${MEMBER}:role/forwarder` }],
    });
    member.addRule('eu-west-1', { name: 'unrelated', scheduleExpression: 'rate(1 hour)' });
    const events = clients.clientsFor({ accessKeyId: 'AKIAMEMBER000000001', secretAccessKey: 'x' }).get(EventBridgeClient, 'eu-west-1');
    expect(await listRuleNames(events, 'cvpn-')).toEqual(['cvpn-log-guard-forward']);
    expect(await readRule(events, 'cvpn-log-guard-forward')).toEqual({
      name: 'cvpn-log-guard-forward',
      arn: `arn:aws:events:eu-west-1:${MEMBER}:rule/cvpn-log-guard-forward`,
      eventBusName: 'default',
      state: 'DISABLED',
      eventPattern: '{"source":["aws.ec2"]}',
      targets: [{ id: 'central', arn: centralBus, roleArn: `arn:aws:iam::${MEMBER}:role/forwarder` }],
    });
    expect(await readRule(events, 'missing')).toBeUndefined();
    expect(await readRule(clients.get(EventBridgeClient, 'eu-west-1'), 'cvpn-log-guard-forward')).toBeUndefined();
  });

  it('reads the trails that record a member region, the organization trail included, with IsLogging', async () => {
    standin.setOrganization();
    standin.addOrganizationAccount(MEMBER);
    const orgTrail = standin.addTrail('us-east-1', { name: 'org-trail', isOrganizationTrail: true });
    standin.account(MEMBER).addTrail('eu-west-1', { name: 'local', isMultiRegionTrail: false, isLogging: false });
    standin.account(MEMBER).addAccessKey('AKIAMEMBER000000001');
    const member = clients.clientsFor({ accessKeyId: 'AKIAMEMBER000000001', secretAccessKey: 'x' });

    expect(await readTrails(member.get(CloudTrailClient, 'eu-west-1'))).toEqual([
      { name: 'local', arn: `arn:aws:cloudtrail:eu-west-1:${MEMBER}:trail/local`, homeRegion: 'eu-west-1', multiRegion: false, organizationTrail: false, logging: false },
      { name: 'org-trail', arn: orgTrail, homeRegion: 'us-east-1', multiRegion: true, organizationTrail: true, logging: true },
    ]);
    standin.setTrailLogging(orgTrail, false);
    const elsewhere = await readTrails(member.get(CloudTrailClient, 'ap-south-1'));
    expect(elsewhere.map((t) => [t.name, t.logging])).toEqual([['org-trail', false]]);
    member.destroy();
  });
});
