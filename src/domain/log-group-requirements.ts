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

export * from './delivery';
