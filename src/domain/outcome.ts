import type { DeliveryCheck, KeyRequirementProblem, KeyUsability, RetentionShort } from './log-group-requirements';

/**
 * The one record every processed event produces, whoever drove it (Lambda, replay, sweep).
 * Logged as one JSON line, turned into notifications and metrics, printed by the CLI.
 */

export const OUTCOME_ACTIONS = [
  'remediated',
  'already-compliant',
  'exempt',
  'would-remediate',
  'skipped-deleted',
  'not-found',
  'ignored-self',
  'failed',
  // Logging is on, but the group falls short (see domain/log-group-requirements.ts). Raising a
  // retention is its own action rather than `remediated`: `remediated` means logging was off and
  // was turned back on (fight detection remembers it, latency is measured for it), while this
  // changes a setting of the group and nothing on the endpoint.
  'retention-short',
  'retention-raised',
  /** The group is not encrypted with the required key. */
  'key-mismatch',
  /** The group's key is disabled, pending deletion, gone, or its policy excludes CloudWatch Logs. */
  'cannot-write',
  /** Logging is on, but Client VPN writes no records to the group (checked by scan and sweep). */
  'not-delivering',
  /** Account-level: the Client VPN service-linked role is missing (endpointId is empty). */
  'service-role-missing',
] as const;
export type OutcomeAction = (typeof OUTCOME_ACTIONS)[number];

/** Outcomes a person should hear about; the rest are no-ops. */
export const NOTIFIABLE_ACTIONS: ReadonlySet<OutcomeAction> = new Set([
  'remediated',
  'exempt',
  'would-remediate',
  'failed',
  'retention-short',
  'retention-raised',
  'key-mismatch',
  'cannot-write',
  'not-delivering',
  'service-role-missing',
]);

/** Actions about the log group's requirements and delivery, most severe first (the outcome takes the first that applies). */
export const LOG_GROUP_ACTIONS = ['cannot-write', 'not-delivering', 'key-mismatch', 'retention-short', 'retention-raised'] as const;

export type ToolKind = 'console' | 'aws-cli' | 'sdk' | 'terraform' | 'cloudformation' | 'pulumi' | 'other';

export interface Actor {
  /** CloudTrail `userIdentity.type` (IAMUser, AssumedRole, Root, AWSService, ...). */
  type: string;
  /** The principal's ARN, or for an assumed-role session the role behind it. */
  arn?: string;
  /**
   * CloudTrail's `userIdentity.arn` exactly as recorded, when it differs from `arn`: for an
   * assumed-role session `arn:aws:sts::<account>:assumed-role/<role>/<session>`. It holds the
   * session name, so like `sessionName` it is shown in notifications and never logged.
   */
  sessionArn?: string;
  /**
   * The session name of an assumed role (an SSO user's email, a Lambda's function name).
   * Shown to people in notifications, never written to logs.
   */
  sessionName?: string;
  /** The service that acted, for `AWSService` identities. */
  invokedBy?: string;
}

/** One time logging was turned on for an endpoint. */
export interface LoggingEnabled {
  /** ISO 8601. */
  at: string;
  /** Turned on by cvpn-log-guard itself (its execution role, or this process). */
  byRemediator: boolean;
  source: 'memory' | 'state' | 'cloudtrail';
}

/** Logging was switched off again after it had been turned back on within the window. */
export interface RepeatedSwitchOff {
  /** When logging was last turned back on before this switch-off (ISO 8601). */
  previousEnableAt: string;
  previousByRemediator: boolean;
  /** Milliseconds from that re-enable to this switch-off. */
  afterMs: number;
  /** Times logging was turned back on within the window: the rounds of the fight so far. */
  enablesInWindow: number;
  windowMs: number;
  source: 'memory' | 'state' | 'cloudtrail';
}

export interface LoggingState {
  enabled: boolean;
  logGroup?: string;
  logStream?: string;
}

export type Verification = 'verified' | 'requested';

export interface Exemption {
  reason?: string;
  /** `YYYY-MM-DD`, inclusive: the exemption holds through that day (UTC). */
  until?: string;
  expired: boolean;
}

export interface OutcomeError {
  /** The AWS error code (e.g. `UnauthorizedOperation`) or our own. */
  code: string;
  message: string;
  retryable: boolean;
  /** Which step failed, so a reader knows what did and did not happen. */
  step: 'describe' | 'ensure-log-group' | 'modify' | 'identity' | 'accounts' | 'assume-role';
}

export interface RemediationOutcome {
  endpointId: string;
  region: string;
  account: string;
  /** The account's name in AWS Organizations (central mode), when known. Set by whoever named the account. */
  accountName?: string;
  action: OutcomeAction;
  mode: 'remediate' | 'notify-only';
  actor: Actor;
  tool: ToolKind;
  eventId: string;
  eventName: string;
  eventTime: string;
  /** Set when the event came from an EventBridge archive replay or the CLI. */
  replayName?: string;
  /** User-controlled: neutralise before showing anywhere. */
  description?: string;
  /** The endpoint's `Name` tag, as the console lists it. User-controlled, like the description. */
  endpointName?: string;
  /** The caller's source IP from the CloudTrail record (see TriggerEvent.sourceIp): alerts only, never logs. */
  sourceIp?: string;
  loggingBefore?: LoggingState;
  loggingAfter?: LoggingState;
  /** The log group logging was (or would be) pointed at. */
  logGroup?: string;
  logGroupCreated?: boolean;
  /** Logging was on, but pointed at a log group that no longer existed (found by scan/sweep). */
  logGroupMissing?: boolean;
  retentionDays?: number;
  verification?: Verification;
  /** Milliseconds from the CloudTrail event time to the verifying read. */
  latencyMs?: number;
  exemption?: Exemption;
  error?: OutcomeError;
  /** Logging had been turned back on shortly before and was switched off again (a fight). */
  repeat?: RepeatedSwitchOff;
  /**
   * The change was made by cvpn-log-guard's own execution role and was not the echo of its own
   * fix: whoever can run code as that role switched logging off (or changed something else).
   */
  byGuardRole?: boolean;
  /**
   * The state table was configured but could not be used (unreachable, throttled, access denied):
   * the outcome was reached with in-process state only, so another container may duplicate it.
   */
  stateUnavailable?: true;
  /** The retention the group must meet (CVPN_MIN_RETENTION_DAYS), when the group was judged. */
  requiredRetentionDays?: number;
  /** The group's retention is below the requirement and was not raised. */
  retentionShort?: RetentionShort;
  /** This run raised the group's retention (only with CVPN_RAISE_RETENTION=true). */
  retentionRaised?: { logGroup: string; from: number; to: number };
  /** Raising was attempted and AWS refused it. */
  retentionRaiseError?: { code: string; message: string };
  /** The group's key does not meet CVPN_KMS_KEY_ARN / CVPN_REQUIRE_KMS. */
  keyRequirement?: KeyRequirementProblem;
  /** The group's KMS key, and whether CloudWatch Logs can use it (scan and sweep only). */
  key?: { keyArn: string } & KeyUsability;
  /** Whether records arrive (scan and sweep only). */
  delivery?: DeliveryCheck;
  /**
   * After a fix: from when the sweep judges delivery (ISO 8601). The Lambda never waits for it;
   * a missing stream after this time is reported as `not-delivering`.
   */
  deliveryCheckAfter?: string;
  /** `service-role-missing`: the endpoints with logging on that it affects, in the regions scanned. */
  affectedEndpoints?: string[];
  /** Why this outcome, in one sentence, for logs and the CLI. */
  reason: string;
}
