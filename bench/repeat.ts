/**
 * Runs the whole bench several times and reports every figure as the median of the runs with its
 * range, the form the README publishes (one run's figure moves by a few percent on 2 vCPUs, and a
 * figure another run can't reproduce is worse than none).
 *
 *   npx tsx bench/repeat.ts [--times N] [-- <options for run.ts>]
 *
 * Each run is a fresh `tsx bench/run.ts` process; its bench/results.json is read after it ends.
 * The summary goes to stdout and to bench/summary.json (git-ignored).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface Figure {
  id: string;
  figure: string;
  measured: number;
  unit: string;
  ratio?: number;
}

const ROOT = path.resolve(import.meta.dirname, '..');
const { values, positionals } = parseArgs({ options: { times: { type: 'string', default: '5' } }, allowPositionals: true });
const times = Number(values.times);
if (!Number.isInteger(times) || times < 1 || times > 50) {
  console.error('bench/repeat: --times takes a whole number from 1 to 50');
  process.exit(2);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const round = (x: number): number => Math.round(x * 100) / 100;

const runs: Figure[][] = [];
for (let i = 1; i <= times; i++) {
  console.error(`bench/repeat: run ${i}/${times}`);
  const r = spawnSync('npx', ['tsx', 'bench/run.ts', ...positionals], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0 && r.status !== 1) {
    console.error(`bench/repeat: run ${i} failed (exit ${String(r.status)})`);
    process.exit(1);
  }
  const results = JSON.parse(readFileSync(path.join(ROOT, 'bench', 'results.json'), 'utf8')) as { figures: Figure[] };
  runs.push(results.figures);
}

const summary = (runs[0] ?? []).map((f) => {
  const measured = runs.map((run) => run.find((g) => g.id === f.id && g.figure === f.figure)?.measured ?? Number.NaN);
  const ratios = runs.map((run) => run.find((g) => g.id === f.id && g.figure === f.figure)?.ratio).filter((x) => x !== undefined);
  return {
    figure: f.figure,
    unit: f.unit,
    median: round(median(measured)),
    min: round(Math.min(...measured)),
    max: round(Math.max(...measured)),
    ...(ratios.length > 0 ? { ratioMedian: round(median(ratios)), ratioMin: round(Math.min(...ratios)), ratioMax: round(Math.max(...ratios)) } : {}),
  };
});

for (const s of summary) {
  const ratio = s.ratioMedian === undefined ? '' : `   ratio ${s.ratioMedian}x [${s.ratioMin}-${s.ratioMax}]`;
  console.log(`${s.figure.padEnd(56)} ${String(s.median).padStart(9)} ${s.unit} [${s.min}-${s.max}]${ratio}`);
}
writeFileSync(path.join(ROOT, 'bench', 'summary.json'), `${JSON.stringify({ times, date: new Date().toISOString(), summary }, null, 2)}\n`);
