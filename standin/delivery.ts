// How Client VPN delivers connection logs, as far as the stand-in models it: it creates its stream
// when logging is enabled and writes a record per connection event, through its service-linked role.
// Without the role nothing is created or written; with a key CloudWatch Logs can't use (disabled,
// pending deletion, a policy without the logs principal) the stream exists but no record arrives.

import { CLIENT_VPN_ROLE, type KmsKeyState, type LogGroupState, type LogStreamState, type RegionState, type StandinState } from './state';

export function roleExists(state: StandinState): boolean {
  return state.roles.has(CLIENT_VPN_ROLE.name);
}

export function findKey(region: RegionState, idOrArn: string): KmsKeyState | undefined {
  const id = idOrArn.includes('key/') ? idOrArn.slice(idOrArn.lastIndexOf('key/') + 4) : idOrArn;
  return region.kmsKeys.get(id);
}

function glob(pattern: string, value: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(value);
}

function list(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Whether the key policy lets CloudWatch Logs in `region` generate data keys (a simplified evaluation). */
export function policyAllowsLogs(policy: string, region: string): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch {
    return false;
  }
  if (typeof doc !== 'object' || doc === null) return false;
  const raw = (doc as { Statement?: unknown }).Statement;
  const statements = (Array.isArray(raw) ? raw : [raw]).filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null);
  const principals = [`logs.${region}.amazonaws.com`, 'logs.amazonaws.com'];
  const forLogs = statements.filter((s) => {
    const p = s.Principal;
    if (p === '*') return true;
    if (typeof p !== 'object' || p === null) return false;
    const services = list((p as Record<string, unknown>).Service);
    return services.some((x) => principals.includes(x)) || list((p as Record<string, unknown>).AWS).includes('*');
  });
  const covers = (s: Record<string, unknown>) => list(s.Action).some((a) => glob(a, 'kms:GenerateDataKey'));
  if (forLogs.some((s) => s.Effect === 'Deny' && covers(s))) return false;
  return forLogs.some((s) => s.Effect === 'Allow' && covers(s));
}

/** Why CloudWatch Logs can't encrypt records for this group, or undefined when it can. */
export function keyProblem(region: RegionState, regionName: string, group: LogGroupState): string | undefined {
  if (group.kmsKeyId === undefined) return undefined;
  const key = findKey(region, group.kmsKeyId);
  if (key === undefined) return undefined; // a key the stand-in does not model is taken as usable
  if (key.keyState !== 'Enabled') return `key ${key.arn} is ${key.keyState}`;
  if (!policyAllowsLogs(key.policy, regionName)) return `key policy of ${key.arn} does not allow CloudWatch Logs`;
  return undefined;
}

/** Client VPN creating its stream at enable time; nothing without the service-linked role. */
export function createStream(state: StandinState, group: LogGroupState, name: string, now: number): LogStreamState | undefined {
  if (!roleExists(state)) return undefined;
  let stream = group.logStreams.find((s) => s.name === name);
  if (stream === undefined) {
    stream = { name, creationTime: now, storedBytes: 0, events: [] };
    group.logStreams.push(stream);
  }
  return stream;
}

/** One connection-log record written by Client VPN; false when it could not be written. */
export function writeRecord(
  state: StandinState,
  region: RegionState,
  regionName: string,
  group: LogGroupState,
  streamName: string,
  at: number,
  message: string,
): boolean {
  if (!roleExists(state) || keyProblem(region, regionName, group) !== undefined) return false;
  const stream = createStream(state, group, streamName, at);
  if (stream === undefined) return false;
  stream.events.push({ timestamp: at, message });
  stream.firstEventTimestamp ??= at;
  stream.lastEventTimestamp = Math.max(stream.lastEventTimestamp ?? at, at);
  stream.lastIngestionTime = Math.max(stream.lastIngestionTime ?? at, at);
  stream.storedBytes += Buffer.byteLength(message);
  return true;
}
