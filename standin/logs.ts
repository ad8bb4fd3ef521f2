// CloudWatch Logs (JSON 1.1, X-Amz-Target: Logs_20140328.<Op>).

import { ApiError, decodeToken, encodeToken, type RequestContext } from './common';
import {
  buildLogGroup,
  logGroupNameProblem,
  RETENTION_DAYS,
  type LogGroupState,
  type RegionState,
  type StandinState,
} from './state';

export const LOGS_TARGET_PREFIX = 'Logs_20140328.';

export interface LogsEnv {
  state: StandinState;
}

type JsonObject = Record<string, unknown>;

export function logsErrorJson(code: string, message: string): string {
  return JSON.stringify({ __type: code, message });
}

export function handleLogs(ctx: RequestContext, input: JsonObject, env: LogsEnv): JsonObject {
  const region = env.state.region(ctx.region);
  switch (ctx.action) {
    case 'CreateLogGroup':
      return createLogGroup(ctx, input, region);
    case 'DeleteLogGroup': {
      const name = requiredString(input, 'logGroupName');
      if (!region.logGroups.delete(name)) throw groupNotFound();
      return {};
    }
    case 'PutRetentionPolicy':
      return putRetentionPolicy(input, region);
    case 'DeleteRetentionPolicy': {
      const group = findGroup(region, requiredString(input, 'logGroupName'));
      delete group.retentionInDays;
      return {};
    }
    case 'DescribeLogGroups':
      return describeLogGroups(input, region);
    case 'DescribeLogStreams':
      return describeLogStreams(input, region);
    case 'TagResource': {
      const group = groupByArn(region, requiredString(input, 'resourceArn'));
      Object.assign(group.tags, tagMap(input, 'tags', true));
      return {};
    }
    case 'UntagResource': {
      const group = groupByArn(region, requiredString(input, 'resourceArn'));
      const keys = stringList(input, 'tagKeys');
      group.tags = Object.fromEntries(Object.entries(group.tags).filter(([k]) => !keys.includes(k)));
      return {};
    }
    case 'ListTagsForResource':
      return { tags: { ...groupByArn(region, requiredString(input, 'resourceArn')).tags } };
    case 'ListTagsLogGroup':
      return { tags: { ...findGroup(region, requiredString(input, 'logGroupName')).tags } };
    case 'TagLogGroup': {
      const group = findGroup(region, requiredString(input, 'logGroupName'));
      Object.assign(group.tags, tagMap(input, 'tags', true));
      return {};
    }
    default:
      throw new ApiError('UnknownOperationException', `Operation ${ctx.action} is not supported by this stand-in.`);
  }
}

function groupNotFound(): ApiError {
  return new ApiError('ResourceNotFoundException', 'The specified log group does not exist.');
}

function findGroup(region: RegionState, name: string): LogGroupState {
  const g = region.logGroups.get(name);
  if (g === undefined) throw groupNotFound();
  return g;
}

function groupByArn(region: RegionState, arn: string): LogGroupState {
  const plain = arn.endsWith(':*') ? arn.slice(0, -2) : arn;
  for (const g of region.logGroups.values()) if (g.logGroupArn === plain) return g;
  if (!/^arn:[^:]+:logs:[^:]*:\d{12}:log-group:/.test(plain)) {
    throw new ApiError('InvalidParameterException', `Invalid resourceArn: ${arn}`);
  }
  throw new ApiError('ResourceNotFoundException', 'The specified resource does not exist.');
}

function own(input: JsonObject, key: string): unknown {
  return Object.hasOwn(input, key) ? input[key] : undefined;
}

function requiredString(input: JsonObject, key: string): string {
  const v = own(input, key);
  if (typeof v !== 'string') {
    throw new ApiError(
      'InvalidParameterException',
      `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return v;
}

function optionalString(input: JsonObject, key: string): string | undefined {
  const v = own(input, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ApiError('SerializationException', `Expected a string for ${key}`);
  return v;
}

function optionalInt(input: JsonObject, key: string): number | undefined {
  const v = own(input, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ApiError('SerializationException', `Expected an integer for ${key}`);
  return v;
}

function stringList(input: JsonObject, key: string): string[] {
  const v = own(input, key);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) {
    throw new ApiError('SerializationException', `Expected a list of strings for ${key}`);
  }
  return v;
}

const TAG_KEY_RE = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$/u;

function tagMap(input: JsonObject, key: string, required: boolean): Record<string, string> {
  const v = own(input, key);
  if (v === undefined || v === null) {
    if (required) throw new ApiError('InvalidParameterException', `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`);
    return {};
  }
  if (typeof v !== 'object' || Array.isArray(v)) throw new ApiError('SerializationException', `Expected a map for ${key}`);
  const out: Record<string, string> = {};
  const entries = Object.entries(v);
  if (entries.length > 50) throw new ApiError('InvalidParameterException', 'A log group can have at most 50 tags.');
  for (const [k, val] of entries) {
    if (typeof val !== 'string') throw new ApiError('SerializationException', `Expected a string value for tag ${k}`);
    if (k.length < 1 || k.length > 128 || !TAG_KEY_RE.test(k) || k.startsWith('aws:')) {
      throw new ApiError('InvalidParameterException', `Invalid tag key: ${k}`);
    }
    if (val.length > 256) throw new ApiError('InvalidParameterException', `Invalid tag value for key ${k}`);
    out[k] = val;
  }
  return out;
}

function createLogGroup(ctx: RequestContext, input: JsonObject, region: RegionState): JsonObject {
  const name = requiredString(input, 'logGroupName');
  const problem = logGroupNameProblem(name);
  if (problem !== undefined) throw new ApiError('InvalidParameterException', problem);
  const kmsKeyId = optionalString(input, 'kmsKeyId');
  if (kmsKeyId !== undefined && !/^arn:[^:]+:kms:[^:]+:\d{12}:key\/.+/.test(kmsKeyId)) {
    throw new ApiError('InvalidParameterException', `Invalid KMS key ARN: ${kmsKeyId}. Specify the ARN of a KMS key.`);
  }
  const tags = tagMap(input, 'tags', false);
  const logGroupClass = optionalString(input, 'logGroupClass');
  if (logGroupClass !== undefined && !['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY'].includes(logGroupClass)) {
    throw new ApiError('InvalidParameterException', `Invalid logGroupClass: ${logGroupClass}`);
  }
  if (region.logGroups.has(name)) {
    throw new ApiError('ResourceAlreadyExistsException', 'The specified log group already exists');
  }
  const spec: Parameters<typeof buildLogGroup>[3] = { tags };
  if (kmsKeyId !== undefined) spec.kmsKeyId = kmsKeyId;
  if (logGroupClass !== undefined) spec.logGroupClass = logGroupClass;
  region.logGroups.set(name, buildLogGroup(ctx.region, ctx.accountId, name, spec, ctx.now));
  return {};
}

function putRetentionPolicy(input: JsonObject, region: RegionState): JsonObject {
  const name = requiredString(input, 'logGroupName');
  const days = own(input, 'retentionInDays');
  if (typeof days !== 'number' || !RETENTION_DAYS.includes(days)) {
    throw new ApiError(
      'InvalidParameterException',
      `1 validation error detected: Value '${String(days)}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`,
    );
  }
  findGroup(region, name).retentionInDays = days;
  return {};
}

function describeLogGroups(input: JsonObject, region: RegionState): JsonObject {
  const prefix = optionalString(input, 'logGroupNamePrefix');
  const pattern = optionalString(input, 'logGroupNamePattern');
  if (prefix !== undefined && pattern !== undefined) {
    throw new ApiError('InvalidParameterException', 'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
  }
  const limit = optionalInt(input, 'limit') ?? 50;
  if (limit < 1 || limit > 50) {
    throw new ApiError(
      'InvalidParameterException',
      `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 50`,
    );
  }
  const identifiers = stringList(input, 'logGroupIdentifiers');
  let groups = [...region.logGroups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (prefix !== undefined) groups = groups.filter((g) => g.name.startsWith(prefix));
  if (pattern !== undefined) groups = groups.filter((g) => g.name.includes(pattern));
  if (identifiers.length > 0) {
    groups = groups.filter((g) => identifiers.some((i) => i === g.name || i === g.logGroupArn || i === g.arn));
  }

  const fingerprint = JSON.stringify({ prefix, pattern, identifiers });
  const tokenIn = optionalString(input, 'nextToken');
  let offset = 0;
  if (tokenIn !== undefined) {
    const decoded = decodeToken(tokenIn, fingerprint);
    if (decoded === undefined) throw new ApiError('InvalidParameterException', 'The specified nextToken is invalid.');
    offset = decoded;
  }
  const page = groups.slice(offset, offset + limit);
  const out: JsonObject = {
    logGroups: page.map((g) => {
      const item: JsonObject = {
        logGroupName: g.name,
        creationTime: g.creationTime,
        metricFilterCount: 0,
        arn: g.arn,
        storedBytes: 0,
        logGroupClass: g.logGroupClass,
        logGroupArn: g.logGroupArn,
      };
      if (g.retentionInDays !== undefined) item.retentionInDays = g.retentionInDays;
      if (g.kmsKeyId !== undefined) item.kmsKeyId = g.kmsKeyId;
      return item;
    }),
  };
  if (offset + page.length < groups.length) out.nextToken = encodeToken(offset + page.length, fingerprint);
  return out;
}

/**
 * DescribeLogStreams (CloudWatch Logs API Reference): `logGroupName` or `logGroupIdentifier` (name or
 * ARN, not both), `logStreamNamePrefix`, `orderBy` LogStreamName (default) | LastEventTime (not with
 * a prefix), `descending`, `limit` 1-50 (default 50), `nextToken`. Times are epoch milliseconds and
 * are left out until the stream has records.
 */
function describeLogStreams(input: JsonObject, region: RegionState): JsonObject {
  const name = optionalString(input, 'logGroupName');
  const identifier = optionalString(input, 'logGroupIdentifier');
  if (name !== undefined && identifier !== undefined) {
    throw new ApiError('InvalidParameterException', 'LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  }
  if (name === undefined && identifier === undefined) {
    throw new ApiError('InvalidParameterException', 'Either logGroupName or logGroupIdentifier must be specified.');
  }
  const group =
    name !== undefined
      ? findGroup(region, name)
      : identifier !== undefined && identifier.startsWith('arn:')
        ? groupByArn(region, identifier)
        : findGroup(region, identifier ?? '');
  const prefix = optionalString(input, 'logStreamNamePrefix');
  const orderBy = optionalString(input, 'orderBy') ?? 'LogStreamName';
  if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') {
    throw new ApiError('InvalidParameterException', `1 validation error detected: Value '${orderBy}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]`);
  }
  if (orderBy === 'LastEventTime' && prefix !== undefined) {
    throw new ApiError('InvalidParameterException', 'Cannot order by LastEventTime with a logStreamNamePrefix.');
  }
  const descending = own(input, 'descending') === true;
  const limit = optionalInt(input, 'limit') ?? 50;
  if (limit < 1 || limit > 50) {
    throw new ApiError(
      'InvalidParameterException',
      `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 50`,
    );
  }
  let streams = group.logStreams.filter((st) => prefix === undefined || st.name.startsWith(prefix));
  streams =
    orderBy === 'LastEventTime'
      ? [...streams].sort((a, b) => (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0))
      : [...streams].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (descending) streams.reverse();
  const fingerprint = JSON.stringify({ group: group.name, prefix, orderBy, descending });
  const tokenIn = optionalString(input, 'nextToken');
  let offset = 0;
  if (tokenIn !== undefined) {
    const decoded = decodeToken(tokenIn, fingerprint);
    if (decoded === undefined) throw new ApiError('InvalidParameterException', 'The specified nextToken is invalid.');
    offset = decoded;
  }
  const page = streams.slice(offset, offset + limit);
  const out: JsonObject = {
    logStreams: page.map((st) => {
      const item: JsonObject = {
        logStreamName: st.name,
        creationTime: st.creationTime,
        arn: `${group.logGroupArn}:log-stream:${st.name}`,
        storedBytes: st.storedBytes,
      };
      if (st.firstEventTimestamp !== undefined) item.firstEventTimestamp = st.firstEventTimestamp;
      if (st.lastEventTimestamp !== undefined) item.lastEventTimestamp = st.lastEventTimestamp;
      if (st.lastIngestionTime !== undefined) item.lastIngestionTime = st.lastIngestionTime;
      return item;
    }),
  };
  if (offset + page.length < streams.length) out.nextToken = encodeToken(offset + page.length, fingerprint);
  return out;
}
