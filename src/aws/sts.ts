import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { CallerIdentity } from '../domain/identity';
import { ASSUMED_ROLE_ARN_PATTERN } from '../domain/patterns';
import { toAwsCallError } from './errors';

export { STSClient };

/**
 * Who this process acts as. `sts:GetCallerIdentity` needs no IAM permission and works both in
 * Lambda and under `serverless invoke local`, where the context carries no usable function ARN.
 */
export async function fetchCallerIdentity(sts: STSClient): Promise<CallerIdentity> {
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    const arn = out.Arn ?? '';
    return { account: out.Account ?? '', arn, roleName: arn.match(ASSUMED_ROLE_ARN_PATTERN)?.[3] };
  } catch (error) {
    throw toAwsCallError('GetCallerIdentity', error);
  }
}

/** Credentials of a role session, with when they stop working. */
export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface AssumedRole {
  credentials: SessionCredentials;
  /** `arn:<partition>:sts::<account>:assumed-role/<role>/<session>`: how the session's calls appear in CloudTrail */
  assumedRoleArn: string;
}

export interface AssumeRoleRequest {
  roleArn: string;
  /** 2-64 of `[\w+=,.@-]`; shows in the member account's CloudTrail records as the session name */
  sessionName: string;
  /** 900 up to the role's maximum; a role session assuming a role (Lambda) is capped at 3600 (role chaining) */
  durationSeconds?: number;
  externalId?: string;
}

/**
 * `sts:AssumeRole`. A missing role and a trust policy that does not name the caller look the same:
 * `AccessDenied` (AwsCallError, not retryable), so a caller can only say "the role can't be assumed".
 */
export async function assumeRole(sts: STSClient, request: AssumeRoleRequest): Promise<AssumedRole> {
  try {
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: request.roleArn,
        RoleSessionName: request.sessionName,
        DurationSeconds: request.durationSeconds,
        ExternalId: request.externalId,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new Error('the answer carries no complete credentials');
    }
    return {
      credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration },
      assumedRoleArn: out.AssumedRoleUser?.Arn ?? '',
    };
  } catch (error) {
    throw toAwsCallError('AssumeRole', error);
  }
}
