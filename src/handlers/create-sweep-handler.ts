import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { announce, SCAN_POLICY } from '../app/announce';
import { recordOutcomeMetrics } from '../app/observability';
import { loggableOutcome } from '../app/process';
import type { Runtime } from '../app/runtime';
import { scanRegion, type ScanRow } from '../app/services';
import { ACCOUNT_CONCURRENCY, guardedAccounts, scanAccounts } from '../app/fleet-scan';
import type { Fleet } from '../app/fleet';
import type { RemediationOutcome } from '../domain/outcome';

export interface SweepHandlerDeps {
  runtime: Runtime;
  region: string;
  logger: Logger;
  metrics: Metrics;
}

export interface SweepSummary {
  region: string;
  /** Central mode: the accounts swept, and those whose member role could not be assumed. */
  accounts?: number;
  accountsFailed?: number;
  /** Central mode: account-regions scanned. */
  accountRegions?: number;
  endpoints: number;
  compliant: number;
  remediated: number;
  failed: number;
  nonCompliant: number;
}

/**
 * The safety net: on a schedule, scans its own region and fixes what the events missed
 * (endpoints from before deployment, lost events, deleted log groups).
 */
export function createSweepHandler(deps: SweepHandlerDeps) {
  const { runtime, region, logger, metrics } = deps;

  const handle = async (): Promise<SweepSummary> => {
    // A failure to list endpoints throws: the invocation fails and the next run tries again.
    // Alerts go out as each remediation ends, while the others still run.
    const alertFor = async (outcome: RemediationOutcome): Promise<void> => {
      const sent = await announce(runtime, outcome, SCAN_POLICY);
      if (sent.status === 'unsent') logger.error('Alert could not be sent', { endpointId: outcome.endpointId, error: sent.error.message });
    };
    const summary: SweepSummary = { region, endpoints: 0, compliant: 0, remediated: 0, failed: 0, nonCompliant: 0 };
    const rows = runtime.fleet ? await sweepFleet(runtime.fleet, alertFor, summary) : (await scanRegion(runtime, region, { apply: true, onOutcome: alertFor })).rows;
    summary.endpoints = rows.length;
    for (const row of rows) {
      if (row.compliant) summary.compliant++;
      else summary.nonCompliant++;
      const outcome = row.outcome;
      if (!outcome) continue;
      recordOutcomeMetrics(metrics, outcome);
      if (outcome.action === 'remediated') summary.remediated++;
      if (outcome.action === 'failed') summary.failed++;
      if (outcome.action === 'failed') logger.error('Remediation outcome', { outcome: loggableOutcome(outcome) });
      else logger.info('Remediation outcome', { outcome: loggableOutcome(outcome) });
    }
    metrics.addMetric('SweepNonCompliant', MetricUnit.Count, summary.nonCompliant);
    logger.info('Sweep summary', { summary });
    return summary;
  };

  /**
   * Central mode: every guarded account (ACTIVE in the organization, or listed) in each of its
   * enabled regions. An account whose role can't be assumed is logged and counted; a
   * failed region is logged; the sweep goes on with the rest and fails only when the organization
   * itself can't be read.
   */
  async function sweepFleet(fleet: Fleet, alertFor: (o: RemediationOutcome) => Promise<void>, summary: SweepSummary): Promise<ScanRow[]> {
    const central = (await runtime.core.identity(region)).account;
    const targets = await guardedAccounts(fleet, central, runtime.settings.accounts);
    const scans = await scanAccounts(runtime, fleet, targets, {
      askIn: region,
      concurrency: ACCOUNT_CONCURRENCY,
      scan: { apply: true, onOutcome: alertFor },
    });
    summary.accounts = scans.length;
    summary.accountsFailed = 0;
    summary.accountRegions = 0;
    for (const s of scans) {
      if (s.error) {
        summary.accountsFailed++;
        // Logged and counted, not alerted: the alert model speaks of one endpoint, and the account's own
        // events already raise a failed alert naming the role (the event path).
        logger.error('Account not swept', { account: s.account, roleArn: s.roleArn, code: s.error.code, reason: s.error.awsMessage });
      }
      for (const r of s.regions) {
        summary.accountRegions++;
        if (r.error) logger.error('Region not swept', { account: s.account, region: r.region, error: r.error instanceof Error ? r.error.message : 'unknown error' });
      }
    }
    metrics.addMetric('SweepAccountsFailed', MetricUnit.Count, summary.accountsFailed);
    return scans.flatMap((s) => s.regions.flatMap((r) => r.scan?.rows ?? []));
  }

  return middy(handle)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { throwOnEmptyMetrics: false }));
}
