/**
 * The bundled CLI on a real terminal: tmux gives it a pty of a fixed width and keeps the screen it
 * draws, so what a person would see can be read back (`capture-pane -J` joins wrapped rows, so a
 * line wider than the terminal shows as one long line).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Standin } from '../../standin/index';
import { REGION, standinForAccount } from '../helpers/standin-runtime';

const ROOT = join(import.meta.dirname, '..', '..');
const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let standin: Standin;
let dir: string;
const session = `cvpn-term-${process.pid}`;

beforeAll(async () => {
  execFileSync('node', ['scripts/build-cli.mjs'], { cwd: ROOT });
  standin = await standinForAccount();
  dir = mkdtempSync(join(tmpdir(), 'cvpn-term-'));
});
afterAll(async () => {
  try {
    execFileSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
  } catch {
    // Already gone.
  }
  await standin.close();
  rmSync(dir, { recursive: true, force: true });
});

let runs = 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function capture(): string[] {
  return execFileSync('tmux', ['capture-pane', '-t', session, '-p', '-J'], { encoding: 'utf8' }).split('\n');
}

/**
 * Runs the CLI in a fresh tmux window `columns` wide, capturing the screen every 50 ms while it
 * runs; returns every screen seen, the last one, and the exit code.
 */
async function onTerminal(columns: number, args: string[]): Promise<{ screens: string[][]; last: string[]; code: number }> {
  runs++;
  const done = join(dir, `done-${runs}`);
  const env = {
    AWS_ENDPOINT_URL: standin.url,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const exports = Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ');
  // `clear` first, so the screen holds only the command's output; the exit code goes to a file.
  const command = `clear; ${exports} node bin/cvpn-log-guard.cjs ${args.join(' ')}; echo $? > ${done}; sleep 30`;
  try {
    execFileSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
  } catch {
    // None yet.
  }
  execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', String(columns), '-y', '100', '-c', ROOT, 'bash', '--norc', '-c', command]);
  const screens: string[][] = [];
  for (let waited = 0; waited < 20_000; waited += 50) {
    screens.push(capture());
    try {
      const code = Number(readFileSync(done, 'utf8').trim());
      await sleep(100);
      const last = capture();
      return { screens, last, code };
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`the CLI did not finish on the ${columns}-column terminal`);
}

describe.skipIf(!hasTmux)('the CLI on a terminal', () => {
  it.each([80, 40])('scan --regions all at %i columns: progress stays on one line and leaves nothing behind', async (columns) => {
    standin.reset();
    // Regions answer one after another, so the progress line is redrawn many times.
    standin.injectFault({ code: 'UnauthorizedOperation', status: 403, message: 'You are not authorized to perform this operation.', region: 'eu-west-3', action: 'DescribeClientVpnEndpoints', times: Infinity });
    standin.regions.forEach((r, i) => {
      standin.addEndpoint(r.name, { logging: { enabled: false } });
      standin.addEndpoint(r.name, { logging: { enabled: true, logGroup: 'kept' } });
      standin.addLogGroup(r.name, 'kept');
      standin.injectFault({ kind: 'delay', ms: 120 * i, region: r.name, action: 'DescribeClientVpnEndpoints', times: Infinity });
    });

    const { screens, last, code } = await onTerminal(columns, ['scan', '--regions', 'all']);
    expect(code).toBe(1);
    const progress = screens.flat().filter((l) => /\d+\/\d+ regions/.test(l));
    expect(progress.length, 'the progress line was drawn').toBeGreaterThan(0);
    // Nothing on screen may be wider than the terminal, or the next redraw leaves fragments. At 80
    // columns that includes the results; at 40 the table (32-character endpoint IDs kept whole, to
    // be copied) is the terminal's to wrap.
    for (const screen of columns >= 80 ? [...screens, last] : screens.filter((s) => !s.some((l) => l.includes('cvpn-endpoint-')))) {
      for (const line of screen) expect(line.length, `wider than ${columns}: ${line}`).toBeLessThanOrEqual(columns);
    }
    for (const line of progress) expect(line.length).toBeLessThan(columns);
    // None of the progress line may be left at the end, nor any fragment of it.
    expect(last.filter((l) => /regions ·|· \d+ (endpoints|fixed|failed)|…$/.test(l))).toEqual([]);
    const text = last.join('\n');
    expect(text).toMatch(/NON-COMPLIANT/);
    expect(text.replace(/\n\s+/g, ' ')).toMatch(/^\d+ endpoints in 17 regions \(1 failed: eu-west-3: UnauthorizedOperation: You are not authorized/m);
    expect(text).not.toMatch(/Warning/);
  }, 60_000);

  it('--no-progress draws nothing', async () => {
    standin.reset();
    standin.clearFaults();
    standin.setLatency(200);
    try {
      const { screens, last, code } = await onTerminal(80, ['scan', '--regions', 'all', '--no-progress']);
      expect(code, last.join('\n')).toBe(0);
      expect(screens.flat().filter((l) => /regions ·/.test(l))).toEqual([]);
    } finally {
      standin.clearLatency();
    }
  }, 60_000);
});
