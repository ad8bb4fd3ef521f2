import { describe, expect, it } from 'vitest';
import { CHATBOT_EVENT_TYPE_PATTERN, ChatbotMessageSchema, buildNotification } from '../../../src/notify';
import { LOG_GROUP_ACTIONS, NOTIFIABLE_ACTIONS, type RemediationOutcome } from '../../../src/domain/outcome';
import { HOSTILE, expectChatInert, expectOneCleanLine } from '../../fixtures/hostile';
import {
  ACCOUNT,
  BY_ACTION,
  CASES,
  CTX,
  ENDPOINT,
  ENDPOINT_URL,
  LOG_GROUP,
  LOG_GROUP_URL,
  REGION,
  exempt,
  failed,
  remediated,
  wouldRemediate,
} from './outcomes';

const CONTROL_EXCEPT_NEWLINE = /(?!\n)\p{Cc}/u;
/** Where a field's value starts: two spaces of indent and a 15-character label. */
const VALUE_COLUMN = 17;

function expectEmailLines(email: string): void {
  for (const line of email.split('\n')) {
    if (line.length < 100) continue;
    // Longer only to keep one token whole (a URL, an ARN, a long word), alone after its label.
    expect(line.slice(VALUE_COLUMN).trimStart(), line).not.toContain(' ');
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
    // The log-group actions (retention-short, not-delivering, ...) have their own tests:
    // tests/unit/domain/log-group-outcomes.test.ts builds every one of them.
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
    // remediated is a CreateClientVpnEndpoint: logging was never on, so nothing is "re-enabled".
    expect(subject(remediated)).toBe(`[cvpn-log-guard] Created without logging, fixed: ${ENDPOINT} (${REGION})`);
    expect(subject({ ...remediated, eventName: 'ModifyClientVpnEndpoint' })).toBe(
      `[cvpn-log-guard] Logging switched off, fixed: ${ENDPOINT} (${REGION})`,
    );
    expect(subject({ ...remediated, verification: 'requested' })).toBe(
      `[cvpn-log-guard] Logging fix not yet confirmed: ${ENDPOINT} (${REGION})`,
    );
    expect(subject(failed)).toBe(`[cvpn-log-guard] Could not turn logging on: ${ENDPOINT} (${REGION})`);
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

  it('remediated long after the change (a replayed event): the time reads in days, not seconds', () => {
    const { email, chat } = buildNotification({ ...remediated, latencyMs: 1_121_594_400 }, CTX);
    expect(email).toMatch(/Time to fix\s+13 days from the change to the verified fix/);
    expect(chat.content.description).toContain('verified by read-back, 13 days after the change');
    for (const text of [email, chat.content.description, ...(chat.content.nextSteps ?? [])]) {
      expect(text).not.toMatch(/\d{4,}(?:\.\d+)? s\b/);
    }
  });

  it('remediated by Terraform or CloudFormation: warns that the next apply turns logging off again', () => {
    const tf = buildNotification({ ...remediated, tool: 'terraform', eventName: 'ModifyClientVpnEndpoint' }, CTX);
    expect(tf.email).toMatch(/Terraform.*next apply turns logging off again/s);
    expect(tf.chat.content.nextSteps?.join('\n')).toContain('`connection_log_options { enabled = false }`');
    const cfn = buildNotification({ ...remediated, tool: 'cloudformation', eventName: 'ModifyClientVpnEndpoint' }, CTX);
    expect(cfn.email).toMatch(/CloudFormation.*next stack update turns logging off again/s);
  });

  it('failed: shows the error and step, names the permission, and points at redrive', () => {
    const { email, chat } = buildNotification(failed, CTX);
    expect(email).toMatch(/Code\s+UnauthorizedOperation/);
    expect(email).toMatch(/Step\s+modify \(ModifyClientVpnEndpoint\)/);
    expect(email).toContain('You are not authorized to perform this operation.');
    expect(email).toContain('ec2:ModifyClientVpnEndpoint');
    expect(email).toContain(`cvpn-log-guard redrive --region ${REGION} --stage STAGE`);
    // Retryable: no. So no "wait for the automatic retry".
    expect(email).not.toMatch(/wait for the automatic retry|retried automatically|Lambda retries/);
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
    expect(email).toContain('logging is still OFF');
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
    endpointName: hostileText,
    sourceIp: hostileText,
    exemption: { reason: hostileText, until: '2026-12-31 <!channel>', expired: false },
  };
  const hostileFailed: RemediationOutcome = {
    ...failed,
    description: hostileText,
    actor: { type: hostileText, arn: hostileText, sessionName: hostileText },
    endpointName: hostileText,
    sourceIp: hostileText,
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
      expect(line).toMatch(/^\*[A-Z][A-Za-z ]+:\* /);
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
    expect(email).toContain('hxxps://evil\u2024example'); // and its host's dots are no domain separators
    expectSubject(subject);
  });

  it('never builds a subject, thread or link from an endpoint ID or region that is not one', () => {
    const { subject, chat, email } = buildNotification(
      { ...remediated, endpointId: '<!channel> cvpn-endpoint-x', region: 'us-east-1 @here' },
      CTX,
    );
    expect(subject).toBe('[cvpn-log-guard] Created without logging, fixed: unrecognised endpoint ID (unknown region)');
    expect(chat.metadata?.threadId).toBe('cvpn-log-guard');
    expect(chat.content.description).not.toContain('https://');
    expect(email).not.toContain('https://');
    expect(ChatbotMessageSchema.safeParse(chat).success).toBe(true);
    // The account (valid here) is a code span of its own; the rest of the line is what was checked.
    const first = chat.content.description.split('\n').find((l) => l.startsWith('*Endpoint:*')) ?? '';
    expect(first).toContain(`, account \`${ACCOUNT}\``);
    expectChatInert(first.replace(/^\*Endpoint:\* /, '').replace(/, account `\d{12}`$/, ''));
  });

  it.each(HOSTILE.map((h) => [h]))('description %j never reaches chat in an active form', (text) => {
    const { chat, email } = buildNotification({ ...remediated, description: text }, CTX);
    const line = chat.content.description.split('\n').find((l) => l.startsWith('*Description:* '));
    if (line !== undefined) expectChatInert(line.slice('*Description:* '.length));
    expectEmailLines(email);
  });
});
