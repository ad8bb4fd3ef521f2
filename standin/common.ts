// Shared pieces: the error type every handler throws, request context, and form-parameter helpers.

import { randomBytes } from 'node:crypto';

export type ServiceName = 'ec2' | 'logs' | 'sns' | 'sts' | 'cloudtrail' | 'lambda' | 'sqs' | 'kms' | 'iam' | 'organizations' | 'events';

/** An error answered in the calling protocol's own envelope. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
    /** extra members of the error shape (Organizations' `Reason`), written by the JSON protocols that have them */
    readonly fields: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export interface RequestContext {
  service: ServiceName;
  region: string;
  action: string;
  requestId: string;
  /** the account of the access key that signed the request */
  accountId: string;
  /** the caller's ARN (GetCallerIdentity's Arn) */
  callerArn: string;
  now: Date;
}

/** Form-encoded (Query protocol) parameters. A Map so that names like "constructor" can't hit the prototype. */
export type QueryParams = ReadonlyMap<string, string>;

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  return 'aws';
}

export function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length);
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomAlnum(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALNUM[b % ALNUM.length] ?? 'A';
  return out;
}

/** `Prefix.1`, `Prefix.2`, ... in numeric order (gaps allowed, like the real services). */
export function indexedList(params: QueryParams, prefix: string): string[] {
  const found: Array<[number, string]> = [];
  const re = new RegExp(`^${escapeRegExp(prefix)}\\.(\\d+)$`);
  for (const [key, value] of params) {
    const m = re.exec(key);
    if (m?.[1] !== undefined) found.push([Number(m[1]), value]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** The distinct indexes N present under `Prefix.N.<anything>`, sorted. */
export function indexesUnder(params: QueryParams, prefix: string): number[] {
  const re = new RegExp(`^${escapeRegExp(prefix)}\\.(\\d+)\\.`);
  const set = new Set<number>();
  for (const key of params.keys()) {
    const m = re.exec(key);
    if (m?.[1] !== undefined) set.add(Number(m[1]));
  }
  return [...set].sort((a, b) => a - b);
}

export function hasAnyUnder(params: QueryParams, prefix: string): boolean {
  for (const key of params.keys()) if (key.startsWith(`${prefix}.`)) return true;
  return false;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Query-protocol boolean: "true"/"false" (any case), else InvalidParameterValue. */
export function parseBool(name: string, raw: string | undefined, errorCode = 'InvalidParameterValue'): boolean | undefined {
  if (raw === undefined) return undefined;
  const v = raw.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ApiError(errorCode, `Invalid value '${raw}' for ${name}. Expected a boolean.`);
}

export function parseIntParam(name: string, raw: string | undefined, errorCode = 'InvalidParameterValue'): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw.trim())) {
    throw new ApiError(errorCode, `Invalid value '${raw}' for ${name}. Expected an integer.`);
  }
  return Number(raw.trim());
}

/** Opaque pagination tokens: base64url JSON of an offset plus a fingerprint of the request's filters. */
export function encodeToken(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ o: offset, f: fingerprint }), 'utf8').toString('base64url');
}

export function decodeToken(token: string, fingerprint: string): number | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const o: unknown = Reflect.get(parsed, 'o');
    const f: unknown = Reflect.get(parsed, 'f');
    if (typeof o !== 'number' || !Number.isInteger(o) || o < 0 || f !== fingerprint) return undefined;
    return o;
  } catch {
    return undefined;
  }
}
