import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { StreamSummary } from '../domain/log-group-requirements';
import { mapLimited } from '../util/concurrency';
import { MANAGED_BY_TAG, type LogGroupInfo } from '../domain/endpoint';
import { awsErrorCode, toAwsCallError } from './errors';

export { CloudWatchLogsClient };

export interface LogGroupSettings {
  retentionDays: number;
  kmsKeyArn?: string;
}

export interface EnsureLogGroupResult {
  created: boolean;
}

/**
 * Client VPN never creates the log group, and its service-linked role has no
 * `logs:CreateLogGroup`: the group must exist before logging is pointed at it. A group that
 * already exists is left exactly as it is: someone chose its retention and key, and shortening a
 * retention would delete connection records.
 */
/** Creates the group (tagged, with the KMS key if set); `created: false` when it already existed. */
export async function createLogGroup(
  logs: CloudWatchLogsClient,
  name: string,
  settings: Pick<LogGroupSettings, 'kmsKeyArn'>,
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
  return { created: true };
}

/** Sets the retention of a group this run created (never of one someone else made). */
export async function setRetention(logs: CloudWatchLogsClient, name: string, retentionDays: number): Promise<void> {
  try {
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: retentionDays }));
  } catch (error) {
    throw toAwsCallError('PutRetentionPolicy', error);
  }
}

/** How many names one DescribeLogGroups takes in `logGroupIdentifiers` (API limit: 50). */
const IDENTIFIERS_PER_CALL = 50;
/** Batched reads in flight at once per region. */
const BATCHES_IN_FLIGHT = 4;

/**
 * The log groups of these exact names, 50 names per DescribeLogGroups (`logGroupIdentifiers`), the
 * batches concurrently: 200 groups cost 4 calls in one round trip instead of 200 calls.
 * Names missing from the map do not exist.
 */
export async function describeLogGroups(
  logs: CloudWatchLogsClient,
  names: readonly string[],
): Promise<Map<string, LogGroupInfo>> {
  const unique = [...new Set(names)];
  const batches: string[][] = [];
  for (let i = 0; i < unique.length; i += IDENTIFIERS_PER_CALL) batches.push(unique.slice(i, i + IDENTIFIERS_PER_CALL));
  const found = new Map<string, LogGroupInfo>();
  await mapLimited(batches, BATCHES_IN_FLIGHT, async (batch) => {
    let nextToken: string | undefined;
    do {
      let page;
      try {
        page = await logs.send(new DescribeLogGroupsCommand({ logGroupIdentifiers: batch, nextToken, limit: 50 }));
      } catch (error) {
        throw toAwsCallError('DescribeLogGroups', error);
      }
      for (const g of page.logGroups ?? []) {
        if (g.logGroupName && batch.includes(g.logGroupName)) {
          found.set(g.logGroupName, {
            name: g.logGroupName,
            retentionInDays: g.retentionInDays,
            kmsKeyId: g.kmsKeyId,
            creationTime: g.creationTime,
            logGroupArn: g.logGroupArn,
          });
        }
      }
      nextToken = page.nextToken;
    } while (nextToken);
  });
  return found;
}

/**
 * The group's streams, optionally only those whose names start with `prefix`
 * (DescribeLogStreams `logStreamNamePrefix`; it cannot be combined with `orderBy: LastEventTime`,
 * so streams come in name order, 50 a page), at most `maxPages` pages; `truncated` when more were
 * left. `undefined` when the group does not exist.
 */
export async function describeLogStreams(
  logs: CloudWatchLogsClient,
  logGroupName: string,
  prefix: string | undefined,
  maxPages: number,
  beforePage: () => Promise<void> = () => Promise.resolve(),
): Promise<{ streams: StreamSummary[]; truncated: boolean } | undefined> {
  const streams: StreamSummary[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    let page;
    await beforePage();
    try {
      page = await logs.send(
        new DescribeLogStreamsCommand({ logGroupName, ...(prefix !== undefined ? { logStreamNamePrefix: prefix } : {}), limit: 50, nextToken }),
      );
    } catch (error) {
      if (awsErrorCode(error) === 'ResourceNotFoundException') return undefined;
      throw toAwsCallError('DescribeLogStreams', error);
    }
    for (const s of page.logStreams ?? []) {
      if (!s.logStreamName) continue;
      streams.push({
        name: s.logStreamName,
        creationTime: s.creationTime,
        firstEventTimestamp: s.firstEventTimestamp,
        lastEventTimestamp: s.lastEventTimestamp,
        lastIngestionTime: s.lastIngestionTime,
      });
    }
    nextToken = page.nextToken;
    pages++;
  } while (nextToken && pages < maxPages);
  return { streams, truncated: nextToken !== undefined };
}
