// Central mode (CVPN_FLEET=central) end to end through the handler, against the stand-in seeded with an
// organization: member events are fixed in the member account through its role, the alert goes out in the central
// account; events from outside the organization or from suspended accounts touch nothing.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asOwnFixRequest, envelope, modifyRecord, retarget } from '../helpers/events';
import { ACCOUNT, LAMBDA_ROLE, REGION, handlerFor, lambdaContext, runtimeFor, standinForAccount } from '../helpers/standin-runtime';
import type { Standin } from '../../standin/index';
import type { Runtime } from '../../src/app/runtime';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createSweepHandler } from '../../src/handlers/create-sweep-handler';

const ORG = 'o-exampleorgid';
const MEMBER = '222222222222';
const NO_ROLE = '333333333333';
const SUSPENDED = '444444444444';
const OUTSIDE = '555555555555';
const ROLE = 'cvpn-log-guard-member';
const FUNCTION_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${LAMBDA_ROLE}`;

let standin: Standin;
let topicArn: string;
let runtimes: Runtime[] = [];

beforeAll(async () => {
  standin = await standinForAccount();
});
afterAll(async () => {
  await standin.close();
});
beforeEach(() => {
  for (const r of runtimes) r.close();
  runtimes = [];
  standin.reset();
  topicArn = standin.createTopic(REGION, 'alerts');
  standin.setOrganization({ id: ORG });
  standin.addOrganizationAccount(MEMBER, { name: 'Prod' });
  standin.addOrganizationAccount(NO_ROLE, { name: 'Sandbox' });
  standin.addOrganizationAccount(SUSPENDED, { name: 'Old' });
  standin.setOrganizationAccountState(SUSPENDED, 'SUSPENDED');
  for (const id of [MEMBER, SUSPENDED, OUTSIDE]) {
    standin.account(id).addRole(ROLE, { trustedPrincipals: [FUNCTION_ROLE_ARN] });
    standin.account(id).addEndpoint(REGION, { id: endpointOf(id), logging: { enabled: false } });
  }
  standin.account(NO_ROLE).addEndpoint(REGION, { id: endpointOf(NO_ROLE), logging: { enabled: false } });
});

function endpointOf(account: string): string {
  return `cvpn-endpoint-0${account.slice(0, 1).repeat(16)}`;
}

function central(extra: Record<string, string> = {}) {
  const runtime = runtimeFor(standin, { CVPN_TOPIC_ARN: topicArn, CVPN_FLEET: 'central', CVPN_ORGANIZATION_ID: ORG, ...extra });
  runtimes.push(runtime);
  return handlerFor(runtime);
}

function memberEvent(account: string, eventId = `evt-${account}`): unknown {
  return envelope(retarget(modifyRecord(), { account, endpointId: endpointOf(account), eventId }));
}

const assumeCalls = () => standin.callsTo('AssumeRole');
const writesIn = (account: string) => standin.callsTo('ModifyClientVpnEndpoint').filter((c) => c.account === account);

describe('central mode: member accounts', () => {
  it("fixes a member's endpoint in that member account through its role; the central account publishes the alert naming it", async () => {
    const { handler } = central();
    const result = await handler(memberEvent(MEMBER), lambdaContext());
    expect(result).toMatchObject({ status: 'processed', action: 'remediated' });
    expect(standin.account(MEMBER).getEndpoint(REGION, endpointOf(MEMBER))?.logging).toMatchObject({
      enabled: true,
      logGroup: `/aws/clientvpn/${endpointOf(MEMBER)}`,
    });
    expect(standin.account(MEMBER).getLogGroup(REGION, `/aws/clientvpn/${endpointOf(MEMBER)}`)).toBeDefined();
    expect(writesIn(MEMBER)).toHaveLength(1);
    expect(writesIn(ACCOUNT)).toHaveLength(0);
    expect(assumeCalls()).toHaveLength(1);
    expect(assumeCalls()[0]?.params.RoleArn).toBe(`arn:aws:iam::${MEMBER}:role/${ROLE}`);
    expect(assumeCalls()[0]?.region).toBe(REGION);
    // Published by the central function itself, never by the member session.
    const publishes = standin.callsTo('Publish');
    expect(publishes.map((c) => c.account)).toEqual([ACCOUNT]);
    const [message] = standin.published(topicArn);
    expect(message?.attributes.account?.stringValue).toBe(MEMBER);
    expect(message?.attributes.accountName?.stringValue).toBe('Prod');
    expect(message?.subject).toContain('in Prod');
  });

  it('one session serves later events of the same account', async () => {
    const { handler } = central();
    await handler(memberEvent(MEMBER, 'evt-1'), lambdaContext());
    standin.account(MEMBER).addEndpoint(REGION, { id: 'cvpn-endpoint-0cccccccccccccccc', logging: { enabled: false } });
    const second = envelope(retarget(modifyRecord(), { account: MEMBER, endpointId: 'cvpn-endpoint-0cccccccccccccccc', eventId: 'evt-2' }));
    expect(await handler(second, lambdaContext())).toMatchObject({ action: 'remediated' });
    expect(assumeCalls()).toHaveLength(1);
  });

  it("ignores the member role's own echo: no write", async () => {
    const { handler } = central();
    const own = asOwnFixRequest(retarget(modifyRecord(), { account: MEMBER, endpointId: endpointOf(MEMBER) }), `/aws/clientvpn/${endpointOf(MEMBER)}`);
    own.userIdentity.arn = `arn:aws:sts::${MEMBER}:assumed-role/${ROLE}/cvpn-log-guard`;
    own.userIdentity.sessionContext.sessionIssuer.arn = `arn:aws:iam::${MEMBER}:role/${ROLE}`;
    own.userAgent = 'aws-sdk-js/3.1169.0';
    // Logging is off in the stand-in: only the echo rule keeps the function from writing.
    expect(await handler(envelope(own), lambdaContext())).toMatchObject({ action: 'ignored-self' });
    expect(writesIn(MEMBER)).toHaveLength(0);
  });

  it('the central account is guarded as today, with its own credentials', async () => {
    standin.addEndpoint(REGION, { id: endpointOf(ACCOUNT), logging: { enabled: false } });
    const { handler } = central();
    const event = envelope(retarget(modifyRecord(), { account: ACCOUNT, endpointId: endpointOf(ACCOUNT) }));
    expect(await handler(event, lambdaContext())).toMatchObject({ action: 'remediated' });
    expect(writesIn(ACCOUNT)).toHaveLength(1);
    expect(assumeCalls()).toHaveLength(0);
  });

  it('an account listed in CVPN_ACCOUNTS is guarded without Organizations', async () => {
    standin.setOrganization({ id: ORG, managementAccountId: '666666666666' });
    standin.account(OUTSIDE).addRole(ROLE, { trustedPrincipals: [FUNCTION_ROLE_ARN] });
    const { handler } = central({ CVPN_ACCOUNTS: OUTSIDE });
    expect(await handler(memberEvent(OUTSIDE), lambdaContext())).toMatchObject({ action: 'remediated' });
    expect(writesIn(OUTSIDE)).toHaveLength(1);
  });
});

describe('central mode: what is dropped', () => {
  for (const [label, account, pattern] of [
    ['outside the organization', OUTSIDE, `account ${OUTSIDE} is not in organization ${ORG}`],
    ['suspended', SUSPENDED, `account ${SUSPENDED} (Old) is SUSPENDED in organization ${ORG}`],
  ] as const) {
    it(`an event from an account ${label} touches nothing and assumes nothing`, async () => {
      const { handler, lines } = central();
      const result = await handler(memberEvent(account), lambdaContext());
      expect(result).toMatchObject({ status: 'dropped' });
      expect((result as { reason: string }).reason).toContain(pattern);
      expect(assumeCalls()).toHaveLength(0);
      expect(standin.calls.filter((c) => c.account === account)).toHaveLength(0);
      expect(standin.account(account).getEndpoint(REGION, endpointOf(account))?.logging.enabled).toBe(false);
      expect(standin.published(topicArn)).toHaveLength(0);
      expect(lines.find((l) => l.message === 'Event dropped')?.attributes).toMatchObject({
        dropKind: account === OUTSIDE ? 'not-in-organization' : 'not-active',
      });
    });
  }
});

describe('central mode: a member without the role', () => {
  it('a failed alert names the account and the role and says how to deploy it; the invocation fails so the event is kept', async () => {
    const { handler } = central();
    await expect(handler(memberEvent(NO_ROLE), lambdaContext())).rejects.toThrow(/needs a person: AccessDenied/);
    expect(writesIn(NO_ROLE)).toHaveLength(0);
    const [message] = standin.published(topicArn);
    expect(message?.attributes.outcome?.stringValue).toBe('failed');
    expect(message?.attributes.account?.stringValue).toBe(NO_ROLE);
    expect(message?.attributes.accountName?.stringValue).toBe('Sandbox');
    const email = message?.bodies?.email ?? '';
    expect(email).toContain(`arn:aws:iam::${NO_ROLE}:role/${ROLE}`);
    expect(email).toContain('member stack set');
    // The email neutralises the file name's dot (it could read as a link), so any character stands there.
    expect(email).toMatch(/deploy\/member-template.json/);
    expect(email).toContain('assume-role');
    // Announced once for the event, not once per Lambda retry.
    await expect(handler(memberEvent(NO_ROLE), lambdaContext())).rejects.toThrow();
    expect(standin.published(topicArn)).toHaveLength(1);
  });
});

describe('central mode: transient failures before the member account is entered', () => {
  it('a throttled AssumeRole fails the invocation for a retry, without an alert', async () => {
    standin.injectFault({ action: 'AssumeRole', code: 'Throttling', status: 400, times: Infinity });
    const { handler } = central();
    await expect(handler(memberEvent(MEMBER), lambdaContext())).rejects.toThrow(/Transient failure, Lambda will retry/);
    expect(standin.published(topicArn)).toHaveLength(0);
    expect(writesIn(MEMBER)).toHaveLength(0);
  });

  it('an unreadable organization is not a drop: a throttled ListAccounts fails the invocation for a retry', async () => {
    standin.injectFault({ action: 'ListAccounts', code: 'TooManyRequestsException', status: 429, times: Infinity });
    const { handler } = central();
    await expect(handler(memberEvent(MEMBER), lambdaContext())).rejects.toThrow(/ListAccounts failed with TooManyRequestsException/);
    expect(assumeCalls()).toHaveLength(0);
  });
});

describe('central mode: the sweep', () => {
  it('covers every ACTIVE account x enabled region, each member through its own role, once per account', async () => {
    const other = 'eu-west-1';
    standin.setRegions([REGION, other]);
    standin.account(MEMBER).addEndpoint(other, { id: 'cvpn-endpoint-0dddddddddddddddd', logging: { enabled: false } });
    standin.addEndpoint(other, { id: 'cvpn-endpoint-0eeeeeeeeeeeeeeee', logging: { enabled: false } });
    const runtime = runtimeFor(standin, { CVPN_TOPIC_ARN: topicArn, CVPN_FLEET: 'central', CVPN_ORGANIZATION_ID: ORG });
    runtimes.push(runtime);
    const logger = new Logger({ serviceName: 'cvpn-log-guard', logLevel: 'SILENT' });
    const metrics = new Metrics({ namespace: 'CvpnLogGuardTest', serviceName: 'cvpn-log-guard' });
    const handler = createSweepHandler({ runtime, region: REGION, logger, metrics });
    const summary = (await handler({}, lambdaContext()));
    // Central + Prod + Sandbox (no role); the suspended account is not swept.
    expect(summary).toMatchObject({ accounts: 3, accountsFailed: 1, accountRegions: 4, remediated: 3 });
    expect(standin.account(MEMBER).getEndpoint(REGION, endpointOf(MEMBER))?.logging.enabled).toBe(true);
    expect(standin.account(MEMBER).getEndpoint(other, 'cvpn-endpoint-0dddddddddddddddd')?.logging.enabled).toBe(true);
    expect(standin.getEndpoint(other, 'cvpn-endpoint-0eeeeeeeeeeeeeeee')?.logging.enabled).toBe(true);
    expect(standin.account(SUSPENDED).getEndpoint(REGION, endpointOf(SUSPENDED))?.logging.enabled).toBe(false);
    expect(standin.calls.filter((c) => c.account === SUSPENDED)).toHaveLength(0);
    expect(assumeCalls().map((c) => c.params.RoleArn).sort()).toEqual([`arn:aws:iam::${MEMBER}:role/${ROLE}`, `arn:aws:iam::${NO_ROLE}:role/${ROLE}`]);
    const named = standin.published(topicArn).filter((m) => m.attributes.account?.stringValue === MEMBER);
    expect(named.map((m) => m.attributes.accountName?.stringValue)).toEqual(['Prod', 'Prod']);
  });
});
