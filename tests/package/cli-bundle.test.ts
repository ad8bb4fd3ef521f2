/**
 * The CLI as users get it: the bundled `bin/cvpn-log-guard.cjs` (built by `npm ci` through
 * `prepare`), run as a separate process, and the tarball `npm run pack:cli` makes, unpacked in a
 * folder with no node_modules in reach and installed with `npm install -g` offline.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
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
    // Node 20 here: the SDK would print its NodeVersionSupportWarning unless the bin stops it.
    PATH: process.env.PATH,
    AWS_ENDPOINT_URL: standin.url,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Runs the CLI in a child process; asynchronous so the in-process stand-in keeps answering. */
function runBin(
  bin: string,
  args: string[],
  stdin?: string,
  cwd = ROOT,
  environment = env(),
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', [bin, ...args], { cwd, env: environment, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => { resolve({ code: code ?? -1, stdout, stderr }); });
    child.stdin.end(stdin ?? '');
  });
}

let packed: Promise<string> | undefined;
/** `npm run pack:cli` once per file: the tarball path. */
function pack(): Promise<string> {
  packed ??= new Promise((resolve, reject) => {
    execFile('node', ['scripts/pack.mjs', '--out', join(dir, 'tarball')], { cwd: ROOT, encoding: 'utf8' }, (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout.trim());
    });
  });
  return packed;
}

describe('the bundled CLI', () => {
  it('replays an event from standard input', async () => {
    standin.reset();
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    const r = await runBin('bin/cvpn-log-guard.cjs', ['replay', '--file', '-', '--json'], JSON.stringify(envelope(modifyRecord())));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ action: 'remediated', endpointId: ENDPOINT, verification: 'verified' });
    expect(standin.getEndpoint(REGION, ENDPOINT)?.logging.enabled).toBe(true);
    expect(r.stderr).not.toMatch(/Warning/);
  });

  it('prints no Node or SDK warning on any command', async () => {
    standin.reset();
    for (const args of [['scan', '--regions', 'all'], ['replay', '--since', '1h'], ['redrive', '--stage', 'dev']]) {
      const r = await runBin('bin/cvpn-log-guard.cjs', args);
      expect(r.stderr, args.join(' ')).not.toMatch(/Warning:|\(node:\d+\)|NodeVersionSupport/);
      expect(r.stdout, args.join(' ')).not.toMatch(/Warning:|NodeVersionSupport/);
    }
  });

  it('--version prints the package version baked into the bundle', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await runBin('bin/cvpn-log-guard.cjs', ['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`cvpn-log-guard ${version}\n`);
    expect((await runBin('bin/cvpn-log-guard.cjs', ['-V'])).stdout).toBe(r.stdout);
  });

  it('without credentials: one line naming the profile or the variables, exit 1, no stack trace', async () => {
    const home = mkdtempSync(join(dir, 'home-'));
    const bare = { PATH: process.env.PATH, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', AWS_REGION: REGION, AWS_ENDPOINT_URL: standin.url };
    const calls = standin.calls.length;
    const profile = await runBin('bin/cvpn-log-guard.cjs', ['scan', '--profile', 'nope'], undefined, ROOT, bare);
    expect(profile.code).toBe(1);
    expect(profile.stderr).toBe('cvpn-log-guard: no AWS credentials: profile "nope" (--profile) not found in ~/.aws/config or ~/.aws/credentials (neither file exists)\n');
    const none = await runBin('bin/cvpn-log-guard.cjs', ['replay', '--since', '1h'], undefined, ROOT, bare);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      'cvpn-log-guard: no AWS credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set, no AWS_PROFILE or --profile, and no "default" profile in ~/.aws/config or ~/.aws/credentials\n',
    );
    const half = await runBin('bin/cvpn-log-guard.cjs', ['scan'], undefined, ROOT, { ...bare, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE' });
    expect(half.stderr).toBe('cvpn-log-guard: no AWS credentials: AWS_SECRET_ACCESS_KEY is not set (AWS_ACCESS_KEY_ID is)\n');
    expect(standin.calls.length).toBe(calls);
  });

  it('prints one clear line and exit 2 for a bad file, no stack trace', async () => {
    const r = await runBin('bin/cvpn-log-guard.cjs', ['replay', '--file', '-'], '{"detail": ');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^cvpn-log-guard: standard input is not valid JSON/);
  });

  it('runs from the packed tarball alone, with no node_modules in reach', async () => {
    const tarball = await pack();
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(files).toEqual(['package/README.md', 'package/bin/cvpn-log-guard.cjs', 'package/dist/cli.cjs', 'package/package.json']);

    const unpacked = join(dir, 'unpacked');
    mkdirSync(unpacked, { recursive: true });
    execFileSync('tar', ['xzf', tarball, '-C', unpacked]);
    const install = join(unpacked, 'package');
    const manifest = JSON.parse(readFileSync(join(install, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).not.toHaveProperty('dependencies');
    expect(manifest).not.toHaveProperty('scripts');
    standin.reset();
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    const r = await runBin(join(install, 'bin/cvpn-log-guard.cjs'), ['replay', '--file', '-', '--dry-run'], JSON.stringify(envelope(modifyRecord())), install);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^would-remediate\s+cvpn-endpoint-00979964d0389482a/m);
  });

  it('installs globally offline from the tarball, with an empty cache and no warning', async () => {
    const tarball = await pack();
    const prefix = mkdtempSync(join(dir, 'prefix-'));
    const cache = mkdtempSync(join(dir, 'cache-'));
    const out = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        'npm',
        ['install', '-g', '--prefix', prefix, '--cache', cache, '--offline', '--no-audit', '--no-fund', tarball],
        // No registry in reach: a dependency would fail the install instead of downloading.
        { env: { PATH: process.env.PATH, HOME: cache, npm_config_registry: 'http://127.0.0.1:9/' }, encoding: 'utf8' },
        (error, stdout, stderr) => {
          resolve({ code: error ? 1 : 0, output: `${stdout}${stderr}` });
        },
      );
    });
    expect(out.code, out.output).toBe(0);
    expect(out.output).toMatch(/added 1 package/);
    expect(out.output).not.toMatch(/warn|prepare/i);
    const version = execFileSync(join(prefix, 'bin', 'cvpn-log-guard'), ['--version'], { encoding: 'utf8' });
    expect(version).toMatch(/^cvpn-log-guard \d+\.\d+\.\d+/);
    expect(readdirSync(join(prefix, 'lib', 'node_modules'))).toEqual(['cvpn-log-guard']);
  });

  it('refuses a plain `npm pack` of the project, which would ship its dependencies', async () => {
    const out = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile('npm', ['pack', '--dry-run'], { cwd: ROOT, encoding: 'utf8' }, (error, stdout, stderr) => {
        resolve({ code: error ? 1 : 0, output: `${stdout}${stderr}` });
      });
    });
    expect(out.code).toBe(1);
    expect(out.output).toContain('run `npm run pack:cli`');
  });
});
