import type { EndpointState, LogGroupInfo } from '../domain/endpoint';
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
import { CLOCK_SKEW_MS, endpointStateKey, LEASE_MS, LEASE_POLL_MS, type FixRecord } from './state';

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
  /**
   * The log group `knownState` logs to, as the same region-wide read saw it (`info` undefined: it
   * did not exist). Used only together with `knownState`, for the retention judgement.
   */
  knownLogGroup?: { name: string; info: LogGroupInfo | undefined };
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

/** The outcome's fields that come from the event, before anything is known about the endpoint. */
export function baseOutcome(deps: Pick<CoreDeps, 'settings'>, trigger: TriggerEvent): RemediationOutcome {
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
    ...(trigger.sourceIp ? { sourceIp: trigger.sourceIp } : {}),
    reason: '',
  };
}

/**
 * Describe: the endpoint now and, when logging is on, its group (one DescribeLogGroups, for the
 * retention requirement), never what the event says. The event path judges the retention only:
 * a failed group read leaves it unjudged there (the sweep reads it again), and a missing group is
 * acted on only when asked (`checkLogGroup`, scan and sweep).
 */
async function observe(
  api: RegionApi,
  endpoint: EndpointState | undefined,
  checkLogGroup: boolean,
  known?: { name: string; info: LogGroupInfo | undefined },
): Promise<ObservedState> {
  const group = endpoint?.logging.enabled ? endpoint.logging.logGroup : undefined;
  if (!endpoint || group === undefined) return { endpoint };
  if (!checkLogGroup && known?.name === group) return { endpoint, logGroup: known.info };
  if (!checkLogGroup) {
    const found = await api.describeLogGroups([group]).catch(() => undefined);
    return { endpoint, logGroup: found?.get(group) };
  }
  const partial = {
    description: endpoint.description,
    ...(endpoint.tags.Name ? { endpointName: endpoint.tags.Name } : {}),
    loggingBefore: endpoint.logging,
  };
  const found = await step('describe', partial, () => api.describeLogGroups([group]));
  return { endpoint, logGroupExists: found.has(group), logGroup: found.get(group) };
}

async function remediateNow(deps: CoreDeps, trigger: TriggerEvent, options: RemediateOptions): Promise<RemediationOutcome> {
  const base = baseOutcome(deps, trigger);
  const api = deps.api(trigger.region);
  const degraded = { unavailable: false };
  const mark = (o: RemediationOutcome): RemediationOutcome => (degraded.unavailable ? { ...o, stateUnavailable: true } : o);
  const key = endpointStateKey(trigger.account, trigger.region, trigger.endpointId);
  const state = deps.state;
  try {
    // Identity and the first read do not depend on each other: overlap them.
    const known = options.knownState;
    const reuse = known !== undefined && !options.checkLogGroup && isSettled(known, deps.settings, deps.now());
    let observedAt = deps.now().getTime();
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
    const checkLogGroup = options.checkLogGroup === true;
    let decided = plan(base, await observe(api, endpoint, checkLogGroup, reuse ? options.knownLogGroup : undefined), deps.settings, deps.now());
    if (!decided.enable && decided.outcome.action === 'already-compliant' && state && base.eventName !== 'Scan') {
      const recovered = await earlierAttempt(deps, key, decided.outcome, degraded);
      if (recovered) return mark(recovered);
    }
    // Runs beside the fix, never fails it: has this endpoint been fixed shortly before?
    const switchOffAt = base.eventName === 'Scan' ? deps.now().toISOString() : base.eventTime;
    const history = state
      ? async (_region: string, _endpointId: string, since: Date) =>
          (await state.store.fixesSince(key, since))
            .filter((f) => f.confirmed)
            .map((f) => ({ at: f.at, byRemediator: true, source: 'state' as const }))
      : undefined;
    const sources = deps.repeat && {
      ...deps.repeat,
      self,
      history,
      onUnavailable: () => {
        degraded.unavailable = true;
      },
    };
    const repeat =
      decided.lookForRepeat && sources ? findRepeat(sources, base.region, trigger.endpointId, switchOffAt) : Promise.resolve(undefined);
    if (decided.raise) return mark(await applyRaise(api, decided.outcome, decided.raise));
    if (!decided.enable) {
      return mark(decided.lookForRepeat ? { ...decided.outcome, repeat: await repeat } : decided.outcome);
    }
    const lease = state ? await takeLease(deps, key, observedAt, degraded) : undefined;
    try {
      if (lease?.reread) {
        // Someone else held the endpoint, or released it after our read: read again, decide again.
        observedAt = deps.now().getTime();
        const now = await step('describe', {}, () => api.describeEndpoint(trigger.endpointId));
        decided = plan(base, await observe(api, now, checkLogGroup), deps.settings, deps.now());
        if (!decided.enable) return mark(decided.lookForRepeat ? { ...decided.outcome, repeat: await repeat } : decided.outcome);
      }
      const enable = decided.enable;
      const fix: FixRecord = { at: deps.now().toISOString(), eventId: trigger.eventId, actorArn: trigger.actor.arn, logGroup: enable.logGroup, confirmed: false };
      // Written ahead: when the Modify's answer is lost, a retry on any container still knows the fix was ours.
      if (state && lease?.held) await stateCall(degraded, () => state.store.putFix(key, fix));
      const outcome = await applyEnable(deps, api, decided.outcome, enable, repeat);
      if (outcome.action === 'remediated') {
        deps.repeat?.memory?.record(repeatKey(base.region, trigger.endpointId), deps.now());
        if (state && !degraded.unavailable) await stateCall(degraded, () => state.store.putFix(key, { ...fix, confirmed: true }));
      }
      return mark(outcome);
    } finally {
      if (state && lease?.held) await stateCall(degraded, () => state.store.releaseLease(key, state.owner, deps.now().getTime()));
    }
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    return mark({
      ...base,
      ...error.partial,
      action: 'failed',
      error: { code: error.error.code, message: error.error.awsMessage, retryable: error.error.retryable, step: error.step },
      reason: `${error.error.operation} failed with ${error.error.code}`,
    });
  }
}

/** A state call that must never fail the fix: a failure only marks the outcome. */
async function stateCall(degraded: { unavailable: boolean }, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch {
    degraded.unavailable = true;
  }
}

/**
 * Takes the endpoint's lease, waiting (in real time) while another process holds it. `reread`:
 * the world may have changed since our read. Unavailable state: no lease, today's behaviour.
 */
async function takeLease(
  deps: CoreDeps,
  key: string,
  observedAt: number,
  degraded: { unavailable: boolean },
): Promise<{ held: boolean; reread: boolean }> {
  const state = deps.state;
  if (!state) return { held: false, reread: false };
  const leaseMs = state.leaseMs ?? LEASE_MS;
  const deadline = Date.now() + leaseMs + LEASE_POLL_MS * 5;
  let waited = false;
  for (;;) {
    let grant;
    try {
      grant = await state.store.tryLease(key, state.owner, deps.now().getTime(), leaseMs);
    } catch {
      degraded.unavailable = true;
      return { held: false, reread: waited };
    }
    if (grant.acquired) {
      const releasedSinceRead = grant.releasedAtMs !== undefined && grant.releasedAtMs > observedAt - CLOCK_SKEW_MS;
      return { held: true, reread: waited || releasedSinceRead };
    }
    // A holder that died leaves a lease that expires on its own; never wait past that.
    if (Date.now() > deadline) return { held: false, reread: true };
    waited = true;
    await state.pause(LEASE_POLL_MS);
  }
}

/**
 * Logging is on with the group an earlier attempt of this very event wrote ahead before its
 * Modify: that attempt's answer was lost, the fix is ours, and people must hear about it.
 */
async function earlierAttempt(
  deps: CoreDeps,
  key: string,
  found: RemediationOutcome,
  degraded: { unavailable: boolean },
): Promise<RemediationOutcome | undefined> {
  const state = deps.state;
  const eventTime = Date.parse(found.eventTime);
  if (!state || Number.isNaN(eventTime)) return undefined;
  let fixes: FixRecord[];
  try {
    fixes = await state.store.fixesSince(key, new Date(eventTime - 60 * 60_000));
  } catch {
    degraded.unavailable = true;
    return undefined;
  }
  const mine = fixes.find((f) => f.eventId === found.eventId && f.logGroup === found.logGroup);
  if (!mine) return undefined;
  if (!mine.confirmed) await stateCall(degraded, () => state.store.putFix(key, { ...mine, confirmed: true }));
  return {
    ...found,
    action: 'remediated',
    verification: 'verified',
    retentionDays: deps.settings.retentionDays,
    latencyMs: Math.max(0, deps.now().getTime() - eventTime),
    reason: `Connection logging re-enabled to ${mine.logGroup} by an earlier attempt for this event (its answer was lost), and read back`,
  };
}
