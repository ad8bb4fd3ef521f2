import type { EndpointState, LogGroupInfo } from '../domain/endpoint';
import { parseTriggerEvent, type TriggerEvent } from '../domain/event';
import type { RemediationOutcome } from '../domain/outcome';
import { baseOutcome, remediateEndpoint, type RemediateOptions } from '../core/remediate';
import { AwsCallError } from '../domain/errors';
import { assumeRoleFailure, type Fleet } from './fleet';
import type { Runtime } from './runtime';

export const snapshotKey = (region: string, endpointId: string): string => `${region}/${endpointId}`;

/**
 * What one region-wide read saw (replay reads each region once instead of once per event): every
 * endpoint, keyed by `snapshotKey`, and the log groups of those logging (undefined: it does not exist).
 */
export interface RegionSnapshot {
  endpoints: Map<string, EndpointState>;
  logGroups: Map<string, LogGroupInfo | undefined>;
}

/**
 * Read when the core starts on the event, not when it is queued: events for one endpoint wait for
 * each other (the core serialises them), and by then an earlier one may have fixed it and updated
 * the snapshot.
 */
function knownFrom(snapshot: RegionSnapshot | undefined, trigger: TriggerEvent): RemediateOptions {
  if (!snapshot) return {};
  const state = () => snapshot.endpoints.get(snapshotKey(trigger.region, trigger.endpointId));
  return {
    get knownState() {
      return state();
    },
    get knownLogGroup() {
      const known = state();
      const group = known?.logging.enabled ? known.logging.logGroup : undefined;
      return group !== undefined && snapshot.logGroups.has(group) ? { name: group, info: snapshot.logGroups.get(group) } : undefined;
    },
  };
}

/** Parses and remediates one event. Throws `InvalidEventError` for input that can't be processed. */
export async function processEvent(
  runtime: Runtime,
  event: unknown,
  snapshot?: RegionSnapshot,
): Promise<RemediationOutcome> {
  return processTrigger(runtime, parseTriggerEvent(event), snapshot);
}

/**
 * Remediates one parsed event. In central mode, first decides whether its account is guarded
 * (throws `ForeignAccountError` when not) and acts in a member account through its role.
 */
export function processTrigger(
  runtime: Runtime,
  trigger: TriggerEvent,
  snapshot?: RegionSnapshot,
): Promise<RemediationOutcome> {
  const options = knownFrom(snapshot, trigger);
  const fleet = runtime.fleet;
  return fleet ? processInFleet(runtime, fleet, trigger, options) : remediateEndpoint(runtime.core, trigger, options);
}

async function processInFleet(runtime: Runtime, fleet: Fleet, trigger: TriggerEvent, options: RemediateOptions): Promise<RemediationOutcome> {
  let central: string;
  try {
    central = (await runtime.core.identity(trigger.region)).account;
  } catch {
    // The core makes the same lookup first and reports its failure as the outcome.
    return remediateEndpoint(runtime.core, trigger, options);
  }
  let decision;
  try {
    decision = await fleet.directory.decide(trigger.account, central);
  } catch (error) {
    if (!(error instanceof AwsCallError)) throw error;
    const reason = `Could not tell whether account ${trigger.account} is guarded: ListAccounts failed with ${error.code}`;
    return failedBefore(runtime, trigger, 'accounts', error, reason);
  }
  if (decision.guard === 'drop') throw decision.error;
  const accountName = decision.accountName;
  const named = (o: RemediationOutcome): RemediationOutcome => (accountName ? { ...o, accountName } : o);
  if (decision.guard === 'central') return named(await remediateEndpoint(runtime.core, trigger, options));
  try {
    await fleet.sessions.session(trigger.account, trigger.region);
  } catch (error) {
    if (!(error instanceof AwsCallError)) throw error;
    const reason = assumeRoleFailure(trigger.account, accountName, fleet.roleArn(trigger.account, trigger.region), error);
    return named(failedBefore(runtime, trigger, 'assume-role', error, reason, reason));
  }
  return named(await remediateEndpoint(fleet.coreFor(runtime.core, trigger.account), trigger, options));
}

/** A failure before the endpoint was read: nothing was changed. */
function failedBefore(
  runtime: Runtime,
  trigger: TriggerEvent,
  step: 'accounts' | 'assume-role',
  error: AwsCallError,
  reason: string,
  guidance?: string,
): RemediationOutcome {
  // The guidance goes into the error message too: it is what the alert's Error section shows a person.
  const message = guidance && !error.retryable ? `${guidance} AWS said: ${error.awsMessage}` : error.awsMessage;
  return {
    ...baseOutcome(runtime.core, trigger),
    action: 'failed',
    error: { code: error.code, message, retryable: error.retryable, step },
    reason,
  };
}

/**
 * The outcome as it may be written to logs: no session names (often a person's email), no
 * user-written descriptions or Name tags, no source IP (personal data; the alert carries it for
 * the investigator). Never log the raw event: it holds access key IDs and source IPs.
 */
export function loggableOutcome(outcome: RemediationOutcome): Record<string, unknown> {
  // The account name is left out with the description: whoever names accounts may put a person's name in it.
  const { description: _description, endpointName: _endpointName, sourceIp: _sourceIp, accountName: _accountName, actor, ...rest } = outcome;
  return { ...rest, actor: { type: actor.type, arn: actor.arn, invokedBy: actor.invokedBy } };
}
