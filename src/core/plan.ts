import { GONE_STATUSES, type EndpointState, type LogGroupInfo } from '../domain/endpoint';
import { checkExemption } from '../domain/exemption';
import { raisedRetentionDays, retentionShortfall, type RetentionShort } from '../domain/log-group-requirements';
import type { RemediationOutcome } from '../domain/outcome';
import { renderLogGroupName, type Settings } from '../domain/settings';

/** What the describe step found: the endpoint, and whether its log group exists when asked. */
export interface ObservedState {
  endpoint: EndpointState | undefined;
  /** False when logging is on but its group was looked up and is gone; undefined when not looked up. */
  logGroupExists?: boolean;
  /** The group logging points at, when it was read and exists (its retention is judged). */
  logGroup?: LogGroupInfo;
}

/** Raise the group's retention (CVPN_RAISE_RETENTION=true): never to less than it has. */
export interface RaiseStep {
  short: RetentionShort;
  toDays: number;
}

/** The write to make: point logging at `logGroup` (creating it when missing). */
export interface EnableStep {
  logGroup: string;
  /** Extra words for the outcome's reason (an unreadable exemption, a deleted group). */
  note: string;
}

export interface Plan {
  /** The outcome if nothing is written: final unless `enable` is set. */
  outcome: RemediationOutcome;
  /** Set when logging must be turned on. */
  enable?: EnableStep;
  /** Set when logging is on but the group's retention must be raised. */
  raise?: RaiseStep;
  /** Logging was found off (and not exempt): the switch-off may repeat a recent fix. */
  lookForRepeat: boolean;
}

/**
 * Decides from the endpoint's current state, never from what the event claims: nothing to do,
 * report only (exempt, notify-only), or turn logging on, and where. Pure: no AWS call, no clock.
 */
export function plan(base: RemediationOutcome, observed: ObservedState, settings: Settings, now: Date): Plan {
  const settled = (outcome: RemediationOutcome): Plan => ({ outcome, lookForRepeat: false });
  const { endpoint } = observed;
  if (!endpoint) return settled({ ...base, action: 'not-found', reason: 'The endpoint no longer exists' });
  const described: RemediationOutcome = {
    ...base,
    description: endpoint.description,
    ...(endpoint.tags.Name ? { endpointName: endpoint.tags.Name } : {}),
    loggingBefore: endpoint.logging,
  };
  if (GONE_STATUSES.has(endpoint.status)) {
    return settled({ ...described, action: 'skipped-deleted', reason: `The endpoint is ${endpoint.status}` });
  }
  const currentGroup = endpoint.logging.logGroup;
  const groupMissing = endpoint.logging.enabled && currentGroup !== undefined && observed.logGroupExists === false;
  if (endpoint.logging.enabled && !groupMissing) {
    const short =
      currentGroup !== undefined && observed.logGroup
        ? retentionShortfall(currentGroup, observed.logGroup.retentionInDays, settings.minRetentionDays)
        : undefined;
    if (short) {
      const outcome: RemediationOutcome = {
        ...described,
        action: 'retention-short',
        logGroup: currentGroup,
        loggingAfter: endpoint.logging,
        requiredRetentionDays: settings.minRetentionDays,
        retentionShort: short,
        reason: `Connection logging is on, but its log group ${short.logGroup} keeps records for ${short.retentionDays} days; the requirement is ${short.requiredDays}`,
      };
      // Raising deletes nothing, but someone chose the group's settings: only when asked to.
      const raise = settings.raiseRetention && settings.mode === 'remediate';
      return raise
        ? { outcome, raise: { short, toDays: raisedRetentionDays(short.retentionDays, short.requiredDays) }, lookForRepeat: false }
        : settled(outcome);
    }
    return settled({
      ...described,
      action: 'already-compliant',
      logGroup: currentGroup,
      loggingAfter: endpoint.logging,
      reason: 'Connection logging is already on',
      ...(observed.logGroup ? { requiredRetentionDays: settings.minRetentionDays } : {}),
    });
  }

  const exemption = checkExemption(endpoint.tags, settings.exemptTagKey, now);
  if (exemption.exempt) {
    return settled({
      ...described,
      action: 'exempt',
      exemption: exemption.exemption,
      loggingAfter: endpoint.logging,
      reason: `The endpoint carries the exemption tag ${settings.exemptTagKey}`,
    });
  }
  const note =
    (exemption.problem ? `; ${exemption.problem}` : '') +
    (groupMissing ? `; logging was on but its log group ${currentGroup ?? ''} no longer existed` : '');
  // A deleted group is re-created under its own name, so the records stay where people look.
  const logGroup =
    groupMissing && currentGroup
      ? currentGroup
      : renderLogGroupName(settings.logGroupTemplate, { endpointId: endpoint.endpointId, region: base.region, accountId: base.account });
  const planned: RemediationOutcome = {
    ...described,
    exemption: exemption.exemption,
    logGroup,
    logGroupMissing: groupMissing || undefined,
    retentionDays: settings.retentionDays,
  };
  if (settings.mode === 'notify-only') {
    return {
      outcome: {
        ...planned,
        action: 'would-remediate',
        loggingAfter: endpoint.logging,
        reason: `${groupMissing ? 'Connection logs go nowhere' : 'Connection logging is off'}; notify-only mode changed nothing${note}`,
      },
      lookForRepeat: true,
    };
  }
  return { outcome: planned, enable: { logGroup, note }, lookForRepeat: true };
}

/** True when this state can only lead to an outcome that changes nothing (no need to read it again). */
export function isSettled(state: EndpointState, settings: Settings, now: Date): boolean {
  if (GONE_STATUSES.has(state.status) || state.logging.enabled) return true;
  return checkExemption(state.tags, settings.exemptTagKey, now).exempt;
}
