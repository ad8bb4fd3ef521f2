// CloudTrail (JSON 1.1, X-Amz-Target: CloudTrail_20131101.<Op>): LookupEvents over a per-region store of records;
// DescribeTrails and GetTrailStatus are in trails.ts.

import { randomUUID } from 'node:crypto';
import { ApiError, type RequestContext } from './common';
import { isJsonObject, optInt, optObjectList, optString, optTimestamp, own, type JsonObject } from './json';
import { handleTrails, type TrailsEnv } from './trails';

export const CLOUDTRAIL_TARGET_PREFIX = 'CloudTrail_20131101.';

/** LookupEvents sees the last 90 days. */
export const LOOKUP_HORIZON_MS = 90 * 24 * 3600 * 1000;

/** A CloudTrail record as CloudTrail writes it (the object `CloudTrailEvent` holds as a string). */
export type CloudTrailRecord = Record<string, unknown>;

export interface CloudTrailResource {
  ResourceType?: string;
  ResourceName?: string;
}

export interface CloudTrailEventOptions {
  /** LookupEvents `Resources`; default: the record's `resources`, else the Client VPN endpoint it names */
  resources?: CloudTrailResource[];
  /** LookupEvents `Username`; default derived from `userIdentity` */
  username?: string;
  /** serve this text as `CloudTrailEvent` instead of the record's JSON (to model a malformed record) */
  rawCloudTrailEvent?: string;
}

/** One stored event, with the summary fields LookupEvents returns next to the record. */
export interface TrailEvent {
  seq: number;
  time: number;
  eventId: string;
  eventName: string;
  eventSource?: string;
  readOnly?: string;
  accessKeyId?: string;
  username?: string;
  resources: CloudTrailResource[];
  cloudTrailEvent: string;
}

export const LOOKUP_ATTRIBUTE_KEYS = [
  'EventId',
  'EventName',
  'ReadOnly',
  'Username',
  'ResourceType',
  'ResourceName',
  'EventSource',
  'AccessKeyId',
] as const;

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function afterLast(s: string | undefined, sep: string): string | undefined {
  if (s === undefined) return undefined;
  const i = s.lastIndexOf(sep);
  return i < 0 ? s : s.slice(i + 1);
}

/**
 * LookupEvents' `Username` as the console shows it (guessed where no sample settles it): IAM users their user
 * name, role sessions the session name (the awscli sample), root "root", federated users their name, AWS
 * services the `invokedBy` service; otherwise `userName`, else the part of `principalId` after the colon.
 */
export function usernameOf(record: CloudTrailRecord): string | undefined {
  const ui = record.userIdentity;
  if (!isJsonObject(ui)) return undefined;
  const arn = str(ui.arn);
  switch (ui.type) {
    case 'IAMUser':
      return str(ui.userName) ?? afterLast(arn, '/');
    case 'AssumedRole':
      return afterLast(arn, '/') ?? afterLast(str(ui.principalId), ':');
    case 'Root':
      return 'root';
    case 'FederatedUser':
      return afterLast(arn, '/') ?? afterLast(str(ui.principalId), ':');
    case 'AWSService':
      return str(ui.invokedBy);
    default:
      return str(ui.userName) ?? afterLast(str(ui.principalId), ':');
  }
}

/**
 * LookupEvents' `Resources`. The record's own `resources` ([{ARN, type}]) when present; otherwise, for the
 * Client VPN calls this project watches, the endpoint id from the request or the Create response (a guess at
 * what CloudTrail derives: ResourceType `AWS::EC2::ClientVpnEndpoint`).
 */
export function resourcesOf(record: CloudTrailRecord): CloudTrailResource[] {
  const listed = record.resources;
  if (Array.isArray(listed)) {
    return listed.filter(isJsonObject).map((r) => {
      const out: CloudTrailResource = {};
      const type = str(r.type);
      const name = str(r.ARN) ?? str(r.arn);
      if (type !== undefined) out.ResourceType = type;
      if (name !== undefined) out.ResourceName = name;
      return out;
    });
  }
  let id: string | undefined;
  const rp = record.requestParameters;
  if (isJsonObject(rp)) {
    for (const wrapped of Object.values(rp)) {
      if (isJsonObject(wrapped)) id ??= str(wrapped.ClientVpnEndpointId);
    }
  }
  const re = record.responseElements;
  if (id === undefined && isJsonObject(re)) {
    const create = re.CreateClientVpnEndpointResponse;
    if (isJsonObject(create)) id = str(create.clientVpnEndpointId);
  }
  return id === undefined ? [] : [{ ResourceType: 'AWS::EC2::ClientVpnEndpoint', ResourceName: id }];
}

/** Validates a record for the store; fills in `eventID` (a UUID) when the record has none. */
export function buildTrailEvent(record: CloudTrailRecord, opts: CloudTrailEventOptions, seq: number): TrailEvent {
  if (!isJsonObject(record)) throw new Error('standin: a CloudTrail record must be an object');
  const copy: CloudTrailRecord = structuredClone(record);
  const eventName = str(copy.eventName);
  if (eventName === undefined) throw new Error('standin: the CloudTrail record needs an eventName string');
  const timeText = str(copy.eventTime);
  const time = timeText === undefined ? Number.NaN : Date.parse(timeText);
  if (Number.isNaN(time)) throw new Error('standin: the CloudTrail record needs an ISO eventTime string');
  let eventId = str(copy.eventID);
  if (eventId === undefined) {
    eventId = randomUUID();
    copy.eventID = eventId;
  }
  const ev: TrailEvent = {
    seq,
    time,
    eventId,
    eventName,
    resources: opts.resources ? structuredClone(opts.resources) : resourcesOf(copy),
    cloudTrailEvent: opts.rawCloudTrailEvent ?? JSON.stringify(copy),
  };
  const source = str(copy.eventSource);
  if (source !== undefined) ev.eventSource = source;
  const ro = copy.readOnly;
  if (typeof ro === 'boolean') ev.readOnly = String(ro);
  else if (typeof ro === 'string') ev.readOnly = ro;
  const ui = copy.userIdentity;
  if (isJsonObject(ui)) {
    const akid = str(ui.accessKeyId);
    if (akid !== undefined && akid !== '') ev.accessKeyId = akid;
  }
  const username = opts.username ?? usernameOf(copy);
  if (username !== undefined) ev.username = username;
  return ev;
}

export interface CloudTrailEnv {
  events: readonly TrailEvent[];
  nextSeq: number;
  trails: TrailsEnv;
}

export function cloudTrailErrorJson(code: string, message: string): string {
  return JSON.stringify({ __type: code, message });
}

export function handleCloudTrail(ctx: RequestContext, input: JsonObject, env: CloudTrailEnv): JsonObject {
  if (ctx.action === 'DescribeTrails' || ctx.action === 'GetTrailStatus') return handleTrails(ctx, input, env.trails);
  if (ctx.action !== 'LookupEvents') {
    throw new ApiError('UnknownOperationException', `Operation ${ctx.action} is not supported by this stand-in.`);
  }
  return lookupEvents(ctx, input, env);
}

interface TokenState {
  /** fingerprint of the parameters other than MaxResults/NextToken */
  f: string;
  /** offset into the result list */
  o: number;
  /** events stored later than the first page (higher seq) are not part of this listing */
  s: number;
  /** the end of the window as of the first page (EndTime, or "now" then) */
  e: number;
}

function encodeLookupToken(t: TokenState): string {
  return Buffer.from(JSON.stringify(t), 'utf8').toString('base64url');
}

function decodeLookupToken(token: string): TokenState | undefined {
  try {
    const p: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (!isJsonObject(p)) return undefined;
    const { f, o, s, e } = p;
    if (typeof f !== 'string' || typeof o !== 'number' || typeof s !== 'number' || typeof e !== 'number') return undefined;
    if (!Number.isInteger(o) || o < 0) return undefined;
    return { f, o, s, e };
  } catch {
    return undefined;
  }
}

function lookupEvents(ctx: RequestContext, input: JsonObject, env: CloudTrailEnv): JsonObject {
  const attrs = optObjectList(input, 'LookupAttributes') ?? [];
  if (attrs.length > 1) {
    throw new ApiError('InvalidLookupAttributesException', 'You cannot specify more than one lookup attribute.');
  }
  let filter: { key: string; value: string } | undefined;
  const attr = attrs[0];
  if (attr !== undefined) {
    const key = own(attr, 'AttributeKey');
    const value = own(attr, 'AttributeValue');
    if (typeof key !== 'string' || !(LOOKUP_ATTRIBUTE_KEYS as readonly string[]).includes(key)) {
      throw new ApiError(
        'InvalidLookupAttributesException',
        `Invalid AttributeKey '${String(key)}'. Valid keys: ${LOOKUP_ATTRIBUTE_KEYS.join(', ')}.`,
      );
    }
    if (typeof value !== 'string' || value.length < 1 || value.length > 2000) {
      throw new ApiError('InvalidLookupAttributesException', 'AttributeValue must be between 1 and 2000 characters long.');
    }
    filter = { key, value };
  }

  const maxResults = optInt(input, 'MaxResults') ?? 50;
  if (maxResults < 1 || maxResults > 50) {
    throw new ApiError('InvalidMaxResultsException', `MaxResults ${maxResults} is invalid: it must be between 1 and 50.`);
  }
  const start = optTimestamp(input, 'StartTime');
  const end = optTimestamp(input, 'EndTime');
  if (start !== undefined && end !== undefined && start > end) {
    throw new ApiError('InvalidTimeRangeException', 'The StartTime must be before the EndTime.');
  }
  const category = optString(input, 'EventCategory');
  if (category !== undefined && category !== 'insight') {
    throw new ApiError('InvalidEventCategoryException', `Invalid EventCategory '${category}'. The only valid value is insight.`);
  }

  const fingerprint = JSON.stringify({ filter, start, end, category });
  const tokenIn = optString(input, 'NextToken');
  let state: TokenState;
  if (tokenIn !== undefined && tokenIn !== '') {
    const decoded = decodeLookupToken(tokenIn);
    if (decoded === undefined || decoded.f !== fingerprint) {
      throw new ApiError(
        'InvalidNextTokenException',
        'Invalid NextToken. A NextToken must be used with the same parameters as the call that returned it.',
      );
    }
    state = decoded;
  } else {
    state = { f: fingerprint, o: 0, s: env.nextSeq - 1, e: end ?? ctx.now.getTime() };
  }

  // Insights events are not modelled: an insight lookup finds nothing.
  const from = Math.max(start ?? Number.NEGATIVE_INFINITY, ctx.now.getTime() - LOOKUP_HORIZON_MS);
  const matching =
    category === 'insight'
      ? []
      : env.events
          .filter((ev) => ev.seq <= state.s && ev.time >= from && ev.time <= state.e && (filter === undefined || matches(ev, filter)))
          .sort((a, b) => b.time - a.time || b.seq - a.seq);

  const page = matching.slice(state.o, state.o + maxResults);
  const out: JsonObject = { Events: page.map(eventJson) };
  const next = state.o + page.length;
  if (next < matching.length) out.NextToken = encodeLookupToken({ ...state, o: next });
  return out;
}

function matches(ev: TrailEvent, f: { key: string; value: string }): boolean {
  switch (f.key) {
    case 'EventId':
      return ev.eventId === f.value;
    case 'EventName':
      return ev.eventName === f.value;
    case 'ReadOnly':
      return ev.readOnly === f.value;
    case 'Username':
      return ev.username === f.value;
    case 'ResourceType':
      return ev.resources.some((r) => r.ResourceType === f.value);
    case 'ResourceName':
      return ev.resources.some((r) => r.ResourceName === f.value);
    case 'EventSource':
      return ev.eventSource === f.value;
    case 'AccessKeyId':
      return ev.accessKeyId === f.value;
    default:
      return false;
  }
}

function eventJson(ev: TrailEvent): JsonObject {
  const out: JsonObject = { EventId: ev.eventId, EventName: ev.eventName };
  if (ev.readOnly !== undefined) out.ReadOnly = ev.readOnly;
  if (ev.accessKeyId !== undefined) out.AccessKeyId = ev.accessKeyId;
  out.EventTime = ev.time / 1000;
  if (ev.eventSource !== undefined) out.EventSource = ev.eventSource;
  if (ev.username !== undefined) out.Username = ev.username;
  out.Resources = ev.resources.map((r) => ({ ...r }));
  out.CloudTrailEvent = ev.cloudTrailEvent;
  return out;
}
