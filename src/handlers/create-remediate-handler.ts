import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { AlertLedger } from '../app/alert-ledger';
import { announce, EVENT_POLICY } from '../app/announce';
import { recordOutcomeMetrics } from '../app/observability';
import { loggableOutcome, processEvent } from '../app/process';
import type { Runtime } from '../app/runtime';
import { RemediationFailedError } from '../domain/errors';
import type { OutcomeAction, RemediationOutcome } from '../domain/outcome';
import { dropInvalidEvents, type DroppedEvent } from './middleware/drop-invalid-events';

export interface RemediateHandlerDeps {
  runtime: Runtime;
  logger: Logger;
  metrics: Metrics;
}

export type RemediateResult = { status: 'processed'; action: OutcomeAction; messageId?: string } | DroppedEvent;

/**
 * Retry-or-drop is decided here and only here:
 * - input that can never be processed is logged and dropped (dropInvalidEvents);
 * - a transient AWS failure fails the invocation, so Lambda retries and finally parks the event
 *   in the on-failure queue;
 * - a failure that needs a person is announced, then also fails the invocation, so the event is
 *   kept in the queue for `cvpn-log-guard redrive` once fixed;
 * - a fix whose alert could not be sent fails the invocation, and the retry announces it.
 */
export function createRemediateHandler(deps: RemediateHandlerDeps) {
  const { runtime, logger, metrics } = deps;
  const ledger = new AlertLedger();

  const handle = async (event: unknown, _context: Context): Promise<RemediateResult> => {
    const outcome = await processEvent(runtime, event);
    recordOutcomeMetrics(metrics, outcome);
    const line = { outcome: loggableOutcome(outcome) };
    if (outcome.action === 'failed') logger.error('Remediation outcome', line);
    else logger.info('Remediation outcome', line);

    if (outcome.action === 'failed' && outcome.error?.retryable) {
      throw new RemediationFailedError(`Transient failure, Lambda will retry: ${outcome.reason}`, true);
    }
    const messageId = await announceOnce(outcome);
    if (outcome.action === 'failed') {
      throw new RemediationFailedError(
        `Remediation failed and needs a person: ${outcome.error?.code ?? 'unknown'}: ${outcome.error?.message ?? ''}`,
        false,
      );
    }
    return { status: 'processed', action: outcome.action, messageId };
  };

  async function announceOnce(outcome: RemediationOutcome): Promise<string | undefined> {
    const toAnnounce = ledger.toAnnounce(outcome);
    if (ledger.alreadyAnnounced(toAnnounce)) return undefined;
    const sent = await announce(runtime, toAnnounce, EVENT_POLICY);
    if (sent.status === 'sent') ledger.sent(toAnnounce);
    if (sent.status !== 'unsent') return sent.status === 'sent' ? sent.messageId : undefined;
    ledger.unsent(toAnnounce);
    logger.error('Alert could not be sent', { eventId: toAnnounce.eventId, action: toAnnounce.action, error: sent.error.message });
    if (EVENT_POLICY.retryUnsent && toAnnounce.action !== 'failed') {
      throw new RemediationFailedError('The alert could not be sent; Lambda will retry', true, { cause: sent.error });
    }
    return undefined;
  }

  return middy(handle)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { throwOnEmptyMetrics: false }))
    .use(dropInvalidEvents({ logger, metrics }));
}
