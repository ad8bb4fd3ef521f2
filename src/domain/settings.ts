/**
 * What every driver (Lambda, sweep, CLI) is configured with, and the rules about it that need no
 * parsing. The zod schema that fills it from the environment or flags is in src/app/config.ts.
 */

/**
 * Retention values CloudWatch Logs accepts for `PutRetentionPolicy`.
 * Source: CloudWatch Logs API Reference, PutRetentionPolicy, `retentionInDays` valid values.
 */
export const ALLOWED_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
  3288, 3653,
] as const;

export const DEFAULT_LOG_GROUP_TEMPLATE = '/aws/clientvpn/{endpointId}';
export const DEFAULT_EXEMPT_TAG = 'cvpn-log-guard:exempt';
export const DEFAULT_RETENTION_DAYS = 365;
export const MODES = ['remediate', 'notify-only'] as const;
export type Mode = (typeof MODES)[number];
export const LOG_GROUP_PLACEHOLDERS = ['endpointId', 'region', 'accountId'] as const;
/** off: one account and region (the default); central: the organization-wide central stack. */
export const FLEET_MODES = ['off', 'central'] as const;
export type FleetMode = (typeof FLEET_MODES)[number];
/** The role the central function assumes in each member account (deploy/member-template.json). */
export const DEFAULT_MEMBER_ROLE_NAME = 'cvpn-log-guard-member';

/** EC2's documented token bucket for mutating API calls, per account and region. */
export const DEFAULT_MODIFY_BUCKET = { capacity: 50, refillPerSecond: 5 } as const;

export interface Settings {
  topicArn?: string;
  logGroupTemplate: string;
  logStream?: string;
  retentionDays: number;
  /**
   * The retention every connection-log group must meet (CVPN_MIN_RETENTION_DAYS; default: the
   * retention set on groups it creates). A group that never expires meets any.
   */
  minRetentionDays: number;
  /** Raise a shorter retention to the requirement (CVPN_RAISE_RETENTION=true); never lowers one. */
  raiseRetention: boolean;
  kmsKeyArn?: string;
  /** Every connection-log group must be encrypted with a KMS key (any key unless kmsKeyArn names one). */
  requireKms: boolean;
  mode: Mode;
  exemptTagKey: string;
  /**
   * The account's EC2 bucket for mutating calls in each region; ModifyClientVpnEndpoint is paced to
   * it when many endpoints are fixed at once. Default: AWS's documented 50 tokens, 5 per second.
   */
  modifyBucket?: { capacity: number; refillPerSecond: number };
  /** DynamoDB table for state shared across processes (leases, idempotency, alert outbox, fix history). */
  stateTable?: string;
  /** CVPN_FLEET: `off` guards this account only; `central` is the organization-wide central stack. */
  fleet: FleetMode;
  /** CVPN_ORGANIZATION_ID, where known (o-...). */
  organizationId?: string;
  /** CVPN_MEMBER_ROLE_NAME: the role assumed in each member account. */
  memberRoleName: string;
  /** CVPN_ACCOUNTS: member accounts listed by hand, for installations without Organizations access. */
  accounts?: string[];
}

/** The literal part of the log group template before its first placeholder (what IAM is scoped to). */
export function logGroupPrefix(template: string): string {
  const i = template.indexOf('{');
  return i === -1 ? template : template.slice(0, i);
}

export function renderLogGroupName(
  template: string,
  values: { endpointId: string; region: string; accountId: string },
): string {
  return template.replace(/\{(endpointId|region|accountId)\}/g, (_, key: keyof typeof values) => values[key]);
}
