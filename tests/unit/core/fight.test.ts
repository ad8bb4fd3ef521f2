/**
 * Fight detection: IaC templates that set logging off, and endpoints switched off again soon after
 * a fix. The decision is pure (fight.ts); the words are the notification's (notify.ts).
 */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseSettings } from '../../../src/app/config';
import { createRuntime } from '../../../src/app/runtime';
import { clientConfig } from '../../../src/aws/clients';
import { lookupModifyRecords } from '../../../src/aws/cloudtrail';
import { findRepeat } from '../../../src/core/repeat';
import type { LoggingEnabled, RepeatedSwitchOff } from '../../../src/domain/outcome';
import {
  DEFAULT_REPEAT_WINDOW_MS,
  detectRepeat,
  enablesFromCloudTrail,
  RemediationMemory,
  repeatKey,
  templateFight,
} from '../../../src/domain/repeat';
import type { CallerIdentity } from '../../../src/domain/identity';
import { buildNotification, type NotifiedOutcome } from '../../../src/notify';
import { startStandin, type Standin } from '../../../standin/index';
import { modifyRecord } from '../../helpers/events';
import { clientOptionsFor } from '../../helpers/standin-runtime';

const ACCOUNT = '999999999999';
const ENDPOINT = 'cvpn-endpoint-00979964d0389482a';
const ROLE = 'cvpn-log-guard-prod-eu-west-1-lambdaRole';
const SELF: CallerIdentity = { account: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/fn`, roleName: ROLE };
const MIN = 60_000;

/** A CloudTrail record of a successful Modify that turned logging on, by our role or a person. */
function enableRecord(at: string, opts: { byUs?: boolean; endpointId?: string; enabled?: unknown; errorCode?: string } = {}): any {
  const r = modifyRecord();
  r.eventTime = at;
  r.requestParameters = {
    ModifyClientVpnEndpointRequest: {
      ClientVpnEndpointId: opts.endpointId ?? ENDPOINT,
      ConnectionLogOptions: { Enabled: opts.enabled ?? true, CloudwatchLogGroup: `/aws/clientvpn/${ENDPOINT}` },
    },
  };
  if (opts.byUs) {
    r.userIdentity.arn = `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/cvpn-log-guard-prod-remediate`;
    r.userIdentity.sessionContext.sessionIssuer.arn = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
    r.userIdentity.sessionContext.sessionIssuer.userName = ROLE;
  }
  if (opts.errorCode) r.errorCode = opts.errorCode;
  return r;
}

const at = (base: string, plusMs: number) => new Date(Date.parse(base) + plusMs).toISOString();
const T0 = '2026-11-26T10:00:00.000Z';

describe('templateFight', () => {
  it('names the template setting and its fix for Terraform and CloudFormation only', () => {
    expect(templateFight('terraform')).toMatchObject({
      resource: 'aws_ec2_client_vpn_endpoint',
      offSetting: 'connection_log_options { enabled = false }',
      onSetting: expect.stringContaining('connection_log_options { enabled = true'),
    });
    expect(templateFight('cloudformation')).toMatchObject({
      resource: 'AWS::EC2::ClientVpnEndpoint',
      offSetting: 'ConnectionLogOptions: Enabled: false',
      onSetting: expect.stringContaining('ConnectionLogOptions: Enabled: true'),
    });
    for (const tool of ['console', 'aws-cli', 'sdk', 'other'] as const) expect(templateFight(tool)).toBeUndefined();
  });
});

describe('detectRepeat', () => {
  const mine = (t: string, source: LoggingEnabled['source'] = 'cloudtrail'): LoggingEnabled => ({ at: t, byRemediator: true, source });

  it('a switch-off within the window after a re-enable is a repeat, with the gap and the rounds', () => {
    const r = detectRepeat([mine(at(T0, -3 * 60 * MIN)), mine(at(T0, -12 * MIN))], T0);
    expect(r).toEqual({
      previousEnableAt: at(T0, -12 * MIN),
      previousByRemediator: true,
      afterMs: 12 * MIN,
      enablesInWindow: 2,
      windowMs: DEFAULT_REPEAT_WINDOW_MS,
      source: 'cloudtrail',
    });
  });

  it('ignores re-enables outside the window, after the switch-off, or unreadable', () => {
    expect(detectRepeat([mine(at(T0, -25 * 60 * MIN))], T0)).toBeUndefined();
    expect(detectRepeat([mine(at(T0, 5 * MIN)), mine(T0)], T0)).toBeUndefined();
    expect(detectRepeat([mine('yesterday')], T0)).toBeUndefined();
    expect(detectRepeat([mine(at(T0, -MIN))], 'not a time')).toBeUndefined();
    expect(detectRepeat([mine(at(T0, -30 * MIN))], T0, 10 * MIN)).toBeUndefined();
  });

  it('counts one re-enable seen by both memory and CloudTrail once, at CloudTrail\'s time', () => {
    const r = detectRepeat([mine(at(T0, -10 * MIN + 800), 'memory'), mine(at(T0, -10 * MIN), 'cloudtrail')], T0);
    expect(r).toMatchObject({ enablesInWindow: 1, previousEnableAt: at(T0, -10 * MIN), source: 'cloudtrail' });
  });

  it('property: a repeat is reported exactly when some re-enable lies in the window before the switch-off', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -48 * 60, max: 60 }), { maxLength: 8 }),
        fc.integer({ min: 1, max: 48 * 60 }),
        (offsetsMin, windowMin) => {
          const enables = offsetsMin.map((m) => mine(at(T0, m * MIN)));
          const r = detectRepeat(enables, T0, windowMin * MIN);
          const inWindow = offsetsMin.filter((m) => m < 0 && -m <= windowMin);
          expect(r === undefined).toBe(inWindow.length === 0);
          if (r) {
            expect(r.afterMs).toBe(-Math.max(...inWindow) * MIN);
            expect(r.enablesInWindow).toBeGreaterThanOrEqual(1);
            expect(r.enablesInWindow).toBeLessThanOrEqual(inWindow.length);
          }
        },
      ),
      { seed: 0xf16, numRuns: 200 },
    );
  });
});

describe('enablesFromCloudTrail', () => {
  it('keeps successful Modify calls that turned logging on for this endpoint, and says whose they were', () => {
    const records = [
      enableRecord(at(T0, -30 * MIN), { byUs: true }),
      enableRecord(at(T0, -20 * MIN)),
      enableRecord(at(T0, -15 * MIN), { enabled: false }),
      enableRecord(at(T0, -14 * MIN), { enabled: 'true', byUs: true }),
      enableRecord(at(T0, -10 * MIN), { endpointId: 'cvpn-endpoint-0123456789abcdef0', byUs: true }),
      enableRecord(at(T0, -5 * MIN), { errorCode: 'Client.InvalidParameterValue', byUs: true }),
      { ...enableRecord(at(T0, -4 * MIN)), eventName: 'CreateClientVpnEndpoint' },
      null,
      'garbage',
      { eventName: 'ModifyClientVpnEndpoint', eventTime: 42 },
      { eventName: 'ModifyClientVpnEndpoint', eventTime: T0, requestParameters: { ModifyClientVpnEndpointRequest: 'x' } },
    ];
    expect(enablesFromCloudTrail(records, ENDPOINT, SELF)).toEqual([
      { at: at(T0, -30 * MIN), byRemediator: true, source: 'cloudtrail' },
      { at: at(T0, -20 * MIN), byRemediator: false, source: 'cloudtrail' },
      { at: at(T0, -14 * MIN), byRemediator: true, source: 'cloudtrail' },
    ]);
    // Without our identity (the CLI), nothing is attributed to the remediator.
    expect(enablesFromCloudTrail(records, ENDPOINT, undefined).every((e) => !e.byRemediator)).toBe(true);
  });

  it('never throws on arbitrary records (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 5 }), { maxLength: 20 }), (records) => {
        for (const e of enablesFromCloudTrail(records, ENDPOINT, SELF)) {
          expect(Number.isNaN(Date.parse(e.at))).toBe(false);
        }
      }),
      { seed: 0xf17, numRuns: 200 },
    );
  });
});

describe('findRepeat', () => {
  const region = 'eu-west-1';
  const key = repeatKey(region, ENDPOINT);

  it('answers from memory without a lookup when this process fixed the endpoint', async () => {
    const memory = new RemediationMemory();
    memory.record(key, new Date(at(T0, -2 * MIN)));
    let lookups = 0;
    const r = await findRepeat({ memory, lookup: async () => { lookups++; return []; } }, region, ENDPOINT, T0);
    expect(r).toMatchObject({ afterMs: 2 * MIN, source: 'memory', previousByRemediator: true });
    expect(lookups).toBe(0);
  });

  it('asks CloudTrail over the window when memory knows nothing', async () => {
    const asked: [string, Date, Date][] = [];
    const r = await findRepeat(
      {
        memory: new RemediationMemory(),
        self: SELF,
        lookup: async (r, since, until) => {
          asked.push([r, since, until]);
          return [enableRecord(at(T0, -40 * MIN), { byUs: true })];
        },
      },
      region,
      ENDPOINT,
      T0,
    );
    expect(asked).toEqual([[region, new Date(at(T0, -DEFAULT_REPEAT_WINDOW_MS)), new Date(T0)]]);
    expect(r).toMatchObject({ afterMs: 40 * MIN, source: 'cloudtrail', previousByRemediator: true });
  });

  it('a failed or throttled lookup means "no repeat known", never an error', async () => {
    const lookup = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    };
    await expect(findRepeat({ lookup, self: SELF }, region, ENDPOINT, T0)).resolves.toBeUndefined();
    await expect(findRepeat({}, region, ENDPOINT, T0)).resolves.toBeUndefined();
  });

  it('memory stays bounded', () => {
    const memory = new RemediationMemory(3, 2);
    for (let i = 0; i < 10; i++) memory.record(`k${i}`, new Date(at(T0, i * MIN)));
    for (let i = 0; i < 5; i++) memory.record('k9', new Date(at(T0, i * MIN)));
    expect(memory.enables('k0')).toEqual([]);
    expect(memory.enables('k9')).toHaveLength(2);
  });
});

// ---------------------------------------------------------------------------------------------
// What people read
// ---------------------------------------------------------------------------------------------

const CTX = { retentionDays: 365, exemptTagKey: 'cvpn-log-guard:exempt' };
const LOG_GROUP = `/aws/clientvpn/${ENDPOINT}`;

function outcome(overrides: Partial<NotifiedOutcome> = {}): NotifiedOutcome {
  return {
    endpointId: ENDPOINT,
    region: 'eu-west-1',
    account: ACCOUNT,
    action: 'remediated',
    mode: 'remediate',
    actor: { type: 'AssumedRole', arn: `arn:aws:iam::${ACCOUNT}:role/deployer`, sessionName: 'ci' },
    tool: 'console',
    eventId: '9a81b7a0-2519-4d68-b9ca-0a35ee377151',
    eventName: 'ModifyClientVpnEndpoint',
    eventTime: T0,
    loggingBefore: { enabled: false },
    loggingAfter: { enabled: true, logGroup: LOG_GROUP },
    logGroup: LOG_GROUP,
    logGroupCreated: false,
    verification: 'verified',
    latencyMs: 4200,
    reason: 'Connection logging re-enabled',
    ...overrides,
  };
}

const REPEAT: RepeatedSwitchOff = {
  previousEnableAt: at(T0, -12 * MIN),
  previousByRemediator: true,
  afterMs: 12 * MIN,
  enablesInWindow: 3,
  windowMs: DEFAULT_REPEAT_WINDOW_MS,
  source: 'cloudtrail',
};

/** The email with its line wrapping undone, so phrases can be matched whole. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

describe('notifications: the template sets logging off', () => {
  it.each(['remediated', 'would-remediate', 'failed'] as const)('Terraform, %s: says every apply turns it off again until the configuration changes', (action) => {
    const n = buildNotification(
      outcome({
        action,
        tool: 'terraform',
        ...(action === 'failed' ? { error: { code: 'UnauthorizedOperation', message: 'no', retryable: false, step: 'modify' } } : {}),
      }),
      CTX,
    );
    const email = flat(n.email);
    expect(email).toContain('This came from Terraform: the configuration of this aws_ec2_client_vpn_endpoint sets connection_log_options { enabled = false }');
    expect(email).toContain('so the next apply turns logging off again, and so will every apply after it, until the configuration is changed');
    expect(email).toContain(`connection_log_options { enabled = true, cloudwatch_log_group = "${LOG_GROUP}" }`);
    const steps = n.chat.content.nextSteps?.join('\n') ?? '';
    expect(steps).toContain('`aws_ec2_client_vpn_endpoint`');
    expect(steps).toContain('`connection_log_options { enabled = false }`');
    expect(steps).toContain(`\`connection_log_options { enabled = true, cloudwatch_log_group = "${LOG_GROUP}" }\``);
    expect(steps).toContain('until the configuration is changed');
  });

  it('CloudFormation: names the resource type and the property to change', () => {
    const n = buildNotification(outcome({ tool: 'cloudformation' }), CTX);
    const email = flat(n.email);
    expect(email).toContain('the template of this AWS::EC2::ClientVpnEndpoint sets ConnectionLogOptions: Enabled: false');
    expect(email).toContain('so the next stack update turns logging off again, and so will every later update that changes this endpoint, until the template is changed');
    expect(email).toContain(`ConnectionLogOptions: Enabled: true, CloudwatchLogGroup: ${LOG_GROUP}`);
    expect(n.chat.content.nextSteps?.join('\n')).toContain('`ConnectionLogOptions: Enabled: false`');
  });

  it('console or CLI changes carry no template note', () => {
    for (const tool of ['console', 'aws-cli', 'sdk', 'other'] as const) {
      const email = flat(buildNotification(outcome({ tool }), CTX).email);
      expect(email).not.toContain('until the configuration is changed');
      expect(email).not.toContain('until the template is changed');
      expect(email).toContain('Ask ci (role deployer) why they switched connection logging off');
    }
  });
});

describe('notifications: switched off again soon after a fix', () => {
  it('says so in the subject, the headline, a Repeat field, the chat and the next steps', () => {
    const n = buildNotification(outcome({ repeat: REPEAT }), CTX);
    expect(n.subject).toBe(`[cvpn-log-guard] Logging off again, re-enabled: ${ENDPOINT} (eu-west-1)`);
    const email = flat(n.email);
    expect(email).toContain(
      `ci (role deployer) switched off connection logging on Client VPN endpoint ${ENDPOINT} in eu-west-1 again, 12 min after it had been turned back on, using the AWS Management Console. cvpn-log-guard turned it back on`,
    );
    expect(email).toContain(
      `Repeat switched off again 12 min after cvpn-log-guard turned it back on (at ${REPEAT.previousEnableAt}); turned back on 3 times in the last 24 h`,
    );
    expect(email).toContain('something keeps turning it off');
    expect(n.chat.content.description).toContain('*Repeat:* switched off again 12 min after cvpn-log-guard turned it back on');
    expect(n.chat.content.nextSteps?.[0]).toContain('Stop the cause rather than rely on the automatic fix');
    expect(n.chat.content.keywords).toContain('repeat');
    expect(n.chat.metadata?.additionalContext).toMatchObject({ repeatAfterSeconds: '720', reenablesInWindow: '3' });
    expect(n.attributes).toMatchObject({ repeat: 'true', severity: 'low' });
  });

  it('with Terraform: blames the configuration and gives the fix', () => {
    const n = buildNotification(outcome({ tool: 'terraform', repeat: { ...REPEAT, enablesInWindow: 1 } }), CTX);
    const email = flat(n.email);
    expect(email).toContain('turned back on once in the last 24 h: Terraform keeps undoing the fix');
    expect(email).toContain('connection_log_options { enabled = true');
  });

  it('a re-enable by someone else is not claimed as ours', () => {
    const email = flat(buildNotification(outcome({ repeat: { ...REPEAT, previousByRemediator: false } }), CTX).email);
    expect(email).toContain('12 min after it was turned back on');
    expect(email).not.toContain('after cvpn-log-guard turned it back on');
  });

  it('no repeat, no repeat wording', () => {
    const n = buildNotification(outcome(), CTX);
    expect(n.subject).not.toContain('again');
    expect(n.email).not.toContain('Repeat');
    expect(n.attributes.repeat).toBeUndefined();
    expect(n.attributes.severity).toBe('info');
  });

  it('a repeat time that is not a checked timestamp is left out, not shown', () => {
    const n = buildNotification(outcome({ repeat: { ...REPEAT, previousEnableAt: '<!channel> http://evil.example' } }), CTX);
    const everything = [n.subject, n.email, JSON.stringify(n.chat)].join('\n');
    expect(everything).not.toContain('<!channel>');
    expect(everything).not.toContain('evil.example');
    expect(flat(n.email)).toContain('12 min after cvpn-log-guard turned it back on; turned back on 3 times');
  });
});

// ---------------------------------------------------------------------------------------------
// The CloudTrail source, through the real SDK against the stand-in's LookupEvents
// ---------------------------------------------------------------------------------------------

describe('lookupModifyRecords against the stand-in', () => {
  const REGION = 'ap-northeast-1';
  let standin: Standin;
  let cloudtrail: CloudTrailClient;

  beforeAll(async () => {
    standin = await startStandin({ accountId: ACCOUNT, callerArn: SELF.arn });
    cloudtrail = new CloudTrailClient(clientConfig(REGION, clientOptionsFor(standin)));
  });
  afterAll(async () => {
    cloudtrail.destroy();
    await standin.close();
  });
  beforeEach(() => {
    standin.reset({ config: true });
  });

  const now = () => new Date();
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

  it('finds our re-enable among other Modify calls, over more than one page', async () => {
    for (let i = 0; i < 60; i++) {
      const other = enableRecord(ago((30 + i) * MIN), { endpointId: 'cvpn-endpoint-0123456789abcdef0', enabled: false });
      other.eventID = `other-${i}`;
      standin.addCloudTrailEvent(REGION, other);
    }
    const ours = enableRecord(ago(12 * MIN), { byUs: true });
    ours.eventID = 'ours';
    standin.addCloudTrailEvent(REGION, ours);

    const off = now().toISOString();
    const r = await findRepeat(
      { self: SELF, lookup: (_region, since, until) => lookupModifyRecords(cloudtrail, since, until) },
      REGION,
      ENDPOINT,
      off,
    );
    expect(r).toMatchObject({ previousByRemediator: true, enablesInWindow: 1, source: 'cloudtrail' });
    expect(Math.round((r?.afterMs ?? 0) / MIN)).toBe(12);
    const lookups = standin.callsTo('LookupEvents');
    expect(lookups.length).toBeGreaterThanOrEqual(1);
    expect(lookups.length).toBeLessThanOrEqual(2);
    expect(lookups[0]?.params).toMatchObject({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'ModifyClientVpnEndpoint' }] });
  });

  it('a burst beyond the 2 requests/second quota: throttled lookups give "no repeat", never an error', async () => {
    standin.addCloudTrailEvent(REGION, enableRecord(ago(5 * MIN), { byUs: true }));
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        findRepeat({ self: SELF, lookup: (_region, since, until) => lookupModifyRecords(cloudtrail, since, until) }, REGION, ENDPOINT, now().toISOString()),
      ),
    );
    expect(standin.throttledCount('LookupEvents')).toBeGreaterThan(0);
    expect(results.filter((r) => r !== undefined).length).toBeGreaterThan(0);
    expect(results.every((r) => r === undefined || r.previousByRemediator)).toBe(true);
  });

  it("the runtime's repeat lookup: CloudTrail in the endpoint's region", async () => {
    standin.addCloudTrailEvent(REGION, enableRecord(ago(3 * MIN), { byUs: true }));
    const runtime = createRuntime({ settings: parseSettings({}), clientOptions: clientOptionsFor(standin), ignoreOwnRole: true, repeatLookup: true });
    const r = await findRepeat({ self: SELF, lookup: runtime.core.repeat?.lookup }, REGION, ENDPOINT, now().toISOString());
    runtime.close();
    expect(r).toMatchObject({ previousByRemediator: true, source: 'cloudtrail' });
    expect(standin.callsTo('LookupEvents')[0]?.region).toBe(REGION);
  });

  it('a malformed CloudTrailEvent is skipped', async () => {
    standin.addCloudTrailEvent(REGION, enableRecord(ago(5 * MIN), { byUs: true }), { rawCloudTrailEvent: '{not json' });
    standin.addCloudTrailEvent(REGION, enableRecord(ago(7 * MIN), { byUs: true }));
    const records = await lookupModifyRecords(cloudtrail, new Date(Date.now() - 60 * MIN), now());
    expect(records).toHaveLength(1);
  });
});
