/** Per-action words: the phrase of subjects and titles, the severity, the chat event type. */
import type { OutcomeAction, OutcomeError, ToolKind } from '../domain/outcome';
import type { NotifiedOutcome } from './input';

/**
 * `severity` attribute, for filter policies (e.g. page on `high` only):
 * - high: `failed`. Logging is off and the automatic fix did not work; only a person can close
 *   the gap, and every connection meanwhile goes unrecorded.
 * - medium: `would-remediate`. Logging is off and stays off until someone acts (notify-only).
 * - low: `exempt` (off by a recorded, time-boxed decision: a reminder, not an incident) and a
 *   `remediated` that AWS accepted but a read-back has not confirmed yet.
 * - info: a verified `remediated` (the gap is closed; the record is for the audit trail), and
 *   the non-notifiable actions should anyone build a notification for them.
 * A verified `remediated` that repeats a recent switch-off is `low`, not `info`: something keeps
 * turning logging off, each round leaves a gap, and only a person can stop it.
 */
export type Severity = 'high' | 'medium' | 'low' | 'info';

export interface ActionWording {
  /** Subject/summary phrase, before ": <endpoint> (<region>)". Keep it short: subjects are < 100. */
  phrase: string;
  emoji: string;
  eventType: string;
  severity: Severity;
}

type Fixed = Exclude<OutcomeAction, 'remediated'>;

// One line each: a table, so that adding an action is adding a row.
const FIXED_WORDING: Record<Fixed, readonly [phrase: string, emoji: string, eventType: string, severity: Severity]> = {
  failed: ['Could not re-enable logging', '🚨', 'LoggingRemediationFailed', 'high'],
  exempt: ['Logging off, endpoint exempt', '⚠️', 'LoggingOffExempt', 'low'],
  'would-remediate': ['Logging OFF (notify-only)', '⚠️', 'LoggingOffNotifyOnly', 'medium'],
  'already-compliant': ['Logging already on', 'ℹ️', 'LoggingAlreadyOn', 'info'],
  'skipped-deleted': ['Endpoint deleted, skipped', 'ℹ️', 'EndpointDeleted', 'info'],
  'not-found': ['Endpoint not found', 'ℹ️', 'EndpointNotFound', 'info'],
  'ignored-self': ['Own change, ignored', 'ℹ️', 'OwnChangeIgnored', 'info'],
  // Logging is on, but records can't be written or aren't arriving: as bad as logging off.
  'cannot-write': ['Logging on, records cannot be written', '🚨', 'LogGroupCannotWrite', 'high'],
  'not-delivering': ['Logging on, no records arriving', '🚨', 'LoggingNotDelivering', 'high'],
  'service-role-missing': ['Client VPN service-linked role missing', '🚨', 'ServiceRoleMissing', 'high'],
  // Records are kept, just not as required: a person decides, no incident.
  'key-mismatch': ['Log group key not as required', '⚠️', 'LogGroupKeyMismatch', 'medium'],
  'retention-short': ['Log group retention too short', '⚠️', 'RetentionShort', 'medium'],
  'retention-raised': ['Log group retention raised', '✅', 'RetentionRaised', 'info'],
};

export function wordingFor(o: NotifiedOutcome): ActionWording {
  // cvpn-log-guard's own role switching logging off is a likely misuse of the role: always high.
  if (o.byGuardRole && (o.action === 'remediated' || o.action === 'would-remediate' || o.action === 'failed')) {
    const [phrase, emoji] = o.action === 'failed' ? ["Guard's own role: logging off, NOT fixed", '🚨'] : ["Logging off by guard's own role", '🚨'];
    return { phrase, emoji, eventType: 'LoggingOffByGuardRole', severity: 'high' };
  }
  const again = o.repeat ? ' again' : '';
  if (o.action === 'remediated') {
    return o.verification === 'verified'
      ? { phrase: `Logging re-enabled${again}`, emoji: '✅', eventType: 'LoggingRemediated', severity: o.repeat ? 'low' : 'info' }
      : { phrase: `Logging re-enable requested${again}`, emoji: '✅', eventType: 'LoggingRemediationRequested', severity: 'low' };
  }
  const [phrase, emoji, eventType, severity] = FIXED_WORDING[o.action];
  return { phrase, emoji, eventType, severity };
}

/** The opening sentence of the email, from trusted parts only. */
export function headlineSentence(o: NotifiedOutcome, wording: ActionWording, endpoint: string, region: string): string {
  const created = o.eventName === 'CreateClientVpnEndpoint';
  const change = created
    ? 'was created with connection logging off'
    : `had connection logging turned off${o.repeat ? ' again' : ''}`;
  const what = `Client VPN endpoint ${endpoint} in ${region} ${change}`;
  const back = created ? '' : ' back';
  switch (o.action) {
    case 'remediated':
      return o.verification === 'verified'
        ? `${what}; cvpn-log-guard turned it${back} on and confirmed it.`
        : `${what}; cvpn-log-guard asked AWS to turn it${back} on, but a read-back has not confirmed it yet.`;
    case 'failed':
      return `${what}, and cvpn-log-guard could NOT turn it${back} on. Logging is still off.`;
    case 'exempt':
      return `${what}. The endpoint is exempt, so cvpn-log-guard left logging off.`;
    case 'would-remediate':
      return `${what}. cvpn-log-guard runs in notify-only mode and changed nothing: logging is OFF.`;
    default:
      return `${wording.phrase}: ${endpoint} (${region}).`;
  }
}

export const TOOL_LABEL: Record<ToolKind, string> = {
  console: 'AWS Management Console',
  'aws-cli': 'AWS CLI',
  sdk: 'AWS SDK',
  terraform: 'Terraform',
  cloudformation: 'CloudFormation',
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
  'ensure-log-group': ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:TagResource', 'kms:* on the key, if set'],
  modify: ['ec2:ModifyClientVpnEndpoint'],
  accounts: ['organizations:ListAccounts'],
  'assume-role': ['sts:AssumeRole on the member role, and the member role trusting this function'],
};
