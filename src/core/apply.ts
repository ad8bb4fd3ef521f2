import { AwsCallError } from '../domain/errors';
import type { EndpointState } from '../domain/endpoint';
import { GONE_STATUSES } from '../domain/endpoint';
import type { LoggingState, OutcomeError, RemediationOutcome, RepeatedSwitchOff, Verification } from '../domain/outcome';
import { DELIVERY_GRACE_MS, raisedRetentionDays, retentionShortfall, type RetentionShort } from '../domain/log-group-requirements';
import type { EnableStep, RaiseStep } from './plan';
import type { CoreDeps, RegionApi } from './ports';

export const DEFAULT_VERIFY_DELAYS_MS = [250, 750] as const;
export const DEFAULT_PROPAGATION_DELAYS_MS = [500, 1500] as const;
/** Paced Modify calls refused anyway (the bucket is shared with other tools) are queued again this often. */
const THROTTLED_MODIFY_RETRIES = 3;

export type Step = OutcomeError['step'];

/** A step failed: the outcome so far and the AWS error, turned into a `failed` outcome by the core. */
export class StepFailure extends Error {
  override readonly name = 'StepFailure';
  constructor(
    readonly step: Step,
    readonly error: AwsCallError,
    readonly partial: Partial<RemediationOutcome>,
  ) {
    super(error.message, { cause: error });
  }
}

/**
 * The ports throw AwsCallError; anything else is a bug in our code, reported as such rather than
 * as an AWS failure a person could fix.
 */
function asAwsCallError(step: Step, error: unknown): AwsCallError {
  if (error instanceof AwsCallError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AwsCallError(step, 'InternalError', message, false, { cause: error });
}

export async function step<T>(name: Step, partial: Partial<RemediationOutcome>, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new StepFailure(name, asAwsCallError(name, error), partial);
  }
}

/**
 * Act and verify: create the group when missing, turn logging on (retention beside it), read it
 * back. AWS failures throw StepFailure; an endpoint deleted mid-flight ends skipped.
 */
export async function applyEnable(
  deps: CoreDeps,
  api: RegionApi,
  planned: RemediationOutcome,
  enable: EnableStep,
  repeat: Promise<RepeatedSwitchOff | undefined>,
): Promise<RemediationOutcome> {
  const { settings } = deps;
  const { logGroup } = enable;
  const { created } = await step('ensure-log-group', planned, () => api.createLogGroup(logGroup, { kmsKeyArn: settings.kmsKeyArn }));
  const acted: RemediationOutcome = { ...planned, logGroupCreated: created };
  // The retention of a group created just now and the Modify need nothing from each other: run
  // them together (one round trip less). Logging comes first: a retention that could not be set
  // leaves the group keeping records forever, which is reported, never a reason not to log.
  const retention = created
    ? api.setRetention(logGroup, settings.retentionDays).then(
        () => undefined,
        (error: unknown) => asAwsCallError('ensure-log-group', error),
      )
    : Promise.resolve(undefined);
  // A group that already existed keeps its settings: read its retention beside the Modify (one
  // DescribeLogGroups) to report, or with raiseRetention raise, a shortfall. A failed read only
  // leaves the retention unjudged: the sweep judges it again.
  const existing = created
    ? Promise.resolve(undefined)
    : api.describeLogGroups([logGroup]).then(
        (found) => found.get(logGroup),
        () => undefined,
      );
  try {
    await modifyWhenGroupVisible(deps, api, acted.region, acted.endpointId, logGroup, created);
  } catch (error) {
    await Promise.all([retention, existing]);
    const gone = await goneMidFlight(api, acted, error);
    if (gone) return gone;
    throw new StepFailure('modify', asAwsCallError('modify', error), acted);
  }
  const retentionError = await retention;
  const retentionNote = retentionError
    ? `; retention could not be set (${retentionError.code}): the group keeps records until someone sets it`
    : '';
  // AWS acknowledged the write: from here on the outcome is `remediated`, whatever the read-back
  // says. Failing now would hide the fix from people and make a retry write it again.
  const { verification, after } = await verifyLogging(deps, api, acted.endpointId, logGroup);
  const group = await existing;
  const short = group ? retentionShortfall(logGroup, group.retentionInDays, settings.minRetentionDays) : undefined;
  const retentionFields = short ? await retentionFix(api, short, settings.raiseRetention && settings.mode === 'remediate') : {};
  return {
    ...acted,
    ...(group || created ? { requiredRetentionDays: settings.minRetentionDays } : {}),
    ...retentionFields,
    // The fix's alert says when delivery will be judged: the sweep after this time.
    deliveryCheckAfter: new Date(deps.now().getTime() + DELIVERY_GRACE_MS).toISOString(),
    repeat: await repeat,
    action: 'remediated',
    loggingAfter: after,
    verification,
    latencyMs: Math.max(0, deps.now().getTime() - Date.parse(acted.eventTime)),
    reason:
      verification === 'verified'
        ? `Connection logging re-enabled to ${logGroup} and read back${enable.note}${retentionNote}`
        : `Connection logging re-enable requested; AWS did not show it yet${enable.note}${retentionNote}`,
  };
}

type RetentionFields = Pick<RemediationOutcome, 'retentionShort' | 'retentionRaised' | 'retentionRaiseError'>;

/** Raises a short retention when allowed (never lowers it); otherwise reports the shortfall. */
async function retentionFix(
  api: RegionApi,
  short: RetentionShort,
  raise: boolean,
  to = raisedRetentionDays(short.retentionDays, short.requiredDays),
): Promise<RetentionFields> {
  if (!raise) return { retentionShort: short };
  try {
    await api.setRetention(short.logGroup, to);
    return { retentionRaised: { logGroup: short.logGroup, from: short.retentionDays, to } };
  } catch (error) {
    const e = asAwsCallError('ensure-log-group', error);
    return { retentionShort: short, retentionRaiseError: { code: e.code, message: e.awsMessage } };
  }
}

/**
 * Logging is on, the group's retention is short and raising is allowed: PutRetentionPolicy. A
 * refusal keeps the outcome `retention-short`, with the error: nothing about logging failed.
 */
export async function applyRaise(api: RegionApi, planned: RemediationOutcome, raise: RaiseStep): Promise<RemediationOutcome> {
  const fields = await retentionFix(api, raise.short, true, raise.toDays);
  if (fields.retentionRaised) {
    const { from, to, logGroup } = fields.retentionRaised;
    return {
      ...planned,
      action: 'retention-raised',
      retentionShort: undefined,
      ...fields,
      reason: `Retention of ${logGroup} raised from ${from} to ${to} days (requirement ${raise.short.requiredDays})`,
    };
  }
  return { ...planned, ...fields, reason: `${planned.reason}; raising it failed with ${fields.retentionRaiseError?.code ?? 'an error'}` };
}

/**
 * The endpoint was deleted between our read and our write: Modify answers NotFound (or
 * IncorrectState while it is being deleted). That is a skip, not a failure for a person.
 */
async function goneMidFlight(api: RegionApi, acted: RemediationOutcome, error: unknown): Promise<RemediationOutcome | undefined> {
  const code = error instanceof AwsCallError ? error.code : undefined;
  if (code !== 'InvalidClientVpnEndpointId.NotFound' && code !== 'IncorrectState') return undefined;
  let now: EndpointState | undefined;
  try {
    now = await api.describeEndpoint(acted.endpointId);
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
  api: RegionApi,
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
      await api.enableConnectionLogging(endpointId, logGroup, deps.settings.logStream);
      return;
    } catch (error) {
      // Another tool drew on the same bucket: resynchronise and wait for a token, a few times.
      if (limiter && error instanceof AwsCallError && error.code === 'RequestLimitExceeded' && throttled < THROTTLED_MODIFY_RETRIES) {
        throttled++;
        attempt--;
        limiter.drain();
        // The SDK may have retried this command after an attempt that AWS applied but whose answer
        // was lost (found by the soak, seed 4242): look before sending it again.
        const now = await api.describeEndpoint(endpointId).catch(() => undefined);
        if (now?.logging.enabled && now.logging.logGroup === logGroup) return;
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
  api: RegionApi,
  endpointId: string,
  logGroup: string,
): Promise<{ verification: Verification; after?: LoggingState }> {
  const delays = deps.verifyDelaysMs ?? DEFAULT_VERIFY_DELAYS_MS;
  let after: LoggingState | undefined;
  for (let read = 0; ; read++) {
    let state: EndpointState | undefined;
    try {
      state = await api.describeEndpoint(endpointId);
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
