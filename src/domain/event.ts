import * as z from 'zod/mini';
import { actorFromIdentity, classifyTool } from './actor';
import { ACCOUNT_ID_PATTERN, ENDPOINT_ID_PATTERN, REGION_PATTERN } from './patterns';
import { InvalidEventError } from './errors';
import type { Actor, ToolKind } from './outcome';
import { formatIssues } from '../util/zod-format';

export const WATCHED_EVENT_NAMES = ['CreateClientVpnEndpoint', 'ModifyClientVpnEndpoint'] as const;
export type WatchedEventName = (typeof WATCHED_EVENT_NAMES)[number];

/** What the core needs from an event: who, what, where, when. Nothing else is trusted or kept. */
export interface TriggerEvent {
  eventId: string;
  /** The CloudTrail call, or `Scan` when a scan or the sweep found the endpoint itself. */
  eventName: WatchedEventName | 'Scan';
  eventTime: string;
  region: string;
  account: string;
  endpointId: string;
  actor: Actor;
  tool: ToolKind;
  replayName?: string;
  /**
   * CloudTrail's `sourceIPAddress`: the caller's IP, or a service name (`ec2.amazonaws.com`,
   * `AWS Internal`) for calls AWS made on someone's behalf. Personal data: shown in the alert for
   * the investigator, never logged.
   */
  sourceIp?: string;
  /**
   * The request did nothing but turn logging on (a Modify carrying only the endpoint ID and
   * `ConnectionLogOptions` with `Enabled: true`): the shape of cvpn-log-guard's own fix. Only such
   * an event from its own role is an echo to ignore; anything else its role does is reported.
   */
  onlyEnablesLogging: boolean;
}

const timestamp = z.string().check(z.refine((s: string) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 timestamp'));
const accountId = z.string().check(z.regex(ACCOUNT_ID_PATTERN, 'must be a 12-digit AWS account ID'));
const region = z.string().check(z.regex(REGION_PATTERN, 'must be an AWS region name such as us-east-1'));
const optionalString = z.optional(z.string());

// CloudTrail adds fields over time; unknown keys are kept out of the types but never rejected.
const UserIdentitySchema = z.optional(
  z.looseObject({
    type: optionalString,
    arn: optionalString,
    accountId: optionalString,
    invokedBy: optionalString,
    sessionContext: z.optional(
      z.looseObject({
        sessionIssuer: z.optional(z.looseObject({ arn: optionalString, userName: optionalString })),
      }),
    ),
  }),
);

const CloudTrailRecordSchema = z.looseObject({
  eventID: z.string().check(z.minLength(1), z.maxLength(128)),
  eventTime: timestamp,
  eventSource: z.literal('ec2.amazonaws.com', {
    error: 'must be ec2.amazonaws.com (this tool handles only EC2 Client VPN calls)',
  }),
  eventName: z.enum(WATCHED_EVENT_NAMES, {
    error: `must be one of ${WATCHED_EVENT_NAMES.join(', ')}`,
  }),
  awsRegion: region,
  userIdentity: UserIdentitySchema,
  userAgent: optionalString,
  // Informational only: an odd value must never cost the fix, so it is taken only when a string.
  sourceIPAddress: z.optional(z.unknown()),
  errorCode: z.nullish(z.string()),
  requestParameters: z.unknown(),
  responseElements: z.unknown(),
  recipientAccountId: z.optional(accountId),
});
type CloudTrailRecord = z.infer<typeof CloudTrailRecordSchema>;

const EnvelopeSchema = z.looseObject({
  version: z.string(),
  id: z.string().check(z.minLength(1)),
  'detail-type': z.literal('AWS API Call via CloudTrail', {
    error: 'must be "AWS API Call via CloudTrail"',
  }),
  source: z.literal('aws.ec2', { error: 'must be aws.ec2' }),
  account: accountId,
  time: timestamp,
  region,
  resources: z.optional(z.array(z.unknown())),
  'replay-name': optionalString,
  detail: CloudTrailRecordSchema,
});
export type CloudTrailEnvelope = z.infer<typeof EnvelopeSchema>;

const CreateResponseSchema = z.object({
  CreateClientVpnEndpointResponse: z.looseObject({ clientVpnEndpointId: z.string() }),
});
const ModifyRequestSchema = z.object({
  ModifyClientVpnEndpointRequest: z.looseObject({ ClientVpnEndpointId: z.string() }),
});

const ENABLE_ONLY_KEYS: ReadonlySet<string> = new Set(['ClientVpnEndpointId', 'ConnectionLogOptions']);

function onlyEnablesLogging(detail: CloudTrailRecord): boolean {
  if (detail.eventName !== 'ModifyClientVpnEndpoint') return false;
  const request = ModifyRequestSchema.safeParse(detail.requestParameters).data?.ModifyClientVpnEndpointRequest;
  if (!request || Object.keys(request).some((key) => !ENABLE_ONLY_KEYS.has(key))) return false;
  const options: unknown = request.ConnectionLogOptions;
  if (typeof options !== 'object' || options === null) return false;
  const enabled = (options as { Enabled?: unknown }).Enabled;
  // CloudTrail records booleans as JSON booleans; a string "true" is accepted as the same value.
  return enabled === true || enabled === 'true';
}

function endpointIdOf(detail: CloudTrailRecord): string {
  const id =
    detail.eventName === 'CreateClientVpnEndpoint'
      ? CreateResponseSchema.safeParse(detail.responseElements).data?.CreateClientVpnEndpointResponse
          .clientVpnEndpointId
      : ModifyRequestSchema.safeParse(detail.requestParameters).data?.ModifyClientVpnEndpointRequest
          .ClientVpnEndpointId;
  const where =
    detail.eventName === 'CreateClientVpnEndpoint'
      ? 'detail.responseElements.CreateClientVpnEndpointResponse.clientVpnEndpointId'
      : 'detail.requestParameters.ModifyClientVpnEndpointRequest.ClientVpnEndpointId';
  if (id === undefined) throw new InvalidEventError(`${where} is missing`);
  if (!ENDPOINT_ID_PATTERN.test(id)) {
    throw new InvalidEventError(`${where} is not a Client VPN endpoint ID (cvpn-endpoint- and 17 hex digits)`);
  }
  return id;
}

/**
 * An event-supplied value quoted for an error message: cut, and JSON-escaped including U+2028/U+2029
 * (which JSON.stringify leaves raw), so the message stays one short line whatever the event holds.
 */
function quote(value: string, max = 64): string {
  return JSON.stringify(value.slice(0, max)).replace(
    /[\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16)}`,
  );
}

/** Well-formed CloudTrail events for other services or calls are skipped, not errors. */
function rejectIrrelevant(input: unknown): void {
  if (typeof input !== 'object' || input === null) return;
  const detail = (input as { detail?: unknown }).detail;
  if (typeof detail !== 'object' || detail === null) return;
  const { eventSource, eventName } = detail as { eventSource?: unknown; eventName?: unknown };
  if (typeof eventSource === 'string' && eventSource !== 'ec2.amazonaws.com') {
    throw new InvalidEventError(`Not an EC2 call (${quote(eventSource)}); nothing to do`, {
      irrelevant: true,
    });
  }
  if (typeof eventName === 'string' && !(WATCHED_EVENT_NAMES as readonly string[]).includes(eventName)) {
    throw new InvalidEventError(`${quote(eventName)} does not change connection logging; nothing to do`, {
      irrelevant: true,
    });
  }
}

/**
 * Validates an EventBridge "AWS API Call via CloudTrail" event and extracts what the core needs.
 * Only identity fields are read from the event; the endpoint's logging state never is (the console
 * re-sends `ConnectionLogOptions {Enabled:false}` on every edit, whatever changed).
 */
export function parseTriggerEvent(input: unknown): TriggerEvent {
  rejectIrrelevant(input);
  const parsed = EnvelopeSchema.safeParse(input);
  if (!parsed.success) {
    throw new InvalidEventError(`Not a Client VPN CloudTrail event: ${formatIssues(parsed.error)}`);
  }
  const envelope = parsed.data;
  const detail = envelope.detail;
  if (detail.errorCode) {
    throw new InvalidEventError(
      `The ${detail.eventName} call failed (${quote(detail.errorCode, 100)}), so it changed nothing`,
      { irrelevant: true },
    );
  }
  if (detail.awsRegion !== envelope.region) {
    throw new InvalidEventError(
      `region: the envelope says ${envelope.region} but the CloudTrail record says ${detail.awsRegion}`,
    );
  }
  return {
    eventId: detail.eventID,
    eventName: detail.eventName,
    eventTime: new Date(Date.parse(detail.eventTime)).toISOString(),
    region: envelope.region,
    account: envelope.account,
    endpointId: endpointIdOf(detail),
    actor: actorFromIdentity(detail.userIdentity),
    tool: classifyTool(detail.userAgent),
    replayName: envelope['replay-name'],
    ...(typeof detail.sourceIPAddress === 'string' && detail.sourceIPAddress !== ''
      ? { sourceIp: detail.sourceIPAddress.slice(0, 256) }
      : {}),
    onlyEnablesLogging: onlyEnablesLogging(detail),
  };
}

/**
 * Wraps a bare CloudTrail record (as saved from the console, `aws cloudtrail lookup-events`
 * or a trail's S3 files) in the envelope EventBridge would have delivered.
 */
export function envelopeFromRecord(record: unknown, replayName: string): unknown {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return record;
  const r = record as Record<string, unknown>;
  const identity = r.userIdentity as Record<string, unknown> | undefined;
  return {
    version: '0',
    id: typeof r.eventID === 'string' ? `replay-${r.eventID}` : 'replay',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ec2',
    account: r.recipientAccountId ?? identity?.accountId,
    time: r.eventTime,
    region: r.awsRegion,
    resources: [],
    'replay-name': replayName,
    detail: record,
  };
}

/** An EventBridge envelope has `detail-type`; a bare CloudTrail record has `eventName` at the top. */
export function isBareCloudTrailRecord(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !('detail-type' in value) &&
    ('eventName' in value || 'eventID' in value)
  );
}
