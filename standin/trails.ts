// CloudTrail trails (JSON 1.1, CloudTrail_20131101.<Op>): DescribeTrails and GetTrailStatus. Trails belong to an
// account and a home region; what a region of an account sees follows the CloudTrail user guide: its own trails
// of that home region, and with includeShadowTrails (the default) the "shadow" copies of its multi-region trails
// from other regions and, in a member account, of the organization trails of the management account.

import { ApiError, partitionOf, type RequestContext } from './common';
import { own, optString, type JsonObject } from './json';

export interface TrailState {
  name: string;
  accountId: string;
  homeRegion: string;
  isMultiRegionTrail: boolean;
  isOrganizationTrail: boolean;
  isLogging: boolean;
  s3BucketName: string;
  s3KeyPrefix?: string;
  snsTopicArn?: string;
  includeGlobalServiceEvents: boolean;
  logFileValidationEnabled: boolean;
  cloudWatchLogsLogGroupArn?: string;
  cloudWatchLogsRoleArn?: string;
  kmsKeyId?: string;
  hasCustomEventSelectors: boolean;
  hasInsightSelectors: boolean;
  /** epoch ms of the last StartLogging / StopLogging */
  startLoggingTime?: number;
  stopLoggingTime?: number;
  latestDeliveryTime?: number;
}

export interface TrailSpec {
  name: string;
  /** default true, as the console creates them */
  isMultiRegionTrail?: boolean;
  isOrganizationTrail?: boolean;
  /** default true */
  isLogging?: boolean;
  s3BucketName?: string;
  s3KeyPrefix?: string;
  snsTopicArn?: string;
  includeGlobalServiceEvents?: boolean;
  logFileValidationEnabled?: boolean;
  cloudWatchLogsLogGroupArn?: string;
  cloudWatchLogsRoleArn?: string;
  kmsKeyId?: string;
  hasCustomEventSelectors?: boolean;
  hasInsightSelectors?: boolean;
}

const TRAIL_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/;

export function trailArn(t: Pick<TrailState, 'accountId' | 'homeRegion' | 'name'>): string {
  return `arn:${partitionOf(t.homeRegion)}:cloudtrail:${t.homeRegion}:${t.accountId}:trail/${t.name}`;
}

export function buildTrail(accountId: string, homeRegion: string, spec: TrailSpec, now: number): TrailState {
  if (!TRAIL_NAME_RE.test(spec.name) || /[._-]{2}/.test(spec.name)) throw new Error(`standin: invalid trail name '${spec.name}'`);
  const isLogging = spec.isLogging ?? true;
  const t: TrailState = {
    name: spec.name,
    accountId,
    homeRegion,
    isMultiRegionTrail: spec.isMultiRegionTrail ?? true,
    isOrganizationTrail: spec.isOrganizationTrail ?? false,
    isLogging,
    s3BucketName: spec.s3BucketName ?? `aws-cloudtrail-logs-${accountId}-${spec.name.toLowerCase().slice(0, 20)}`,
    includeGlobalServiceEvents: spec.includeGlobalServiceEvents ?? true,
    logFileValidationEnabled: spec.logFileValidationEnabled ?? true,
    hasCustomEventSelectors: spec.hasCustomEventSelectors ?? false,
    hasInsightSelectors: spec.hasInsightSelectors ?? false,
  };
  if (isLogging) {
    t.startLoggingTime = now;
    t.latestDeliveryTime = now;
  } else {
    t.stopLoggingTime = now;
  }
  for (const key of ['s3KeyPrefix', 'snsTopicArn', 'cloudWatchLogsLogGroupArn', 'cloudWatchLogsRoleArn', 'kmsKeyId'] as const) {
    const v = spec[key];
    if (v !== undefined) t[key] = v;
  }
  return t;
}

export interface TrailsEnv {
  /** the caller account's own trails */
  own: readonly TrailState[];
  /** organization trails of the management account, when the caller is another account of the organization */
  organization: readonly TrailState[];
}

/** What `region` of the caller's account sees; `home` marks trails that are not shadows there. */
function visible(region: string, env: TrailsEnv, shadows: boolean): Array<{ trail: TrailState; home: boolean }> {
  const out: Array<{ trail: TrailState; home: boolean }> = [];
  for (const t of env.own) {
    if (t.homeRegion === region) out.push({ trail: t, home: true });
    else if (shadows && t.isMultiRegionTrail) out.push({ trail: t, home: false });
  }
  if (shadows) {
    for (const t of env.organization) if (t.isMultiRegionTrail || t.homeRegion === region) out.push({ trail: t, home: false });
  }
  return out;
}

function trailJson(t: TrailState): JsonObject {
  const out: JsonObject = { Name: t.name, S3BucketName: t.s3BucketName };
  if (t.s3KeyPrefix !== undefined) out.S3KeyPrefix = t.s3KeyPrefix;
  if (t.snsTopicArn !== undefined) {
    // The model says SnsTopicName "is no longer in use"; a recorded answer still carries the ARN in it.
    out.SnsTopicName = t.snsTopicArn;
    out.SnsTopicARN = t.snsTopicArn;
  }
  out.IncludeGlobalServiceEvents = t.includeGlobalServiceEvents;
  out.IsMultiRegionTrail = t.isMultiRegionTrail;
  out.HomeRegion = t.homeRegion;
  out.TrailARN = trailArn(t);
  out.LogFileValidationEnabled = t.logFileValidationEnabled;
  if (t.cloudWatchLogsLogGroupArn !== undefined) out.CloudWatchLogsLogGroupArn = t.cloudWatchLogsLogGroupArn;
  if (t.cloudWatchLogsRoleArn !== undefined) out.CloudWatchLogsRoleArn = t.cloudWatchLogsRoleArn;
  if (t.kmsKeyId !== undefined) out.KmsKeyId = t.kmsKeyId;
  out.HasCustomEventSelectors = t.hasCustomEventSelectors;
  out.HasInsightSelectors = t.hasInsightSelectors;
  out.IsOrganizationTrail = t.isOrganizationTrail;
  return out;
}

/** The "no longer in use" string fields: ISO seconds, or "" when it never happened (recorded answer). */
function isoOrEmpty(ms: number | undefined): string {
  return ms === undefined ? '' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function statusJson(t: TrailState): JsonObject {
  const out: JsonObject = { IsLogging: t.isLogging };
  if (t.latestDeliveryTime !== undefined) out.LatestDeliveryTime = t.latestDeliveryTime / 1000;
  if (t.startLoggingTime !== undefined) out.StartLoggingTime = t.startLoggingTime / 1000;
  if (t.stopLoggingTime !== undefined) out.StopLoggingTime = t.stopLoggingTime / 1000;
  out.LatestDeliveryAttemptTime = isoOrEmpty(t.latestDeliveryTime);
  out.LatestNotificationAttemptTime = '';
  out.LatestNotificationAttemptSucceeded = '';
  out.LatestDeliveryAttemptSucceeded = isoOrEmpty(t.latestDeliveryTime);
  out.TimeLoggingStarted = isoOrEmpty(t.startLoggingTime);
  out.TimeLoggingStopped = isoOrEmpty(t.stopLoggingTime);
  return out;
}

function unknownTrail(name: string, ctx: RequestContext): ApiError {
  return new ApiError('TrailNotFoundException', `Unknown trail: ${name} for the user: ${ctx.accountId}`, 404);
}

export function handleTrails(ctx: RequestContext, input: JsonObject, env: TrailsEnv): JsonObject {
  switch (ctx.action) {
    case 'DescribeTrails': {
      const shadowsRaw = own(input, 'includeShadowTrails');
      if (shadowsRaw !== undefined && shadowsRaw !== null && typeof shadowsRaw !== 'boolean') {
        throw new ApiError('SerializationException', 'Expected a boolean for includeShadowTrails');
      }
      const shadows = shadowsRaw !== false;
      const namesRaw = own(input, 'trailNameList');
      if (namesRaw !== undefined && namesRaw !== null && (!Array.isArray(namesRaw) || !namesRaw.every((n) => typeof n === 'string'))) {
        throw new ApiError('SerializationException', 'Expected a list of strings for trailNameList');
      }
      const names: string[] = Array.isArray(namesRaw) ? namesRaw.filter((n): n is string => typeof n === 'string') : [];
      let list = visible(ctx.region, env, shadows);
      if (names.length > 0) {
        // Names match only the account's trails of this region; a trail of another region or account needs its ARN
        // (CloudTrail API reference). Names that match nothing are left out, not an error.
        list = list.filter(({ trail, home }) => names.includes(trailArn(trail)) || (home && names.includes(trail.name)));
      }
      return { trailList: list.map(({ trail }) => trailJson(trail)) };
    }
    case 'GetTrailStatus': {
      const name = optString(input, 'Name');
      if (name === undefined || name === '') throw new ApiError('InvalidTrailNameException', 'The trail name or ARN must not be empty.');
      if (name.startsWith('arn:')) {
        if (!/^arn:[\w-]+:cloudtrail:[a-z0-9-]+:\d{12}:trail\/.+$/.test(name)) throw new ApiError('CloudTrailARNInvalidException', `${name} is not a valid trail ARN.`);
        const found = visible(ctx.region, env, true).find(({ trail }) => trailArn(trail) === name);
        if (found === undefined) throw unknownTrail(name, ctx);
        return statusJson(found.trail);
      }
      if (!TRAIL_NAME_RE.test(name)) {
        throw new ApiError(
          'InvalidTrailNameException',
          'Trail name must start with a letter or number, end with a letter or number, be between 3 and 128 characters, and contain only ASCII letters, numbers, periods, underscores and dashes.',
        );
      }
      // By name: the account's own trails seen here (an organization trail in a member account needs the ARN).
      const found = visible(ctx.region, { own: env.own, organization: [] }, true).find(({ trail }) => trail.name === name);
      if (found === undefined) throw unknownTrail(name, ctx);
      return statusJson(found.trail);
    }
    default:
      throw new ApiError('UnknownOperationException', `Operation ${ctx.action} is not supported by this stand-in.`);
  }
}
