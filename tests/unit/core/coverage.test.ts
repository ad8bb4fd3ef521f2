/**
 * The coverage decisions (rule, trail, gap lines, summary) and the orchestration over fake readers: one reader
 * (AssumeRole) per account, reads paced through the account's limiters, a trail's status read once per account.
 */
import { describe, expect, it } from 'vitest';
import {
  busLocation,
  checkCoverage,
  gapsOf,
  judgeRule,
  judgeTrails,
  summarize,
  type CoverageAccount,
  type CoverageDeps,
  type CoverageReader,
  type CoverageRequest,
  type RuleSeen,
  type TrailSeen,
} from '../../../src/core/coverage';
import { AwsCallError } from '../../../src/domain/errors';

const BUS = 'arn:aws:events:eu-west-1:123456789012:event-bus/cvpn-log-guard-prod';
const OTHER_BUS = 'arn:aws:events:eu-west-1:123456789012:event-bus/other';
const RULE = 'cvpn-log-guard-forward';

describe('judgeRule', () => {
  const enabled: RuleSeen = { state: 'ENABLED', targets: [{ arn: BUS }] };

  it('is ok when enabled and targeting the central bus among others', () => {
    expect(judgeRule({ state: 'ENABLED', targets: [{ arn: OTHER_BUS }, { arn: BUS }] }, RULE, BUS, false).status).toBe('ok');
    expect(judgeRule({ ...enabled, state: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' }, RULE, BUS, false).status).toBe('ok');
  });

  it('names each problem', () => {
    expect(judgeRule(undefined, RULE, BUS, false)).toEqual({ status: 'missing', detail: 'rule cvpn-log-guard-forward missing' });
    expect(judgeRule({ ...enabled, state: 'DISABLED' }, RULE, BUS, false)).toEqual({ status: 'missing', detail: 'rule cvpn-log-guard-forward disabled' });
    expect(judgeRule({ state: 'ENABLED', targets: [{ arn: OTHER_BUS }] }, RULE, BUS, false).detail).toBe(`rule cvpn-log-guard-forward does not target ${BUS}`);
    expect(judgeRule({ state: 'DISABLED', targets: [] }, RULE, BUS, false).detail).toBe(`rule cvpn-log-guard-forward disabled and does not target ${BUS}`);
  });

  it('needs no forwarding rule in the central bus region of the central account, but judges one that is there', () => {
    expect(judgeRule(undefined, RULE, BUS, true).status).toBe('not-needed');
    expect(judgeRule({ ...enabled, state: 'DISABLED' }, RULE, BUS, true).status).toBe('missing');
  });

  it('reads the bus account and region from its ARN', () => {
    expect(busLocation(BUS)).toEqual({ account: '123456789012', region: 'eu-west-1' });
    expect(busLocation('nonsense')).toBeUndefined();
  });
});

describe('judgeTrails', () => {
  const trail = (name: string, logging: boolean | undefined, organizationTrail = false) => ({ name, arn: `arn:${name}`, organizationTrail, logging });

  it('is ok when any trail logs; an organization trail counts and says so', () => {
    expect(judgeTrails([trail('local', false), trail('org', true, true)])).toEqual({ status: 'ok', detail: 'logging: org (organization trail)' });
  });

  it('is missing with none, or with only stopped ones (a trail gone between the reads is left out)', () => {
    expect(judgeTrails([])).toEqual({ status: 'missing', detail: 'no trail logging' });
    expect(judgeTrails([trail('local', false), trail('gone', undefined)])).toEqual({ status: 'missing', detail: 'no trail logging (stopped: local)' });
  });
});

describe('gapsOf and summarize', () => {
  const ok = { status: 'ok' as const, detail: '' };
  const row = (account: string, region: string, over: Partial<Parameters<typeof gapsOf>[0][number]> = {}) => ({
    account,
    region,
    role: ok,
    rule: ok,
    trail: ok,
    covered: true,
    ...over,
  });

  it('gives one line per missing or unknown check, and one per account whose role cannot be assumed', () => {
    const denied = { status: 'missing' as const, detail: 'AssumeRole: AccessDenied: User: x is not authorized', code: 'AccessDenied' };
    const unknown = { status: 'unknown' as const, detail: 'not checked' };
    const rows = [
      row('111111111111', 'eu-west-1'),
      row('222222222222', 'eu-west-1', { role: denied, rule: unknown, trail: unknown, covered: false }),
      row('222222222222', 'us-east-1', { role: denied, rule: unknown, trail: unknown, covered: false }),
      row('333333333333', 'eu-west-1', { rule: { status: 'missing', detail: 'rule r missing' }, trail: { status: 'missing', detail: 'no trail logging' }, covered: false }),
      row('333333333333', 'us-east-1', { trail: { status: 'unknown', detail: 'DescribeTrails: ThrottlingException: Rate exceeded' }, covered: false }),
    ];
    const gaps = gapsOf(rows, 'member');
    expect(gaps).toEqual([
      { account: '222222222222', text: 'role member cannot be assumed: AccessDenied; rule and trail unknown' },
      { account: '333333333333', region: 'eu-west-1', text: 'rule r missing' },
      { account: '333333333333', region: 'eu-west-1', text: 'no trail logging' },
      { account: '333333333333', region: 'us-east-1', text: 'trail unknown: DescribeTrails: ThrottlingException: Rate exceeded' },
    ]);
    expect(summarize(rows, gaps, 3, 2, 1)).toEqual({ accounts: 3, coveredAccounts: 1, regions: 2, gaps: 4, skipped: 1 });
  });
});

describe('checkCoverage', () => {
  interface Fake {
    rules: Record<string, RuleSeen | undefined>;
    trails: Record<string, TrailSeen[]>;
    logging: Record<string, boolean>;
    calls: string[];
  }

  function fakeReader(f: Fake): CoverageReader {
    return {
      readRule: async (region) => {
        f.calls.push(`rule ${region}`);
        return f.rules[region];
      },
      describeTrails: async (region) => {
        f.calls.push(`trails ${region}`);
        return f.trails[region] ?? [];
      },
      trailLogging: async (region, arn) => {
        f.calls.push(`status ${region} ${arn}`);
        return f.logging[arn];
      },
    };
  }

  function deps(readers: Record<string, CoverageReader | Error>) {
    const assumed: string[] = [];
    const acquired: number[] = [];
    const d: CoverageDeps = {
      readerFor: async (account) => {
        assumed.push(account.id);
        const r = readers[account.id];
        if (r === undefined || r instanceof Error) throw r ?? new Error('no reader');
        return r;
      },
      limiter: (perSecond) => ({
        acquire: async () => {
          acquired.push(perSecond);
        },
      }),
    };
    return { d, assumed, acquired };
  }

  const regions = ['eu-west-1', 'us-east-1'];
  const request = (accounts: CoverageAccount[]): CoverageRequest => ({ accounts, regions, roleName: 'member', ruleName: RULE, centralBusArn: BUS });
  const org: TrailSeen = { name: 'org', arn: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/org', organizationTrail: true };

  it('asks for one reader per account, reads each region, and reads a trail seen in every region once', async () => {
    const f: Fake = {
      rules: { 'eu-west-1': { state: 'ENABLED', targets: [{ arn: BUS }] }, 'us-east-1': { state: 'ENABLED', targets: [{ arn: BUS }] } },
      trails: { 'eu-west-1': [org], 'us-east-1': [org] },
      logging: { [org.arn]: true },
      calls: [],
    };
    const { d, assumed, acquired } = deps({ '222222222222': fakeReader(f) });
    const rows = await checkCoverage(d, request([{ id: '222222222222', self: false }]));
    expect(assumed).toEqual(['222222222222']);
    expect(rows.map((r) => [r.region, r.role.status, r.rule.status, r.trail.status, r.covered])).toEqual([
      ['eu-west-1', 'ok', 'ok', 'ok', true],
      ['us-east-1', 'ok', 'ok', 'ok', true],
    ]);
    expect(f.calls.filter((c) => c.startsWith('status'))).toHaveLength(1);
    // Every call went through a limiter: 2 EventBridge calls per region, 1 DescribeTrails per region, 1 status.
    expect(acquired.filter((p) => p === 25)).toHaveLength(4);
    expect(acquired.filter((p) => p === 5)).toHaveLength(3);
  });

  it('an account whose role cannot be assumed gets no reads, and its checks are unknown, not faked', async () => {
    const denied = new AwsCallError('AssumeRole', 'AccessDenied', 'User: x is not authorized', false);
    const { d } = deps({ '222222222222': denied });
    const rows = await checkCoverage(d, request([{ id: '222222222222', self: false }]));
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.role).toEqual({ status: 'missing', code: 'AccessDenied', detail: 'AssumeRole: AccessDenied: User: x is not authorized' });
      expect([r.rule.status, r.trail.status, r.covered]).toEqual(['unknown', 'unknown', false]);
    }
  });

  it('AssumeRole throttled or cut off leaves the role unknown (a gap, but not "cannot be assumed")', async () => {
    const throttled = new AwsCallError('AssumeRole', 'Throttling', 'Rate exceeded', true);
    const { d } = deps({ '222222222222': throttled });
    const rows = await checkCoverage(d, request([{ id: '222222222222', self: false }]));
    expect(rows.map((r) => [r.role.status, r.role.code, r.covered])).toEqual([
      ['unknown', 'Throttling', false],
      ['unknown', 'Throttling', false],
    ]);
    expect(gapsOf(rows, 'member')).toEqual([{ account: '222222222222', text: 'role member unknown: AssumeRole failed: Throttling; rule and trail unknown' }]);
  });

  it('a failed read is unknown for that check only; the central account needs no role nor, in the bus region, the rule', async () => {
    const f: Fake = { rules: { 'us-east-1': { state: 'ENABLED', targets: [{ arn: BUS }] } }, trails: { 'eu-west-1': [org], 'us-east-1': [org] }, logging: { [org.arn]: true }, calls: [] };
    const reader = fakeReader(f);
    const failing: CoverageReader = {
      ...reader,
      describeTrails: async (region) => {
        if (region === 'us-east-1') throw new AwsCallError('DescribeTrails', 'AccessDeniedException', 'no', false);
        return reader.describeTrails(region);
      },
    };
    const { d } = deps({ '123456789012': failing });
    const rows = await checkCoverage(d, request([{ id: '123456789012', self: true }]));
    expect(rows.map((r) => [r.region, r.role.status, r.rule.status, r.trail.status, r.covered])).toEqual([
      ['eu-west-1', 'not-needed', 'not-needed', 'ok', true],
      ['us-east-1', 'not-needed', 'ok', 'unknown', false],
    ]);
    expect(rows[1]?.trail).toEqual({ status: 'unknown', code: 'AccessDeniedException', detail: 'DescribeTrails: AccessDeniedException: no' });
  });
});
