/**
 * The state table against dynalite (a real DynamoDB implementation on loopback), with the AWS
 * stand-in for everything else: two real processes racing on one endpoint, the outbox across
 * processes, a duplicated event, repeat detection with CloudTrail unavailable, and the table
 * unreachable.
 */
import { EC2Client, ModifyClientVpnEndpointCommand } from '@aws-sdk/client-ec2';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseSettings } from '../../src/app/config';
import { createRuntime } from '../../src/app/runtime';
import type { Standin } from '../../standin/index';
import { startDynalite, type Dynalite } from '../helpers/dynalite';
import { envelope, modifyRecord, retarget } from '../helpers/events';
import { ACCOUNT, clientOptionsFor, ENDPOINT, handlerFor, lambdaContext, REGION, runCliAgainst, standinForAccount } from '../helpers/standin-runtime';

let standin: Standin;
let dynalite: Dynalite;
let dir: string;
let topicArn: string;
let table: string;

beforeAll(async () => {
  [standin, dynalite] = await Promise.all([standinForAccount(), startDynalite()]);
  dir = mkdtempSync(join(tmpdir(), 'cvpn-state-'));
}, 60_000);
afterAll(async () => {
  await Promise.all([standin.close(), dynalite.close()]);
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  standin.reset({ config: true });
  topicArn = standin.createTopic(REGION, 'alerts');
  standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
  standin.addLogGroup(REGION, `/aws/clientvpn/${ENDPOINT}`);
  table = await dynalite.createTable();
});

const okModifies = () => standin.callsTo('ModifyClientVpnEndpoint').filter((c) => c.status === 200).length;
const alerts = () => standin.published(topicArn).map((m) => m.attributes.outcome?.stringValue);

/** A runtime in this process: a fresh "container" sharing the table. */
function container(options: { stateEndpoint?: string } = {}) {
  return handlerFor(
    createRuntime({
      settings: parseSettings({ CVPN_TOPIC_ARN: topicArn, CVPN_STATE_TABLE: table }),
      homeRegion: REGION,
      clientOptions: clientOptionsFor(standin),
      stateEndpoint: options.stateEndpoint ?? dynalite.url,
      ignoreOwnRole: true,
      overrides: { verifyDelaysMs: [0, 0], propagationDelaysMs: [0, 0], sleep: async () => {} },
    }),
  );
}

interface ChildResult {
  ok: boolean;
  value?: { status: string; action?: string; duplicate?: boolean };
  error?: string;
}

/** Starts one process per event file, releases them together, and collects their results. */
async function racingProcesses(eventFiles: string[]): Promise<ChildResult[]> {
  const children = eventFiles.map((file) =>
    spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/state-child.ts'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        STANDIN_URL: standin.url,
        DYNAMODB_URL: dynalite.url,
        CVPN_STATE_TABLE: table,
        CVPN_TOPIC_ARN: topicArn,
        EVENT_FILE: file,
        AWS_EC2_METADATA_DISABLED: 'true',
        POWERTOOLS_METRICS_DISABLED: 'true',
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const outputs = children.map((child) => {
    let text = '';
    const ready = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (text.includes('ready\n')) resolve();
      });
    });
    const done = new Promise<string>((resolve) => child.on('close', () => { resolve(text); }));
    return { ready, done };
  });
  await Promise.all(outputs.map((o) => o.ready));
  for (const child of children) child.stdin.end('go\n');
  const texts = await Promise.all(outputs.map((o) => o.done));
  return texts.map((t) => JSON.parse(t.split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}') as ChildResult);
}

function eventFile(name: string, eventId: string): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(envelope(retarget(modifyRecord(), { endpointId: ENDPOINT, eventId }))));
  return path;
}

describe('state table, two real processes', () => {
  it('two events for one endpoint at once: one Modify, one alert, neither invocation fails', async () => {
    // Both read "off" before either can write: the lease decides who writes.
    standin.setLatency(150, 'DescribeClientVpnEndpoints');
    const results = await racingProcesses([eventFile('a', 'evt-race-a'), eventFile('b', 'evt-race-b')]);
    expect(results.map((r) => r.ok), JSON.stringify(results)).toEqual([true, true]);
    expect(results.map((r) => r.value?.action).sort()).toEqual(['already-compliant', 'remediated']);
    expect(okModifies()).toBe(1);
    expect(alerts()).toEqual(['remediated']);
  }, 60_000);

  it('the same event delivered to two processes at once: one write, one alert, the stored result answers', async () => {
    standin.setLatency(100, 'DescribeClientVpnEndpoints');
    const file = eventFile('dup', 'evt-dup');
    const results = await racingProcesses([file, file]);
    expect(results.every((r) => r.ok && r.value?.action === 'remediated'), JSON.stringify(results)).toBe(true);
    expect(results.filter((r) => r.value?.duplicate)).toHaveLength(1);
    expect(okModifies()).toBe(1);
    expect(alerts()).toEqual(['remediated']);
  }, 60_000);

  it('a fix whose alert failed in one process is announced once by the retry in another', async () => {
    standin.injectFault({ action: 'Publish', code: 'AuthorizationError', status: 403, times: 1 });
    const file = eventFile('outbox', 'evt-outbox');
    const [first] = await racingProcesses([file]);
    expect(first?.ok).toBe(false);
    expect(first?.error).toMatch(/alert could not be sent/);
    expect(alerts()).toEqual([]);
    const [retry] = await racingProcesses([file]);
    expect(retry?.value).toMatchObject({ status: 'processed', action: 'remediated', duplicate: true });
    const [again] = await racingProcesses([file]);
    expect(again?.value).toMatchObject({ action: 'remediated', duplicate: true });
    expect(okModifies()).toBe(1);
    expect(alerts()).toEqual(['remediated']);
  }, 60_000);
});

describe('state table, in one process', () => {
  it('a second switch-off ten minutes after a fix is a repeat for a fresh container, with CloudTrail unavailable', async () => {
    standin.injectFault({ action: 'LookupEvents', code: 'AccessDeniedException', status: 400, times: Infinity });
    const first = container();
    await expect(first.handler(envelope(retarget(modifyRecord(), { endpointId: ENDPOINT, eventId: 'evt-1' })), lambdaContext())).resolves.toMatchObject({ action: 'remediated' });
    // Someone switches it off again (through the API, as a person would).
    const ec2 = new EC2Client({ region: REGION, endpoint: standin.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await ec2.send(new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: ENDPOINT, ConnectionLogOptions: { Enabled: false } }));
    ec2.destroy();
    const tenMinutesLater = new Date(Date.now() + 10 * 60_000).toISOString();
    const fresh = container();
    const second = envelope(retarget(modifyRecord(), { endpointId: ENDPOINT, eventId: 'evt-2', eventTime: tenMinutesLater }), { time: tenMinutesLater });
    await expect(fresh.handler(second, lambdaContext())).resolves.toMatchObject({ action: 'remediated' });
    const published = standin.published(topicArn);
    expect(published.map((m) => m.attributes.repeat?.stringValue)).toEqual([undefined, 'true']);
    expect(standin.callsTo('LookupEvents')).toHaveLength(0);
  });

  it('table unreachable: logging is still turned back on, with a warning, a metric and the note in the alert', async () => {
    const unreachable = container({ stateEndpoint: 'http://127.0.0.1:9' });
    const result = await unreachable.handler(envelope(retarget(modifyRecord(), { endpointId: ENDPOINT, eventId: 'evt-down' })), lambdaContext());
    expect(result).toMatchObject({ action: 'remediated' });
    expect(standin.getEndpoint(REGION, ENDPOINT)?.logging.enabled).toBe(true);
    expect(unreachable.lines.filter((l) => l.level === 'warn').map((l) => l.message).join('\n')).toMatch(/State table unavailable/);
    const [alert] = standin.published(topicArn);
    expect(alert?.message).toContain('state unavailable: duplicates possible');
  });
});

describe('state table, CLI', () => {
  it('scan --apply waits for a lease the Lambda holds, re-reads and writes nothing when the holder fixed it', async () => {
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { DynamoStateTable } = await import('../../src/aws/dynamodb');
    const client = new DynamoDBClient({ region: REGION, endpoint: dynalite.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const lambda = new DynamoStateTable(client, table);
    const key = `${ACCOUNT}/${REGION}/${ENDPOINT}`;
    expect((await lambda.tryLease(key, 'lambda', Date.now(), 10_000)).acquired).toBe(true);
    // The "Lambda" fixes the endpoint and lets go while the scan waits.
    const holder = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const ec2 = new EC2Client({ region: REGION, endpoint: standin.url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      await ec2.send(
        new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: ENDPOINT, ConnectionLogOptions: { Enabled: true, CloudwatchLogGroup: `/aws/clientvpn/${ENDPOINT}` } }),
      );
      ec2.destroy();
      await lambda.releaseLease(key, 'lambda', Date.now());
    })();
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynalite.url;
    try {
      const run = await runCliAgainst(standin, ['scan', '--apply', '--region', REGION, '--state-table', table, '--json'], {
        AWS_REGION: REGION,
      });
      await holder;
      expect(run.code, run.err).toBe(0);
      expect(run.out).toContain('already-compliant');
    } finally {
      delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
      client.destroy();
    }
    expect(okModifies()).toBe(1); // the holder's, none from the scan
  }, 30_000);
});
