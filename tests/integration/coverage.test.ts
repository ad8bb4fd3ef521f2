// `cvpn-log-guard coverage` against the stand-in, through the real SDK: an organization with a fully covered
// member, one without the member role, one missing the rule in one region, one with the rule disabled, one whose
// rule targets another bus, one with no trail, one covered only by the organization trail, and a suspended one.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStandin, type Standin } from '../../standin/index';
import { runCliAgainst } from '../helpers/standin-runtime';

const CENTRAL = '123456789012';
const OPERATOR_ROLE = `arn:aws:iam::${CENTRAL}:role/cvpn-operator`;
const OPERATOR_SESSION = `arn:aws:sts::${CENTRAL}:assumed-role/cvpn-operator/jane`;
const HOME = 'eu-west-1';
const OTHER = 'us-east-1';
const REGIONS = `${HOME},${OTHER}`;
const BUS = `arn:aws:events:${HOME}:${CENTRAL}:event-bus/cvpn-log-guard-prod`;
const WRONG_BUS = `arn:aws:events:${HOME}:${CENTRAL}:event-bus/someone-else`;
const RULE = 'cvpn-log-guard-forward';
const ROLE = 'cvpn-log-guard-member';

const COVERED = '222222222222';
const NO_ROLE = '333333333333';
const RULE_MISSING = '444444444444';
const RULE_DISABLED = '555555555555';
const WRONG_TARGET = '666666666666';
const NO_TRAIL = '777777777777';
const ORG_TRAIL_ONLY = '888888888888';
const SUSPENDED = '121212121212';

const PATTERN = {
  source: ['aws.ec2'],
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: { eventSource: ['ec2.amazonaws.com'], eventName: ['CreateClientVpnEndpoint', 'ModifyClientVpnEndpoint'], errorCode: [{ exists: false }] },
};

let standin: Standin;
beforeAll(async () => {
  standin = await startStandin({ accountId: CENTRAL, callerArn: OPERATOR_SESSION });
});
afterAll(async () => {
  await standin.close();
});

function forward(account: string, region: string, opts: { state?: 'ENABLED' | 'DISABLED'; bus?: string } = {}): void {
  standin.account(account).addRule(region, {
    name: RULE,
    eventPattern: PATTERN,
    state: opts.state ?? 'ENABLED',
    targets: [{ Id: 'central-bus', Arn: opts.bus ?? BUS, RoleArn: `arn:aws:iam::${account}:role/forwarder` }],
  });
}

function memberRole(account: string): void {
  standin.account(account).addRole(ROLE, { trustedPrincipals: [`arn:aws:iam::${CENTRAL}:role/cvpn-log-guard-prod-lambdaRole`, OPERATOR_ROLE] });
}

/** A trail of the account's own in us-east-1 only: eu-west-1 is then covered by the organization trail alone. */
function localTrail(account: string): void {
  standin.account(account).addTrail(OTHER, { name: `local-${account}`, isMultiRegionTrail: false });
}

function seedOrganization(): void {
  standin.setOrganization({ id: 'o-exampleorgid' });
  // The organization trail of the management account records eu-west-1 of every account.
  standin.addTrail(HOME, { name: 'org-trail', isOrganizationTrail: true, isMultiRegionTrail: false });
  const names: Record<string, string> = {
    [COVERED]: 'Production',
    [NO_ROLE]: 'Sandbox without role',
    [RULE_MISSING]: 'Data',
    [RULE_DISABLED]: 'Staging',
    [WRONG_TARGET]: 'Networking',
    [NO_TRAIL]: 'Analytics',
    [ORG_TRAIL_ONLY]: 'Shared services',
    [SUSPENDED]: 'Old',
  };
  for (const [id, name] of Object.entries(names)) standin.addOrganizationAccount(id, { name });
  standin.setOrganizationAccountState(SUSPENDED, 'SUSPENDED');

  // The central account: its own rule serves eu-west-1 (the bus region); us-east-1 forwards.
  forward(CENTRAL, OTHER);
  localTrail(CENTRAL);

  memberRole(COVERED);
  forward(COVERED, HOME);
  forward(COVERED, OTHER);
  standin.account(COVERED).addTrail(OTHER, { name: 'everywhere' });

  forward(NO_ROLE, HOME);
  forward(NO_ROLE, OTHER);

  memberRole(RULE_MISSING);
  forward(RULE_MISSING, HOME);
  localTrail(RULE_MISSING);

  memberRole(RULE_DISABLED);
  forward(RULE_DISABLED, HOME, { state: 'DISABLED' });
  forward(RULE_DISABLED, OTHER);
  localTrail(RULE_DISABLED);

  memberRole(WRONG_TARGET);
  forward(WRONG_TARGET, HOME, { bus: WRONG_BUS });
  forward(WRONG_TARGET, OTHER);
  localTrail(WRONG_TARGET);

  memberRole(NO_TRAIL);
  forward(NO_TRAIL, HOME);
  forward(NO_TRAIL, OTHER);

  memberRole(ORG_TRAIL_ONLY);
  forward(ORG_TRAIL_ONLY, HOME);
  forward(ORG_TRAIL_ONLY, OTHER);
  localTrail(ORG_TRAIL_ONLY);
}

beforeEach(() => {
  standin.reset();
  seedOrganization();
});

const ENV = { AWS_REGION: HOME };
const coverage = (args: string[], env: Record<string, string | undefined> = ENV) => runCliAgainst(standin, ['coverage', ...args], env);
const ORG_ARGS = ['--org', '--regions', REGIONS, '--central-bus-arn', BUS];

const GAP_LINES = [
  `GAP ${NO_ROLE} every region: role ${ROLE} cannot be assumed:`,
  '    AccessDenied; rule and trail unknown',
  `GAP ${RULE_MISSING} us-east-1: rule ${RULE} missing`,
  `GAP ${RULE_DISABLED} eu-west-1: rule ${RULE} disabled`,
  `GAP ${WRONG_TARGET} eu-west-1: rule ${RULE} does not target`,
  `    ${BUS}`,
  `GAP ${NO_TRAIL} us-east-1: no trail logging`,
];

describe('cvpn-log-guard coverage --org', () => {
  it('prints the table, every gap line and the summary; exit 1; one AssumeRole per member account', async () => {
    const r = await coverage(ORG_ARGS);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    for (const line of lines) expect(Array.from(line).length, line).toBeLessThanOrEqual(80);
    expect(lines.slice(0, 4)).toEqual([
      expect.stringMatching(/^cvpn-log-guard coverage, \d{4}-\d\d-\d\d \d\d:\d\d UTC, checked as$/),
      `  ${OPERATOR_SESSION}`,
      `central bus ${BUS}`,
      `forwarding rule ${RULE} · member role ${ROLE}`,
    ]);
    const header = lines.findIndex((l) => l.startsWith('account'));
    expect(lines[header]?.split(/\s+/)).toEqual(['account', 'name', 'region', 'role', 'rule', 'trail']);
    const rows = lines.slice(header + 2, header + 2 + 16).map((l) => l.split(/\s{2,}/));
    expect(rows).toEqual([
      [CENTRAL, 'Management Acco…', HOME, '-', '-', 'ok'],
      [CENTRAL, 'Management Acco…', OTHER, '-', 'ok', 'ok'],
      [COVERED, 'Production', HOME, 'ok', 'ok', 'ok'],
      [COVERED, 'Production', OTHER, 'ok', 'ok', 'ok'],
      [NO_ROLE, 'Sandbox without…', HOME, 'MISSING', '?', '?'],
      [NO_ROLE, 'Sandbox without…', OTHER, 'MISSING', '?', '?'],
      [RULE_MISSING, 'Data', HOME, 'ok', 'ok', 'ok'],
      [RULE_MISSING, 'Data', OTHER, 'ok', 'MISSING', 'ok'],
      [RULE_DISABLED, 'Staging', HOME, 'ok', 'MISSING', 'ok'],
      [RULE_DISABLED, 'Staging', OTHER, 'ok', 'ok', 'ok'],
      [WRONG_TARGET, 'Networking', HOME, 'ok', 'MISSING', 'ok'],
      [WRONG_TARGET, 'Networking', OTHER, 'ok', 'ok', 'ok'],
      [NO_TRAIL, 'Analytics', HOME, 'ok', 'ok', 'ok'],
      [NO_TRAIL, 'Analytics', OTHER, 'ok', 'ok', 'MISSING'],
      [ORG_TRAIL_ONLY, 'Shared services', HOME, 'ok', 'ok', 'ok'],
      [ORG_TRAIL_ONLY, 'Shared services', OTHER, 'ok', 'ok', 'ok'],
    ]);
    expect(r.out).toContain(`skipped ${SUSPENDED} (Old): SUSPENDED, nothing to guard`);
    const gapStart = lines.findIndex((l) => l.startsWith('GAP '));
    expect(lines.slice(gapStart, gapStart + GAP_LINES.length)).toEqual(GAP_LINES);
    expect(lines.at(-1)).toBe('3 of 8 accounts × 2 regions covered; 5 gaps; 1 account skipped (not ACTIVE)');

    // One AssumeRole per member account, none for the central account or the suspended one.
    const assumed = standin.callsTo('AssumeRole').map((c) => c.params.RoleArn);
    expect([...assumed].sort()).toEqual(
      [COVERED, NO_ROLE, RULE_MISSING, RULE_DISABLED, WRONG_TARGET, NO_TRAIL, ORG_TRAIL_ONLY].map((a) => `arn:aws:iam::${a}:role/${ROLE}`).sort(),
    );
    // An account whose role can't be assumed gets no reads; the suspended one none at all.
    for (const account of [NO_ROLE, SUSPENDED]) {
      expect(standin.calls.filter((c) => c.account === account && ['DescribeRule', 'DescribeTrails'].includes(c.action))).toHaveLength(0);
    }
  });

  it('--json: one object per account × region with every check, the skipped account, the gaps and a summary', async () => {
    const r = await coverage([...ORG_ARGS, '--json']);
    expect(r.code).toBe(1);
    const objects = r.stdout.map((l) => JSON.parse(l) as Record<string, unknown>);
    const rows = objects.filter((o) => o.kind === 'coverage');
    expect(rows).toHaveLength(16);
    const row = (account: string, region: string) => rows.find((o) => o.account === account && o.region === region);
    expect(row(ORG_TRAIL_ONLY, HOME)).toEqual({
      kind: 'coverage',
      account: ORG_TRAIL_ONLY,
      accountName: 'Shared services',
      region: HOME,
      role: { status: 'ok', detail: `assumed ${ROLE}` },
      rule: { status: 'ok', detail: `rule ${RULE} ENABLED, targets the central bus` },
      trail: { status: 'ok', detail: 'logging: org-trail (organization trail)' },
      covered: true,
    });
    expect(row(NO_ROLE, OTHER)).toMatchObject({
      role: { status: 'missing', code: 'AccessDenied', detail: expect.stringContaining(`sts:AssumeRole on resource: arn:aws:iam::${NO_ROLE}:role/${ROLE}`) },
      rule: { status: 'unknown', detail: 'not checked: the member role could not be assumed' },
      trail: { status: 'unknown' },
      covered: false,
    });
    expect(row(CENTRAL, HOME)).toMatchObject({ role: { status: 'not-needed' }, rule: { status: 'not-needed' }, covered: true });
    expect(row(WRONG_TARGET, HOME)).toMatchObject({ rule: { status: 'missing', detail: `rule ${RULE} does not target ${BUS}` } });
    expect(objects.filter((o) => o.kind === 'skipped')).toEqual([{ kind: 'skipped', account: SUSPENDED, accountName: 'Old', state: 'SUSPENDED' }]);
    expect(objects.filter((o) => o.kind === 'gap')).toHaveLength(5);
    expect(objects.at(-1)).toMatchObject({
      kind: 'summary',
      caller: OPERATOR_SESSION,
      centralBusArn: BUS,
      ruleName: RULE,
      roleName: ROLE,
      regions: [HOME, OTHER],
      accounts: 8,
      coveredAccounts: 3,
      gaps: 5,
      skipped: 1,
    });
  });

  it('exits 0 once the missing role, rule and trail are in place', async () => {
    memberRole(NO_ROLE);
    localTrail(NO_ROLE);
    forward(RULE_MISSING, OTHER);
    standin.account(RULE_DISABLED).setRuleState(HOME, RULE, 'ENABLED');
    standin.account(WRONG_TARGET).deleteRule(HOME, RULE);
    forward(WRONG_TARGET, HOME);
    localTrail(NO_TRAIL);
    const r = await coverage(ORG_ARGS);
    expect(r.out).not.toContain('GAP ');
    expect(r.out.split('\n').at(-1)).toBe('8 of 8 accounts × 2 regions covered; 0 gaps; 1 account skipped (not ACTIVE)');
    expect(r.code).toBe(0);
  });
});

describe('cvpn-log-guard coverage, other inputs', () => {
  it('--accounts checks the listed accounts without asking Organizations; the bus can come from CVPN_CENTRAL_BUS_ARN', async () => {
    const r = await coverage(['--accounts', `${COVERED}, ${NO_TRAIL}`, '--regions', OTHER], { ...ENV, CVPN_CENTRAL_BUS_ARN: BUS });
    expect(r.code).toBe(1);
    expect(standin.callsTo('ListAccounts')).toHaveLength(0);
    expect(r.out).toContain(`GAP ${NO_TRAIL} us-east-1: no trail logging`);
    expect(r.out.split('\n').at(-1)).toBe('1 of 2 accounts × 1 region covered; 1 gap');
  });

  it('--quiet prints only the gap lines and the summary', async () => {
    const r = await coverage([...ORG_ARGS, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stdout.filter((l) => l.startsWith('GAP '))).toHaveLength(5);
    expect(r.stdout.filter((l) => !l.startsWith('GAP '))).toEqual(['3 of 8 accounts × 2 regions covered; 5 gaps; 1 account skipped (not ACTIVE)']);
  });

  it('--org from an account that may not list the organization says what to do instead; exit 1', async () => {
    standin.setOrganization({ id: 'o-exampleorgid', managementAccountId: '101010101010' });
    standin.addOrganizationAccount(CENTRAL);
    const r = await coverage(ORG_ARGS);
    expect(r.code).toBe(1);
    expect(r.err).toContain('ListAccounts failed: AccessDeniedException');
    expect(r.err).toContain('list the accounts with --accounts instead');
    expect(standin.callsTo('AssumeRole')).toHaveLength(0);
  });

  it.each([
    [['--regions', HOME, '--central-bus-arn', BUS], 'coverage needs --org (every account of the organization) or --accounts <list>'],
    [[...ORG_ARGS, '--accounts', COVERED], '--org and --accounts exclude each other'],
    [['--org', '--regions', HOME], 'coverage needs --central-bus-arn <arn>'],
    [['--org', '--regions', HOME, '--central-bus-arn', 'cvpn-log-guard-prod'], 'central-bus-arn: must be an event bus ARN'],
    [['--accounts', '1234', '--central-bus-arn', BUS], 'accounts: must be comma-separated 12-digit account IDs'],
    [[...ORG_ARGS, '--role-name', 'a/b'], 'role-name: must be an IAM role name'],
    [[...ORG_ARGS, '--rule-name', 'bad rule'], 'rule-name: must be an EventBridge rule name'],
  ])('usage error %j: exit 2 before any AWS call', async (args, message) => {
    const r = await coverage(args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(standin.calls).toHaveLength(0);
  });

  it('CVPN_CENTRAL_BUS_ARN that is not a bus ARN is a usage error naming the variable', async () => {
    const r = await coverage(['--org', '--regions', HOME], { ...ENV, CVPN_CENTRAL_BUS_ARN: 'nope' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('CVPN_CENTRAL_BUS_ARN (--central-bus-arn): must be an event bus ARN');
  });

  it('paces CloudTrail reads per account: many regions of one account never exceed its rate', async () => {
    const regions = ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ap-south-1'];
    const r = await coverage(['--accounts', COVERED, '--regions', regions.join(','), '--central-bus-arn', BUS]);
    expect(r.code).toBe(1);
    expect(standin.callsTo('DescribeTrails').filter((c) => c.account === COVERED)).toHaveLength(regions.length);
    const perSecond = standin.maxRequestsPerSecond('DescribeTrails', undefined, { account: COVERED }) + standin.maxRequestsPerSecond('GetTrailStatus', undefined, { account: COVERED });
    expect(perSecond).toBeLessThanOrEqual(10);
  });
});
