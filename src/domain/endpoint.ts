import type { LoggingState } from './outcome';

/** A Client VPN endpoint as the core needs it (built from DescribeClientVpnEndpoints). */
export interface EndpointState {
  endpointId: string;
  /** `pending-associate`, `available`, `deleting`, `deleted`, `pending`. */
  status: string;
  description?: string;
  logging: LoggingState;
  tags: Record<string, string>;
}

/** Deleted endpoints still appear for a while with these statuses; there is nothing to fix. */
export const GONE_STATUSES: ReadonlySet<string> = new Set(['deleting', 'deleted']);

export interface LogGroupInfo {
  name: string;
  retentionInDays?: number;
  kmsKeyId?: string;
  /** Epoch milliseconds. */
  creationTime?: number;
  /** The group's ARN without the trailing `:*` (DescribeLogGroups `logGroupArn`). */
  logGroupArn?: string;
}

/** The tag on every log group cvpn-log-guard creates (IAM scopes retention changes to it). */
export const MANAGED_BY_TAG = { key: 'managed-by', value: 'cvpn-log-guard' } as const;
