/**
 * Proof of coverage for the organization-wide mode: for every ACTIVE account × region, can the member role be
 * assumed, does the forwarding rule exist, run and target the central bus, and is a CloudTrail trail logging there.
 * The judgements are pure functions (unit-tested on their own); `checkCoverage` does the reads through ports, so
 * the core sees no AWS SDK.
 */
import { AwsCallError } from '../domain/errors';
import { mapLimited } from '../util/concurrency';

/** `not-needed`: nothing has to be there (the central account needs no member role). */
export type CheckStatus = 'ok' | 'missing' | 'unknown' | 'not-needed';

export interface Check {
  status: CheckStatus;
  /** What was seen, for a person: "rule cvpn-log-guard-forward disabled", "AssumeRole: AccessDenied: User: ..." */
  detail: string;
  /** the AWS error code, when a call failed */
  code?: string;
}

/** An account to check. `self`: the caller's own account, read with its own credentials. */
export interface CoverageAccount {
  id: string;
  name?: string;
  self: boolean;
}

/** An account left out of the check because there is nothing to guard in it (SUSPENDED, closed, ...). */
export interface SkippedAccount {
  id: string;
  name?: string;
  state: string;
}

/** The forwarding rule as the core needs it (structurally the aws/ reader's answer). */
export interface RuleSeen {
  state: string;
  targets: { arn: string }[];
}

/** A trail that records the region, as DescribeTrails lists it. */
export interface TrailSeen {
  name: string;
  arn: string;
  organizationTrail: boolean;
}

/** Reads of one account (its own credentials, or a member role session). Each throws AwsCallError. */
export interface CoverageReader {
  readRule(region: string, name: string): Promise<RuleSeen | undefined>;
  describeTrails(region: string): Promise<TrailSeen[]>;
  /** `undefined`: the trail is gone */
  trailLogging(region: string, trailArn: string): Promise<boolean | undefined>;
}

export interface Limiter {
  acquire(): Promise<void>;
}

export interface CoverageDeps {
  /** The reader of an account: own credentials for `self`, otherwise one AssumeRole. Throws AwsCallError. */
  readerFor(account: CoverageAccount): Promise<CoverageReader>;
  /** A fresh limiter allowing `perSecond` calls (tests pass one that never waits). */
  limiter(perSecond: number): Limiter;
  onAccountDone?(account: CoverageAccount): void;
}

export interface CoverageRequest {
  accounts: CoverageAccount[];
  regions: string[];
  roleName: string;
  ruleName: string;
  centralBusArn: string;
}

export interface CoverageRow {
  account: string;
  accountName?: string;
  region: string;
  role: Check;
  rule: Check;
  trail: Check;
  /** no check missing or unknown */
  covered: boolean;
}

/** One line per gap: an account whose role can't be assumed is one gap, not one per region. */
export interface Gap {
  account: string;
  /** undefined: every region of the account */
  region?: string;
  text: string;
}

// These read quotas are per account: pacing per account keeps one account's reads inside them whatever the others
// do, and accounts run side by side.
// - EventBridge: "All EventBridge APIs other than PutEvents are limited to 50 requests per second by default"
//   (EventBridge User Guide, quotas: https://docs.aws.amazon.com/eventbridge/latest/userguide/cloudwatch-limits-eventbridge.html;
//   the newer eb-quota.html lists per-API limits only for some APIs).
// - CloudTrail: "Get, describe, and list APIs" 10 transactions per second, not adjustable (CloudTrail User Guide,
//   "Quotas in AWS CloudTrail", https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html).
// Neither page says whether the rate is also per region, so one limiter covers all of an account's regions: at
// 17 regions that is still a few seconds per account. Half the rate is used: the console, AWS Config and
// Security Hub read the same trails and rules within the same quota.
export const EVENTBRIDGE_PER_SECOND = 25;
export const CLOUDTRAIL_PER_SECOND = 5;
/** Accounts checked at once. STS allows 600 AssumeRole a second per account; this is about sockets and memory. */
export const ACCOUNT_PARALLELISM = 8;
/** Regions of one account read at once (the limiters pace them anyway). */
const REGION_PARALLELISM = 6;

const ENABLED_STATES = new Set(['ENABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS']);

function errorText(error: unknown): { code: string; detail: string } {
  if (error instanceof AwsCallError) return { code: error.code, detail: `${error.operation}: ${error.code}: ${error.awsMessage}` };
  const message = error instanceof Error ? error.message : String(error);
  return { code: error instanceof Error ? error.name : 'Error', detail: message };
}

/** `arn:aws:events:eu-west-1:123456789012:event-bus/name` → its account and region. */
export function busLocation(busArn: string): { account: string; region: string } | undefined {
  const m = /^arn:[^:]+:events:([^:]+):(\d{12}):event-bus\//.exec(busArn);
  return m?.[1] && m[2] ? { region: m[1], account: m[2] } : undefined;
}

/**
 * The forwarding rule, judged. In the central bus's own account and region the rule is not needed (the central
 * stack's own default-bus rule feeds the function there); if it is there anyway it is judged like any other.
 */
export function judgeRule(rule: RuleSeen | undefined, ruleName: string, centralBusArn: string, centralRegion: boolean): Check {
  if (rule === undefined) {
    return centralRegion
      ? { status: 'not-needed', detail: `rule ${ruleName} absent: the central stack's own rule serves this region` }
      : { status: 'missing', detail: `rule ${ruleName} missing` };
  }
  const problems: string[] = [];
  if (!ENABLED_STATES.has(rule.state)) problems.push(rule.state === 'DISABLED' ? 'disabled' : `in state ${rule.state}`);
  if (!rule.targets.some((t) => t.arn === centralBusArn)) problems.push(`does not target ${centralBusArn}`);
  if (problems.length === 0) return { status: 'ok', detail: `rule ${ruleName} ${rule.state}, targets the central bus` };
  return { status: 'missing', detail: `rule ${ruleName} ${problems.join(' and ')}` };
}

/** Trails with whether each logs (undefined: gone between the reads, left out). */
export function judgeTrails(trails: (TrailSeen & { logging: boolean | undefined })[]): Check {
  const present = trails.filter((t) => t.logging !== undefined);
  const logging = present.filter((t) => t.logging === true);
  const label = (t: TrailSeen) => (t.organizationTrail ? `${t.name} (organization trail)` : t.name);
  if (logging.length > 0) return { status: 'ok', detail: `logging: ${logging.map(label).join(', ')}` };
  const stopped = present.map(label);
  return { status: 'missing', detail: stopped.length > 0 ? `no trail logging (stopped: ${stopped.join(', ')})` : 'no trail logging' };
}

const NOT_CHECKED: Check = { status: 'unknown', detail: 'not checked: the member role could not be assumed' };

/** The gap lines of the rows, one per account for an unassumable role. */
export function gapsOf(rows: CoverageRow[], roleName: string): Gap[] {
  const gaps: Gap[] = [];
  const roleReported = new Set<string>();
  for (const row of rows) {
    if (row.role.status === 'missing' || row.role.status === 'unknown') {
      if (roleReported.has(row.account)) continue;
      roleReported.add(row.account);
      const why = row.role.code ?? row.role.detail;
      const text = row.role.status === 'missing' ? `role ${roleName} cannot be assumed: ${why}` : `role ${roleName} unknown: AssumeRole failed: ${why}`;
      gaps.push({ account: row.account, text: `${text}; rule and trail unknown` });
      continue;
    }
    for (const [what, check] of [['rule', row.rule], ['trail', row.trail]] as const) {
      if (check.status === 'missing') gaps.push({ account: row.account, region: row.region, text: check.detail });
      if (check.status === 'unknown') gaps.push({ account: row.account, region: row.region, text: `${what} unknown: ${check.detail}` });
    }
  }
  return gaps;
}

export interface CoverageSummary {
  accounts: number;
  coveredAccounts: number;
  regions: number;
  gaps: number;
  skipped: number;
}

export function summarize(rows: CoverageRow[], gaps: Gap[], accounts: number, regions: number, skipped: number): CoverageSummary {
  const uncovered = new Set(rows.filter((r) => !r.covered).map((r) => r.account));
  return { accounts, coveredAccounts: accounts - uncovered.size, regions, gaps: gaps.length, skipped };
}

interface PacedReader {
  reader: CoverageReader;
  events: Limiter;
  cloudtrail: Limiter;
  /** trail ARN → logging: a multi-region or organization trail shows in every region, its status is one */
  status: Map<string, Promise<boolean | undefined>>;
}

async function trailCheck(paced: PacedReader, region: string): Promise<Check> {
  await paced.cloudtrail.acquire();
  const trails = await paced.reader.describeTrails(region);
  const withStatus = await Promise.all(
    trails.map(async (t) => {
      let status = paced.status.get(t.arn);
      if (status === undefined) {
        status = paced.cloudtrail.acquire().then(() => paced.reader.trailLogging(region, t.arn));
        paced.status.set(t.arn, status);
        // A failed read is not remembered: the next region asks again.
        status.catch(() => paced.status.delete(t.arn));
      }
      return { ...t, logging: await status };
    }),
  );
  return judgeTrails(withStatus);
}

async function ruleCheck(paced: PacedReader, region: string, request: CoverageRequest, centralRegion: boolean): Promise<Check> {
  // DescribeRule by name rather than ListRules by prefix: the member role may read only the rule it names
  // (deploy/member-template.json grants events:DescribeRule and events:ListTargetsByRule on that rule alone).
  // Two calls (DescribeRule, ListTargetsByRule) per region.
  await paced.events.acquire();
  await paced.events.acquire();
  const rule = await paced.reader.readRule(region, request.ruleName);
  return judgeRule(rule, request.ruleName, request.centralBusArn, centralRegion);
}

async function settle(read: () => Promise<Check>): Promise<Check> {
  try {
    return await read();
  } catch (error) {
    const { code, detail } = errorText(error);
    return { status: 'unknown', detail, code };
  }
}

async function checkAccount(deps: CoverageDeps, request: CoverageRequest, account: CoverageAccount): Promise<CoverageRow[]> {
  const base = { account: account.id, ...(account.name !== undefined ? { accountName: account.name } : {}) };
  let reader: CoverageReader;
  try {
    reader = await deps.readerFor(account);
  } catch (error) {
    const { code, detail } = errorText(error);
    // Denied (a missing role looks the same to STS) is a gap; throttling or a dropped connection only means the
    // role could not be checked this time.
    const retryable = error instanceof AwsCallError && error.retryable;
    const role: Check = { status: retryable ? 'unknown' : 'missing', detail, code };
    return request.regions.map((region) => ({ ...base, region, role, rule: NOT_CHECKED, trail: NOT_CHECKED, covered: false }));
  }
  const role: Check = account.self
    ? { status: 'not-needed', detail: 'the central account: read with its own credentials' }
    : { status: 'ok', detail: `assumed ${request.roleName}` };
  const paced: PacedReader = {
    reader,
    events: deps.limiter(EVENTBRIDGE_PER_SECOND),
    cloudtrail: deps.limiter(CLOUDTRAIL_PER_SECOND),
    status: new Map(),
  };
  const bus = busLocation(request.centralBusArn);
  return mapLimited(request.regions, REGION_PARALLELISM, async (region): Promise<CoverageRow> => {
    const centralRegion = bus !== undefined && bus.account === account.id && bus.region === region;
    const [rule, trail] = await Promise.all([
      settle(() => ruleCheck(paced, region, request, centralRegion)),
      settle(() => trailCheck(paced, region)),
    ]);
    const covered = [rule, trail].every((c) => c.status === 'ok' || c.status === 'not-needed');
    return { ...base, region, role, rule, trail, covered };
  });
}

/**
 * Checks every account × region: one AssumeRole per account (through `readerFor`), reads paced per account,
 * accounts in parallel (bounded). Never throws for one account's failure: it becomes that account's rows.
 */
export async function checkCoverage(deps: CoverageDeps, request: CoverageRequest): Promise<CoverageRow[]> {
  const perAccount = await mapLimited(request.accounts, ACCOUNT_PARALLELISM, async (account) => {
    try {
      return await checkAccount(deps, request, account);
    } finally {
      deps.onAccountDone?.(account);
    }
  });
  return perAccount.flat();
}
