/**
 * The packaged function, run the way an operator would offline: `serverless invoke local`
 * (osls + serverless-esbuild bundle) against the stand-in, configured only through the shell.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Standin } from '../../standin/index';
import { envelope, modifyRecord, retarget } from '../helpers/events';
import { startDynalite, type Dynalite } from '../helpers/dynalite';
import { ENDPOINT, REGION, standinForAccount } from '../helpers/standin-runtime';

let standin: Standin;
// DynamoDB is dynalite, through the SDK's own service-specific variable; the rest goes to the stand-in.
let dynalite: Dynalite;
let table: string;
let dir: string;
let topicArn: string;

beforeAll(async () => {
  [standin, dynalite] = await Promise.all([standinForAccount(), startDynalite()]);
  table = await dynalite.createTable();
  topicArn = standin.createTopic(REGION, 'alerts');
  dir = mkdtempSync(join(tmpdir(), 'cvpn-invoke-'));
}, 60_000);
afterAll(async () => {
  await Promise.all([standin.close(), dynalite.close()]);
  rmSync(dir, { recursive: true, force: true });
});

// Asynchronous on purpose: the stand-in runs in this process and must keep answering.
function invokeLocal(endpointId: string, fn = 'remediate'): Promise<{ status: number | null; output: string }> {
  const path = join(dir, `${endpointId}.json`);
  writeFileSync(path, JSON.stringify(envelope(retarget(modifyRecord(), { endpointId }))));
  const args = ['serverless', 'invoke', 'local', '-f', fn, '--path', path, '--region', REGION];
  const options = {
    encoding: 'utf8' as const,
    timeout: 120_000,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ENDPOINT_URL: standin.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynalite.url,
      CVPN_STATE_TABLE: table,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: REGION,
      AWS_EC2_METADATA_DISABLED: 'true',
      CVPN_TOPIC_ARN: topicArn,
      POWERTOOLS_METRICS_DISABLED: 'true',
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
    },
  };
  return new Promise((resolve) => {
    execFile('npx', args, options, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ status, output: `${stdout}${stderr}` });
    });
  });
}

describe('serverless invoke local -f remediate against the stand-in', () => {
  it('remediates a disabled endpoint and leaves enabled, exempt and deleted ones alone', async () => {
    const enabled = 'cvpn-endpoint-0aaaaaaaaaaaaaaa1';
    const exempt = 'cvpn-endpoint-0aaaaaaaaaaaaaaa2';
    const deleted = 'cvpn-endpoint-0aaaaaaaaaaaaaaa3';
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    standin.addEndpoint(REGION, { id: enabled, logging: { enabled: true, logGroup: 'kept' } });
    standin.addLogGroup(REGION, 'kept');
    standin.addEndpoint(REGION, { id: exempt, logging: { enabled: false }, tags: { 'cvpn-log-guard:exempt': 'lab' } });
    standin.addEndpoint(REGION, { id: deleted, logging: { enabled: false } });
    standin.deleteEndpoint(REGION, deleted);

    const fixed = await invokeLocal(ENDPOINT);
    expect(fixed.status, fixed.output).toBe(0);
    expect(fixed.output).toContain('"action": "remediated"');
    expect(standin.getEndpoint(REGION, ENDPOINT)?.logging).toMatchObject({
      enabled: true,
      logGroup: `/aws/clientvpn/${ENDPOINT}`,
    });

    for (const [id, action] of [
      [enabled, 'already-compliant'],
      [exempt, 'exempt'],
      [deleted, 'skipped-deleted'],
    ] as const) {
      const before = structuredClone(standin.getEndpoint(REGION, id));
      const run = await invokeLocal(id);
      expect(run.status, run.output).toBe(0);
      expect(run.output).toContain(`"action": "${action}"`);
      expect(standin.getEndpoint(REGION, id)).toEqual(before);
    }
    expect(standin.callsTo('ModifyClientVpnEndpoint')).toHaveLength(1);
    expect(standin.published(topicArn).map((m) => m.attributes.outcome?.stringValue)).toEqual(['remediated', 'exempt']);
  }, 240_000);

  it('sweep fixes what the events missed in its region', async () => {
    standin.reset();
    topicArn = standin.createTopic(REGION, 'alerts');
    const missed = [0, 1, 2].map(() => standin.addEndpoint(REGION, { logging: { enabled: false } }));
    const fine = standin.addEndpoint(REGION, { logging: { enabled: true, logGroup: 'kept' } });
    standin.addLogGroup(REGION, 'kept');
    const run = await invokeLocal(fine, 'sweep');
    expect(run.status, run.output).toBe(0);
    expect(run.output).toMatch(/"remediated": 3/);
    for (const id of missed) expect(standin.getEndpoint(REGION, id)?.logging.enabled).toBe(true);
    expect(standin.published(topicArn)).toHaveLength(3);
  }, 120_000);
});

describe('README "Running the function locally", word for word', () => {
  it('the stand-in prints the shell to paste and the command to run; both work as printed', async () => {
    const { spawn } = await import('node:child_process');
    const server = spawn('npx', ['tsx', 'standin/main.ts'], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    try {
      let printed = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => { reject(new Error(`the stand-in printed no command:\n${printed}`)); }, 60_000);
        server.stdout.on('data', (chunk: Buffer) => {
          printed += chunk.toString();
          if (/^Then: .*$/m.test(printed)) {
            clearTimeout(timer);
            resolve();
          }
        });
        server.once('exit', (code) => { reject(new Error(`the stand-in exited (${String(code)}):\n${printed}`)); });
      });
      // Only what it printed: `export NAME=value` lines and the command after "Then:".
      const pasted = Object.fromEntries([...printed.matchAll(/^export ([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']));
      expect(Object.keys(pasted)).toEqual(expect.arrayContaining(['AWS_ENDPOINT_URL', 'AWS_REGION', 'CVPN_TOPIC_ARN', 'CVPN_STATE_TABLE']));
      const command = /^Then: (.*)$/m.exec(printed)?.[1]?.trim().split(/\s+/) ?? [];
      expect(command.slice(0, 4)).toEqual(['npx', 'serverless', 'invoke', 'local']);
      const run = () =>
        new Promise<string>((resolve) => {
          execFile(command[0] ?? 'npx', command.slice(1), { encoding: 'utf8', timeout: 120_000, env: { PATH: process.env.PATH, HOME: process.env.HOME, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', ...pasted } }, (_e, stdout, stderr) => { resolve(`${stdout}${stderr}`); },
          );
        });
      const first = await run();
      expect(first).toContain('"action": "remediated"');
      expect(first).toMatch(/"messageId": "[0-9a-f-]{36}"/);
      expect(first).not.toMatch(/Error:|Warning/);
      expect(await run()).toContain('"action": "already-compliant"');
    } finally {
      server.kill('SIGTERM');
    }
  }, 240_000);
});
