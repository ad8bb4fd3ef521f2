import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RemediationOutcome } from '../domain/outcome';

export const SERVICE_NAME = 'cvpn-log-guard';
export const METRICS_NAMESPACE = 'CvpnLogGuard';

export function createLogger(): Logger {
  return new Logger({ serviceName: SERVICE_NAME });
}

export function createMetrics(): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
}

/** Metric names per outcome, e.g. `Remediated`, `AlreadyCompliant`: one alarmable series each. */
export function outcomeMetricName(action: RemediationOutcome['action']): string {
  return action
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

export function recordOutcomeMetrics(metrics: Metrics, outcome: RemediationOutcome): void {
  metrics.addMetric(outcomeMetricName(outcome.action), MetricUnit.Count, 1);
  if (outcome.latencyMs !== undefined) {
    metrics.addMetric('RemediationLatency', MetricUnit.Milliseconds, outcome.latencyMs);
  }
}
