import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { KeyReading } from '../domain/log-group-requirements';
import { awsErrorCode, toAwsCallError } from './errors';

export { KMSClient };

/** Errors that mean "this caller may not read the key", reported as unknown rather than thrown. */
const DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation']);

/**
 * What the scan needs to know about a log group's key: its state (DescribeKey) and its policy
 * (GetKeyPolicy, policy name `default`, the only one KMS has). A refused read is recorded as such
 * (`describeError` / `policyError`), a key that does not exist as `notFound`; anything else throws
 * AwsCallError.
 */
export async function readKey(kms: KMSClient, keyArn: string): Promise<KeyReading> {
  const reading: KeyReading = { keyArn };
  const [described, policy] = await Promise.allSettled([
    kms.send(new DescribeKeyCommand({ KeyId: keyArn })),
    kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' })),
  ]);
  if (described.status === 'fulfilled') {
    reading.keyState = described.value.KeyMetadata?.KeyState;
  } else {
    const code = awsErrorCode(described.reason);
    if (code === 'NotFoundException') reading.notFound = true;
    else if (DENIED.has(code)) reading.describeError = code;
    else throw toAwsCallError('DescribeKey', described.reason);
  }
  if (policy.status === 'fulfilled') {
    reading.policy = policy.value.Policy;
  } else {
    const code = awsErrorCode(policy.reason);
    if (code === 'NotFoundException') reading.notFound = true;
    // A key pending deletion or disabled still answers GetKeyPolicy; KMSInvalidStateException is
    // possible for some states and says nothing about the policy.
    else if (DENIED.has(code) || code === 'KMSInvalidStateException') reading.policyError = code;
    else throw toAwsCallError('GetKeyPolicy', policy.reason);
  }
  return reading;
}
