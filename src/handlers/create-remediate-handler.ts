import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { InvalidEventError, RemediationFailedError } from '../domain/errors';
import { recordOutcomeMetrics } from '../app/observability';
import type { OutcomeAction, RemediationOutcome } from '../domain/outcome';
import { loggableOutcome, notifyOutcome, processEvent, shouldNotify, type Runtime } from '../app/runtime';

export interface RemediateHandlerDeps {
  runtime: Runtime;
  logger: Logger;
  metrics: Metrics;
}

export type RemediateResult =
  | { status: 'processed'; action: OutcomeAction; messageId?: string }
  | { status: 'dropped'; reason: string };

function eventIdOf(event: unknown): string | undefined {
  const id = (event as { detail?: { eventID?: unknown } } | null)?.detail?.eventID;
  return typeof id === 'string' && id.length <= 128 ? id : undefined;
}

/**
 * Retry-or-drop is decided here and only here:
 * - input that can never be processed is logged and dropped (a retry can't fix it);
 * - a transient AWS failure fails the invocation, so Lambda retries and finally parks the event
 *   in the on-failure queue;
 * - a failure that needs a person is announced, then also fails the invocation, so the event is
 *   kept in the queue for `cvpn-log-guard replay` once fixed.
 */
export function createRemediateHandler(deps: RemediateHandlerDeps) {
  const { runtime, logger, metrics } = deps;
  // Lambda retries an async event up to twice, usually on the same warm container: announce a
  // failure once per container, not once per attempt.
  const failuresAnnounced = new Set<string>();
  // A fix whose alert could not be published: the retry finds logging on ("already compliant")
  // and would say nothing, so it announces the remembered fix instead.
  const unannounced = new Map<string, RemediationOutcome>();

  const handle = async (event: unknown, _context: Context): Promise<RemediateResult> => {
    let outcome: RemediationOutcome;
    try {
      outcome = await processEvent(runtime, event);
    } catch (error) {
      if (error instanceof InvalidEventError) {
        logger.warn('Event dropped', { reason: error.message, eventId: eventIdOf(event) });
        metrics.addMetric(error.irrelevant ? 'EventsIgnored' : 'EventsInvalid', MetricUnit.Count, 1);
        return { status: 'dropped', reason: error.message };
      }
      throw error;
    }

    recordOutcomeMetrics(metrics, outcome);
    const line = { outcome: loggableOutcome(outcome) };
    if (outcome.action === 'failed') logger.error('Remediation outcome', line);
    else logger.info('Remediation outcome', line);

    if (outcome.action === 'failed' && outcome.error?.retryable) {
      throw new RemediationFailedError(
        `Transient failure, Lambda will retry: ${outcome.reason}`,
        true,
      );
    }

    let messageId: string | undefined;
    const remembered = unannounced.get(outcome.eventId);
    const toAnnounce = remembered && outcome.action === 'already-compliant' ? remembered : outcome;
    const announcedAlready = toAnnounce.action === 'failed' && failuresAnnounced.has(toAnnounce.eventId);
    if (shouldNotify(toAnnounce) && !announcedAlready) {
      try {
        messageId = await notifyOutcome(runtime, toAnnounce);
        unannounced.delete(toAnnounce.eventId);
        if (toAnnounce.action === 'failed') failuresAnnounced.add(toAnnounce.eventId);
      } catch (error) {
        if (toAnnounce.action !== 'failed') {
          if (unannounced.size >= 100) unannounced.clear();
          unannounced.set(toAnnounce.eventId, toAnnounce);
        }
        logger.error('Alert could not be sent', {
          eventId: toAnnounce.eventId,
          action: toAnnounce.action,
          error: error instanceof Error ? error.message : String(error),
        });
        if (toAnnounce.action !== 'failed') {
          throw new RemediationFailedError('The alert could not be sent; Lambda will retry', true, { cause: error });
        }
      }
    }

    if (outcome.action === 'failed') {
      throw new RemediationFailedError(
        `Remediation failed and needs a person: ${outcome.error?.code ?? 'unknown'}: ${outcome.error?.message ?? ''}`,
        false,
      );
    }
    return { status: 'processed', action: outcome.action, messageId };
  };

  return middy(handle)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { throwOnEmptyMetrics: false }));
}
