/**
 * Runs one CLI command in its own process (so the stand-in, in the parent, does not share its
 * thread): `runCli` from src/cli/main.ts, in process, with clients pointed at the stand-in and
 * the production retry strategy and waits (no fastWaits). Module loading is outside the timing.
 *
 *   node --import tsx bench/cli-child.ts '{"args":[...],"env":{...},"endpoint":"http://..."}'
 *
 * Prints one JSON line: exit code, wall time and CPU time of runCli, and what it printed.
 */
import { runCli } from '../src/cli/main';

interface Spec {
  args: string[];
  env: Record<string, string>;
  endpoint: string;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
const stdout: string[] = [];
const stderr: string[] = [];
const startedAt = performance.timeOrigin + performance.now();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const code = await runCli(spec.args, {
  stdout: (line) => stdout.push(line),
  stderr: (line) => stderr.push(line),
  env: spec.env,
  clientOptions: {
    endpoint: spec.endpoint,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  },
});
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(`${JSON.stringify({ code, ms, cpuMs, startedAt, finishedAt: startedAt + ms, stdout, stderr })}\n`, () => {
  process.exit(0);
});
