import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type middy from '@middy/core';
import { ForeignAccountError, InvalidEventError } from '../../domain/errors';

export interface DroppedEvent {
  status: 'dropped';
  reason: string;
}

function eventIdOf(event: unknown): string | undefined {
  const id = (event as { detail?: { eventID?: unknown } } | null)?.detail?.eventID;
  return typeof id === 'string' && id.length <= 128 ? id : undefined;
}

/**
 * An event that can never be processed (wrong shape, another call, a failed call, another
 * account) is logged, counted and answered as dropped: a retry can't fix it, so the invocation
 * succeeds and Lambda does not retry. Every other error goes on to fail the invocation.
 */
export function dropInvalidEvents(deps: { logger: Logger; metrics: Metrics }): middy.MiddlewareObj<unknown, unknown> {
  return {
    onError: (request) => {
      const { error } = request;
      if (!(error instanceof InvalidEventError)) return;
      // Which case of "not guarded" (another account, outside the organization, not ACTIVE, another organization).
      const kind = error instanceof ForeignAccountError ? { dropKind: error.kind } : {};
      deps.logger.warn('Event dropped', { reason: error.message, eventId: eventIdOf(request.event), ...kind });
      deps.metrics.addMetric(error.irrelevant ? 'EventsIgnored' : 'EventsInvalid', MetricUnit.Count, 1);
      const dropped: DroppedEvent = { status: 'dropped', reason: error.message };
      request.response = dropped;
      request.error = null;
    },
  };
}
