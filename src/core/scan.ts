import { GONE_STATUSES, type EndpointState, type LogGroupInfo } from '../domain/endpoint';
import type { TriggerEvent } from '../domain/event';
import { checkExemption } from '../domain/exemption';
import type { RemediationOutcome } from '../domain/outcome';
import { mapLimited } from '../util/concurrency';
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
}

export interface RegionScan {
  region: string;
  rows: ScanRow[];
  pages: number;
}

export interface ScanOptions {
  apply: boolean;
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
  if (!options.apply) return { region, rows, pages };

  const { account } = await deps.identity(region);
  const runId = now.toISOString().replace(/[^0-9]/g, '').slice(0, 14);
  const pending = rows.filter((r) => !r.compliant);
  await mapLimited(pending, APPLY_CONCURRENCY, async (row) => {
    const outcome = await remediateEndpoint(deps, scanTrigger(region, account, row.endpointId, now, runId), {
      checkLogGroup: true,
    });
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
        progress.remediated++;
      }
    } else {
      if (outcome.action === 'failed') progress.failed++;
      row.problem = outcome.reason;
    }
    options.onProgress?.({ ...progress });
  });
  return { region, rows, pages };
}
