import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { AlertLedger } from '../app/alert-ledger';
import { announce, EVENT_POLICY } from '../app/announce';
import { recordOutcomeMetrics } from '../app/observability';
import { ANNOUNCE_CLAIM_MS, beginEvent, eventStateKey, type Begun } from '../app/event-ledger';
import { loggableOutcome, processTrigger } from '../app/process';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { parseTriggerEvent } from '../domain/event';
import type { Runtime } from '../app/runtime';
import { RemediationFailedError } from '../domain/errors';
import type { OutcomeAction, RemediationOutcome } from '../domain/outcome';
import { dropInvalidEvents, type DroppedEvent } from './middleware/drop-invalid-events';

export interface RemediateHandlerDeps {
  runtime: Runtime;
  logger: Logger;
  metrics: Metrics;
}

export type RemediateResult =
  | { status: 'processed'; action: OutcomeAction; messageId?: string; duplicate?: true }
  | DroppedEvent;

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
    const trigger = parseTriggerEvent(event);
    const store = runtime.events;
    const key = eventStateKey(trigger);
    let begun: Begun | undefined;
    if (store) {
      try {
        begun = await beginEvent(store, key, runtime.owner);
      } catch (error) {
        stateUnavailable('begin', error);
      }
    }
    if (begun?.kind === 'busy') {
      throw new RemediationFailedError('The same event is still being processed elsewhere; Lambda will retry', true);
    }
    if (begun?.kind === 'stored') {
      // The stored result answers a duplicate: no AWS call, no write, at most the alert it still owes.
      const stored = begun.outcome;
      logger.info('Duplicate event answered from the state table', { eventId: stored.eventId, action: stored.action });
      const messageId = begun.announced ? undefined : await announceFromOutbox(key, stored);
      return { status: 'processed', action: stored.action, messageId, duplicate: true };
    }

    let outcome = await processTrigger(runtime, trigger);
    if (store && !begun) outcome = { ...outcome, stateUnavailable: true };
    recordOutcomeMetrics(metrics, outcome);
    const line = { outcome: loggableOutcome(outcome) };
    if (outcome.action === 'failed') logger.error('Remediation outcome', line);
    else logger.info('Remediation outcome', line);
    if (outcome.stateUnavailable) {
      metrics.addMetric('StateUnavailable', MetricUnit.Count, 1);
      logger.warn('State table unavailable: this outcome used in-process state only; duplicates possible', { eventId: outcome.eventId });
    }
    const owned = store && begun?.kind === 'run' ? { store, failureAnnounced: begun.failureAnnounced } : undefined;

    if (outcome.action === 'failed' && outcome.error?.retryable) {
      if (owned) await finish(key, { status: 'open' });
      throw new RemediationFailedError(`Transient failure, Lambda will retry: ${outcome.reason}`, true);
    }
    if (outcome.action === 'failed') {
      if (owned) {
        if (!owned.failureAnnounced) {
          const sent = await announce(runtime, outcome, EVENT_POLICY);
          if (sent.status === 'sent') await stateCall('mark', () => owned.store.markAnnounced(key, 'failure'));
        }
        await finish(key, { status: 'open' });
      } else {
        await announceOnce(outcome);
      }
      throw new RemediationFailedError(
        `Remediation failed and needs a person: ${outcome.error?.code ?? 'unknown'}: ${outcome.error?.message ?? ''}`,
        false,
      );
    }
    if (owned) {
      const needsAlert = EVENT_POLICY.alerts.has(outcome.action) && runtime.settings.topicArn !== undefined;
      const recorded = await finish(key, { status: 'done', outcome: JSON.stringify(outcome), announced: !needsAlert });
      if (recorded) {
        const messageId = needsAlert ? await announceFromOutbox(key, outcome) : undefined;
        return { status: 'processed', action: outcome.action, messageId };
      }
    }
    const messageId = await announceOnce(outcome);
    return { status: 'processed', action: outcome.action, messageId };
  };

  function stateUnavailable(operation: string, error: unknown): void {
    metrics.addMetric('StateUnavailable', MetricUnit.Count, 1);
    const code = error instanceof Error ? error.name : 'UnknownError';
    logger.warn('State table unavailable: falling back to in-process state; duplicates possible', { operation, code });
  }

  async function stateCall(operation: string, run: () => Promise<void>): Promise<boolean> {
    try {
      await run();
      return true;
    } catch (error) {
      stateUnavailable(operation, error);
      return false;
    }
  }

  function finish(key: string, end: Parameters<NonNullable<Runtime['events']>['finishEvent']>[2]): Promise<boolean> {
    const store = runtime.events;
    return store ? stateCall('finish', () => store.finishEvent(key, runtime.owner, end)) : Promise.resolve(false);
  }

  /**
   * The outbox: the outcome is stored "announced: no" first; whoever claims it (this attempt or a
   * later one on any container) publishes it and marks it announced. A failed Publish frees the
   * claim and fails the invocation, so Lambda's retry announces it.
   */
  async function announceFromOutbox(key: string, outcome: RemediationOutcome): Promise<string | undefined> {
    const store = runtime.events;
    if (!store) return announceOnce(outcome);
    let claimed: boolean;
    try {
      claimed = await store.claimAnnouncement(key, runtime.owner, Date.now(), ANNOUNCE_CLAIM_MS);
    } catch (error) {
      stateUnavailable('claim', error);
      return announceOnce({ ...outcome, stateUnavailable: true });
    }
    // Already announced, or being announced by another attempt right now.
    if (!claimed) return undefined;
    const sent = await announce(runtime, outcome, EVENT_POLICY);
    if (sent.status === 'sent') {
      await stateCall('mark', () => store.markAnnounced(key, 'outcome'));
      return sent.messageId;
    }
    if (sent.status === 'not-announced') {
      await stateCall('mark', () => store.markAnnounced(key, 'outcome'));
      return undefined;
    }
    await stateCall('release', () => store.releaseAnnouncement(key, runtime.owner));
    logger.error('Alert could not be sent', { eventId: outcome.eventId, action: outcome.action, error: sent.error.message });
    throw new RemediationFailedError('The alert could not be sent; Lambda will retry', true, { cause: sent.error });
  }

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
