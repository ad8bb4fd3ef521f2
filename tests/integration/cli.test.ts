import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Standin } from '../../standin/index';
import { createRecord, envelope, fixture, modifyRecord, retarget } from '../helpers/events';
import { ACCOUNT, ENDPOINT, REGION, standinForAccount, runCliAgainst } from '../helpers/standin-runtime';

let standin: Standin;
let dir: string;
let topicArn: string;

beforeAll(async () => {
  standin = await standinForAccount();
  dir = mkdtempSync(join(tmpdir(), 'cvpn-cli-'));
});
afterAll(async () => {
  await standin.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  standin.reset();
  topicArn = standin.createTopic(REGION, 'alerts');
});

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function cli(args: string[], env: Record<string, string | undefined> = {}) {
  return runCliAgainst(standin, args, { AWS_REGION: REGION, ...env });
}

const OTHER = 'cvpn-endpoint-0123456789abcdef0';
const writes = () =>
  standin.calls.filter((c) => ['ModifyClientVpnEndpoint', 'CreateLogGroup', 'PutRetentionPolicy', 'Publish'].includes(c.action));

describe('cvpn-log-guard replay --file', () => {
  it('runs a saved EventBridge event through the remediator and alerts', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    const path = file('one.json', JSON.stringify(envelope(modifyRecord())));
    const r = await cli(['replay', '--file', path, '--topic-arn', topicArn]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^remediated\\s+${ENDPOINT} ${REGION} event 9a81b7a0`, 'm'));
    expect(r.out).toContain('(alert sent)');
    expect(r.out).toMatch(/^1 event: 1 remediated$/m);
    expect(standin.getEndpoint(REGION, ENDPOINT)?.logging.enabled).toBe(true);
    expect(standin.published(topicArn)).toHaveLength(1);
  });

  it('accepts bare CloudTrail records, arrays, JSON lines, trail files and lookup-events output', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    standin.addEndpoint(REGION, { id: OTHER, logging: { enabled: false } });
    const a = createRecord();
    const b = retarget(modifyRecord(), { endpointId: OTHER });
    const lookup = fixture('cloudtrail-lookup-events-awscli-example.json');
    lookup.Events.push({ EventId: b.eventID, EventName: b.eventName, CloudTrailEvent: JSON.stringify(b) });

    const variants = {
      'bare.json': JSON.stringify(a),
      'array.json': JSON.stringify([envelope(a), b]),
      'lines.jsonl': `${JSON.stringify(a)}\n\n${JSON.stringify(envelope(b))}\n`,
      'trail.json': JSON.stringify({ Records: [a, b] }),
      'lookup.json': JSON.stringify(lookup),
    };
    for (const [name, content] of Object.entries(variants)) {
      const r = await cli(['replay', '--file', file(name, content), '--dry-run']);
      expect(r.code, `${name}: ${r.err}`).toBe(0);
      expect(r.out, name).toContain('would-remediate');
    }
    // The lookup-events sample's ConsoleLogin record is reported as ignored, not as an error.
    const r = await cli(['replay', '--file', join(dir, 'lookup.json'), '--dry-run']);
    expect(r.out).toMatch(/^ignored\s+event 1: Not an EC2 call \("signin\.amazonaws\.com"\)/m);
    expect(writes()).toHaveLength(0);
  });

  it('dry run changes nothing and publishes nothing', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    const r = await cli(['replay', '--file', file('d.json', JSON.stringify(envelope(modifyRecord()))), '--dry-run', '--topic-arn', topicArn]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('would-remediate');
    expect(r.out).toContain('dry run: nothing changed, nothing published');
    expect(writes()).toHaveLength(0);
  });

  it('processes oldest first, drops duplicates, one write per endpoint', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    const older = retarget(modifyRecord(), { eventId: 'older', eventTime: '2021-04-01T08:00:00Z' });
    const newer = retarget(modifyRecord(), { eventId: 'newer', eventTime: '2021-04-01T09:00:00Z' });
    const r = await cli(['replay', '--json', '--file', file('dup.json', JSON.stringify([newer, older, newer]))]);
    const results = r.stdout.map((l) => JSON.parse(l));
    expect(results.map((x) => [x.eventId, x.action])).toEqual([
      ['older', 'remediated'],
      ['newer', 'already-compliant'],
    ]);
    expect(standin.callsTo('ModifyClientVpnEndpoint')).toHaveLength(1);
  });

  it('--json prints only JSON lines', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: true, logGroup: 'g' } });
    standin.addLogGroup(REGION, 'g');
    const r = await cli(['replay', '--json', '--file', file('j.json', JSON.stringify(envelope(modifyRecord())))]);
    expect(r.code).toBe(0);
    expect(r.stdout).toHaveLength(1);
    expect(JSON.parse(r.stdout[0] ?? '')).toMatchObject({ kind: 'outcome', action: 'already-compliant', account: ACCOUNT });
  });

  it('names a missing file as a usage error', async () => {
    const r = await cli(['replay', '--file', join(dir, 'nope.json')]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`cvpn-log-guard: ${join(dir, 'nope.json')}: no such file`);
  });

  it('exits 1 when an event fails, naming the AWS error', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    standin.injectFault({ action: 'ModifyClientVpnEndpoint', code: 'UnauthorizedOperation', status: 403, message: 'not allowed', times: Infinity });
    const r = await cli(['replay', '--file', file('f.json', JSON.stringify(envelope(modifyRecord()))), '--topic-arn', topicArn]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^failed\s+.*UnauthorizedOperation: not allowed/m);
    expect(standin.published(topicArn)[0]?.attributes.outcome?.stringValue).toBe('failed');
  });

  it('reports a malformed event in a file and still runs the others (exit 1)', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    const bad = modifyRecord();
    bad.requestParameters.ModifyClientVpnEndpointRequest.ClientVpnEndpointId = 'cvpn-endpoint-nothex';
    const path = file('mixed.jsonl', `${JSON.stringify(bad)}\n{"truncated": \n${JSON.stringify(createRecord())}\n`);
    const r = await cli(['replay', '--file', path]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^invalid\s+line 2: not valid JSON/m);
    expect(r.out).toMatch(/^invalid\s+event \d: .*is not a Client VPN endpoint ID/m);
    expect(r.out).toMatch(/^remediated\s+cvpn-endpoint-00979964d0389482a/m);
  });

  it.each([
    ['an empty file', '', /is empty: expected JSON events/],
    ['a binary file', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x01]), /is binary, not JSON events/],
    ['a truncated JSON object', '{"version":"0","detail":{"eventName":', /is not valid JSON/],
    ['plain text', 'hello world', /is not valid JSON/],
  ])('rejects %s with a clear message, exit 2 and no AWS call', async (_label, content, message) => {
    const r = await cli(['replay', '--file', file('bad.json', content)]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    expect(standin.calls).toHaveLength(0);
  });

  it.each([
    [['replay'], /replay needs --file/],
    [['replay', '--file', 'x', '--bogus'], /Unknown option '--bogus'/],
    [['replay', '--file', 'x', '--retention-days', '42'], /CVPN_RETENTION_DAYS \(--retention-days\): 42 is not a retention/],
    [['replay', '--file', 'x', '--log-group', '/a/{nope}'], /unknown placeholder \{nope\}/],
    [['replay', '--file', 'x', '--topic-arn', 'topic'], /must be an SNS topic ARN/],
    [['replay', '--file', 'x', '--region', 'Mars'], /region: must be a region name/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('usage error %j', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(standin.calls).toHaveLength(0);
  });

  it('flags override the environment', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    const path = file('o.json', JSON.stringify(envelope(modifyRecord())));
    const r = await cli(['replay', '--file', path, '--log-group', '/flag/{endpointId}', '--retention-days', '30'], {
      CVPN_LOG_GROUP: '/env/{endpointId}',
      CVPN_RETENTION_DAYS: '90',
    });
    expect(r.code).toBe(0);
    expect(standin.getLogGroup(REGION, `/flag/${ENDPOINT}`)?.retentionInDays).toBe(30);
  });

  it('asks for identity in the event\'s region when no region is configured', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    const path = file('noregion.json', JSON.stringify(envelope(modifyRecord())));
    const r = await cli(['replay', '--file', path], { AWS_REGION: undefined });
    expect(r.code, r.err).toBe(0);
    expect(standin.callsTo('GetCallerIdentity')[0]?.region).toBe(REGION);
  });

  it('help exits 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: cvpn-log-guard');
  });
});
