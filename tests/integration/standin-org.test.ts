// The stand-in's organization-wide side (state per account, STS AssumeRole, Organizations, EventBridge rules, CloudTrail
// trails), exercised only through the REAL SDK clients. Where a real sample exists (tests/fixtures), the SDK's parse of
// the sample is compared with its parse of the stand-in's answer.

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CloudTrailClient, DescribeTrailsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeClientVpnEndpointsCommand, EC2Client, ModifyClientVpnEndpointCommand } from '@aws-sdk/client-ec2';
import {
  DescribeEventBusCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import { DescribeAccountCommand, ListAccountsCommand, OrganizationsClient, paginateListAccounts, type Account } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CALLER_ARN, startStandin, type Standin } from '../../standin/index';
import { applySeed } from '../../standin/seed';

const CENTRAL = '123456789012';
const MEMBER = '222222222222';
const OTHER = '333333333333';
const OUTSIDER = '999999999999';
const FUNCTION_ROLE_ARN = `arn:aws:iam::${CENTRAL}:role/cvpn-log-guard-dev-us-east-1-lambdaRole`;
const MEMBER_ROLE = 'cvpn-log-guard-member';
const memberRoleArn = (account: string): string => `arn:aws:iam::${account}:role/${MEMBER_ROLE}`;

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}
const defaultCreds: Creds = { accessKeyId: 'test', secretAccessKey: 'test' };

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

function opts(region: string, credentials: Creds, endpoint = standin.url) {
  return { region, endpoint, credentials, maxAttempts: 1 };
}
const sts = (c: Creds = defaultCreds, region = 'us-east-1', endpoint?: string) => new STSClient(opts(region, c, endpoint));
const ec2 = (c: Creds = defaultCreds, region = 'eu-west-1') => new EC2Client(opts(region, c));
const orgs = (c: Creds = defaultCreds, endpoint?: string) => new OrganizationsClient(opts('us-east-1', c, endpoint));
const events = (c: Creds = defaultCreds, region = 'eu-west-1', endpoint?: string) => new EventBridgeClient(opts(region, c, endpoint));
const cloudtrail = (c: Creds = defaultCreds, region = 'us-east-1', endpoint?: string) => new CloudTrailClient(opts(region, c, endpoint));

interface SdkError {
  name: string;
  message: string;
  $metadata: { httpStatusCode?: number };
  [key: string]: unknown;
}
async function sdkError(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Error && typeof Reflect.get(e, '$metadata') === 'object') return e as unknown as SdkError;
    throw e;
  }
  throw new Error('expected the call to fail');
}

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), 'utf8');
/** The wire body of a placebo recording: `data` without boto3's ResponseMetadata. */
function placeboWire(name: string): string {
  const parsed = JSON.parse(fixture(name)) as { data: Record<string, unknown> };
  const { ResponseMetadata: _ignored, ...wire } = parsed.data;
  return JSON.stringify(wire);
}

/** A loopback server that answers every request with one canned body: how the SDK parses a real sample. */
const canned: { status: number; contentType: string; body: string } = { status: 200, contentType: 'application/x-amz-json-1.1', body: '{}' };
let sampleServer: Server;
let sampleUrl = '';
beforeAll(async () => {
  sampleServer = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(canned.status, { 'content-type': canned.contentType }).end(canned.body));
  });
  await new Promise<void>((resolve) => sampleServer.listen(0, '127.0.0.1', resolve));
  const addr: string | AddressInfo | null = sampleServer.address();
  if (addr === null || typeof addr === 'string') throw new Error('no address');
  sampleUrl = `http://127.0.0.1:${addr.port}`;
});
afterAll(async () => {
  sampleServer.closeAllConnections();
  await new Promise<void>((resolve) => sampleServer.close(() => { resolve(); }));
});
function serveSample(body: string, contentType = 'application/x-amz-json-1.1', status = 200): void {
  Object.assign(canned, { body, contentType, status });
}

/** The structure of a parsed value: keys and value types, recursively (values themselves differ between samples). */
function shape(v: unknown): unknown {
  if (v instanceof Date) return 'Date';
  if (Array.isArray(v)) return v.length === 0 ? [] : [shape(v[0])];
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== '$metadata')
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, x]) => [k, shape(x)]),
    );
  }
  return typeof v;
}

/** The member role, trusting the central function's role (the trust the member template sets up). */
function seedMemberRole(account: string, trusted: string[] = [FUNCTION_ROLE_ARN]): void {
  standin.account(account).addRole(MEMBER_ROLE, { trustedPrincipals: trusted });
}

async function assumeMember(account = MEMBER, session = 'cvpn-log-guard'): Promise<Creds> {
  const out = await sts().send(new AssumeRoleCommand({ RoleArn: memberRoleArn(account), RoleSessionName: session }));
  const c = out.Credentials;
  if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.SessionToken === undefined) throw new Error('no credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

// ---------------------------------------------------------------------------------------------------------------

describe('state per account', () => {
  it('unknown keys are the default account; a registered key acts on its own account', async () => {
    standin.addEndpoint('eu-west-1', { id: 'cvpn-endpoint-0000000000central', description: 'central' });
    const member = standin.account(MEMBER);
    member.addEndpoint('eu-west-1', { id: 'cvpn-endpoint-00000000000member', description: 'member' });
    member.addAccessKey('AKIAMEMBEROPERATOR1');
    const memberKey = { accessKeyId: 'AKIAMEMBEROPERATOR1', secretAccessKey: 'x' };

    const who = await sts().send(new GetCallerIdentityCommand({}));
    expect([who.Account, who.Arn]).toEqual([CENTRAL, DEFAULT_CALLER_ARN]);
    const whoMember = await sts(memberKey).send(new GetCallerIdentityCommand({}));
    expect([whoMember.Account, whoMember.Arn]).toEqual([MEMBER, `arn:aws:iam::${MEMBER}:user/AKIAMEMBEROPERATOR1`]);

    const central = await ec2().send(new DescribeClientVpnEndpointsCommand({}));
    expect(central.ClientVpnEndpoints?.map((e) => e.ClientVpnEndpointId)).toEqual(['cvpn-endpoint-0000000000central']);
    const mine = await ec2(memberKey).send(new DescribeClientVpnEndpointsCommand({}));
    expect(mine.ClientVpnEndpoints?.map((e) => e.ClientVpnEndpointId)).toEqual(['cvpn-endpoint-00000000000member']);
    expect(standin.callsTo('DescribeClientVpnEndpoints').map((c) => c.account)).toEqual([CENTRAL, MEMBER]);
  });
});

describe('STS AssumeRole', () => {
  it('answers in the shape of the API Reference sample', async () => {
    serveSample(fixture('sts-assumerole-response-awsdoc.xml'), 'text/xml');
    const sample = await sts(defaultCreds, 'us-east-1', sampleUrl).send(
      new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::123456789012:role/demo', RoleSessionName: 'TestAR' }),
    );
    seedMemberRole(MEMBER);
    const ours = await sts().send(new AssumeRoleCommand({ RoleArn: memberRoleArn(MEMBER), RoleSessionName: 'TestAR', SourceIdentity: 'Alice' }));
    // PackedPolicySize comes only with session policies or tags, which this call has none of.
    const { PackedPolicySize: _p, ...sampleRest } = sample;
    expect(shape(ours)).toEqual(shape(sampleRest));
    expect(ours.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${MEMBER}:assumed-role/${MEMBER_ROLE}/TestAR`);
    expect(ours.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z0-9]{17}:TestAR$/);
    expect(ours.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    const expires = ours.Credentials?.Expiration?.getTime() ?? 0;
    expect(Math.abs(expires - (Date.now() + 3600_000))).toBeLessThan(5_000);
  });

  it('credentials it returns act on the member account: Describe and Modify see the member endpoint, not the central one', async () => {
    standin.addEndpoint('eu-west-1', { id: 'cvpn-endpoint-0000000000central', logging: { enabled: false } });
    const member = standin.account(MEMBER);
    member.addLogGroup('eu-west-1', '/aws/clientvpn/member');
    member.addEndpoint('eu-west-1', { id: 'cvpn-endpoint-00000000000member', logging: { enabled: false } });
    seedMemberRole(MEMBER);

    const creds = await assumeMember();
    const who = await sts(creds).send(new GetCallerIdentityCommand({}));
    expect(who.Account).toBe(MEMBER);
    expect(who.Arn).toBe(`arn:aws:sts::${MEMBER}:assumed-role/${MEMBER_ROLE}/cvpn-log-guard`);
    expect(who.UserId).toMatch(/^AROA[A-Z0-9]{17}:cvpn-log-guard$/);

    const seen = await ec2(creds).send(new DescribeClientVpnEndpointsCommand({}));
    expect(seen.ClientVpnEndpoints?.map((e) => e.ClientVpnEndpointId)).toEqual(['cvpn-endpoint-00000000000member']);
    await ec2(creds).send(
      new ModifyClientVpnEndpointCommand({
        ClientVpnEndpointId: 'cvpn-endpoint-00000000000member',
        ConnectionLogOptions: { Enabled: true, CloudwatchLogGroup: '/aws/clientvpn/member' },
      }),
    );
    expect(member.getEndpoint('eu-west-1', 'cvpn-endpoint-00000000000member')?.logging.enabled).toBe(true);
    expect(standin.getEndpoint('eu-west-1', 'cvpn-endpoint-0000000000central')?.logging.enabled).toBe(false);
    // The central account has no such endpoint.
    const err = await sdkError(ec2().send(new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: 'cvpn-endpoint-00000000000member', ConnectionLogOptions: { Enabled: false } })));
    expect(err.name).toBe('InvalidClientVpnEndpointId.NotFound');
    expect(standin.sessions().map((s) => [s.accountId, s.issuedTo])).toEqual([[MEMBER, DEFAULT_CALLER_ARN]]);
  });

  it('refuses untrusted callers and missing roles with AccessDenied in the recorded shape', async () => {
    serveSample(fixture('sts-assumerole-accessdenied-error-recorded.xml'), 'text/xml', 403);
    const sample = await sdkError(sts(defaultCreds, 'us-east-1', sampleUrl).send(new AssumeRoleCommand({ RoleArn: memberRoleArn(MEMBER), RoleSessionName: 's1' })));

    seedMemberRole(MEMBER, [`arn:aws:iam::${CENTRAL}:role/someone-else`]);
    const untrusted = await sdkError(sts().send(new AssumeRoleCommand({ RoleArn: memberRoleArn(MEMBER), RoleSessionName: 's1' })));
    const missing = await sdkError(sts().send(new AssumeRoleCommand({ RoleArn: memberRoleArn(OTHER), RoleSessionName: 's1' })));
    for (const e of [untrusted, missing]) {
      expect([e.name, e.$metadata.httpStatusCode]).toEqual([sample.name, sample.$metadata.httpStatusCode]);
      expect(e.name).toBe('AccessDenied');
      expect(Reflect.get(e, 'Type')).toBe(Reflect.get(sample, 'Type'));
    }
    expect(untrusted.message).toBe(`User: ${DEFAULT_CALLER_ARN} is not authorized to perform: sts:AssumeRole on resource: ${memberRoleArn(MEMBER)}`);
    expect(missing.message).toBe(`User: ${DEFAULT_CALLER_ARN} is not authorized to perform: sts:AssumeRole on resource: ${memberRoleArn(OTHER)}`);
    expect(standin.sessions()).toEqual([]);
  });

  it('trusts the account root, checks ExternalId and caps chained sessions at one hour', async () => {
    standin.account(MEMBER).addRole('by-root', { trustedPrincipals: [`arn:aws:iam::${CENTRAL}:root`], maxSessionDuration: 43200 });
    standin.account(MEMBER).addRole('with-external-id', { trustedPrincipals: [FUNCTION_ROLE_ARN], externalId: 'x-1' });
    const byRoot = await sts().send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/by-root`, RoleSessionName: 'a1' }));
    expect(byRoot.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${MEMBER}:assumed-role/by-root/a1`);

    const wrongId = await sdkError(sts().send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/with-external-id`, RoleSessionName: 'a2', ExternalId: 'nope' })));
    expect(wrongId.name).toBe('AccessDenied');
    await sts().send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/with-external-id`, RoleSessionName: 'a2', ExternalId: 'x-1' }));

    // The default caller is a role session (the Lambda's), so this is role chaining.
    const chained = await sdkError(sts().send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/by-root`, RoleSessionName: 'a3', DurationSeconds: 7200 })));
    expect([chained.name, chained.message]).toEqual(['ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.']);
    const badName = await sdkError(sts().send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/by-root`, RoleSessionName: 'a b' })));
    expect(badName.name).toBe('ValidationError');
  });

  it('rejects session keys without their token, and after they expire', async () => {
    standin.account(MEMBER).addEndpoint('eu-west-1');
    seedMemberRole(MEMBER);
    const creds = await assumeMember();
    const { sessionToken: _t, ...noToken } = creds;
    expect((await sdkError(sts(noToken).send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
    expect((await sdkError(ec2(noToken).send(new DescribeClientVpnEndpointsCommand({})))).name).toBe('AuthFailure');

    standin.expireSession(creds.accessKeyId);
    const expired = await sdkError(sts(creds).send(new GetCallerIdentityCommand({})));
    // STS itself answers ExpiredToken (the code users see from GetCallerIdentity); ExpiredTokenException is AssumeRole's modelled error.
    expect([expired.name, expired.message]).toEqual(['ExpiredToken', 'The security token included in the request is expired']);
    expect((await sdkError(ec2(creds).send(new DescribeClientVpnEndpointsCommand({})))).name).toBe('RequestExpired');
    expect((await sdkError(events(creds).send(new ListRulesCommand({})))).name).toBe('ExpiredTokenException');
  });
});

describe('Organizations', () => {
  function seedOrganization(members: number, opts: Parameters<Standin['setOrganization']>[0] = {}): string[] {
    standin.setOrganization(opts);
    const ids: string[] = [];
    for (let i = 1; i <= members; i++) {
      const id = String(200000000000 + i);
      ids.push(id);
      standin.addOrganizationAccount(id, { name: `member-${i}`, email: `m${i}@example.com` });
    }
    return ids;
  }

  it('answers in the shape of the awscli samples (State and Status both, as 2025-2026)', async () => {
    serveSample(fixture('organizations-list-accounts-awscli-example.json'));
    const sampleList = await orgs(defaultCreds, sampleUrl).send(new ListAccountsCommand({}));
    serveSample(fixture('organizations-describe-account-awscli-example.json').replace('JoinedTimeStamp', 'JoinedTimestamp'));
    const sampleOne = await orgs(defaultCreds, sampleUrl).send(new DescribeAccountCommand({ AccountId: '555555555555' }));

    seedOrganization(3, { accountFields: 'both' });
    const ours = await orgs().send(new ListAccountsCommand({}));
    expect(shape(ours)).toEqual(shape(sampleList));
    expect(ours.Accounts?.[0]?.JoinedTimestamp).toBeInstanceOf(Date);
    const one = await orgs().send(new DescribeAccountCommand({ AccountId: '200000000002' }));
    expect(shape(one)).toEqual(shape(sampleOne));
    expect(one.Account).toMatchObject({
      Id: '200000000002',
      Arn: `arn:aws:organizations::${CENTRAL}:account/o-exampleorgid/200000000002`,
      Name: 'member-2',
      State: 'ACTIVE',
      Status: 'ACTIVE',
      Paths: ['o-exampleorgid/r-examplerootid111/200000000002/'],
    });
  });

  it('pages with NextToken, 20 at most per page, with or without MaxResults', async () => {
    const ids = seedOrganization(44);
    const first = await orgs().send(new ListAccountsCommand({}));
    expect(first.Accounts).toHaveLength(20);
    expect(first.NextToken).toBeDefined();
    const all: Account[] = [];
    for await (const page of paginateListAccounts({ client: orgs() }, { MaxResults: 7 })) {
      expect((page.Accounts ?? []).length).toBeLessThanOrEqual(7);
      all.push(...(page.Accounts ?? []));
    }
    expect(all.map((a) => a.Id)).toEqual([CENTRAL, ...ids]);
    expect(standin.callsTo('ListAccounts')).toHaveLength(1 + Math.ceil(45 / 7));

    const tooMany = await sdkError(orgs().send(new ListAccountsCommand({ MaxResults: 21 })));
    expect([tooMany.name, tooMany.$metadata.httpStatusCode, tooMany.Reason]).toEqual(['InvalidInputException', 400, 'MAX_VALUE_EXCEEDED']);
    const badToken = await sdkError(orgs().send(new ListAccountsCommand({ NextToken: 'garbage' })));
    expect([badToken.name, badToken.Reason]).toEqual(['InvalidInputException', 'INVALID_NEXT_TOKEN']);
  });

  it('shows SUSPENDED and PENDING_CLOSURE; State only by default, Status only in the old mode', async () => {
    seedOrganization(3);
    standin.setOrganizationAccountState('200000000001', 'SUSPENDED');
    standin.setOrganizationAccountState('200000000002', 'PENDING_CLOSURE');
    const now = await orgs().send(new ListAccountsCommand({}));
    expect(now.Accounts?.map((a) => [a.Id, a.State, a.Status])).toEqual([
      [CENTRAL, 'ACTIVE', undefined],
      ['200000000001', 'SUSPENDED', undefined],
      ['200000000002', 'PENDING_CLOSURE', undefined],
      ['200000000003', 'ACTIVE', undefined],
    ]);
    standin.setOrganization({ accountFields: 'status' });
    standin.addOrganizationAccount(OTHER, { state: 'CLOSED' });
    const old = await orgs().send(new ListAccountsCommand({}));
    expect(old.Accounts?.map((a) => [a.Id, a.State, a.Status])).toEqual([
      [CENTRAL, undefined, 'ACTIVE'],
      [OTHER, undefined, 'SUSPENDED'],
    ]);
  });

  it('only the management account and delegated administrators may call; others get the real errors', async () => {
    const notInUse = await sdkError(orgs().send(new ListAccountsCommand({})));
    expect([notInUse.name, notInUse.$metadata.httpStatusCode, notInUse.message]).toEqual([
      'AWSOrganizationsNotInUseException',
      404,
      'Your account is not a member of an organization.',
    ]);

    seedOrganization(0, { delegatedAdministrators: [OTHER] });
    standin.addOrganizationAccount(MEMBER);
    standin.addOrganizationAccount(OTHER);
    standin.account(MEMBER).addAccessKey('AKIAMEMBER000000001');
    standin.account(OTHER).addAccessKey('AKIADELEGATED000001');
    standin.account(OUTSIDER).addAccessKey('AKIAOUTSIDER0000001');
    const key = (id: string): Creds => ({ accessKeyId: id, secretAccessKey: 'x' });

    const denied = await sdkError(orgs(key('AKIAMEMBER000000001')).send(new ListAccountsCommand({})));
    expect([denied.name, denied.$metadata.httpStatusCode, denied.message]).toEqual([
      'AccessDeniedException',
      403,
      "You don't have permissions to access this resource.",
    ]);
    const describeDenied = await sdkError(orgs(key('AKIAMEMBER000000001')).send(new DescribeAccountCommand({ AccountId: MEMBER })));
    expect(describeDenied.name).toBe('AccessDeniedException');
    const outsider = await sdkError(orgs(key('AKIAOUTSIDER0000001')).send(new ListAccountsCommand({})));
    expect(outsider.name).toBe('AWSOrganizationsNotInUseException');

    const delegated = await orgs(key('AKIADELEGATED000001')).send(new ListAccountsCommand({}));
    expect(delegated.Accounts?.map((a) => a.Id)).toEqual([CENTRAL, MEMBER, OTHER]);
    const missing = await sdkError(orgs().send(new DescribeAccountCommand({ AccountId: OUTSIDER })));
    expect([missing.name, missing.$metadata.httpStatusCode]).toEqual(['AccountNotFoundException', 404]);
  });

  it('throttles with TooManyRequestsException under a per-second limit', async () => {
    seedOrganization(1);
    standin.setRateLimit('ListAccounts', 1);
    await orgs().send(new ListAccountsCommand({}));
    const throttled = await sdkError(orgs().send(new ListAccountsCommand({})));
    expect([throttled.name, throttled.$metadata.httpStatusCode]).toEqual(['TooManyRequestsException', 429]);
    expect(standin.throttledCount('ListAccounts')).toBe(1);
  });
});

describe('EventBridge rules', () => {
  const pattern = { source: ['aws.ec2'], 'detail-type': ['AWS API Call via CloudTrail'], detail: { eventName: ['ModifyClientVpnEndpoint'] } };
  const centralBus = `arn:aws:events:eu-west-1:${CENTRAL}:event-bus/cvpn-log-guard-dev`;
  const forwarderRole = `arn:aws:iam::${MEMBER}:role/cvpn-log-guard-forwarder`;

  function seedForwardingRule(account = MEMBER, region = 'eu-west-1'): void {
    standin.account(account).addRule(region, {
      name: 'cvpn-log-guard-forward',
      eventPattern: pattern,
      description: 'forwards Client VPN changes to the central bus',
      targets: [{ Id: 'central-bus', Arn: centralBus, RoleArn: forwarderRole }],
    });
  }

  it('answers in the shape of the recorded ListRules and ListTargetsByRule', async () => {
    serveSample(placeboWire('eventbridge-list-rules-recorded.json'));
    const sampleRules = await events(defaultCreds, 'us-west-1', sampleUrl).send(new ListRulesCommand({}));
    serveSample(placeboWire('eventbridge-list-targets-by-rule-cross-account-bus-recorded.json'));
    const sampleTargets = await events(defaultCreds, 'us-west-1', sampleUrl).send(new ListTargetsByRuleCommand({ Rule: 'rule-1' }));

    standin.addRule('eu-west-1', { name: 'rule-1', eventPattern: pattern, targets: [{ Id: 'central-bus', Arn: centralBus, RoleArn: forwarderRole }] });
    const rules = await events().send(new ListRulesCommand({}));
    expect(shape(rules)).toEqual(shape(sampleRules));
    expect(rules.Rules?.[0]).toEqual({
      Name: 'rule-1',
      Arn: `arn:aws:events:eu-west-1:${CENTRAL}:rule/rule-1`,
      EventPattern: JSON.stringify(pattern),
      State: 'ENABLED',
      EventBusName: 'default',
    });
    const targets = await events().send(new ListTargetsByRuleCommand({ Rule: 'rule-1' }));
    expect(shape(targets)).toEqual(shape(sampleTargets));
  });

  it('keeps rules per account and region; NamePrefix, Limit and NextToken; DescribeRule has CreatedBy', async () => {
    seedForwardingRule();
    standin.account(MEMBER).addRule('eu-west-1', { name: 'other-rule', scheduleExpression: 'rate(5 minutes)', state: 'DISABLED' });
    seedMemberRole(MEMBER);
    const creds = await assumeMember();

    expect((await events().send(new ListRulesCommand({}))).Rules).toEqual([]);
    expect((await events(creds, 'eu-central-1').send(new ListRulesCommand({}))).Rules).toEqual([]);
    const mine = await events(creds).send(new ListRulesCommand({ NamePrefix: 'cvpn-' }));
    expect(mine.Rules?.map((r) => r.Name)).toEqual(['cvpn-log-guard-forward']);

    const page1 = await events(creds).send(new ListRulesCommand({ Limit: 1 }));
    expect(page1.Rules?.map((r) => r.Name)).toEqual(['cvpn-log-guard-forward']);
    const page2 = await events(creds).send(new ListRulesCommand({ Limit: 1, NextToken: page1.NextToken }));
    expect(page2.Rules?.map((r) => [r.Name, r.State, r.ScheduleExpression])).toEqual([['other-rule', 'DISABLED', 'rate(5 minutes)']]);
    expect(page2.NextToken).toBeUndefined();

    const described = await events(creds).send(new DescribeRuleCommand({ Name: 'cvpn-log-guard-forward' }));
    expect(described).toMatchObject({ Name: 'cvpn-log-guard-forward', State: 'ENABLED', EventBusName: 'default', CreatedBy: MEMBER });
    expect(JSON.parse(described.EventPattern ?? '')).toEqual(pattern);
    const targets = await events(creds).send(new ListTargetsByRuleCommand({ Rule: 'cvpn-log-guard-forward' }));
    expect(targets.Targets).toEqual([{ Id: 'central-bus', Arn: centralBus, RoleArn: forwarderRole }]);

    const missing = await sdkError(events(creds).send(new DescribeRuleCommand({ Name: 'nope' })));
    expect([missing.name, missing.message]).toEqual(['ResourceNotFoundException', 'Rule nope does not exist on EventBus default.']);
    const missingTargets = await sdkError(events(creds).send(new ListTargetsByRuleCommand({ Rule: 'nope' })));
    expect(missingTargets.name).toBe('ResourceNotFoundException');
    const noBus = await sdkError(events(creds).send(new ListRulesCommand({ EventBusName: 'no-such-bus' })));
    expect([noBus.name, noBus.message]).toEqual(['ResourceNotFoundException', 'Event bus no-such-bus does not exist.']);
    const badLimit = await sdkError(events(creds).send(new ListRulesCommand({ Limit: 101 })));
    expect(badLimit.name).toBe('ValidationException');
  });

  it('rules on a custom bus have rule/<bus>/<name> ARNs; DescribeEventBus returns the policy as a JSON string', async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'org', Effect: 'Allow', Principal: '*', Action: 'events:PutEvents', Resource: centralBus, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-exampleorgid' } } }],
    };
    standin.addEventBus('eu-west-1', 'cvpn-log-guard-dev', { policy });
    standin.addRule('eu-west-1', { name: 'remediate', eventBusName: 'cvpn-log-guard-dev', eventPattern: pattern });
    const rules = await events().send(new ListRulesCommand({ EventBusName: centralBus }));
    expect(rules.Rules?.map((r) => [r.Arn, r.EventBusName])).toEqual([[`arn:aws:events:eu-west-1:${CENTRAL}:rule/cvpn-log-guard-dev/remediate`, 'cvpn-log-guard-dev']]);

    serveSample(
      JSON.stringify({
        ...(JSON.parse(placeboWire('eventbridge-describe-event-bus-policy-recorded.json')) as Record<string, unknown>),
        CreationTime: Date.UTC(2024, 11, 4, 21, 33, 50, 209) / 1000,
        LastModifiedTime: Date.UTC(2024, 11, 12, 15, 50, 29, 544) / 1000,
      }),
    );
    const sample = await events(defaultCreds, 'us-west-1', sampleUrl).send(new DescribeEventBusCommand({ Name: 'my-event-bus' }));
    const bus = await events().send(new DescribeEventBusCommand({ Name: 'cvpn-log-guard-dev' }));
    expect(shape(bus)).toEqual(shape(sample));
    expect(JSON.parse(bus.Policy ?? '')).toEqual(policy);
    const defaultBus = await events().send(new DescribeEventBusCommand({}));
    expect(Object.keys(defaultBus).filter((k) => k !== '$metadata').sort()).toEqual(['Arn', 'Name']);
  });
});

describe('CloudTrail trails', () => {
  function seedTrails(): { orgTrailArn: string; memberTrailArn: string } {
    standin.setOrganization();
    standin.addOrganizationAccount(MEMBER);
    const orgTrailArn = standin.addTrail('us-east-1', { name: 'org-trail', isOrganizationTrail: true, s3BucketName: 'aws-cloudtrail-logs-org' });
    standin.addTrail('us-east-1', { name: 'central-local', isMultiRegionTrail: false });
    const memberTrailArn = standin.account(MEMBER).addTrail('us-east-1', { name: 'data-events', hasCustomEventSelectors: true });
    standin.account(MEMBER).addAccessKey('AKIAMEMBER000000001');
    standin.account(OUTSIDER).addAccessKey('AKIAOUTSIDER0000001');
    return { orgTrailArn, memberTrailArn };
  }
  const member: Creds = { accessKeyId: 'AKIAMEMBER000000001', secretAccessKey: 'x' };

  it('answers in the shape of the recorded member view and the awscli GetTrailStatus sample', async () => {
    serveSample(placeboWire('cloudtrail-describe-trails-member-view-org-trail-recorded.json'));
    const sample = await cloudtrail(defaultCreds, 'us-east-1', sampleUrl).send(new DescribeTrailsCommand({}));
    serveSample(fixture('cloudtrail-get-trail-status-awscli-example.json'));
    const sampleStatus = await cloudtrail(defaultCreds, 'us-east-1', sampleUrl).send(new GetTrailStatusCommand({ Name: 'x' }));
    serveSample(placeboWire('cloudtrail-get-trail-status-recorded.json').replace(/\{"__class__":"datetime"[^}]*\}/g, '1548190000.5'));
    const recordedStatus = await cloudtrail(defaultCreds, 'us-east-1', sampleUrl).send(new GetTrailStatusCommand({ Name: 'x' }));

    const { orgTrailArn } = seedTrails();
    const ours = await cloudtrail(member).send(new DescribeTrailsCommand({}));
    // The recorded org trail entry has no S3KeyPrefix or SNS topic; compare with it.
    expect(shape(ours.trailList?.find((t) => t.IsOrganizationTrail))).toEqual(shape(sample.trailList?.[2]));
    const status = await cloudtrail(member).send(new GetTrailStatusCommand({ Name: orgTrailArn }));
    const keys = (o: object): string[] => Object.keys(o).filter((k) => k !== '$metadata').sort();
    // A trail that logs and never stopped: the recorded answer's fields (no StopLoggingTime, empty strings kept).
    expect(keys(status)).toEqual(keys(recordedStatus).filter((k) => k !== 'LatestDigestDeliveryTime'));
    expect(shape(status)).toMatchObject({ IsLogging: 'boolean', StartLoggingTime: 'Date', TimeLoggingStarted: 'string' });
    expect(keys(sampleStatus)).toEqual(expect.arrayContaining(keys(status)));
    expect(status.TimeLoggingStopped).toBe('');
  });

  it('a member sees its own trails and the organization trail as a shadow trail of the management account', async () => {
    const { orgTrailArn, memberTrailArn } = seedTrails();
    const all = await cloudtrail(member).send(new DescribeTrailsCommand({}));
    expect(all.trailList?.map((t) => [t.Name, t.TrailARN, t.HomeRegion, t.IsOrganizationTrail])).toEqual([
      ['data-events', memberTrailArn, 'us-east-1', false],
      ['org-trail', orgTrailArn, 'us-east-1', true],
    ]);
    expect(orgTrailArn).toBe(`arn:aws:cloudtrail:us-east-1:${CENTRAL}:trail/org-trail`);
    const noShadows = await cloudtrail(member).send(new DescribeTrailsCommand({ includeShadowTrails: false }));
    expect(noShadows.trailList?.map((t) => t.Name)).toEqual(['data-events']);
    // In another region both are multi-region shadows; without shadows nothing is left.
    const elsewhere = await cloudtrail(member, 'ap-southeast-2').send(new DescribeTrailsCommand({}));
    expect(elsewhere.trailList?.map((t) => [t.Name, t.HomeRegion])).toEqual([
      ['data-events', 'us-east-1'],
      ['org-trail', 'us-east-1'],
    ]);
    expect((await cloudtrail(member, 'ap-southeast-2').send(new DescribeTrailsCommand({ includeShadowTrails: false }))).trailList).toEqual([]);
    // By name only the account's own trail of the region; by ARN the organization trail too.
    const byName = await cloudtrail(member).send(new DescribeTrailsCommand({ trailNameList: ['org-trail', 'data-events'] }));
    expect(byName.trailList?.map((t) => t.Name)).toEqual(['data-events']);
    const byArn = await cloudtrail(member).send(new DescribeTrailsCommand({ trailNameList: [orgTrailArn] }));
    expect(byArn.trailList?.map((t) => t.Name)).toEqual(['org-trail']);

    const central = await cloudtrail().send(new DescribeTrailsCommand({}));
    expect(central.trailList?.map((t) => t.Name)).toEqual(['org-trail', 'central-local']);
    const outsider = await cloudtrail({ accessKeyId: 'AKIAOUTSIDER0000001', secretAccessKey: 'x' }).send(new DescribeTrailsCommand({}));
    expect(outsider.trailList).toEqual([]);
  });

  it('GetTrailStatus reports IsLogging; an organization trail needs its ARN in a member account', async () => {
    const { orgTrailArn } = seedTrails();
    expect((await cloudtrail(member).send(new GetTrailStatusCommand({ Name: orgTrailArn }))).IsLogging).toBe(true);
    standin.setTrailLogging('org-trail', false);
    const stopped = await cloudtrail(member, 'eu-west-1').send(new GetTrailStatusCommand({ Name: orgTrailArn }));
    expect([stopped.IsLogging, stopped.StopLoggingTime instanceof Date, stopped.TimeLoggingStopped !== '']).toEqual([false, true, true]);
    const byName = await sdkError(cloudtrail(member).send(new GetTrailStatusCommand({ Name: 'org-trail' })));
    expect([byName.name, byName.$metadata.httpStatusCode, byName.message]).toEqual([
      'TrailNotFoundException',
      404,
      `Unknown trail: org-trail for the user: ${MEMBER}`,
    ]);
    expect((await cloudtrail(member).send(new GetTrailStatusCommand({ Name: 'data-events' }))).IsLogging).toBe(true);
    const singleRegion = await sdkError(cloudtrail(defaultCreds, 'eu-west-1').send(new GetTrailStatusCommand({ Name: 'central-local' })));
    expect(singleRegion.name).toBe('TrailNotFoundException');
  });
});

describe('per-account controls', () => {
  it('EC2 buckets, faults and rate counts are per account', async () => {
    standin.account(MEMBER).addAccessKey('AKIAMEMBER000000001');
    const member: Creds = { accessKeyId: 'AKIAMEMBER000000001', secretAccessKey: 'x' };
    standin.setEc2Throttling({ nonMutating: { capacity: 1, refillPerSecond: 0.001 } });
    await ec2().send(new DescribeClientVpnEndpointsCommand({}));
    expect((await sdkError(ec2().send(new DescribeClientVpnEndpointsCommand({})))).name).toBe('RequestLimitExceeded');
    await ec2(member).send(new DescribeClientVpnEndpointsCommand({}));
    standin.setEc2Throttling(null);

    standin.injectFault({ action: 'DescribeClientVpnEndpoints', account: MEMBER, code: 'UnauthorizedOperation', times: Infinity });
    await ec2().send(new DescribeClientVpnEndpointsCommand({}));
    expect((await sdkError(ec2(member).send(new DescribeClientVpnEndpointsCommand({})))).name).toBe('UnauthorizedOperation');
    expect(standin.maxRequestsPerSecond('DescribeClientVpnEndpoints', 'eu-west-1', { account: MEMBER })).toBe(2);
  });

  it('rules, roles, trails and organization accounts can be changed and removed', async () => {
    standin.setOrganization();
    standin.addOrganizationAccount(MEMBER);
    seedMemberRole(MEMBER);
    const member = standin.account(MEMBER);
    member.addRule('eu-west-1', { name: 'r1', eventPattern: { source: ['aws.ec2'] } });
    member.addTrail('eu-west-1', { name: 'local', isMultiRegionTrail: false });
    const creds = await assumeMember();

    member.setRuleState('eu-west-1', 'r1', 'DISABLED');
    expect((await events(creds).send(new DescribeRuleCommand({ Name: 'r1' }))).State).toBe('DISABLED');
    expect(member.getRule('eu-west-1', 'r1')?.state).toBe('DISABLED');
    expect(member.deleteRule('eu-west-1', 'r1')).toBe(true);
    expect((await sdkError(events(creds).send(new DescribeRuleCommand({ Name: 'r1' })))).name).toBe('ResourceNotFoundException');

    expect(member.listTrails().map((t) => t.name)).toEqual(['local']);
    member.deleteTrail('local');
    expect((await cloudtrail(creds, 'eu-west-1').send(new DescribeTrailsCommand({}))).trailList).toEqual([]);

    expect(member.deleteRole(MEMBER_ROLE)).toBe(true);
    expect((await sdkError(assumeMember())).name).toBe('AccessDenied');
    expect(standin.removeOrganizationAccount(MEMBER)).toBe(true);
    expect((await sdkError(orgs().send(new DescribeAccountCommand({ AccountId: MEMBER })))).name).toBe('AccountNotFoundException');
    expect(standin.organizationAccounts().map((a) => a.id)).toEqual([CENTRAL]);
  });

  it('reset forgets other accounts, the organization and the sessions', async () => {
    standin.setOrganization();
    seedMemberRole(MEMBER);
    standin.account(MEMBER).addEndpoint('eu-west-1');
    const creds = await assumeMember();
    standin.reset();
    expect(standin.account(MEMBER).listEndpoints('eu-west-1')).toEqual([]);
    expect(standin.sessions()).toEqual([]);
    expect((await sdkError(orgs().send(new ListAccountsCommand({})))).name).toBe('AWSOrganizationsNotInUseException');
    // A forgotten session key is just an unknown key again: the default account.
    expect((await sts(creds).send(new GetCallerIdentityCommand({}))).Account).toBe(CENTRAL);
  });
});

describe('seed files', () => {
  it('the example seed builds an organization whose member role, endpoints and rule work through the SDK', async () => {
    const seed = JSON.parse(readFileSync(fileURLToPath(new URL('../../standin/seed.example.json', import.meta.url)), 'utf8')) as Record<string, unknown>;
    applySeed(standin, seed);
    const accounts = await orgs().send(new ListAccountsCommand({}));
    expect(accounts.Accounts?.map((a) => [a.Id, a.State])).toEqual([
      [CENTRAL, 'ACTIVE'],
      [MEMBER, 'ACTIVE'],
      [OTHER, 'ACTIVE'],
      ['444444444444', 'SUSPENDED'],
    ]);
    const creds = await assumeMember();
    const seen = await ec2(creds).send(new DescribeClientVpnEndpointsCommand({}));
    expect(seen.ClientVpnEndpoints?.map((e) => e.ClientVpnEndpointId)).toEqual(['cvpn-endpoint-0aaaaaaaaaaaaaaa2']);
    const targets = await events(creds).send(new ListTargetsByRuleCommand({ Rule: 'cvpn-log-guard-forward' }));
    expect(targets.Targets?.[0]?.Arn).toBe(`arn:aws:events:eu-west-1:${CENTRAL}:event-bus/cvpn-log-guard-dev`);
    expect((await sdkError(assumeMember(OTHER))).name).toBe('AccessDenied');
    const trails = await cloudtrail(creds, 'eu-west-1').send(new DescribeTrailsCommand({}));
    expect(trails.trailList?.map((t) => [t.Name, t.IsOrganizationTrail])).toEqual([['org-trail', true]]);
  });

  it('a bad entry is refused with where it is', () => {
    expect(() => applySeed(standin, { accounts: [{ id: MEMBER, rules: [{ region: 'eu-west-1', name: 'r', state: 'ON', eventPattern: {} }] }] })).toThrow(
      'seed: accounts[0].rules[0].state must be one of ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
    );
    expect(() => applySeed(standin, { organization: { accounts: [{ id: '12' }] } })).toThrow("seed: organization.accounts[0]: account id '12' is not 12 digits");
    expect(() => applySeed(standin, { accounts: [{ id: MEMBER, trails: [{ homeRegion: 'us-east-1', name: 'x' }] }] })).toThrow("seed: accounts[0].trails[0]: invalid trail name 'x'");
  });
});
