import type { EndpointState } from '../domain/endpoint';
import { ForeignAccountError } from '../domain/errors';
import type { TriggerEvent } from '../domain/event';
import { isOwnAction } from '../domain/identity';
import type { RemediationOutcome } from '../domain/outcome';
import { repeatKey } from '../domain/repeat';
import { KeyedSerializer } from '../util/serialize';
import { applyEnable, applyRaise, step, StepFailure } from './apply';
import { isSettled, plan, type ObservedState } from './plan';
import type { CoreDeps, RegionApi } from './ports';
import { findRepeat } from './repeat';

export { DEFAULT_PROPAGATION_DELAYS_MS, DEFAULT_VERIFY_DELAYS_MS } from './apply';
export type { CoreDeps, RegionApi } from './ports';

export interface RemediateOptions {
  /**
   * Also treat "logging on, but its log group is gone" as non-compliant (one more read). The scan
   * and sweep ask for it; the event path does not, since no API call deletes a group via EC2.
   */
  checkLogGroup?: boolean;
  /**
   * The endpoint as a region-wide read moments ago saw it (replay reads every endpoint once
   * instead of once per event). Used only to skip the read when that state needs nothing done
   * (logging on, being deleted, exempt); anything that may need a change is read again first.
   */
  knownState?: EndpointState;
}

/**
 * Describe, decide, act, verify for one event. Never acts on what the event claims: the
 * endpoint's current state decides. AWS failures become a `failed` outcome carrying the error
 * and whether a retry could help; only an event for another account throws.
 */
export function remediateEndpoint(deps: CoreDeps, trigger: TriggerEvent, options: RemediateOptions = {}): Promise<RemediationOutcome> {
  const serializer = deps.serializer ?? new KeyedSerializer();
  return serializer.run(`${trigger.region}/${trigger.endpointId}`, () => remediateNow(deps, trigger, options));
}

function baseOutcome(deps: CoreDeps, trigger: TriggerEvent): RemediationOutcome {
  return {
    endpointId: trigger.endpointId,
    region: trigger.region,
    account: trigger.account,
    action: 'failed',
    mode: deps.settings.mode,
    actor: trigger.actor,
    tool: trigger.tool,
    eventId: trigger.eventId,
    eventName: trigger.eventName,
    eventTime: trigger.eventTime,
    replayName: trigger.replayName,
    reason: '',
  };
}

/**
 * Describe: the endpoint now and, when logging is on, its group (one DescribeLogGroups, for the
 * retention requirement), never what the event says. The event path judges the retention only:
 * a failed group read leaves it unjudged there (the sweep reads it again), and a missing group is
 * acted on only when asked (`checkLogGroup`, scan and sweep).
 */
async function observe(api: RegionApi, endpoint: EndpointState | undefined, checkLogGroup: boolean): Promise<ObservedState> {
  const group = endpoint?.logging.enabled ? endpoint.logging.logGroup : undefined;
  if (!endpoint || group === undefined) return { endpoint };
  if (!checkLogGroup) {
    const found = await api.describeLogGroups([group]).catch(() => undefined);
    return { endpoint, logGroup: found?.get(group) };
  }
  const partial = { description: endpoint.description, loggingBefore: endpoint.logging };
  const found = await step('describe', partial, () => api.describeLogGroups([group]));
  return { endpoint, logGroupExists: found.has(group), logGroup: found.get(group) };
}

async function remediateNow(deps: CoreDeps, trigger: TriggerEvent, options: RemediateOptions): Promise<RemediationOutcome> {
  const base = baseOutcome(deps, trigger);
  const api = deps.api(trigger.region);
  try {
    // Identity and the first read do not depend on each other: overlap them.
    const known = options.knownState;
    const reuse = known !== undefined && !options.checkLogGroup && isSettled(known, deps.settings, deps.now());
    const [self, endpoint] = await Promise.all([
      step('identity', {}, () => deps.identity(trigger.region)),
      reuse ? Promise.resolve(known) : step('describe', {}, () => api.describeEndpoint(trigger.endpointId)),
    ]);
    if (trigger.account !== self.account) {
      throw new ForeignAccountError(`The event is from account ${trigger.account}, but this deployment guards account ${self.account}`);
    }
    const ownRole = isOwnAction(trigger.actor, self, trigger.account);
    if (ownRole && trigger.onlyEnablesLogging) {
      return { ...base, action: 'ignored-self', reason: 'The event is the echo of this remediator turning logging on' };
    }
    // Its own role doing anything else is handled like anyone's change, and said loudly: the role
    // may Modify any field, so whoever can run code as it could switch logging off unseen.
    if (ownRole) base.byGuardRole = true;
    const observed = await observe(api, endpoint, options.checkLogGroup === true);
    const decided = plan(base, observed, deps.settings, deps.now());
    // Runs beside the fix, never fails it: has this endpoint been fixed shortly before?
    const switchOffAt = base.eventName === 'Scan' ? deps.now().toISOString() : base.eventTime;
    const repeat =
      decided.lookForRepeat && deps.repeat
        ? findRepeat({ ...deps.repeat, self }, base.region, trigger.endpointId, switchOffAt)
        : Promise.resolve(undefined);
    if (decided.raise) return await applyRaise(api, decided.outcome, decided.raise);
    if (!decided.enable) {
      return decided.lookForRepeat ? { ...decided.outcome, repeat: await repeat } : decided.outcome;
    }
    const outcome = await applyEnable(deps, api, decided.outcome, decided.enable, repeat);
    if (outcome.action === 'remediated') deps.repeat?.memory?.record(repeatKey(base.region, trigger.endpointId), deps.now());
    return outcome;
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    return {
      ...base,
      ...error.partial,
      action: 'failed',
      error: { code: error.error.code, message: error.error.awsMessage, retryable: error.error.retryable, step: error.step },
      reason: `${error.error.operation} failed with ${error.error.code}`,
    };
  }
}
