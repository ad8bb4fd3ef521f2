import {
  CreateLogGroupCommand,
  PutRetentionPolicyCommand,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { awsErrorCode, toAwsCallError } from './errors';

export const MANAGED_BY_TAG = { key: 'managed-by', value: 'cvpn-log-guard' } as const;

export interface LogGroupSettings {
  retentionDays: number;
  kmsKeyArn?: string;
}

export interface EnsureLogGroupResult {
  created: boolean;
}

/**
 * Makes sure the log group exists before logging is pointed at it: Client VPN never creates it,
 * and its service-linked role has no `logs:CreateLogGroup`.
 *
 * A group that already exists is left exactly as it is: someone chose its retention and key, and
 * shortening a retention would delete connection records.
 */
export async function ensureLogGroup(
  logs: CloudWatchLogsClient,
  name: string,
  settings: LogGroupSettings,
): Promise<EnsureLogGroupResult> {
  try {
    await logs.send(
      new CreateLogGroupCommand({
        logGroupName: name,
        ...(settings.kmsKeyArn ? { kmsKeyId: settings.kmsKeyArn } : {}),
        tags: { [MANAGED_BY_TAG.key]: MANAGED_BY_TAG.value },
      }),
    );
  } catch (error) {
    if (awsErrorCode(error) === 'ResourceAlreadyExistsException') return { created: false };
    throw toAwsCallError('CreateLogGroup', error);
  }
  try {
    await logs.send(
      new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: settings.retentionDays }),
    );
  } catch (error) {
    throw toAwsCallError('PutRetentionPolicy', error);
  }
  return { created: true };
}
