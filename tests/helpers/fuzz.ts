/**
 * Shared pieces of the property-based suites (tests/fuzz/*.test.ts):
 * run settings that the soak runner can override, a summary line per suite, and generators of
 * hostile, broken and "AWS added a field" variants of the real CloudTrail records.
 */
import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import { createRecord, envelope, modifyRecord, retarget } from './events';

export interface FuzzRun {
  seed: number;
  numRuns: number;
}

/**
 * Fixed seed and run count for `npm test`; the soak runner (tests/soak/run.ts) sets
 * CVPN_FUZZ_SEED and CVPN_FUZZ_RUNS to run the very same properties longer.
 * A failing run prints its seed (and fast-check's counterexample path): re-run with that seed.
 */
export function fuzzRun(defaultSeed: number, defaultRuns: number, scale = 1): FuzzRun {
  const seed = process.env.CVPN_FUZZ_SEED === undefined ? defaultSeed : Number(process.env.CVPN_FUZZ_SEED);
  const runs = process.env.CVPN_FUZZ_RUNS === undefined ? defaultRuns : Math.max(1, Math.round(Number(process.env.CVPN_FUZZ_RUNS) * scale));
  if (!Number.isInteger(seed) || !Number.isFinite(runs)) throw new Error('CVPN_FUZZ_SEED / CVPN_FUZZ_RUNS must be integers');
  return { seed, numRuns: runs };
}

/** A test's timeout: `normal` under `npm test`, none in the soak (its length is the point). */
export function fuzzTimeout(normal: number): number {
  return process.env.CVPN_FUZZ_RUNS === undefined ? normal : 0;
}

/** Prints one summary line and, for the soak runner, appends it as JSON to CVPN_FUZZ_REPORT. */
export function reportCounts(suite: string, counts: Record<string, number>, run: FuzzRun): void {
  const parts = Object.entries(counts).map(([k, v]) => `${v} ${k}`);
  console.log(`${suite}: seed ${run.seed}, ${parts.join(', ')}`);
  const file = process.env.CVPN_FUZZ_REPORT;
  if (file) appendFileSync(file, `${JSON.stringify({ suite, seed: run.seed, ...counts })}\n`);
}

/** A counter map that tests bump and reportCounts prints. */
export function counter(...names: string[]): Record<string, number> {
  return Object.fromEntries(names.map((n) => [n, 0]));
}

export const ONE_MB = 1024 * 1024;

/** A 1 MiB string, built once per content so huge cases cost little. */
const hugeCache = new Map<string, string>();
export function huge(unit = 'A'): string {
  let s = hugeCache.get(unit);
  if (s === undefined) {
    s = unit.repeat(Math.ceil(ONE_MB / unit.length)).slice(0, ONE_MB);
    hugeCache.set(unit, s);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Valid events, in every shape the tool accepts
// ---------------------------------------------------------------------------------------------

export const ENDPOINT_ID = fc.stringMatching(/^[0-9a-f]{17}$/).map((hex) => `cvpn-endpoint-${hex}`);

/** A real record (Create or Modify), retargeted to `endpointId`, with a random event ID. */
export function realRecord(kind: 'create' | 'modify', opts: { endpointId?: string; eventId?: string; account?: string } = {}): any {
  return retarget(kind === 'create' ? createRecord() : modifyRecord(), opts);
}

export const validEnvelope = fc
  .record({
    kind: fc.constantFrom('create' as const, 'modify' as const),
    eventId: fc.uuid(),
  })
  .map(({ kind, eventId }) => envelope(realRecord(kind, { eventId })));

// ---------------------------------------------------------------------------------------------
// Mutations of real events
// ---------------------------------------------------------------------------------------------

/** Every key any of the event schemas reads; an "extra field" must not reuse one. */
export const KNOWN_KEYS = new Set([
  'version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'replay-name', 'detail',
  'eventID', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'userIdentity', 'userAgent', 'errorCode',
  'requestParameters', 'responseElements', 'recipientAccountId', 'type', 'arn', 'accountId', 'invokedBy',
  'sessionContext', 'sessionIssuer', 'userName', 'CreateClientVpnEndpointResponse', 'clientVpnEndpointId',
  'ModifyClientVpnEndpointRequest', 'ClientVpnEndpointId',
]);

/** Fields CloudTrail has added to records over the years, and made-up future ones. */
const FUTURE_KEYS = [
  'tlsDetails', 'sessionCredentialFromConsole', 'addendum', 'edgeDeviceDetails', 'vpcEndpointId',
  'vpcEndpointAccountId', 'inScopeOf', 'sharedEventID', 'serviceEventDetails', 'insightDetails',
  'eventCategory', 'annotation', 'resources', 'apiVersion', 'credentialId', 'onBehalfOf',
].filter((k) => !KNOWN_KEYS.has(k));

export const extraKey = fc.oneof(
  fc.constantFrom(...FUTURE_KEYS),
  fc.string({ minLength: 1, maxLength: 24 }).filter((k) => !KNOWN_KEYS.has(k)),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'x'.repeat(300)),
);

/** Any JSON value, including big ones, for replacing or adding fields. */
export const jsonish = fc.oneof(
  { weight: 5, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(huge(), huge('é'), huge('😀'), huge('\n'), '', null, -0, 1e308) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);

type Path = (string | number)[];

/** Every path to a value inside `value` (objects and arrays), the root excluded. */
export function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push([...prefix, i]);
      pathsOf(v, [...prefix, i], out);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      out.push([...prefix, k]);
      pathsOf(v, [...prefix, k], out);
    }
  }
  return out;
}

/** Sets an own property even when the key is `__proto__` (as JSON.parse does). */
function setOwn(target: Record<string | number, unknown>, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

function parentOf(root: any, path: Path): any {
  let node = root;
  for (const key of path.slice(0, -1)) node = node?.[key];
  return node;
}

export type Mutation =
  | { op: 'delete'; at: number }
  | { op: 'replace'; at: number; value: unknown }
  | { op: 'wrong-type'; at: number; value: unknown }
  | { op: 'add'; at: number; key: string; value: unknown };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: jsonish }),
  fc.record({
    op: fc.constant('wrong-type' as const),
    at: fc.nat(),
    value: fc.constantFrom(0, 1, true, false, null, [], {}, '', 'cvpn-endpoint-0', [1, 2], { a: 1 }),
  }),
  fc.record({ op: fc.constant('add' as const), at: fc.nat(), key: extraKey, value: jsonish }),
);

/** Applies mutations to a deep copy; `add` puts a new key into an object at or above the path. */
export function mutate(event: unknown, mutations: readonly Mutation[]): unknown {
  let root: any = structuredClone(event);
  for (const m of mutations) {
    const paths = pathsOf(root);
    if (paths.length === 0) {
      if (m.op === 'replace' || m.op === 'wrong-type') root = m.value;
      continue;
    }
    const path = paths[m.at % paths.length] ?? [];
    const parent = parentOf(root, path);
    const key = path[path.length - 1] ?? '';
    if (typeof parent !== 'object' || parent === null) continue;
    if (m.op === 'delete') {
      if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
      else Reflect.deleteProperty(parent, key);
    } else if (m.op === 'replace' || m.op === 'wrong-type') {
      setOwn(parent, key, m.value);
    } else {
      const target = typeof parent[key] === 'object' && parent[key] !== null && !Array.isArray(parent[key]) ? parent[key] : parent;
      if (!Array.isArray(target) && !Object.prototype.hasOwnProperty.call(target, m.key)) setOwn(target, m.key, m.value);
    }
  }
  return root;
}

/**
 * Adds fields AWS may add later: only new keys, in objects that already exist, never changing a
 * value the parser reads. The result must parse exactly like the original.
 */
export function addExtraFields(event: unknown, additions: readonly { at: number; key: string; value: unknown }[]): unknown {
  const root: any = structuredClone(event);
  const objects: any[] = [root];
  for (const path of pathsOf(root)) {
    const v = path.reduce((node: any, k) => node?.[k], root);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) objects.push(v);
  }
  for (const a of additions) {
    const target = objects[a.at % objects.length];
    if (!Object.prototype.hasOwnProperty.call(target, a.key)) setOwn(target, a.key, a.value);
  }
  return root;
}

export const extraFields = fc.array(fc.record({ at: fc.nat(), key: extraKey, value: jsonish }), {
  minLength: 1,
  maxLength: 6,
});

/** Inputs that are not CloudTrail events at all. */
export const arbitraryInput = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  {
    weight: 1,
    arbitrary: fc.anything({
      withBoxedValues: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withTypedArray: true,
      withSparseArray: true,
      withDate: true,
      withBigInt: true,
    }),
  },
  // Almost-envelopes: the right top-level keys with arbitrary values.
  {
    weight: 2,
    arbitrary: fc.record(
      {
        version: fc.jsonValue({ maxDepth: 1 }),
        id: fc.jsonValue({ maxDepth: 1 }),
        'detail-type': fc.constantFrom('AWS API Call via CloudTrail', 'Scheduled Event', 42),
        source: fc.constantFrom('aws.ec2', 'aws.s3', null),
        account: fc.oneof(fc.stringMatching(/^\d{12}$/), fc.string()),
        time: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string()),
        region: fc.constantFrom('eu-west-1', 'ap-northeast-1', 'EU', ''),
        detail: fc.jsonValue({ maxDepth: 3 }),
      },
      { requiredKeys: [] },
    ),
  },
);

/** Event names that change nothing, and malformed ones, for `detail.eventName`. */
export const otherEventName = fc.oneof(
  fc.constantFrom(
    'DeleteClientVpnEndpoint', 'CreateClientVpnRoute', 'ModifyClientVpnEndpointLogging', 'modifyclientvpnendpoint',
    'ModifyClientVpnEndpoint ', '', 'ConsoleLogin', 'ModifyClientVpnEndpoint\u0000',
  ),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
);

/** Endpoint IDs as people and tools get them wrong. */
export const badEndpointId = fc.oneof(
  fc.constantFrom(
    'cvpn-endpoint-', 'cvpn-endpoint-0123456789ABCDEF0', 'cvpn-endpoint-0123456789abcdef', 'cvpn-endpoint-0123456789abcdef01',
    'vpn-0123456789abcdef0', ' cvpn-endpoint-0123456789abcdef0', 'cvpn-endpoint-0123456789abcdef0\n', 'cvpn-endpoint-0123456789abcdeg0',
    'CVPN-ENDPOINT-0123456789abcdef0', 'cvpn-endpoint-0123456789abcdef0/../x',
  ),
  fc.string({ maxLength: 60 }),
  fc.string({ maxLength: 40 }).map((s) => `cvpn-endpoint-${s}`),
);

export { createRecord, envelope, modifyRecord, retarget };
