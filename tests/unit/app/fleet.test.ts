// Central mode's account decision (src/app/fleet.ts): which event accounts are guarded, which dropped, and why.
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AccountDirectory, Fleet, MemberSessions, organizationOfAccountArn, sessionIdentity } from '../../../src/app/fleet';
import { parseSettings } from '../../../src/app/config';
import { AwsClientFactory } from '../../../src/aws/clients';
import type { OrganizationAccount } from '../../../src/aws/organizations';
import { AwsCallError, ForeignAccountError } from '../../../src/domain/errors';

const CENTRAL = '111111111111';
const MEMBER = '222222222222';
const ORG = 'o-a1b2c3d4e5';
const arnOf = (id: string, org = ORG): string => `arn:aws:organizations::${CENTRAL}:account/${org}/${id}`;
const account = (id: string, state = 'ACTIVE', name = `acct-${id}`, org = ORG): OrganizationAccount => ({ id, name, state, arn: arnOf(id, org) });

function directory(listings: OrganizationAccount[][], options: { listed?: string[]; organizationId?: string } = {}) {
  let loads = 0;
  const dir = new AccountDirectory({
    load: async () => {
      const listing = listings[Math.min(loads, listings.length - 1)] ?? [];
      loads++;
      return listing;
    },
    organizationId: options.organizationId ?? ORG,
    listed: options.listed,
  });
  return { dir, loads: () => loads };
}

async function dropped(p: Promise<unknown>): Promise<ForeignAccountError> {
  const decision = (await p) as { guard: string; error?: ForeignAccountError };
  expect(decision.guard).toBe('drop');
  if (!decision.error) throw new Error('no error on a drop');
  return decision.error;
}

describe('AccountDirectory.decide', () => {
  it('guards an ACTIVE account of the organization, with its name, from one listing', async () => {
    const { dir, loads } = directory([[account(CENTRAL, 'ACTIVE', 'Central'), account(MEMBER, 'ACTIVE', 'Prod')]]);
    expect(await dir.decide(MEMBER, CENTRAL)).toEqual({ guard: 'member', via: 'organization', accountName: 'Prod' });
    expect(await dir.decide(MEMBER, CENTRAL)).toEqual({ guard: 'member', via: 'organization', accountName: 'Prod' });
    expect(loads()).toBe(1);
  });

  it('drops a SUSPENDED account, naming its state, after one fresh listing', async () => {
    const { dir, loads } = directory([[account(MEMBER, 'SUSPENDED', 'Old')]]);
    const error = await dropped(dir.decide(MEMBER, CENTRAL));
    expect(error.kind).toBe('not-active');
    expect(error.message).toBe(
      `The event is dropped: account ${MEMBER} (Old) is SUSPENDED in organization ${ORG}; only ACTIVE accounts are guarded, nothing was assumed or changed`,
    );
    expect(loads()).toBe(2);
  });

  it('drops an account outside the organization', async () => {
    const { dir } = directory([[account(CENTRAL)]]);
    const error = await dropped(dir.decide('333333333333', CENTRAL));
    expect(error.kind).toBe('not-in-organization');
    expect(error.message).toContain(`account 333333333333 is not in organization ${ORG} (nor listed in CVPN_ACCOUNTS)`);
  });

  it('drops an account whose ARN names another organization than CVPN_ORGANIZATION_ID', async () => {
    const { dir } = directory([[account(MEMBER, 'ACTIVE', 'Stray', 'o-zzzzzzzzzz')]]);
    const error = await dropped(dir.decide(MEMBER, CENTRAL));
    expect(error.kind).toBe('other-organization');
    expect(error.message).toContain(`belongs to organization o-zzzzzzzzzz, not to ${ORG}`);
  });

  it('guards an account listed in CVPN_ACCOUNTS without asking Organizations to decide', async () => {
    let calls = 0;
    const dir = new AccountDirectory({
      load: async () => {
        calls++;
        throw new AwsCallError('ListAccounts', 'AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.', false);
      },
      listed: [MEMBER],
    });
    expect(await dir.decide(MEMBER, CENTRAL)).toEqual({ guard: 'member', via: 'list' });
    // The name is best effort, and a refusal is not asked again at once.
    expect(await dir.decide(MEMBER, CENTRAL)).toEqual({ guard: 'member', via: 'list' });
    expect(calls).toBe(1);
    // An account not listed still needs the organization: its refusal is an error, never a drop.
    await expect(dir.decide('333333333333', CENTRAL)).rejects.toMatchObject({ code: 'AWSOrganizationsNotInUseException' });
    expect(calls).toBe(2);
  });

  it('an unreadable organization is an error, not a drop, for an account not listed', async () => {
    const dir = new AccountDirectory({
      load: async () => {
        throw new AwsCallError('ListAccounts', 'AccessDeniedException', "You don't have permissions to access this resource.", false);
      },
    });
    await expect(dir.decide(MEMBER, CENTRAL)).rejects.toMatchObject({ code: 'AccessDeniedException' });
  });

  it('the central account is guarded as itself, whatever the listing says', async () => {
    const { dir } = directory([[account(CENTRAL, 'ACTIVE', 'Central')]]);
    expect(await dir.decide(CENTRAL, CENTRAL)).toEqual({ guard: 'central', accountName: 'Central' });
  });

  it('a miss refreshes the cached listing once: an account that joined since is guarded', async () => {
    const { dir, loads } = directory([[account(CENTRAL)], [account(CENTRAL), account(MEMBER, 'ACTIVE', 'New')]]);
    expect((await dir.decide(CENTRAL, CENTRAL)).guard).toBe('central');
    expect(loads()).toBe(1);
    expect(await dir.decide(MEMBER, CENTRAL)).toEqual({ guard: 'member', via: 'organization', accountName: 'New' });
    expect(loads()).toBe(2);
    // A hit needs no listing.
    await dir.decide(MEMBER, CENTRAL);
    expect(loads()).toBe(2);
  });
});

describe('the real Organizations answer, through the SDK', () => {
  afterEach(() => {
    organizations.reset();
  });
  const organizations = mockClient(OrganizationsClient);

  it('reads State, and falls back to Status only when State is absent', async () => {
    organizations.on(ListAccountsCommand).resolves({
      Accounts: [
        { Id: MEMBER, Name: 'Prod', Arn: arnOf(MEMBER), State: 'ACTIVE', Status: 'SUSPENDED' },
        { Id: '333333333333', Name: 'Legacy', Arn: arnOf('333333333333'), Status: 'ACTIVE' },
        { Id: '444444444444', Name: 'Gone', Arn: arnOf('444444444444'), Status: 'SUSPENDED' },
      ],
    });
    const settings = parseSettings({ CVPN_FLEET: 'central', CVPN_ORGANIZATION_ID: ORG });
    const fleet = new Fleet({
      settings,
      clients: new AwsClientFactory({ credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
      homeRegion: 'eu-west-1',
      sessionName: 'cvpn-log-guard',
      ignoreOwnRole: true,
    });
    expect((await fleet.directory.decide(MEMBER, CENTRAL)).guard).toBe('member');
    expect((await fleet.directory.decide('333333333333', CENTRAL)).guard).toBe('member');
    expect(await dropped(fleet.directory.decide('444444444444', CENTRAL))).toMatchObject({ kind: 'not-active' });
  });
});

describe('member sessions', () => {
  const sts = mockClient(STSClient);
  afterEach(() => {
    sts.reset();
  });

  it('assumes once per account and again only within five minutes of expiry', async () => {
    let now = Date.parse('2026-12-03T10:00:00Z');
    sts.on(AssumeRoleCommand).callsFake(() => ({
      Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(now + 3_600_000) },
      AssumedRoleUser: { Arn: `arn:aws:sts::${MEMBER}:assumed-role/cvpn-log-guard-member/cvpn-log-guard`, AssumedRoleId: 'AROA:cvpn-log-guard' },
    }));
    const sessions = new MemberSessions({
      clients: new AwsClientFactory({ credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
      roleName: 'cvpn-log-guard-member',
      sessionName: 'cvpn-log-guard',
      stsRegion: 'cn-north-1',
      now: () => now,
    });
    const [a, b] = await Promise.all([sessions.session(MEMBER, 'eu-west-1'), sessions.session(MEMBER, 'eu-west-1')]);
    expect(a).toBe(b);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    // The partition follows the STS region.
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input.RoleArn).toBe(`arn:aws-cn:iam::${MEMBER}:role/cvpn-log-guard-member`);
    now += 54 * 60_000;
    await sessions.session(MEMBER, 'eu-west-1');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    now += 2 * 60_000;
    await sessions.session(MEMBER, 'eu-west-1');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    expect(sessions.assumeCount).toBe(2);
    expect(sessionIdentity(a, MEMBER, true)).toEqual({
      account: MEMBER,
      arn: `arn:aws:sts::${MEMBER}:assumed-role/cvpn-log-guard-member/cvpn-log-guard`,
      roleName: 'cvpn-log-guard-member',
    });
  });

  it('a refusal is not cached', async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const sessions = new MemberSessions({
      clients: new AwsClientFactory({ credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 }),
      roleName: 'cvpn-log-guard-member',
      sessionName: 'cvpn-log-guard',
    });
    await expect(sessions.session(MEMBER, 'eu-west-1')).rejects.toMatchObject({ code: 'AccessDenied' });
    await expect(sessions.session(MEMBER, 'eu-west-1')).rejects.toMatchObject({ code: 'AccessDenied' });
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });
});

describe('organizationOfAccountArn', () => {
  it('reads the organization from an account ARN, and nothing from another shape', () => {
    expect(organizationOfAccountArn(arnOf(MEMBER))).toBe(ORG);
    expect(organizationOfAccountArn(`arn:aws:iam::${MEMBER}:root`)).toBeUndefined();
    expect(organizationOfAccountArn(undefined)).toBeUndefined();
  });
});
