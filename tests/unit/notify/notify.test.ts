import { PublishCommand, SNSClient, type PublishCommandInput } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { allCustomMatcher } from 'aws-sdk-client-mock-vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  clientVpnEndpointConsoleUrl,
  consoleFragmentEncode,
  logGroupArn,
  logGroupConsoleUrl,
  partitionForRegion,
} from '../../../src/notify/console-links';
import {
  CHATBOT_EVENT_TYPE_PATTERN,
  ChatbotMessageSchema,
  SNS_MAX_MESSAGE_BYTES,
  buildNotification,
  fitNotification,
  publishedSize,
  snsPublishInput,
  type Notification,
} from '../../../src/notify/notify';
import { publish } from '../../../src/aws/sns';
import { LOG_GROUP_ACTIONS, NOTIFIABLE_ACTIONS, type RemediationOutcome } from '../../../src/domain/outcome';
import { HOSTILE, expectChatInert, expectOneCleanLine } from '../../fixtures/hostile';

expect.extend(allCustomMatcher);

const ENDPOINT = 'cvpn-endpoint-00979964d0389482a';
const REGION = 'ap-northeast-1';
const ACCOUNT = '999999999999';
const LOG_GROUP = `/aws/clientvpn/${ENDPOINT}`;
const ENDPOINT_URL =
  'https://ap-northeast-1.console.aws.amazon.com/vpc/home?region=ap-northeast-1' +
  `#ClientVPNEndpointDetails:clientVpnEndpointId=${ENDPOINT}`;
const LOG_GROUP_URL =
  'https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1' +
  `#logsV2:log-groups/log-group/$252Faws$252Fclientvpn$252F${ENDPOINT}`;
const CTX = { retentionDays: 365 };
const TOPIC = 'arn:aws:sns:ap-northeast-1:999999999999:cvpn-log-guard-alerts';

// Actors as the real CloudTrail fixtures have them (tests/fixtures/cloudtrail-*.json).
const IAM_USER = { type: 'IAMUser', arn: 'arn:aws:iam::999999999999:user/test001@test.com' };
const SWITCH_ROLE = { type: 'AssumedRole', arn: 'arn:aws:iam::999999999999:role/KTOU_SwitchRole', sessionName: 'ktou' };

const remediated: RemediationOutcome = {
  endpointId: ENDPOINT,
  region: REGION,
  account: ACCOUNT,
  action: 'remediated',
  mode: 'remediate',
  actor: IAM_USER,
  tool: 'console',
  eventId: 'daa11b60-20df-48d9-a406-aeae3c339e9b',
  eventName: 'CreateClientVpnEndpoint',
  eventTime: '2021-03-02T08:53:18Z',
  description: 'Tokyo office VPN',
  loggingBefore: { enabled: false },
  loggingAfter: { enabled: true, logGroup: LOG_GROUP },
  logGroup: LOG_GROUP,
  logGroupCreated: true,
  retentionDays: 365,
  verification: 'verified',
  latencyMs: 8_400,
  reason: `Connection logging re-enabled to ${LOG_GROUP} and read back`,
};

const failed: RemediationOutcome = {
  endpointId: ENDPOINT,
  region: REGION,
  account: ACCOUNT,
  action: 'failed',
  mode: 'remediate',
  actor: SWITCH_ROLE,
  tool: 'console',
  eventId: '9a81b7a0-2519-4d68-b9ca-0a35ee377151',
  eventName: 'ModifyClientVpnEndpoint',
  eventTime: '2021-04-01T08:38:42Z',
  loggingBefore: { enabled: false },
  logGroup: LOG_GROUP,
  logGroupCreated: false,
  retentionDays: 365,
  error: {
    code: 'UnauthorizedOperation',
    message: 'You are not authorized to perform this operation.',
    retryable: false,
    step: 'modify',
  },
  reason: 'ModifyClientVpnEndpoint was denied',
};

const exempt: RemediationOutcome = {
  endpointId: ENDPOINT,
  region: REGION,
  account: ACCOUNT,
  action: 'exempt',
  mode: 'remediate',
  actor: SWITCH_ROLE,
  tool: 'terraform',
  eventId: '3f0c8a52-6f9e-4a43-9d55-2b1d0c7e8a11',
  eventName: 'ModifyClientVpnEndpoint',
  eventTime: '2026-05-10T01:02:03Z',
  loggingBefore: { enabled: false },
  loggingAfter: { enabled: false },
  logGroup: LOG_GROUP,
  exemption: { reason: 'load test INC-42', until: '2026-12-31', expired: false },
  reason: 'The endpoint carries the exemption tag cvpn-log-guard:exempt',
};

const wouldRemediate: RemediationOutcome = {
  endpointId: ENDPOINT,
  region: REGION,
  account: ACCOUNT,
  action: 'would-remediate',
  mode: 'notify-only',
  actor: IAM_USER,
  tool: 'aws-cli',
  eventId: '6b0f3a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
  eventName: 'ModifyClientVpnEndpoint',
  eventTime: '2026-05-10T01:02:03Z',
  loggingBefore: { enabled: false },
  loggingAfter: { enabled: false },
  logGroup: LOG_GROUP,
  retentionDays: 365,
  reason: 'Connection logging is off; notify-only mode changed nothing',
};

const BY_ACTION = { remediated, failed, exempt, 'would-remediate': wouldRemediate } as const;
const CASES = Object.entries(BY_ACTION) as Array<[keyof typeof BY_ACTION, RemediationOutcome]>;

const CONTROL_EXCEPT_NEWLINE = /(?!\n)\p{Cc}/u;
const URL_LINE = /^\s*https:\/\/\S+$/;

function expectEmailLines(email: string): void {
  for (const line of email.split('\n')) {
    if (URL_LINE.test(line)) continue;
    expect(line.length, line).toBeLessThan(100);
  }
  expect(email).not.toMatch(CONTROL_EXCEPT_NEWLINE);
  expect(email).not.toMatch(/[\r\u2028\u2029\u0085]/);
}

function expectSubject(subject: string): void {
  expect(subject.startsWith('[cvpn-log-guard] ')).toBe(true);
  expect(subject.length).toBeLessThan(100);
  expectOneCleanLine(subject);
  expect(subject).toContain(ENDPOINT);
  expect(subject).toContain(`(${REGION})`);
}

describe('buildNotification: one outcome per notifiable action', () => {
  it('covers every notifiable action', () => {
    // The log-group actions (retention-short, not-delivering, ...) are not worded yet; that they
    // build without throwing is checked in tests/unit/domain/log-group-outcomes.test.ts.
    const logGroupActions = new Set<string>([...LOG_GROUP_ACTIONS, 'service-role-missing']);
    expect(new Set(Object.keys(BY_ACTION))).toEqual(new Set([...NOTIFIABLE_ACTIONS].filter((a) => !logGroupActions.has(a))));
  });

  it.each(CASES)('%s: chat message conforms to the Amazon Q custom notification schema', (_action, outcome) => {
    const { chat } = buildNotification(outcome, CTX);
    const parsed = ChatbotMessageSchema.safeParse(chat);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    // Round trip through JSON, as SNS delivers it.
    expect(ChatbotMessageSchema.safeParse(JSON.parse(JSON.stringify(chat))).success).toBe(true);
    expect(chat.metadata?.threadId).toBe(ENDPOINT);
    expect(chat.metadata?.eventType).toMatch(CHATBOT_EVENT_TYPE_PATTERN);
    expect(chat.id).toBe(outcome.eventId);
    expect(chat.content.keywords).toEqual([outcome.action, REGION, outcome.tool]);
    expect(chat.metadata?.relatedResources).toEqual([
      ENDPOINT,
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${LOG_GROUP}`,
    ]);
    expect(chat.metadata?.additionalContext).toMatchObject({
      region: REGION,
      account: ACCOUNT,
      action: outcome.action,
      tool: outcome.tool,
      eventId: outcome.eventId,
    });
    expect(chat.content.description).toContain(ENDPOINT_URL);
    expect(chat.content.description).toContain(LOG_GROUP_URL);
    expect(chat.content.nextSteps?.length).toBeGreaterThan(0);
  });

  it.each(CASES)('%s: subject is built from trusted parts and is a valid SNS subject', (_action, outcome) => {
    expectSubject(buildNotification(outcome, CTX).subject);
  });

  it('words each subject for its action', () => {
    const subject = (o: RemediationOutcome): string => buildNotification(o, CTX).subject;
    expect(subject(remediated)).toBe(`[cvpn-log-guard] Logging re-enabled: ${ENDPOINT} (${REGION})`);
    expect(subject({ ...remediated, verification: 'requested' })).toBe(
      `[cvpn-log-guard] Logging re-enable requested: ${ENDPOINT} (${REGION})`,
    );
    expect(subject(failed)).toBe(`[cvpn-log-guard] Could not re-enable logging: ${ENDPOINT} (${REGION})`);
    expect(subject(exempt)).toBe(`[cvpn-log-guard] Logging off, endpoint exempt: ${ENDPOINT} (${REGION})`);
    expect(subject(wouldRemediate)).toBe(`[cvpn-log-guard] Logging OFF (notify-only): ${ENDPOINT} (${REGION})`);
    // The longest region names still fit.
    expect(subject({ ...remediated, verification: 'requested', region: 'ap-southeast-5' }).length).toBeLessThan(100);
  });

  it.each(CASES)('%s: email says who, how, when, where it logs, and links the console', (_action, outcome) => {
    const { email } = buildNotification(outcome, CTX);
    expect(email).toContain(outcome.actor.arn ?? '');
    if (outcome.actor.sessionName) expect(email).toMatch(/Session\s+ktou/);
    expect(email).toContain(outcome.eventId);
    expect(email).toContain(outcome.eventTime);
    expect(email).toContain(LOG_GROUP);
    expect(email).toMatch(/Retention\s+.*365 days/);
    expect(email).toMatch(/Verification\s+\S/);
    expect(email).toContain(ENDPOINT_URL);
    expect(email).toContain(LOG_GROUP_URL);
    expect(email).toContain('What to do next');
    expectEmailLines(email);
  });

  it('names the tool in words', () => {
    expect(buildNotification(remediated, CTX).email).toMatch(/Tool\s+AWS Management Console/);
    expect(buildNotification(wouldRemediate, CTX).email).toMatch(/Tool\s+AWS CLI/);
    expect(buildNotification(exempt, CTX).email).toMatch(/Tool\s+Terraform/);
    expect(buildNotification({ ...remediated, tool: 'cloudformation' }, CTX).chat.content.description).toContain(
      '*Tool:* CloudFormation',
    );
  });

  it('remediated: reports the time from the change to the verified fix and the created group', () => {
    const { email, chat } = buildNotification(remediated, CTX);
    expect(email).toMatch(/Time to fix\s+8\.4 s from the change to the verified fix/);
    expect(email).toMatch(/Group created\s+yes, by cvpn-log-guard/);
    expect(email).toContain('turned it on and confirmed it'); // a Create, so not "back on"
    expect(chat.content.title.startsWith('✅')).toBe(true);
    expect(chat.content.description).toContain('verified by read-back, 8.4 s after the change');
  });

  it('remediated by Terraform or CloudFormation: warns that the next apply turns logging off again', () => {
    const tf = buildNotification({ ...remediated, tool: 'terraform' }, CTX);
    expect(tf.email).toMatch(/Terraform.*next apply turns logging off again/s);
    expect(tf.chat.content.nextSteps?.join('\n')).toContain('`connection_log_options { enabled = false }`');
    const cfn = buildNotification({ ...remediated, tool: 'cloudformation' }, CTX);
    expect(cfn.email).toMatch(/CloudFormation.*next stack update turns logging off again/s);
  });

  it('failed: shows the error and step, names the permission, and points at replay', () => {
    const { email, chat } = buildNotification(failed, CTX);
    expect(email).toMatch(/Code\s+UnauthorizedOperation/);
    expect(email).toMatch(/Step\s+modify \(ModifyClientVpnEndpoint\)/);
    expect(email).toContain('You are not authorized to perform this operation.');
    expect(email).toContain('ec2:ModifyClientVpnEndpoint');
    expect(email).toContain('cvpn-log-guard replay --file');
    expect(email).toContain('wait for the automatic retry');
    expect(chat.content.title.startsWith('🚨')).toBe(true);
    expect(chat.content.description).toContain('`UnauthorizedOperation` during `modify`');
  });

  it('exempt: shows the reason and end date and asks for a review before it expires', () => {
    const { email, chat } = buildNotification(exempt, CTX);
    expect(email).toMatch(/Reason\s+load test INC-42/);
    expect(email).toMatch(/Until\s+2026-12-31 \(inclusive, UTC\)/);
    expect(email).toContain('Review the exemption before it expires on 2026-12-31');
    expect(chat.content.title.startsWith('⚠️')).toBe(true);
    expect(buildNotification({ ...exempt, exemption: { expired: false } }, CTX).email).toContain('no end date');
  });

  it('would-remediate: says logging is OFF and unchanged, and how to fix it', () => {
    const { email, chat } = buildNotification(wouldRemediate, CTX);
    expect(email).toContain('notify-only');
    expect(email).toContain('logging is OFF');
    expect(email).toContain('CVPN_MODE=remediate');
    expect(chat.content.nextSteps?.join(' ')).toContain('Turn connection logging on by hand');
    expect(chat.content.title.startsWith('⚠️')).toBe(true);
  });

  it('sets filter attributes with a severity per action', () => {
    const attrs = (o: RemediationOutcome): Record<string, string> => buildNotification(o, CTX).attributes;
    expect(attrs(remediated)).toEqual({ outcome: 'remediated', severity: 'info', region: REGION, account: ACCOUNT });
    expect(attrs({ ...remediated, verification: 'requested' }).severity).toBe('low');
    expect(attrs(failed).severity).toBe('high');
    expect(attrs(wouldRemediate).severity).toBe('medium');
    expect(attrs(exempt).severity).toBe('low');
    for (const [, o] of CASES) expect(Object.keys(attrs(o)).length).toBeLessThanOrEqual(5);
  });
});

describe('buildNotification: hostile user-controlled values', () => {
  const hostileText = [
    '<!channel> <!here|here> @here @channel @everyone <@U123ABC>',
    '<https://evil.example|click> [click](https://evil.example) www.evil.example',
    '*bold* _it_ ~s~ `code` > quote # heading',
    'line1\nline2\r\nSubject: x',
    '\u202Eevil\u202C a\u200Bb \u0000\u0007\u001b[31m \uD800',
  ].join(' ');

  const hostile: RemediationOutcome = {
    ...exempt,
    description: hostileText,
    actor: {
      type: 'AssumedRole',
      arn: 'arn:aws:iam::999999999999:role/<!channel>_@here',
      sessionName: hostileText,
    },
    replayName: hostileText,
    exemption: { reason: hostileText, until: '2026-12-31 <!channel>', expired: false },
  };
  const hostileFailed: RemediationOutcome = {
    ...failed,
    description: hostileText,
    actor: { type: hostileText, arn: hostileText, sessionName: hostileText },
    error: { code: '<!channel>', message: hostileText, retryable: false, step: 'modify' },
  };

  it.each([
    ['exempt', hostile],
    ['failed', hostileFailed],
  ] as const)('%s: the chat message carries none of it in an active form', (_name, outcome) => {
    const { chat } = buildNotification(outcome, CTX);
    expect(ChatbotMessageSchema.safeParse(chat).success).toBe(true);
    const json = JSON.stringify(chat);
    expect(json).not.toContain('<!');
    expect(json).not.toContain('<@');
    expect(json.toLowerCase()).not.toContain('<http');
    expect(json).not.toMatch(/[<>]/);
    expect(json.toLowerCase()).not.toMatch(/@(here|channel|everyone)/);
    expect(json).not.toContain('](');
    expect(json).not.toContain('evil.example');
    expect(json).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u200B-\u200D\u2060\uFEFF]/);
    expect(json).not.toMatch(/\p{Cc}/u);
    expect(json).not.toContain('\\u0000'); // dropped, not merely JSON-escaped
    expect(json).not.toContain('\\ud800');

    // Every string a user could reach is one inert line; our own markup is the only markdown.
    const description = chat.content.description.split('\n');
    const benign = buildNotification(outcome.action === 'failed' ? failed : exempt, CTX).chat.content.description;
    // The benign outcome has no description: the hostile one adds exactly that one line.
    expect(description.length).toBe(benign.split('\n').length + 1);
    for (const line of description) {
      expect(line).toMatch(/^\*[A-Z][a-z ]+:\* /);
    }
    for (const step of chat.content.nextSteps ?? []) expect(step).not.toMatch(/[\n<>@]/);
    expect(chat.content.title).toMatch(new RegExp(`^\\S+ [^<>@]+: ${ENDPOINT} \\(${REGION}\\)$`));
  });

  it.each([
    ['exempt', hostile],
    ['failed', hostileFailed],
  ] as const)('%s: the email shows it as flat text, without its line breaks or control characters', (_name, outcome) => {
    const { email, subject } = buildNotification(outcome, CTX);
    expectEmailLines(email);
    expect(email).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u200B-\u200D\u2060\uFEFF]/);
    expect(email).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    // The input's line breaks became spaces: no line of ours starts with what followed them, and
    // once our own wrapping is undone the text reads as one line.
    expect(email).not.toMatch(/^(line2|Subject:)/m);
    expect(email.replace(/\n {17}/g, ' ')).toContain('line1 line2 Subject: x');
    expect(email).not.toContain('https://evil.example'); // user links are defanged in email too
    expect(email).toContain('hxxps://evil.example');
    expectSubject(subject);
  });

  it('never builds a subject, thread or link from an endpoint ID or region that is not one', () => {
    const { subject, chat, email } = buildNotification(
      { ...remediated, endpointId: '<!channel> cvpn-endpoint-x', region: 'us-east-1 @here' },
      CTX,
    );
    expect(subject).toBe('[cvpn-log-guard] Logging re-enabled: unrecognised endpoint ID (unknown region)');
    expect(chat.metadata?.threadId).toBe('cvpn-log-guard');
    expect(chat.content.description).not.toContain('https://');
    expect(email).not.toContain('https://');
    expect(ChatbotMessageSchema.safeParse(chat).success).toBe(true);
    expectChatInert(chat.content.description.split('\n')[0]?.replace(/^\*Endpoint:\* /, '') ?? '');
  });

  it.each(HOSTILE.map((h) => [h]))('description %j never reaches chat in an active form', (text) => {
    const { chat, email } = buildNotification({ ...remediated, description: text }, CTX);
    const line = chat.content.description.split('\n').find((l) => l.startsWith('*Description:* '));
    if (line !== undefined) expectChatInert(line.slice('*Description:* '.length));
    expectEmailLines(email);
  });
});

describe('ChatbotMessageSchema', () => {
  const valid = buildNotification(remediated, CTX).chat;

  it('rejects messages Amazon Q would drop', () => {
    expect(ChatbotMessageSchema.safeParse({ ...valid, version: '2.0' }).success).toBe(false);
    expect(ChatbotMessageSchema.safeParse({ ...valid, source: 'aws.ec2' }).success).toBe(false);
    expect(ChatbotMessageSchema.safeParse({ ...valid, extra: 1 }).success).toBe(false);
    expect(
      ChatbotMessageSchema.safeParse({ ...valid, content: { ...valid.content, textType: 'markdown' } }).success,
    ).toBe(false);
    expect(ChatbotMessageSchema.safeParse({ ...valid, content: { ...valid.content, nextSteps: [1] } }).success).toBe(
      false,
    );
    expect(
      ChatbotMessageSchema.safeParse({ ...valid, metadata: { ...valid.metadata, eventType: 'Logging Remediated' } })
        .success,
    ).toBe(false);
    expect(
      ChatbotMessageSchema.safeParse({ ...valid, metadata: { ...valid.metadata, additionalContext: { n: 1 } } }).success,
    ).toBe(false);
  });
});

/** What the app's announce does with a notification: fit it, publish it. */
const publishNotification = (client: SNSClient, topic: string, n: Notification): Promise<string> =>
  publish(client, snsPublishInput(topic, n));

describe('publishNotification', () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => {
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'msg-0001' });
  });

  const sentInput = (): PublishCommandInput => {
    const call = sns.commandCalls(PublishCommand)[0];
    if (!call) throw new Error('no PublishCommand was sent');
    return call.args[0].input;
  };

  it('sends one JSON-structured message with chat, https and email bodies, subject and attributes', async () => {
    const n = buildNotification(remediated, CTX);
    const id = await publishNotification(new SNSClient({ region: REGION }), TOPIC, n);
    expect(id).toBe('msg-0001');
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);

    const input = sentInput();
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.MessageStructure).toBe('json');
    expect(input.Subject).toBe(n.subject);
    const body = JSON.parse(input.Message ?? '') as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['default', 'email', 'https']);
    expect(typeof body.default).toBe('string');
    expect(body.https).toBe(body.default);
    expect(ChatbotMessageSchema.parse(JSON.parse(String(body.default)))).toEqual(n.chat);
    expect(body.email).toBe(n.email);
    expect(input.MessageAttributes).toEqual({
      outcome: { DataType: 'String', StringValue: 'remediated' },
      severity: { DataType: 'String', StringValue: 'info' },
      region: { DataType: 'String', StringValue: REGION },
      account: { DataType: 'String', StringValue: ACCOUNT },
    });
  });

  it('keeps a huge description under 256 KiB', async () => {
    const n = buildNotification({ ...remediated, description: 'x'.repeat(1_000_000) }, CTX);
    await publishNotification(new SNSClient({ region: REGION }), TOPIC, n);
    const input = sentInput();
    expect(Buffer.byteLength(input.Message ?? '', 'utf8')).toBeLessThan(SNS_MAX_MESSAGE_BYTES);
  });

  it('cuts an oversized notification to fit instead of throwing', async () => {
    const big = buildNotification(remediated, CTX);
    const oversized: Notification = {
      ...big,
      email: `${big.email}\n${'注意 '.repeat(200_000)}`,
      chat: { ...big.chat, content: { ...big.chat.content, description: '&amp; '.repeat(100_000) } },
    };
    expect(publishedSize(oversized)).toBeGreaterThan(SNS_MAX_MESSAGE_BYTES);
    const fitted = fitNotification(oversized);
    expect(publishedSize(fitted)).toBeLessThan(SNS_MAX_MESSAGE_BYTES);
    expect(ChatbotMessageSchema.safeParse(fitted.chat).success).toBe(true);
    expect(fitted.email.startsWith(big.email.slice(0, 200))).toBe(true);
    expect(fitted.email).toContain('[truncated to fit one SNS message]');

    await publishNotification(new SNSClient({ region: REGION }), TOPIC, oversized);
    const input = sentInput();
    const total =
      Buffer.byteLength(input.Message ?? '', 'utf8') +
      Buffer.byteLength(input.Subject ?? '', 'utf8') +
      Object.entries(input.MessageAttributes ?? {}).reduce(
        (sum, [k, v]) => sum + k.length + (v.DataType ?? '').length + (v.StringValue ?? '').length,
        0,
      );
    expect(total).toBeLessThan(SNS_MAX_MESSAGE_BYTES);
  });

  it('leaves a notification that fits untouched', () => {
    const n = buildNotification(failed, CTX);
    expect(fitNotification(n)).toBe(n);
  });
});

describe('console links', () => {
  it('builds endpoint and log group pages per partition', () => {
    expect(clientVpnEndpointConsoleUrl(REGION, ENDPOINT)).toBe(ENDPOINT_URL);
    expect(logGroupConsoleUrl(REGION, LOG_GROUP)).toBe(LOG_GROUP_URL);
    expect(clientVpnEndpointConsoleUrl('cn-north-1', ENDPOINT)).toBe(
      `https://cn-north-1.console.amazonaws.cn/vpc/home?region=cn-north-1#ClientVPNEndpointDetails:clientVpnEndpointId=${ENDPOINT}`,
    );
    expect(logGroupConsoleUrl('us-gov-west-1', '/a/b')).toBe(
      'https://us-gov-west-1.console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#logsV2:log-groups/log-group/$252Fa$252Fb',
    );
    expect(clientVpnEndpointConsoleUrl('us-iso-east-1', ENDPOINT)).toBeUndefined();
  });

  it('encodes log group names the way the CloudWatch console does', () => {
    expect(consoleFragmentEncode('/aws/clientvpn/x')).toBe('$252Faws$252Fclientvpn$252Fx');
    expect(consoleFragmentEncode('a#b')).toBe('a$2523b');
    expect(consoleFragmentEncode('a.b-c_d')).toBe('a.b-c_d');
  });

  it('refuses parts that are not what AWS would give', () => {
    expect(clientVpnEndpointConsoleUrl(REGION, 'cvpn-endpoint-x<!channel>')).toBeUndefined();
    expect(clientVpnEndpointConsoleUrl('evil.example/', ENDPOINT)).toBeUndefined();
    expect(logGroupConsoleUrl(REGION, 'bad name with spaces')).toBeUndefined();
    expect(logGroupArn('aws', REGION, 'nope', LOG_GROUP)).toBeUndefined();
  });

  it('builds log group ARNs per partition', () => {
    expect(logGroupArn(partitionForRegion(REGION), REGION, ACCOUNT, LOG_GROUP)).toBe(
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${LOG_GROUP}`,
    );
    expect(logGroupArn(partitionForRegion('cn-northwest-1'), 'cn-northwest-1', ACCOUNT, '/x')).toBe(
      `arn:aws-cn:logs:cn-northwest-1:${ACCOUNT}:log-group:/x`,
    );
    expect(partitionForRegion('us-gov-east-1')).toBe('aws-us-gov');
  });
});
