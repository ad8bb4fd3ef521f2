/**
 * The soak: the same fault-injection and fuzz properties `npm test` runs, with any seed and as
 * many cases as you like.
 *
 *   npm run test:soak -- --seed 42 --count 5000          # every property, 5000 cases each
 *   npm run test:soak -- --seed 42 --count 5000 --only invariants
 *
 * A failure prints fast-check's seed and path: re-run with that seed (and the same count) to
 * reproduce it. At the end, one table of what was tried across the suites.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const SUITES = ['invariants', 'invariants-state', 'fuzz-event', 'fuzz-handler', 'fuzz-cli'] as const;

function usage(message: string): never {
  console.error(`test:soak: ${message}`);
  console.error('usage: npm run test:soak -- --seed <integer> --count <cases per property> [--only <suite>[,<suite>]]');
  console.error(`suites: ${SUITES.join(', ')}`);
  process.exit(2);
}

function options(): { seed: number; count: number; suites: string[] } {
  let values;
  try {
    values = parseArgs({
      options: { seed: { type: 'string' }, count: { type: 'string' }, only: { type: 'string' } },
      strict: true,
    }).values;
  } catch (error) {
    usage(error instanceof Error ? error.message : String(error));
  }
  const seed = Number(values.seed ?? Date.now() % 2 ** 31);
  const count = Number(values.count ?? 1000);
  if (!Number.isSafeInteger(seed)) usage('--seed must be an integer');
  if (!Number.isSafeInteger(count) || count < 1) usage('--count must be a positive integer');
  const suites = values.only ? values.only.split(',').map((s) => s.trim()) : [...SUITES];
  for (const s of suites) if (!(SUITES as readonly string[]).includes(s)) usage(`unknown suite ${s}`);
  return { seed, count, suites };
}

async function main(): Promise<number> {
  const { seed, count, suites } = options();
  const dir = mkdtempSync(join(tmpdir(), 'cvpn-soak-'));
  const report = join(dir, 'report.jsonl');
  console.log(`soak: seed ${seed}, ${count} cases per property, suites ${suites.join(', ')}`);
  const started = Date.now();
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(
      'npx',
      ['vitest', 'run', ...suites.map((s) => `tests/fuzz/${s}.test.ts`), '--testTimeout=0', '--hookTimeout=0'],
      {
        stdio: 'inherit',
        env: {
          ...process.env,
          CVPN_FUZZ_SEED: String(seed),
          CVPN_FUZZ_RUNS: String(count),
          CVPN_FUZZ_REPORT: report,
        },
      },
    );
    child.on('error', reject);
    child.on('close', (c) => {
      resolve(c ?? 1);
    });
  });

  let lines: Record<string, number | string>[] = [];
  try {
    lines = readFileSync(report, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, number | string>);
  } catch {
    // No report: vitest failed before any suite finished; its own output says why.
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`\nsoak summary (seed ${seed}, ${((Date.now() - started) / 1000).toFixed(0)} s):`);
  for (const l of lines) {
    const { suite, seed: _seed, ...counts } = l;
    console.log(`  ${String(suite).padEnd(13)} ${Object.entries(counts).map(([k, v]) => `${k} ${String(v)}`).join(', ')}`);
  }
  console.log(code === 0 ? 'soak: all properties held' : `soak: FAILED (exit ${code}); re-run with --seed ${seed} --count ${count}`);
  return code;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`test:soak: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
