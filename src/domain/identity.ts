import { roleNameFromArn } from './actor';
import type { Actor } from './outcome';

/** Who this process acts as (from `sts:GetCallerIdentity`). */
export interface CallerIdentity {
  account: string;
  arn: string;
  /** Set when the caller is an assumed-role session (a Lambda's execution role, an SSO user). */
  roleName?: string;
}

/**
 * True when the event was caused by this remediator's own role. Compared by role name within the
 * account, so only principals able to assume that very role (the Lambda service) match.
 */
export function isOwnAction(actor: Actor, self: CallerIdentity, eventAccount: string): boolean {
  if (!self.roleName || actor.type !== 'AssumedRole' || !actor.arn) return false;
  if (eventAccount !== self.account) return false;
  return roleNameFromArn(actor.arn) === self.roleName;
}
