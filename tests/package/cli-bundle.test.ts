/**
 * The CLI as users get it: the bundled `bin/cvpn-log-guard.cjs` (built by `npm ci` through
 * `prepare`), run as a separate process, and the files `npm pack` would ship, run from a folder
 * with no node_modules in reach.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Standin } from '../../standin/index';
import { envelope, modifyRecord } from '../helpers/events';
import { ENDPOINT, REGION, standinForAccount } from '../helpers/standin-runtime';

const ROOT = join(import.meta.dirname, '..', '..');
let standin: Standin;
let dir: string;

beforeAll(async () => {
  // Always rebuilt: a bundle left from an older checkout would test old code.
  execFileSync('node', ['scripts/build-cli.mjs'], { cwd: ROOT });
  standin = await standinForAccount();
  dir = mkdtempSync(join(tmpdir(), 'cvpn-bundle-'));
});
afterAll(async () => {
  await standin.close();
  rmSync(dir, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_ENDPOINT_URL: standin.url,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Runs the CLI in a child process; asynchronous so the in-process stand-in keeps answering. */
function runBin(bin: string, args: string[], stdin?: string, cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', [bin, ...args], { cwd, env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => { resolve({ code: code ?? -1, stdout, stderr }); });
    child.stdin.end(stdin ?? '');
  });
}

describe('the bundled CLI', () => {
  it('replays an event from standard input', async () => {
    standin.reset();
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    const r = await runBin('bin/cvpn-log-guard.cjs', ['replay', '--file', '-', '--json'], JSON.stringify(envelope(modifyRecord())));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ action: 'remediated', endpointId: ENDPOINT, verification: 'verified' });
    expect(standin.getEndpoint(REGION, ENDPOINT)?.logging.enabled).toBe(true);
    // No Node or SDK warning text on Node 20 (the SDK's NodeVersionSupportWarning).
    expect(r.stderr).not.toMatch(/Warning/);
  });

  it('prints its version from the bundle', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await runBin('bin/cvpn-log-guard.cjs', ['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`cvpn-log-guard ${version}\n`);
  });

  it('prints one clear line and exit 2 for a bad file, no stack trace', async () => {
    const r = await runBin('bin/cvpn-log-guard.cjs', ['replay', '--file', '-'], '{"detail": ');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^cvpn-log-guard: standard input is not valid JSON/);
  });

  it('runs from the packed files alone, with no node_modules in reach', async () => {
    const packed = JSON.parse(
      await new Promise<string>((resolve, reject) => {
        execFile('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT }, (error, stdout) => {
          if (error) reject(error);
          else resolve(stdout);
        });
      }),
    ) as { files: { path: string }[] }[];
    const files = packed[0]?.files.map((f) => f.path) ?? [];
    expect(files).toEqual(expect.arrayContaining(['bin/cvpn-log-guard.cjs', 'dist/cli.cjs', 'package.json', 'README.md']));
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('tests/'))).toBe(false);

    const install = join(dir, 'pkg');
    for (const f of files) {
      mkdirSync(join(install, f, '..'), { recursive: true });
      cpSync(join(ROOT, f), join(install, f));
    }
    standin.reset();
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    const r = await runBin(join(install, 'bin/cvpn-log-guard.cjs'), ['replay', '--file', '-', '--dry-run'], JSON.stringify(envelope(modifyRecord())), install);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^would-remediate\s+cvpn-endpoint-00979964d0389482a/m);
  });
});
