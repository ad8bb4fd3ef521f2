import {
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
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

export interface LogGroupInfo {
  name: string;
  retentionInDays?: number;
  kmsKeyId?: string;
}

/**
 * The log group of that exact name, or undefined when it does not exist. Logging can be "on" while
 * its group was deleted: Client VPN then writes nowhere, and only this read shows it.
 */
export async function describeLogGroup(
  logs: CloudWatchLogsClient,
  name: string,
): Promise<LogGroupInfo | undefined> {
  try {
    let nextToken: string | undefined;
    do {
      const page = await logs.send(
        new DescribeLogGroupsCommand({ logGroupNamePrefix: name, nextToken, limit: 50 }),
      );
      const match = page.logGroups?.find((g) => g.logGroupName === name);
      if (match) {
        return { name, retentionInDays: match.retentionInDays, kmsKeyId: match.kmsKeyId };
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return undefined;
  } catch (error) {
    throw toAwsCallError('DescribeLogGroups', error);
  }
}
