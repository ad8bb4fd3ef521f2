import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { renderLogGroupName, type Settings } from '../app/config';
import {
  describeEndpoint,
  enableConnectionLogging,
  GONE_STATUSES,
  type EndpointState,
} from '../aws/ec2';
import { AwsCallError, ForeignAccountError, toAwsCallError } from '../domain/errors';
import type { TriggerEvent } from '../domain/event';
import { checkExemption } from '../domain/exemption';
import { isOwnAction, type CallerIdentity } from '../domain/identity';
import { createLogGroup, describeLogGroup, setRetention } from '../aws/logs';
import type { LoggingState, OutcomeError, RemediationOutcome, Verification } from '../domain/outcome';
import { KeyedSerializer } from '../util/serialize';
import { findRepeat, repeatKey, type RepeatSources } from '../domain/repeat';

export interface CoreDeps {
  settings: Settings;
  clientsFor(region: string): { ec2: EC2Client; logs: CloudWatchLogsClient };
  /** Who this process acts as; `region` is where to ask when no home region is configured. */
  identity(region: string): Promise<CallerIdentity>;
  now(): Date;
  sleep(ms: number): Promise<void>;
  /**
   * Re-reads after a Modify before settling for `requested`: Describe can lag the write.
   * Delays between reads; its length + 1 is the number of reads.
   */
  verifyDelaysMs?: readonly number[];
  /**
   * Delays before re-sending a Modify rejected with InvalidParameterValue right after this run
   * created the log group (the group may not be visible to Client VPN yet).
   */
  propagationDelaysMs?: readonly number[];
  /** Serialises work per endpoint within this process (see KeyedSerializer). */
  serializer?: KeyedSerializer;
  /** Where to look for an earlier fix of the same endpoint (fight detection); none = no check. */
  repeat?: Omit<RepeatSources, 'self'>;
  /**
   * Paces ModifyClientVpnEndpoint to the region's EC2 mutating-request bucket (scan --apply and
   * the sweep fix many endpoints at once; one event never waits).
   */
  modifyLimiter?(region: string): { acquire(): Promise<void>; drain(): void } | undefined;
}

export const DEFAULT_VERIFY_DELAYS_MS = [250, 750] as const;
export const DEFAULT_PROPAGATION_DELAYS_MS = [500, 1500] as const;
/** Paced Modify calls refused anyway (the bucket is shared with other tools) are queued again this often. */
const THROTTLED_MODIFY_RETRIES = 3;

type Step = OutcomeError['step'];

class StepFailure extends Error {
  override readonly name = 'StepFailure';
  constructor(
    readonly step: Step,
    readonly error: AwsCallError,
    readonly partial: Partial<RemediationOutcome>,
  ) {
    super(error.message, { cause: error });
  }
}

async function step<T>(
  name: Step,
  partial: Partial<RemediationOutcome>,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new StepFailure(name, toAwsCallError(name, error), partial);
  }
}

/**
 * Describe, decide, act, verify for one event. Never acts on what the event claims: the
 * endpoint's current state decides. AWS failures become a `failed` outcome carrying the error
 * and whether a retry could help; only an event for another account throws.
 */
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

/** True when this state can only lead to an outcome that changes nothing. */
function settledState(state: EndpointState, settings: CoreDeps['settings'], now: Date): boolean {
  if (GONE_STATUSES.has(state.status) || state.logging.enabled) return true;
  return checkExemption(state.tags, settings.exemptTagKey, now).exempt;
}

export function remediateEndpoint(
  deps: CoreDeps,
  trigger: TriggerEvent,
  options: RemediateOptions = {},
): Promise<RemediationOutcome> {
  const serializer = deps.serializer ?? new KeyedSerializer();
  return serializer.run(`${trigger.region}/${trigger.endpointId}`, () =>
    remediateNow(deps, trigger, options),
  );
}

async function remediateNow(
  deps: CoreDeps,
  trigger: TriggerEvent,
  options: RemediateOptions,
): Promise<RemediationOutcome> {
  const { settings } = deps;
  const base: RemediationOutcome = {
    endpointId: trigger.endpointId,
    region: trigger.region,
    account: trigger.account,
    action: 'failed',
    mode: settings.mode,
    actor: trigger.actor,
    tool: trigger.tool,
    eventId: trigger.eventId,
    eventName: trigger.eventName,
    eventTime: trigger.eventTime,
    replayName: trigger.replayName,
    reason: '',
  };
  const { ec2, logs } = deps.clientsFor(trigger.region);

  try {
    // Identity and the first read do not depend on each other: overlap them.
    const known = options.knownState;
    const reuse = known !== undefined && !options.checkLogGroup && settledState(known, settings, deps.now());
    const [self, endpoint] = await Promise.all([
      step('identity', {}, () => deps.identity(trigger.region)),
      reuse ? Promise.resolve(known) : step('describe', {}, () => describeEndpoint(ec2, trigger.endpointId)),
    ]);
    if (trigger.account !== self.account) {
      throw new ForeignAccountError(
        `The event is from account ${trigger.account}, but this deployment guards account ${self.account}`,
      );
    }
    if (isOwnAction(trigger.actor, self, trigger.account)) {
      return { ...base, action: 'ignored-self', reason: 'The event was caused by this remediator itself' };
    }
    return await decideAndAct(deps, base, endpoint, ec2, logs, options, self);
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    return {
      ...base,
      ...error.partial,
      action: 'failed',
      error: {
        code: error.error.code,
        message: error.error.awsMessage,
        retryable: error.error.retryable,
        step: error.step,
      },
      reason: `${error.error.operation} failed with ${error.error.code}`,
    };
  }
}

async function decideAndAct(
  deps: CoreDeps,
  base: RemediationOutcome,
  endpoint: EndpointState | undefined,
  ec2: EC2Client,
  logs: CloudWatchLogsClient,
  options: RemediateOptions,
  self: CallerIdentity,
): Promise<RemediationOutcome> {
  const { settings } = deps;
  if (!endpoint) {
    return { ...base, action: 'not-found', reason: 'The endpoint no longer exists' };
  }
  const described: RemediationOutcome = {
    ...base,
    description: endpoint.description,
    loggingBefore: endpoint.logging,
  };
  if (GONE_STATUSES.has(endpoint.status)) {
    return {
      ...described,
      action: 'skipped-deleted',
      reason: `The endpoint is ${endpoint.status}`,
    };
  }
  const currentGroup = endpoint.logging.logGroup;
  let groupMissing = false;
  if (endpoint.logging.enabled) {
    if (options.checkLogGroup && currentGroup) {
      groupMissing = !(await step('describe', described, () => describeLogGroup(logs, currentGroup)));
    }
    if (!groupMissing) {
      return {
        ...described,
        action: 'already-compliant',
        logGroup: currentGroup,
        loggingAfter: endpoint.logging,
        reason: 'Connection logging is already on',
      };
    }
  }

  const exemption = checkExemption(endpoint.tags, settings.exemptTagKey, deps.now());
  if (exemption.exempt) {
    return {
      ...described,
      action: 'exempt',
      exemption: exemption.exemption,
      loggingAfter: endpoint.logging,
      reason: `The endpoint carries the exemption tag ${settings.exemptTagKey}`,
    };
  }
  const exemptionNote =
    (exemption.problem ? `; ${exemption.problem}` : '') +
    (groupMissing ? `; logging was on but its log group ${currentGroup ?? ''} no longer existed` : '');
  // A deleted group is re-created under its own name, so the records stay where people look.
  const logGroup =
    groupMissing && currentGroup
      ? currentGroup
      : renderLogGroupName(settings.logGroupTemplate, {
          endpointId: endpoint.endpointId,
          region: base.region,
          accountId: base.account,
        });
  const planned: RemediationOutcome = {
    ...described,
    exemption: exemption.exemption,
    logGroup,
    logGroupMissing: groupMissing || undefined,
    retentionDays: settings.retentionDays,
  };
  // Runs beside the fix, never fails it: has this endpoint been fixed shortly before?
  const switchOffAt = base.eventName === 'Scan' ? deps.now().toISOString() : base.eventTime;
  const repeatP = deps.repeat
    ? findRepeat({ ...deps.repeat, self }, base.region, endpoint.endpointId, switchOffAt)
    : Promise.resolve(undefined);

  if (settings.mode === 'notify-only') {
    return {
      ...planned,
      repeat: await repeatP,
      action: 'would-remediate',
      loggingAfter: endpoint.logging,
      reason: `${groupMissing ? 'Connection logs go nowhere' : 'Connection logging is off'}; notify-only mode changed nothing${exemptionNote}`,
    };
  }

  const { created } = await step('ensure-log-group', planned, () =>
    createLogGroup(logs, logGroup, { kmsKeyArn: settings.kmsKeyArn }),
  );
  const acted: RemediationOutcome = { ...planned, logGroupCreated: created };
  // The retention of a group created just now and the Modify need nothing from each other: run
  // them together (one round trip less). Logging comes first: a retention that could not be set
  // leaves the group keeping records forever, which is reported, never a reason not to log.
  const retention = created
    ? setRetention(logs, logGroup, settings.retentionDays).then(
        () => undefined,
        (error: unknown) => toAwsCallError('PutRetentionPolicy', error),
      )
    : Promise.resolve(undefined);
  try {
    await modifyWhenGroupVisible(deps, ec2, base.region, endpoint.endpointId, logGroup, created);
  } catch (error) {
    await retention;
    const gone = await goneMidFlight(ec2, acted, error);
    if (gone) return gone;
    throw new StepFailure('modify', toAwsCallError('ModifyClientVpnEndpoint', error), acted);
  }
  const retentionError = await retention;
  const retentionNote = retentionError
    ? `; retention could not be set (${retentionError.code}): the group keeps records until someone sets it`
    : '';
  // AWS acknowledged the write: from here on the outcome is `remediated`, whatever the read-back
  // says. Failing now would hide the fix from people and make a retry write it again.
  const { verification, after } = await verifyLogging(deps, ec2, endpoint.endpointId, logGroup);
  deps.repeat?.memory?.record(repeatKey(base.region, endpoint.endpointId), deps.now());
  return {
    ...acted,
    repeat: await repeatP,
    action: 'remediated',
    loggingAfter: after,
    verification,
    latencyMs: Math.max(0, deps.now().getTime() - Date.parse(base.eventTime)),
    reason:
      verification === 'verified'
        ? `Connection logging re-enabled to ${logGroup} and read back${exemptionNote}${retentionNote}`
        : `Connection logging re-enable requested; AWS did not show it yet${exemptionNote}${retentionNote}`,
  };
}

/**
 * The endpoint was deleted between our read and our write: Modify answers NotFound (or
 * IncorrectState while it is being deleted). That is a skip, not a failure for a person.
 */
async function goneMidFlight(
  ec2: EC2Client,
  acted: RemediationOutcome,
  error: unknown,
): Promise<RemediationOutcome | undefined> {
  const code = error instanceof AwsCallError ? error.code : undefined;
  if (code !== 'InvalidClientVpnEndpointId.NotFound' && code !== 'IncorrectState') return undefined;
  let now: EndpointState | undefined;
  try {
    now = await describeEndpoint(ec2, acted.endpointId);
  } catch {
    return undefined;
  }
  if (!now) return { ...acted, action: 'not-found', reason: 'The endpoint was deleted while logging was being turned on' };
  if (GONE_STATUSES.has(now.status)) {
    return { ...acted, action: 'skipped-deleted', reason: `The endpoint became ${now.status} while logging was being turned on` };
  }
  return undefined;
}

async function modifyWhenGroupVisible(
  deps: CoreDeps,
  ec2: EC2Client,
  region: string,
  endpointId: string,
  logGroup: string,
  groupJustCreated: boolean,
): Promise<void> {
  const delays = groupJustCreated ? (deps.propagationDelaysMs ?? DEFAULT_PROPAGATION_DELAYS_MS) : [];
  const limiter = deps.modifyLimiter?.(region);
  let throttled = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      await limiter?.acquire();
      await enableConnectionLogging(ec2, endpointId, logGroup, deps.settings.logStream);
      return;
    } catch (error) {
      // Another tool drew on the same bucket: resynchronise and wait for a token, a few times.
      if (limiter && error instanceof AwsCallError && error.code === 'RequestLimitExceeded' && throttled < THROTTLED_MODIFY_RETRIES) {
        throttled++;
        attempt--;
        limiter.drain();
        continue;
      }
      const delay = delays[attempt];
      const unseenGroup = error instanceof AwsCallError && error.code === 'InvalidParameterValue';
      if (!unseenGroup || delay === undefined) throw error;
      await deps.sleep(delay);
    }
  }
}

async function verifyLogging(
  deps: CoreDeps,
  ec2: EC2Client,
  endpointId: string,
  logGroup: string,
): Promise<{ verification: Verification; after?: LoggingState }> {
  const delays = deps.verifyDelaysMs ?? DEFAULT_VERIFY_DELAYS_MS;
  let after: LoggingState | undefined;
  for (let read = 0; ; read++) {
    let state: EndpointState | undefined;
    try {
      state = await describeEndpoint(ec2, endpointId);
    } catch {
      // A failed read-back says nothing about the write AWS already acknowledged.
      state = undefined;
    }
    after = state?.logging ?? after;
    if (after?.enabled && after.logGroup === logGroup) return { verification: 'verified', after };
    const delay = delays[read];
    if (delay === undefined) return { verification: 'requested', after };
    await deps.sleep(delay);
  }
}
