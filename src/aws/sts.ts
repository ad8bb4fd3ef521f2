import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
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
