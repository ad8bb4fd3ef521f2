import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { roleNameFromArn } from './actor';
import { toAwsCallError } from './errors';
import type { Actor } from './outcome';

export interface CallerIdentity {
  account: string;
  arn: string;
  /** Set when the caller is an assumed-role session (a Lambda's execution role, an SSO user). */
  roleName?: string;
}

const ASSUMED_ROLE = /^arn:aws[a-z-]*:sts::\d{12}:assumed-role\/([^/]+)\/.+$/;

/**
 * Who this process acts as. `sts:GetCallerIdentity` needs no IAM permission and works both in
 * Lambda and under `serverless invoke local`, where the context carries no usable function ARN.
 */
export async function fetchCallerIdentity(sts: STSClient): Promise<CallerIdentity> {
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    const arn = out.Arn ?? '';
    return { account: out.Account ?? '', arn, roleName: arn.match(ASSUMED_ROLE)?.[1] };
  } catch (error) {
    throw toAwsCallError('GetCallerIdentity', error);
  }
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

/** Memoises one identity lookup per process; a failed lookup is retried on the next call. */
export function cachedIdentity(
  load: (region: string) => Promise<CallerIdentity>,
): (region: string) => Promise<CallerIdentity> {
  let pending: Promise<CallerIdentity> | undefined;
  return (region) => {
    pending ??= load(region).catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
