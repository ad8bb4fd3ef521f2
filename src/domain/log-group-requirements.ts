/**
 * What a connection-log group must be for the records to exist and last: its retention meets the
 * requirement, its KMS key is the required one and CloudWatch Logs may use it, and Client VPN
 * actually writes to it. Pure rules: the reads they judge are made in src/aws, driven by src/core.
 */
import { ALLOWED_RETENTION_DAYS } from './settings';

// ---------------------------------------------------------------------------------------------
// Retention
// ---------------------------------------------------------------------------------------------

/** An existing group keeps records for less time than required. */
export interface RetentionShort {
  logGroup: string;
  retentionDays: number;
  requiredDays: number;
}

/**
 * Whether the group's retention falls short. A group without `retentionInDays` never expires
 * (CloudWatch Logs API Reference, LogGroup: "retentionInDays ... If you omit it, the events are
 * kept indefinitely"), which meets every requirement.
 */
export function retentionShortfall(logGroup: string, retentionInDays: number | undefined, requiredDays: number): RetentionShort | undefined {
  if (retentionInDays === undefined || retentionInDays >= requiredDays) return undefined;
  return { logGroup, retentionDays: retentionInDays, requiredDays };
}

/**
 * The retention to raise a short group to: the smallest value CloudWatch Logs accepts that meets
 * the requirement, and never below what the group has (raising must not delete a record).
 */
export function raisedRetentionDays(currentDays: number, requiredDays: number): number {
  const target = ALLOWED_RETENTION_DAYS.find((d) => d >= requiredDays) ?? ALLOWED_RETENTION_DAYS[ALLOWED_RETENTION_DAYS.length - 1] ?? requiredDays;
  return Math.max(currentDays, target);
}

// ---------------------------------------------------------------------------------------------
// Encryption requirement (which key the group has)
// ---------------------------------------------------------------------------------------------

export type KeyRequirementProblem =
  /** The group has no KMS key although one is required. */
  | { kind: 'unencrypted'; expectedKeyArn?: string }
  /** The group is encrypted with another key than the configured one. */
  | { kind: 'other-key'; keyArn: string; expectedKeyArn: string };

/** The key ID at the end of a key ARN (`arn:...:key/<id>`), or the text itself. */
function keyId(arnOrId: string): string {
  const i = arnOrId.lastIndexOf('key/');
  return i === -1 ? arnOrId : arnOrId.slice(i + 4);
}

/**
 * With `kmsKeyArn` set, the group must be encrypted with that key; with `requireKms` alone, with
 * any key. Neither set: no requirement. DescribeLogGroups gives `kmsKeyId` as the key's ARN; the
 * comparison is by key ID so that an ARN written with another partition spelling still matches.
 */
export function keyRequirementProblem(
  groupKmsKeyId: string | undefined,
  requirement: { kmsKeyArn?: string; requireKms: boolean },
): KeyRequirementProblem | undefined {
  const { kmsKeyArn, requireKms } = requirement;
  if (!kmsKeyArn && !requireKms) return undefined;
  if (!groupKmsKeyId) return { kind: 'unencrypted', expectedKeyArn: kmsKeyArn };
  if (kmsKeyArn && keyId(groupKmsKeyId) !== keyId(kmsKeyArn)) {
    return { kind: 'other-key', keyArn: groupKmsKeyId, expectedKeyArn: kmsKeyArn };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Key usability (whether CloudWatch Logs can encrypt with the group's key)
// ---------------------------------------------------------------------------------------------

/** What the reads of one key found; a read that was refused leaves its reason instead. */
export interface KeyReading {
  keyArn: string;
  /** KMS DescribeKey `KeyMetadata.KeyState`. */
  keyState?: string;
  /** DescribeKey answered NotFoundException: the key does not exist (any more). */
  notFound?: boolean;
  /** KMS GetKeyPolicy `Policy` (the default policy, the only name KMS has). */
  policy?: string;
  /** Why DescribeKey could not be read (e.g. `AccessDeniedException`). */
  describeError?: string;
  /** Why GetKeyPolicy could not be read. */
  policyError?: string;
}

export type KeyUsability =
  | { usable: 'yes' }
  | { usable: 'no'; why: 'disabled' | 'pending-deletion' | 'unavailable' | 'not-found' | 'policy-excludes-logs'; detail: string }
  | { usable: 'unknown'; detail: string };

/**
 * The actions CloudWatch Logs calls on a log group's key. Source: CloudWatch Logs User Guide,
 * "Encrypt log data in CloudWatch Logs using AWS KMS", step 2: the key policy statement for the
 * principal `logs.<region>.amazonaws.com` allows kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*,
 * kms:GenerateDataKey* and kms:Describe*; the data-path calls among them are these three.
 */
export const LOGS_KEY_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'] as const;

/** Service principals that stand for CloudWatch Logs in a key policy (regional, and the global name). */
export function logsServicePrincipals(region: string): string[] {
  const suffixes = region.startsWith('cn-') ? ['amazonaws.com.cn', 'amazonaws.com'] : ['amazonaws.com'];
  return suffixes.flatMap((s) => [`logs.${region}.${s}`, `logs.${s}`]);
}

/** Key states in which KMS refuses cryptographic operations (KMS Developer Guide, "Key states of AWS KMS keys"). */
const UNUSABLE_STATES: Readonly<Record<string, 'disabled' | 'pending-deletion' | 'unavailable'>> = {
  Disabled: 'disabled',
  PendingDeletion: 'pending-deletion',
  PendingReplicaDeletion: 'pending-deletion',
  PendingImport: 'unavailable',
  Unavailable: 'unavailable',
};

/** Whether CloudWatch Logs can write to a group encrypted with this key, as far as the reads tell. */
export function keyUsability(reading: KeyReading, region: string, logGroupArn: string | undefined): KeyUsability {
  if (reading.notFound) return { usable: 'no', why: 'not-found', detail: `the KMS key ${reading.keyArn} does not exist (deleted?)` };
  if (reading.keyState) {
    const why = UNUSABLE_STATES[reading.keyState];
    if (why) return { usable: 'no', why, detail: `the KMS key ${reading.keyArn} is ${reading.keyState}` };
  }
  if (reading.policy !== undefined) {
    const verdict = keyPolicyLetsLogsEncrypt(reading.policy, region, logGroupArn);
    if (!verdict.allows) return { usable: 'no', why: 'policy-excludes-logs', detail: verdict.detail };
  }
  const unread = [
    reading.describeError ? `kms:DescribeKey (${reading.describeError})` : undefined,
    reading.policyError ? `kms:GetKeyPolicy (${reading.policyError})` : undefined,
  ].filter((s): s is string => s !== undefined);
  if (unread.length > 0) {
    return { usable: 'unknown', detail: `unknown: no permission to read the key ${reading.keyArn} (${unread.join(', ')})` };
  }
  return { usable: 'yes' };
}

type Json = Record<string, unknown>;

function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** IAM-style wildcard match (`*` any run, `?` one character), case-insensitive as action names are. */
function globMatch(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, caseInsensitive ? 'i' : '').test(value);
}

/** Whether a statement's principal covers the CloudWatch Logs service principal. */
function coversLogs(statement: Json, principals: readonly string[]): boolean {
  const p = statement.Principal;
  if (p === '*') return true;
  if (isJson(p)) {
    if (strings(p.AWS).includes('*')) return true;
    return strings(p.Service).some((s) => principals.includes(s));
  }
  if (statement.NotPrincipal !== undefined) {
    // NotPrincipal: everyone except those listed. CloudWatch Logs is covered unless listed.
    const np = statement.NotPrincipal;
    return !(isJson(np) && strings(np.Service).some((s) => principals.includes(s)));
  }
  return false;
}

function coversAction(statement: Json, action: string): boolean {
  if (statement.Action !== undefined) return strings(statement.Action).some((a) => globMatch(a, action, true));
  if (statement.NotAction !== undefined) return !strings(statement.NotAction).some((a) => globMatch(a, action, true));
  return false;
}

const CONTEXT_KEY = 'kms:encryptioncontext:aws:logs:arn';

/**
 * Whether the statement's conditions could let a write to this log group through. Only the
 * encryption-context condition on the log group's ARN (the one CloudWatch Logs documents) is
 * judged; other conditions are assumed met, so that an unusual policy is never reported as broken.
 */
function conditionAdmits(statement: Json, logGroupArn: string | undefined): boolean {
  const condition = statement.Condition;
  if (!isJson(condition) || logGroupArn === undefined) return true;
  for (const [operator, block] of Object.entries(condition)) {
    if (!isJson(block)) continue;
    for (const [key, value] of Object.entries(block)) {
      if (key.toLowerCase() !== CONTEXT_KEY) continue;
      const patterns = strings(value);
      const op = operator.replace(/^ForAnyValue:|^ForAllValues:/, '').replace(/IfExists$/, '');
      const wildcard = op === 'ArnLike' || op === 'StringLike';
      const exact = op === 'ArnEquals' || op === 'StringEquals';
      if (!wildcard && !exact) continue;
      // The context carries the group's ARN without the trailing ":*".
      const ok = patterns.some((pat) => (wildcard ? globMatch(pat, logGroupArn, false) : pat === logGroupArn));
      if (!ok) return false;
    }
  }
  return true;
}

/**
 * Whether a key policy lets CloudWatch Logs in `region` encrypt and decrypt with the key: an Allow
 * statement for its service principal covering each of {@link LOGS_KEY_ACTIONS} (wildcards such
 * as `kms:*` or `kms:GenerateDataKey*` count), and no Deny statement covering any of them.
 */
export function keyPolicyLetsLogsEncrypt(policyJson: string, region: string, logGroupArn?: string): { allows: boolean; detail: string } {
  let policy: unknown;
  try {
    policy = JSON.parse(policyJson);
  } catch {
    return { allows: true, detail: 'the key policy could not be parsed; not judged' };
  }
  const statements = isJson(policy) ? (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]).filter(isJson) : [];
  const principals = logsServicePrincipals(region);
  const principal = principals[0] ?? `logs.${region}.amazonaws.com`;
  const forLogs = statements.filter((s) => coversLogs(s, principals) && conditionAdmits(s, logGroupArn));
  const denied = LOGS_KEY_ACTIONS.filter((a) => forLogs.some((s) => s.Effect === 'Deny' && coversAction(s, a)));
  if (denied.length > 0) {
    return { allows: false, detail: `the key policy denies ${principal} ${denied.join(', ')}` };
  }
  const missing = LOGS_KEY_ACTIONS.filter((a) => !forLogs.some((s) => s.Effect === 'Allow' && coversAction(s, a)));
  if (missing.length > 0) {
    return {
      allows: false,
      detail: `the key policy does not allow ${principal} ${missing.join(', ')}${logGroupArn ? ` for ${logGroupArn}` : ''}`,
    };
  }
  return { allows: true, detail: `the key policy allows ${principal} to use the key` };
}

// ---------------------------------------------------------------------------------------------
// Delivery (whether Client VPN writes to the group)
// ---------------------------------------------------------------------------------------------

/**
 * How long after logging was turned on a missing stream is still expected: Client VPN creates its
 * stream when logging is enabled; an hour leaves room for the stream to appear however slowly.
 */
export const DELIVERY_GRACE_MS = 60 * 60 * 1000;

/** One log stream as DescribeLogStreams shows it (times in epoch milliseconds). */
export interface StreamSummary {
  name: string;
  creationTime?: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
}

/**
 * The prefix of the stream Client VPN writes an endpoint's records to: the configured stream name,
 * or the endpoint ID. With no stream configured, Client VPN names its stream
 * `<endpoint ID>-<region>-<yyyy/mm/dd>-<random>`, e.g.
 * `cvpn-endpoint-0123456abcd123456-us-west-2-2020/04/20-abcdEFGH1234` (AWS CLI Command Reference,
 * describe-client-vpn-endpoints, example output; also tests/fixtures/ec2-describe-client-vpn-
 * endpoints-awscli-logging-enabled.json). The name starts with the full endpoint ID.
 */
export function streamPrefixFor(endpointId: string, configuredStream: string | undefined): string {
  return configuredStream ?? `${endpointId}-`;
}

/** The streams among `streams` that belong to the endpoint. */
export function streamsForEndpoint(streams: readonly StreamSummary[], endpointId: string, configuredStream: string | undefined): StreamSummary[] {
  return configuredStream === undefined
    ? streams.filter((s) => s.name.startsWith(`${endpointId}-`))
    : streams.filter((s) => s.name === configuredStream);
}

export type DeliveryStatus = 'delivering' | 'not-delivering' | 'pending' | 'unknown';

/** Why records may not arrive; `confirmed` when a check of this run found it. */
export interface DeliveryCause {
  cause: 'service-linked-role-missing' | 'key-unusable' | 'group-recreated';
  confirmed: boolean;
  detail: string;
}

export interface DeliveryCheck {
  status: DeliveryStatus;
  /** The endpoint's most recent stream. */
  logStream?: string;
  /** When that stream last received records (ISO 8601); absent: never. */
  lastIngestionTime?: string;
  /** With `pending`: from when a missing stream counts as "not delivering" (ISO 8601). */
  checkAfter?: string;
  /** With `not-delivering`: what to look at, most likely first. */
  likelyCauses?: DeliveryCause[];
  reason: string;
}

export interface DeliveryInput {
  endpointId: string;
  configuredStream?: string;
  /** The group's streams that DescribeLogStreams returned for the endpoint's prefix. */
  streams: readonly StreamSummary[];
  /** When logging was last turned on, if known (this run, this process, CloudTrail). */
  loggingOnSince?: number;
  groupCreationTime?: number;
  /** The last connection to the endpoint known to have happened (epoch ms), if any. */
  lastKnownConnection?: number;
  now: number;
  /** Context for the likely causes. */
  serviceLinkedRole?: 'present' | 'missing' | 'unknown';
  keyUnusable?: string;
  groupHasKey?: boolean;
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

function causes(input: DeliveryInput): DeliveryCause[] {
  const list: DeliveryCause[] = [];
  if (input.serviceLinkedRole !== 'present') {
    list.push({
      cause: 'service-linked-role-missing',
      confirmed: input.serviceLinkedRole === 'missing',
      detail:
        input.serviceLinkedRole === 'missing'
          ? 'the service-linked role AWSServiceRoleForClientVPN does not exist: Client VPN cannot create streams or write records'
          : 'the service-linked role AWSServiceRoleForClientVPN could not be checked',
    });
  }
  if (input.keyUnusable || input.groupHasKey) {
    list.push({
      cause: 'key-unusable',
      confirmed: input.keyUnusable !== undefined,
      detail: input.keyUnusable ?? "the group's KMS key policy must let CloudWatch Logs use the key",
    });
  }
  list.push({
    cause: 'group-recreated',
    confirmed: false,
    detail: 'the group was deleted and re-created after logging was turned on: turn logging off and on again so Client VPN writes to the new group',
  });
  return list.sort((a, b) => Number(b.confirmed) - Number(a.confirmed));
}

/**
 * Whether Client VPN delivers the endpoint's records to the group:
 * - a stream for the endpoint exists: `delivering` (with its last ingestion time), unless a
 *   connection is known after that last ingestion, older than the grace: `not-delivering`;
 * - no stream, and logging was turned on (or the group created) less than the grace ago: `pending`;
 * - no stream otherwise: `not-delivering`.
 */
export function evaluateDelivery(input: DeliveryInput): DeliveryCheck {
  const own = streamsForEndpoint(input.streams, input.endpointId, input.configuredStream);
  const latest = [...own].sort((a, b) => (b.lastIngestionTime ?? b.creationTime ?? 0) - (a.lastIngestionTime ?? a.creationTime ?? 0))[0];
  if (latest) {
    const last = latest.lastIngestionTime;
    const connection = input.lastKnownConnection;
    if (connection !== undefined && (last ?? 0) < connection && input.now - connection >= DELIVERY_GRACE_MS) {
      return {
        status: 'not-delivering',
        logStream: latest.name,
        lastIngestionTime: iso(last),
        likelyCauses: causes(input),
        reason: `no records in ${latest.name} since the last known connection at ${iso(connection) ?? ''}`,
      };
    }
    return {
      status: 'delivering',
      logStream: latest.name,
      lastIngestionTime: iso(last),
      reason: last === undefined ? `stream ${latest.name} exists, no records yet` : `stream ${latest.name}, last records at ${iso(last) ?? ''}`,
    };
  }
  const since = Math.max(input.loggingOnSince ?? 0, input.groupCreationTime ?? 0);
  const expected = input.configuredStream ?? `${input.endpointId}-…`;
  if (since > 0 && input.now - since < DELIVERY_GRACE_MS) {
    return {
      status: 'pending',
      checkAfter: iso(since + DELIVERY_GRACE_MS),
      reason: `no stream ${expected} yet; logging was turned on (or the group created) less than an hour ago`,
    };
  }
  return {
    status: 'not-delivering',
    likelyCauses: causes(input),
    reason: `no log stream ${expected} in the group${input.loggingOnSince ? ` although logging has been on since ${iso(input.loggingOnSince) ?? ''}` : ''}`,
  };
}

/** The scan's yes / no / unknown for a delivery check (pending is not known yet). */
export function deliveringAnswer(check: DeliveryCheck | undefined): 'yes' | 'no' | 'unknown' {
  if (check?.status === 'delivering') return 'yes';
  if (check?.status === 'not-delivering') return 'no';
  return 'unknown';
}

// ---------------------------------------------------------------------------------------------
// Service-linked role
// ---------------------------------------------------------------------------------------------

/** The role Client VPN writes connection logs with (Client VPN Administrator Guide, "Using roles for Client VPN"). */
export const CLIENT_VPN_SERVICE_ROLE = 'AWSServiceRoleForClientVPN';
/** Its path: service-linked roles live under `/aws-service-role/<service principal>/`. */
export const CLIENT_VPN_SERVICE_ROLE_PATH = '/aws-service-role/clientvpn.amazonaws.com/';

export function clientVpnServiceRoleArn(partition: string, account: string): string {
  return `arn:${partition}:iam::${account}:role${CLIENT_VPN_SERVICE_ROLE_PATH}${CLIENT_VPN_SERVICE_ROLE}`;
}
