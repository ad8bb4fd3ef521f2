/**
 * Property-based tests of `cvpn-log-guard replay --file` against the stand-in: generated files
 * (arbitrary JSON, truncated JSON, binary bytes, garbage text, JSON lines mixing good, broken and
 * hostile events, 1 MiB values, thousands of events). Whatever the file: exit code 0, 1 or 2;
 * stderr at most one line per message and never a stack trace; stdout one result per line; and
 * no AWS write for an entry the parser rejects.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main';
import { envelopeFromRecord, isBareCloudTrailRecord, parseTriggerEvent } from '../../src/domain/event';
import type { Standin } from '../../standin/index';
import {
  counter,
  envelope,
  fuzzRun,
  fuzzTimeout,
  huge,
  mutate,
  mutation,
  realRecord,
  reportCounts,
} from '../helpers/fuzz';
import { clientOptionsFor, REGION, standinForAccount } from '../helpers/standin-runtime';

const GOOD = ['cvpn-endpoint-0aaaaaaaaaaaaaaa1', 'cvpn-endpoint-0aaaaaaaaaaaaaaa2'];
/** Broken events target this endpoint; it may be written only if one of them is in fact valid. */
const BAIT = 'cvpn-endpoint-0bbbbbbbbbbbbbbb1';

const counts = counter('files', 'events', 'exit0', 'exit1', 'exit2', 'crashes');
const RUN = fuzzRun(0x5eed3, 60);

let standin: Standin;
let dir: string;
let topicArn: string;
let fileNo = 0;

beforeAll(async () => {
  standin = await standinForAccount();
  dir = mkdtempSync(join(tmpdir(), 'cvpn-fuzz-cli-'));
});
afterAll(async () => {
  reportCounts('fuzz-cli', counts, RUN);
  await standin.close();
  rmSync(dir, { recursive: true, force: true });
});

function freshAccount(): void {
  standin.reset();
  topicArn = standin.createTopic(REGION, 'alerts');
  for (const id of [...GOOD, BAIT]) standin.addEndpoint(REGION, { id, logging: { enabled: false } });
}

function isValidEntry(entry: unknown): boolean {
  try {
    parseTriggerEvent(isBareCloudTrailRecord(entry) ? envelopeFromRecord(entry, 'x') : entry);
    return true;
  } catch {
    return false;
  }
}

/** Runs the CLI on `content` and checks the contract; `allowed` are the endpoints it may write. */
async function replay(content: string | Uint8Array, allowed: ReadonlySet<string>, extraArgs: string[] = []) {
  freshAccount();
  counts.files = (counts.files ?? 0) + 1;
  const path = join(dir, `f${fileNo++}.json`);
  writeFileSync(path, content);
  const stdout: string[] = [];
  const stderr: string[] = [];
  let code: number;
  try {
    code = await runCli(['replay', '--file', path, '--topic-arn', topicArn, ...extraArgs], {
      stdout: (l) => stdout.push(l),
      stderr: (l) => stderr.push(l),
      env: { AWS_REGION: REGION },
      clientOptions: clientOptionsFor(standin),
      fastWaits: true,
    });
  } catch (error) {
    counts.crashes = (counts.crashes ?? 0) + 1;
    throw new Error(`runCli threw: ${String(error)}`, { cause: error });
  }
  counts[`exit${code}`] = (counts[`exit${code}`] ?? 0) + 1;

  expect([0, 1, 2]).toContain(code);
  for (const line of [...stdout, ...stderr]) {
    expect(line).not.toMatch(/[\r\n]/);
    expect(line).not.toMatch(/\bat .*\.(ts|js|cjs|mjs):\d+/);
  }
  if (stderr.some((l) => l.includes('unexpected error'))) counts.crashes = (counts.crashes ?? 0) + 1;
  expect(stderr.join('\n')).not.toContain('unexpected error');
  if (code === 2) {
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^cvpn-log-guard: \S/);
    expect(standin.calls).toHaveLength(0);
  }
  for (const call of standin.callsTo('ModifyClientVpnEndpoint')) {
    expect(allowed.has(String(call.params.ClientVpnEndpointId)), `unexpected write to ${String(call.params.ClientVpnEndpointId)}`).toBe(true);
  }
  for (const call of standin.callsTo('CreateLogGroup')) {
    expect([...allowed].some((id) => String(call.params.logGroupName).includes(id))).toBe(true);
  }
  for (const message of standin.published(topicArn)) {
    expect([...allowed].some((id) => message.subject?.includes(id))).toBe(true);
  }
  const summary = stdout.at(-1) ?? '';
  const m = /^(\d+) events?:/.exec(summary);
  if (m) counts.events = (counts.events ?? 0) + Number(m[1]);
  return { code, stdout, stderr };
}

const goodEntry = fc
  .record({ kind: fc.constantFrom('create' as const, 'modify' as const), endpoint: fc.constantFrom(...GOOD), eventId: fc.uuid(), bare: fc.boolean() })
  .map(({ kind, endpoint, eventId, bare }) => {
    const record = realRecord(kind, { endpointId: endpoint, eventId });
    return bare ? record : envelope(record);
  });

const brokenEntry = fc
  .record({
    kind: fc.constantFrom('create' as const, 'modify' as const),
    eventId: fc.uuid(),
    bare: fc.boolean(),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
  })
  .map(({ kind, eventId, bare, mutations }) => {
    const record = realRecord(kind, { endpointId: BAIT, eventId });
    return mutate(bare ? record : envelope(record), mutations);
  });

const garbageLine = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 120 }).map((s) => s.replace(/[\r\n]/g, ' ')),
  fc.constantFrom('{"truncated": ', '[', ']', '}', 'null', '42', '"string"', '{}', '[]', '{"Records": 7}', '{"Events": [{"CloudTrailEvent": "{not json"}]}'),
);

type Line = { kind: 'good' | 'broken'; value: unknown } | { kind: 'garbage'; text: string };

const line: fc.Arbitrary<Line> = fc.oneof(
  goodEntry.map((value) => ({ kind: 'good' as const, value })),
  brokenEntry.map((value) => ({ kind: 'broken' as const, value })),
  garbageLine.map((text) => ({ kind: 'garbage' as const, text })),
);

function allowedFor(entries: unknown[]): Set<string> {
  const allowed = new Set<string>();
  for (const e of entries) {
    if (!isValidEntry(e)) continue;
    const s = JSON.stringify(e);
    for (const id of [...GOOD, BAIT]) if (s.includes(id)) allowed.add(id);
  }
  return allowed;
}

describe('cvpn-log-guard replay --file under hostile files (property-based)', () => {
  it('JSON lines mixing good, broken, hostile and garbage lines', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 12 }), async (lines) => {
        const text = lines.map((l) => (l.kind === 'garbage' ? l.text : JSON.stringify(l.value))).join('\n');
        const entries = lines.flatMap((l) => (l.kind === 'garbage' ? [] : [l.value]));
        const r = await replay(text, allowedFor(entries));
        // Every good event ran: its endpoint has logging on.
        if (r.code !== 2) {
          for (const l of lines) {
            if (l.kind !== 'good') continue;
            const id = GOOD.find((g) => JSON.stringify(l.value).includes(g)) ?? '';
            expect(standin.getEndpoint(REGION, id)?.logging.enabled, `good event for ${id} not processed`).toBe(true);
          }
        }
      }),
      RUN,
    );
  });

  it('one JSON document (array, trail file, lookup-events output) of good and broken entries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(goodEntry, brokenEntry), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('array', 'trail', 'lookup'),
        async (entries, shape) => {
          const doc =
            shape === 'array'
              ? entries
              : shape === 'trail'
                ? { Records: entries }
                : { Events: entries.map((e) => ({ CloudTrailEvent: JSON.stringify(e) })) };
          await replay(JSON.stringify(doc), allowedFor(entries));
        },
      ),
      RUN,
    );
  });

  it('arbitrary JSON, garbage text and binary bytes: no write; exit 0 only when nothing was invalid', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
          fc.string({ unit: 'binary', maxLength: 400 }),
          fc.uint8Array({ maxLength: 400 }),
          fc.constantFrom('', ' \n\t', '\uFEFF', '\uFEFF{}', '\u0000', 'PK\u0003\u0004', '%PDF-1.7'),
        ),
        async (content) => {
          const r = await replay(content, new Set());
          // `[]` or `{"Records": []}` hold no events: "0 events: none" and exit 0 is right.
          if (r.code === 0) expect(r.stdout.filter((l) => l.startsWith('invalid'))).toEqual([]);
        },
      ),
      RUN,
    );
  });

  it('truncated files of good events: never a write beyond what was readable', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(goodEntry, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (entries, asLines, fraction) => {
          const text = asLines ? entries.map((e) => JSON.stringify(e)).join('\n') : JSON.stringify(entries);
          const cut = text.slice(0, Math.floor(text.length * fraction));
          await replay(cut, new Set(GOOD));
        },
      ),
      RUN,
    );
  });

  it('1 MiB values: processed, not choked on', async () => {
    const big = realRecord('modify', { endpointId: GOOD[0] ?? '', eventId: 'big-1' });
    big.requestParameters.ModifyClientVpnEndpointRequest.Description = huge('<!channel> ');
    const badBig = realRecord('modify', { endpointId: BAIT, eventId: huge() });
    const text = `${JSON.stringify(big)}\n${JSON.stringify(badBig)}\n${huge('x')}\n`;
    const r = await replay(text, new Set([GOOD[0] ?? '']));
    expect(r.code).toBe(1);
    expect(standin.getEndpoint(REGION, GOOD[0] ?? '')?.logging.enabled).toBe(true);
    expect(r.stdout.some((l) => l.length > 2_000)).toBe(false);
  });

  it('thousands of events in one file: fast, one write per endpoint', async () => {
    const endpoints = Array.from({ length: 5 }, (_, i) => `cvpn-endpoint-0ccccccccccccccc${i}`);
    const total = Number(process.env.CVPN_FUZZ_BULK ?? 3000);
    const entries = Array.from({ length: total }, (_, i) => {
      const time = new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString();
      return envelope(
        realRecord(i % 2 ? 'modify' : 'create', { endpointId: endpoints[i % endpoints.length] ?? '', eventId: `bulk-${i}` }),
        { time },
      );
    });
    for (const e of entries) e.detail.eventTime = e.time;
    freshAccount();
    for (const id of endpoints) standin.addEndpoint(REGION, { id, logging: { enabled: false } });
    const path = join(dir, 'bulk.json');
    writeFileSync(path, entries.map((e) => JSON.stringify(e)).join('\n'));
    const stdout: string[] = [];
    const stderr: string[] = [];
    const started = performance.now();
    const code = await runCli(['replay', '--file', path, '--json'], {
      stdout: (l) => stdout.push(l),
      stderr: (l) => stderr.push(l),
      env: { AWS_REGION: REGION },
      clientOptions: clientOptionsFor(standin),
      fastWaits: true,
    });
    const seconds = (performance.now() - started) / 1000;
    counts.files = (counts.files ?? 0) + 1;
    counts.events = (counts.events ?? 0) + total;
    console.log(`fuzz-cli: ${total} events in one file replayed in ${seconds.toFixed(1)} s`);
    expect(code, stderr.join('\n')).toBe(0);
    const results = stdout.map((l) => JSON.parse(l));
    expect(results).toHaveLength(total);
    expect(results.filter((r) => r.action === 'remediated')).toHaveLength(endpoints.length);
    expect(standin.callsTo('ModifyClientVpnEndpoint')).toHaveLength(endpoints.length);
    expect(seconds).toBeLessThan(30);
  }, fuzzTimeout(60_000));
});
