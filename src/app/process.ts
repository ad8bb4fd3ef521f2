import type { EndpointState } from '../domain/endpoint';
import { parseTriggerEvent, type TriggerEvent } from '../domain/event';
import type { RemediationOutcome } from '../domain/outcome';
import { remediateEndpoint } from '../core/remediate';
import type { Runtime } from './runtime';

export const snapshotKey = (region: string, endpointId: string): string => `${region}/${endpointId}`;

/** Parses and remediates one event. Throws `InvalidEventError` for input that can't be processed. */
export async function processEvent(
  runtime: Runtime,
  event: unknown,
  snapshot?: ReadonlyMap<string, EndpointState>,
): Promise<RemediationOutcome> {
  return processTrigger(runtime, parseTriggerEvent(event), snapshot);
}

/** Remediates one parsed event. */
export function processTrigger(
  runtime: Runtime,
  trigger: TriggerEvent,
  snapshot?: ReadonlyMap<string, EndpointState>,
): Promise<RemediationOutcome> {
  return remediateEndpoint(runtime.core, trigger, { knownState: snapshot?.get(snapshotKey(trigger.region, trigger.endpointId)) });
}

/**
 * The outcome as it may be written to logs: no session names (often a person's email), no
 * user-written descriptions or Name tags, no source IP (personal data; the alert carries it for
 * the investigator). Never log the raw event: it holds access key IDs and source IPs.
 */
export function loggableOutcome(outcome: RemediationOutcome): Record<string, unknown> {
  const { description: _description, endpointName: _endpointName, sourceIp: _sourceIp, actor, ...rest } = outcome;
  return { ...rest, actor: { type: actor.type, arn: actor.arn, invokedBy: actor.invokedBy } };
}
