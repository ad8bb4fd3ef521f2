import { GONE_STATUSES, type EndpointState, type LogGroupInfo } from '../domain/endpoint';
import type { TriggerEvent } from '../domain/event';
import { checkExemption } from '../domain/exemption';
import {
  deliveringAnswer,
  keyRequirementProblem,
  retentionShortfall,
  type DeliveryCheck,
  type KeyRequirementProblem,
  type KeyUsability,
  type RetentionShort,
} from '../domain/log-group-requirements';
import { LOG_GROUP_ACTIONS, type OutcomeAction, type RemediationOutcome } from '../domain/outcome';
import { mapLimited } from '../util/concurrency';
import { checkDelivery, type DeliveryFindings } from './log-group-checks';
import type { CoreDeps } from './ports';
import { remediateEndpoint } from './remediate';

/** One endpoint as the scan saw it (and, with apply, what became of it). */
export interface ScanRow {
  region: string;
  endpointId: string;
  status: string;
  loggingEnabled: boolean;
  logGroup?: string;
  /** Only known for endpoints with logging on. */
  logGroupExists?: boolean;
  retentionDays?: number;
  exemption?: string;
  compliant: boolean;
  /** Why it is not compliant. */
  problem?: string;
  /** Set when `apply` ran the remediation. */
  outcome?: RemediationOutcome;
  // ---- Log group requirements and delivery (logging on, group exists). `--json` carries them.
  /** The retention every group must meet (CVPN_MIN_RETENTION_DAYS). */
  requiredRetentionDays?: number;
  /** False when the group's retention is below the requirement; a group that never expires meets it. */
  retentionMeets?: boolean;
  /** The group's KMS key ARN (DescribeLogGroups `kmsKeyId`); absent: not encrypted with a CMK. */
  kmsKeyId?: string;
  /**
   * `ok` (meets any key requirement and usable), `none` (no key, none required), `unencrypted` /
   * `other-key` (requirement not met), `unusable` (CloudWatch Logs can't use it), `unknown` (the
   * key could not be read; `keyDetail` says why).
   */
  keyStatus?: 'ok' | 'none' | 'unencrypted' | 'other-key' | 'unusable' | 'unknown';
  keyDetail?: string;
  /** yes / no / unknown (unknown also while a fresh enable is within its hour). */
  delivering?: 'yes' | 'no' | 'unknown';
  /** When the endpoint's stream last received records (ISO 8601). */
  lastIngestionTime?: string;
  /** The full delivery check: status, stream, checkAfter, likely causes. */
  delivery?: DeliveryCheck;
}

export interface RegionScan {
  region: string;
  rows: ScanRow[];
  pages: number;
  /** Whether AWSServiceRoleForClientVPN exists (checked once per account per run; absent: not checked). */
  serviceLinkedRole?: 'present' | 'missing' | 'unknown';
  /** The one account-level outcome of a run (`service-role-missing`), in the scan that reported it. */
  accountOutcome?: RemediationOutcome;
}

export interface ScanOptions {
  apply: boolean;
  /** false: no DescribeLogStreams reads (`delivering` is unknown); retention and keys are still judged. */
  deliveryCheck?: boolean;
  onProgress?(progress: { region: string; pages: number; endpoints: number; remediated: number; failed: number }): void;
  /** Called as each remediation ends (alerts go out while the others still run). */
  onOutcome?(outcome: RemediationOutcome): Promise<void>;
}

/**
 * Remediations in flight at once per region; each is a handful of calls, Modify among them. The
 * Modify pacing (CoreDeps.modifyLimiter), not this number, keeps within the EC2 request quota.
 */
const APPLY_CONCURRENCY = 32;

/** What a scan or sweep tells the core in place of a CloudTrail event. */
export function scanTrigger(region: string, account: string, endpointId: string, now: Date, runId: string): TriggerEvent {
  return {
    eventId: `scan-${runId}-${endpointId}`,
    eventName: 'Scan',
    eventTime: now.toISOString(),
    region,
    account,
    endpointId,
    actor: { type: 'cvpn-log-guard scan' },
    tool: 'other',
    onlyEnablesLogging: false,
  };
}

/** What the row's log group falls short of, beyond existing: the inputs of its outcome. */
interface GroupFindings {
  retentionShort?: RetentionShort;
  keyRequirement?: KeyRequirementProblem;
  key?: { keyArn: string } & KeyUsability;
  delivery?: DeliveryCheck;
}

function groupFindings(row: ScanRow, group: LogGroupInfo | undefined, deps: CoreDeps, found: DeliveryFindings): GroupFindings {
  if (!group || row.logGroup === undefined) return {};
  const { settings } = deps;
  return {
    retentionShort: retentionShortfall(row.logGroup, group.retentionInDays, settings.minRetentionDays),
    keyRequirement: keyRequirementProblem(group.kmsKeyId, settings),
    key: group.kmsKeyId ? found.keys.get(group.kmsKeyId) : undefined,
    delivery: found.delivery.get(row.endpointId),
  };
}

/** The most severe finding's action (LOG_GROUP_ACTIONS order), or undefined when there is none. */
function findingAction(f: GroupFindings): OutcomeAction | undefined {
  const applies: Partial<Record<(typeof LOG_GROUP_ACTIONS)[number], boolean>> = {
    'cannot-write': f.key?.usable === 'no',
    'not-delivering': f.delivery?.status === 'not-delivering',
    'key-mismatch': f.keyRequirement !== undefined,
    'retention-short': f.retentionShort !== undefined,
  };
  return LOG_GROUP_ACTIONS.find((a) => applies[a] === true);
}

function findingProblems(f: GroupFindings): string[] {
  const problems: string[] = [];
  if (f.key?.usable === 'no') problems.push(`records can't be written: ${f.key.detail}`);
  if (f.delivery?.status === 'not-delivering') problems.push(`not delivering: ${f.delivery.reason}`);
  if (f.keyRequirement?.kind === 'unencrypted') {
    problems.push(`log group is not encrypted with ${f.keyRequirement.expectedKeyArn ?? 'a KMS key'}`);
  }
  if (f.keyRequirement?.kind === 'other-key') {
    problems.push(`log group is encrypted with ${f.keyRequirement.keyArn}, not ${f.keyRequirement.expectedKeyArn}`);
  }
  if (f.retentionShort) {
    problems.push(`log group ${f.retentionShort.logGroup} keeps records ${f.retentionShort.retentionDays} days; the requirement is ${f.retentionShort.requiredDays}`);
  }
  return problems;
}

/** Puts the group findings on the row: the columns, and compliance. */
function applyFindings(row: ScanRow, group: LogGroupInfo | undefined, f: GroupFindings, deps: CoreDeps): void {
  if (!group) return;
  row.requiredRetentionDays = deps.settings.minRetentionDays;
  row.retentionMeets = f.retentionShort === undefined;
  row.kmsKeyId = group.kmsKeyId;
  row.keyStatus =
    f.key?.usable === 'no'
      ? 'unusable'
      : f.keyRequirement
        ? f.keyRequirement.kind
        : f.key?.usable === 'unknown'
          ? 'unknown'
          : group.kmsKeyId
            ? 'ok'
            : 'none';
  row.keyDetail = f.key && f.key.usable !== 'yes' ? f.key.detail : undefined;
  if (f.delivery) {
    row.delivery = f.delivery;
    row.delivering = deliveringAnswer(f.delivery);
    row.lastIngestionTime = f.delivery.lastIngestionTime;
  }
  const problems = findingProblems(f);
  if (problems.length > 0 && row.compliant && !GONE_STATUSES.has(row.status)) {
    row.compliant = false;
    row.problem = problems.join('; ');
  }
}

/** The outcome of a row whose logging is on but whose group falls short (scan --apply, sweep). */
function withFindings(outcome: RemediationOutcome, f: GroupFindings): RemediationOutcome {
  // The remediation read the group again: its word on retention is the latest (a raise clears it).
  const retentionShort = outcome.action === 'retention-raised' ? undefined : (outcome.retentionShort ?? f.retentionShort);
  const effective: GroupFindings = { ...f, retentionShort };
  const action = findingAction(effective);
  const decorated: RemediationOutcome = {
    ...outcome,
    keyRequirement: f.keyRequirement,
    key: f.key,
    delivery: f.delivery,
  };
  if (!action || !['already-compliant', 'retention-short', 'retention-raised'].includes(outcome.action)) return decorated;
  if (action === outcome.action) return decorated;
  const problems = findingProblems(effective);
  const raised = outcome.retentionRaised ? `; retention raised from ${outcome.retentionRaised.from} to ${outcome.retentionRaised.to} days` : '';
  return { ...decorated, action, retentionShort, reason: `Connection logging is on, but ${problems.join('; ')}${raised}` };
}

function rowFor(
  region: string,
  e: EndpointState,
  groups: Map<string, LogGroupInfo | undefined>,
  exemptTagKey: string,
  now: Date,
): ScanRow {
  const exemption = checkExemption(e.tags, exemptTagKey, now);
  const exemptionText = exemption.exempt
    ? `yes${exemption.exemption.reason ? `: ${exemption.exemption.reason}` : ''}${exemption.exemption.until ? ` (until ${exemption.exemption.until})` : ''}`
    : exemption.problem
      ? `not honoured: ${exemption.problem}`
      : undefined;
  const row: ScanRow = {
    region,
    endpointId: e.endpointId,
    status: e.status,
    loggingEnabled: e.logging.enabled,
    logGroup: e.logging.logGroup,
    exemption: exemptionText,
    compliant: true,
  };
  if (e.logging.enabled && e.logging.logGroup) {
    const info = groups.get(e.logging.logGroup);
    row.logGroupExists = info !== undefined;
    row.retentionDays = info?.retentionInDays;
  }
  if (GONE_STATUSES.has(e.status) || exemption.exempt) return row;
  if (!e.logging.enabled) return { ...row, compliant: false, problem: 'connection logging is off' };
  if (row.logGroupExists === false) {
    return { ...row, compliant: false, problem: `logging points at log group ${e.logging.logGroup ?? ''}, which no longer exists` };
  }
  return row;
}

/**
 * Lists every Client VPN endpoint of a region, with what events can't show: logging that is on
 * but writes to a deleted log group. With `apply`, remediates each non-compliant endpoint through
 * the same core as the Lambda (describe again, decide, act, verify).
 */
export async function scanRegion(deps: CoreDeps, region: string, options: ScanOptions): Promise<RegionScan> {
  const now = deps.now();
  const api = deps.api(region);
  const progress = { region, pages: 0, endpoints: 0, remediated: 0, failed: 0 };
  const { endpoints, pages } = await api.listEndpoints((p, n) => {
    progress.pages = p;
    progress.endpoints = n;
    options.onProgress?.({ ...progress });
  });

  const groupNames = [
    ...new Set(endpoints.filter((e) => e.logging.enabled && e.logging.logGroup).map((e) => e.logging.logGroup ?? '')),
  ];
  const found = await api.describeLogGroups(groupNames);
  const groups = new Map(groupNames.map((name) => [name, found.get(name)]));
  const rows = endpoints.map((e) => rowFor(region, e, groups, deps.settings.exemptTagKey, now));
  const live = endpoints.filter((e) => !GONE_STATUSES.has(e.status));
  const needsAccount = options.apply || (deps.delivery !== undefined && live.some((e) => e.logging.enabled));
  const account = needsAccount ? (await deps.identity(region)).account : '';
  const checks = await checkDelivery(deps, region, account, live, groups, options.deliveryCheck ?? true);
  const findings = new Map<string, GroupFindings>();
  for (const row of rows) {
    const group = row.loggingEnabled && row.logGroup !== undefined ? groups.get(row.logGroup) : undefined;
    const f = groupFindings(row, group, deps, checks);
    findings.set(row.endpointId, f);
    applyFindings(row, group, f, deps);
  }
  const result: RegionScan = { region, rows, pages, serviceLinkedRole: checks.role?.state };
  if (!options.apply) return result;

  const runId = now.toISOString().replace(/[^0-9]/g, '').slice(0, 14);
  if (checks.role?.state === 'missing' && checks.role.firstReport) {
    result.accountOutcome = serviceRoleOutcome(deps, region, account, now, runId, rows);
    await options.onOutcome?.(result.accountOutcome);
  }
  const pending = rows.filter((r) => !r.compliant);
  await mapLimited(pending, APPLY_CONCURRENCY, async (row) => {
    const remediated = await remediateEndpoint(deps, scanTrigger(region, account, row.endpointId, now, runId), {
      checkLogGroup: true,
    });
    const outcome = withFindings(remediated, findings.get(row.endpointId) ?? {});
    row.outcome = outcome;
    await options.onOutcome?.(outcome);
    if (outcome.action === 'remediated' || outcome.action === 'already-compliant' || outcome.action === 'skipped-deleted' || outcome.action === 'not-found' || outcome.action === 'exempt') {
      row.compliant = true;
      if (outcome.loggingAfter) {
        row.loggingEnabled = outcome.loggingAfter.enabled;
        row.logGroup = outcome.loggingAfter.logGroup ?? outcome.logGroup;
        row.logGroupExists = true;
      }
      if (outcome.action === 'remediated') {
        row.retentionDays = outcome.logGroupCreated ? outcome.retentionDays : row.retentionDays;
        if (outcome.logGroupCreated) {
          // A group made now carries the configured key (or none): no need to read it back.
          const key = deps.settings.kmsKeyArn;
          row.kmsKeyId = key;
          row.keyStatus = key ? 'ok' : deps.settings.requireKms ? 'unencrypted' : 'none';
        }
        row.retentionMeets = outcome.retentionShort === undefined;
        row.requiredRetentionDays = outcome.requiredRetentionDays;
        // Just turned on: the sweep after deliveryCheckAfter judges whether records arrive.
        row.delivery = {
          status: 'pending',
          checkAfter: outcome.deliveryCheckAfter,
          reason: 'logging was turned on in this run; delivery is checked after an hour',
        };
        row.delivering = 'unknown';
        progress.remediated++;
      }
    } else if (outcome.action === 'retention-raised') {
      row.compliant = true;
      row.retentionMeets = true;
      row.retentionDays = outcome.retentionRaised?.to ?? row.retentionDays;
      row.problem = undefined;
      progress.remediated++;
    } else {
      if (outcome.action === 'failed') progress.failed++;
      row.problem = outcome.reason;
    }
    options.onProgress?.({ ...progress });
  });
  return result;
}

/** The account-level report of a missing service-linked role: once per account per run. */
function serviceRoleOutcome(deps: CoreDeps, region: string, account: string, now: Date, runId: string, rows: ScanRow[]): RemediationOutcome {
  return {
    endpointId: '',
    region,
    account,
    action: 'service-role-missing',
    mode: deps.settings.mode,
    actor: { type: 'cvpn-log-guard scan' },
    tool: 'other',
    eventId: `scan-${runId}-service-role`,
    eventName: 'Scan',
    eventTime: now.toISOString(),
    affectedEndpoints: rows.filter((r) => r.loggingEnabled && !GONE_STATUSES.has(r.status)).map((r) => r.endpointId),
    reason:
      'The service-linked role AWSServiceRoleForClientVPN does not exist in this account: Client VPN cannot write connection logs ' +
      'for any endpoint. Re-create it (aws iam create-service-linked-role --aws-service-name clientvpn.amazonaws.com).',
  };
}
