import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CLIENT_VPN_SERVICE_ROLE } from '../domain/log-group-requirements';
import type { Partition } from '../domain/patterns';
import { awsErrorCode, toAwsCallError } from './errors';

export { IAMClient };

/**
 * IAM is a global service: requests are signed for one region of the partition (us-east-1 for the
 * commercial partition; IAM endpoints in the AWS General Reference).
 */
const IAM_SIGNING_REGION: Readonly<Record<Partition, string>> = {
  aws: 'us-east-1',
  'aws-cn': 'cn-north-1',
  'aws-us-gov': 'us-gov-west-1',
  'aws-iso': 'us-iso-east-1',
  'aws-iso-b': 'us-isob-east-1',
  'aws-iso-e': 'eu-isoe-west-1',
  'aws-iso-f': 'us-isof-south-1',
  'aws-eusc': 'eusc-de-east-1',
};

export function iamRegion(partition: Partition): string {
  return IAM_SIGNING_REGION[partition];
}

export type RoleCheck = { state: 'present' | 'missing' } | { state: 'unknown'; detail: string };

/**
 * Whether the Client VPN service-linked role exists (read-only `iam:GetRole`). `NoSuchEntity`
 * (the SDK names it NoSuchEntityException) means missing; a refused read is `unknown`.
 */
export async function clientVpnServiceRole(iam: IAMClient): Promise<RoleCheck> {
  try {
    await iam.send(new GetRoleCommand({ RoleName: CLIENT_VPN_SERVICE_ROLE }));
    return { state: 'present' };
  } catch (error) {
    const code = awsErrorCode(error);
    if (code === 'NoSuchEntityException' || code === 'NoSuchEntity') return { state: 'missing' };
    if (code === 'AccessDenied' || code === 'AccessDeniedException') {
      return { state: 'unknown', detail: `no permission to read the role (iam:GetRole ${code})` };
    }
    throw toAwsCallError('GetRole', error);
  }
}
