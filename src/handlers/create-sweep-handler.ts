import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { announce, SCAN_POLICY } from '../app/announce';
import { recordOutcomeMetrics } from '../app/observability';
import { loggableOutcome } from '../app/process';
import type { Runtime } from '../app/runtime';
import { scanRegion } from '../app/services';
import type { RemediationOutcome } from '../domain/outcome';

export interface SweepHandlerDeps {
  runtime: Runtime;
  region: string;
  logger: Logger;
  metrics: Metrics;
}

export interface SweepSummary {
  region: string;
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
    const scan = await scanRegion(runtime, region, { apply: true, onOutcome: alertFor });
    const summary: SweepSummary = { region, endpoints: scan.rows.length, compliant: 0, remediated: 0, failed: 0, nonCompliant: 0 };
    for (const row of scan.rows) {
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

  return middy(handle)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { throwOnEmptyMetrics: false }));
}
