// Reading JSON-protocol request members (CloudTrail, SQS). Type mismatches are what the services call a
// SerializationException; the validation errors each service raises itself.

import { ApiError } from './common';

export type JsonObject = Record<string, unknown>;

export function own(input: JsonObject, key: string): unknown {
  return Object.hasOwn(input, key) ? input[key] : undefined;
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function optString(input: JsonObject, key: string): string | undefined {
  const v = own(input, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ApiError('SerializationException', `Expected a string for ${key}`);
  return v;
}

export function optInt(input: JsonObject, key: string): number | undefined {
  const v = own(input, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ApiError('SerializationException', `Expected an integer for ${key}`);
  return v;
}

export function optStringList(input: JsonObject, key: string): string[] | undefined {
  const v = own(input, key);
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) {
    throw new ApiError('SerializationException', `Expected a list of strings for ${key}`);
  }
  return v;
}

export function optObjectList(input: JsonObject, key: string): JsonObject[] | undefined {
  const v = own(input, key);
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every(isJsonObject)) throw new ApiError('SerializationException', `Expected a list of structures for ${key}`);
  return v;
}

export function optObject(input: JsonObject, key: string): JsonObject | undefined {
  const v = own(input, key);
  if (v === undefined || v === null) return undefined;
  if (!isJsonObject(v)) throw new ApiError('SerializationException', `Expected a structure for ${key}`);
  return v;
}

/**
 * A JSON-protocol timestamp: the SDK sends epoch seconds as a number (fractions for milliseconds, e.g.
 * `1700000000.123`). ISO strings are accepted too. Returns epoch milliseconds.
 */
export function optTimestamp(input: JsonObject, key: string): number | undefined {
  const v = own(input, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return Math.round(v * 1000);
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new ApiError('SerializationException', `Expected a timestamp (epoch seconds) for ${key}`);
}
