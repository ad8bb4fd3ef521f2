/** Per-action words: the phrase of subjects and titles, the severity, the chat event type. */
import type { OutcomeAction, OutcomeError, ToolKind } from '../domain/outcome';
import type { NotifiedOutcome } from './input';
import type { Story } from './story';

/**
 * `severity` attribute, for filter policies (e.g. page on `high` only):
 * - high: `failed`. Logging is off and the automatic fix did not work; only a person can close
 *   the gap, and every connection meanwhile goes unrecorded.
 * - medium: `would-remediate`. Logging is off and stays off until someone acts (notify-only).
 * - low: `exempt` (off by a recorded, time-boxed decision: a reminder, not an incident) and a
 *   `remediated` that AWS accepted but a read-back has not confirmed yet.
 * - info: a verified `remediated` (the gap is closed; the record is for the audit trail), and
 *   the non-notifiable actions should anyone build a notification for them.
 * A verified `remediated` is `low` rather than `info` when only a person can stop it happening
 * again (switched off again soon after a fix, switched off by infrastructure as code) or when no
 * event reached the guard (found by a scan: the event path may be broken), and `medium` when its
 * log group had been deleted (records were lost for an unknown time).
 */
export type Severity = 'high' | 'medium' | 'low' | 'info';

export interface ActionWording {
  /** Subject/summary phrase, before ": <endpoint> (<region>)". Keep it short: subjects are < 100. */
  phrase: string;
  emoji: string;
  eventType: string;
  severity: Severity;
}

// One line each: a table, so that adding an action is adding a row. The log-group actions and
// the non-notifiable ones; the stories about logging off are worded in `storyWording`.
type Fixed = Exclude<OutcomeAction, 'remediated' | 'failed' | 'exempt' | 'would-remediate'>;
const FIXED_WORDING: Record<Fixed, readonly [phrase: string, emoji: string, eventType: string, severity: Severity]> = {
  'already-compliant': ['Logging already on', 'ℹ️', 'LoggingAlreadyOn', 'info'],
  'skipped-deleted': ['Endpoint deleted, skipped', 'ℹ️', 'EndpointDeleted', 'info'],
  'not-found': ['Endpoint not found', 'ℹ️', 'EndpointNotFound', 'info'],
  'ignored-self': ['Own change, ignored', 'ℹ️', 'OwnChangeIgnored', 'info'],
  // Logging is on, but records can't be written or aren't arriving: as bad as logging off.
  'cannot-write': ['Records cannot be written', '🚨', 'LogGroupCannotWrite', 'high'],
  'not-delivering': ['Logging on, no records arriving', '🚨', 'LoggingNotDelivering', 'high'],
  'service-role-missing': ['Client VPN service-linked role missing', '🚨', 'ServiceRoleMissing', 'high'],
  // Records are kept, just not as required: a person decides, no incident.
  'key-mismatch': ['Log group key not as required', '⚠️', 'LogGroupKeyMismatch', 'medium'],
  'retention-short': ['Log group retention too short', '⚠️', 'RetentionShort', 'medium'],
  'retention-raised': ['Log group retention raised', '✅', 'RetentionRaised', 'info'],
};

/**
 * Subject phrases are at most 32 characters: with the prefix, the endpoint ID and the longest
 * region name the subject stays under SNS's 100 (tests/unit/notify/golden.test.ts checks each).
 */
const w = (phrase: string, emoji: string, eventType: string, severity: Severity): ActionWording => ({
  phrase,
  emoji,
  eventType,
  severity,
});

export function wordingFor(o: NotifiedOutcome, story: Story): ActionWording {
  const missing = story.situation === 'log-group-missing';
  switch (story.key) {
    case 'guard-role':
      return o.action === 'failed'
        ? w("Off by guard's role, NOT fixed", '🚨', 'LoggingOffByGuardRole', 'high')
        : w("Logging off by guard's own role", '🚨', 'LoggingOffByGuardRole', 'high');
    case 'exempt':
      return missing
        ? w('Log group missing, exempt', '⚠️', 'LogGroupMissingExempt', 'low')
        : w('Logging off, endpoint exempt', '⚠️', 'LoggingOffExempt', 'low');
    case 'would-remediate':
      return missing
        ? w('Log group missing (notify-only)', '⚠️', 'LogGroupMissingNotifyOnly', 'medium')
        : w('Logging OFF (notify-only)', '⚠️', 'LoggingOffNotifyOnly', 'medium');
    case 'failed-retryable':
      return story.byScan
        ? w('Fix failed, sweep will retry', '🚨', 'LoggingFixFailedRetrying', 'high')
        : w('Logging not on yet, retrying', '🚨', 'LoggingFixFailedRetrying', 'high');
    case 'failed-needs-person':
      return missing
        ? w('Log group missing, NOT fixed', '🚨', 'LoggingFixFailed', 'high')
        : w('Could not turn logging on', '🚨', 'LoggingFixFailed', 'high');
    default:
      break;
  }
  if (o.action === 'remediated') {
    // Not confirmed yet: the one thing to check first, whatever the situation (the summary says it).
    if (o.verification !== 'verified') return w('Logging fix not yet confirmed', '✅', 'LoggingRemediationRequested', 'low');
    switch (story.key) {
      case 'created-without-logging':
        return w('Created without logging, fixed', '✅', 'LoggingCreatedOff', 'info');
      case 'switched-off-again':
        // Something keeps turning logging off, each round leaves a gap, and only a person can stop it.
        return w('Logging off again, re-enabled', '✅', 'LoggingSwitchedOffAgain', 'low');
      case 'switched-off-by-iac':
        // Fixed for now; the next apply undoes it until the code changes.
        return w(`Logging off by ${TOOL_LABEL[o.tool]}`, '⚠️', 'LoggingOffByIaC', 'low');
      case 'log-group-missing':
        // Records went nowhere for an unknown time: someone deleted the group.
        return w('Log group missing, re-created', '⚠️', 'LogGroupMissing', 'medium');
      case 'found-by-scan':
        // No event reached the guard: the event path may be broken.
        return w('Logging found off, fixed', '✅', 'LoggingFoundOff', 'low');
      default:
        return w('Logging switched off, fixed', '✅', 'LoggingRemediated', 'info');
    }
  }
  if (o.action === 'failed' || o.action === 'exempt' || o.action === 'would-remediate') {
    return w('Logging off', '⚠️', 'LoggingOff', 'medium');
  }
  const [phrase, emoji, eventType, severity] = FIXED_WORDING[o.action];
  return { phrase, emoji, eventType, severity };
}

export const TOOL_LABEL: Record<ToolKind, string> = {
  console: 'AWS Management Console',
  'aws-cli': 'AWS CLI',
  sdk: 'AWS SDK',
  terraform: 'Terraform',
  cloudformation: 'CloudFormation',
  pulumi: 'Pulumi',
  other: 'other / unknown',
};

type Step = OutcomeError['step'];

export const STEP_LABEL: Record<Step, string> = {
  identity: 'identity (sts:GetCallerIdentity)',
  describe: 'describe (DescribeClientVpnEndpoints)',
  'ensure-log-group': 'ensure-log-group (CreateLogGroup, PutRetentionPolicy)',
  modify: 'modify (ModifyClientVpnEndpoint)',
  accounts: 'accounts (organizations:ListAccounts)',
  'assume-role': 'assume-role (sts:AssumeRole into the member account)',
};

/** What did and did not happen when a step failed. */
export const STEP_CONSEQUENCE: Record<Step, string> = {
  identity: 'Nothing was changed.',
  describe: 'Nothing was changed: the endpoint could not be read.',
  'ensure-log-group': 'Nothing was changed on the endpoint: the log group could not be made ready.',
  modify: 'The log group is ready, but the endpoint was not changed.',
  accounts: 'Nothing was changed: whether the account is guarded could not be decided.',
  'assume-role': 'Nothing was changed: the member account could not be entered.',
};

/** The permissions a step needs, named in the failed notification's next steps. */
export const STEP_PERMISSIONS: Record<Step, string[]> = {
  identity: ['sts:GetCallerIdentity'],
  describe: ['ec2:DescribeClientVpnEndpoints'],
  'ensure-log-group': ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:TagResource'],
  modify: ['ec2:ModifyClientVpnEndpoint'],
  accounts: ['organizations:ListAccounts'],
  'assume-role': ['sts:AssumeRole on the member role, and the member role trusting this function'],
};
