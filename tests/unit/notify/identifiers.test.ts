/**
 * Identifiers that match their AWS shape are shown exactly, so they can be copied: in chat inside
 * an inline code span, in the email as they are unless a link detector could make a link of them.
 * Anything that fails its shape is free text and neutralised as before.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RemediationOutcome } from '../../../src/domain/outcome';
import { buildNotification, type Notification } from '../../../src/notify';
import { chatRender } from '../../../src/notify/chat';
import { emailRender } from '../../../src/notify/email';
import { codeSpanSafe, linkFree } from '../../../src/notify/sanitize';
import { identifier, type IdKind } from '../../../src/notify/values';
import { expectChatInert } from '../../fixtures/hostile';
import { linksIn, markdownLinksIn } from '../../helpers/link-detectors';
import { CTX, failed, remediated } from './outcomes';

const SSO_ROLE =
  'arn:aws:iam::999999999999:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_0123456789abcdef';
const SSO_SESSION_ARN =
  'arn:aws:sts::999999999999:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/jane.doe@example.com';
const KMS_KEY = 'arn:aws:kms:ap-northeast-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const chatOf = (n: Notification): string => [n.chat.content.description, ...(n.chat.content.nextSteps ?? [])].join('\n');
/** The lines of the email, each with its leading label and padding taken off. */
const emailValues = (n: Notification): string[] => n.email.split('\n').map((l) => l.replace(/^ {2}[A-Za-z ]{15}/, ''));

/** Where each kind shows up in a notification, and a real-shaped value of it. */
const IN_NOTIFICATIONS: ReadonlyArray<
  readonly [string, string, (v: string) => RemediationOutcome, { ctx?: boolean; emailOnly?: boolean }?]
> = [
  ['endpoint ID', 'cvpn-endpoint-00979964d0389482a', (v) => ({ ...remediated, endpointId: v })],
  ['account ID', '999999999999', (v) => ({ ...remediated, account: v })],
  ['IAM user ARN', 'arn:aws:iam::999999999999:user/test001@test.com', (v) => ({ ...remediated, actor: { type: 'IAMUser', arn: v } })],
  ['IAM role ARN with a path', SSO_ROLE, (v) => ({ ...remediated, actor: { type: 'AssumedRole', arn: v, sessionName: 'ktou' } })],
  ['assumed-role session ARN', SSO_SESSION_ARN, (v) => ({ ...remediated, actor: { type: 'AssumedRole', arn: v } })],
  ['GovCloud role ARN', 'arn:aws-us-gov:iam::999999999999:role/Admin', (v) => ({ ...remediated, actor: { type: 'AssumedRole', arn: v } })],
  ['role session name', 'AWSReservedSSO_jane', (v) => ({ ...failed, actor: { type: 'AssumedRole', arn: SSO_ROLE, sessionName: v } })],
  ['CloudTrail event ID', 'daa11b60-20df-48d9-a406-aeae3c339e9b', (v) => ({ ...remediated, eventId: v })],
  ['log group name', '/aws/clientvpn/prod_vpn-01', (v) => ({ ...remediated, logGroup: v, loggingAfter: { enabled: true, logGroup: v } })],
  ['log group name with a dot', '/aws/vendedlogs/vpn.prod', (v) => ({ ...remediated, logGroup: v, loggingAfter: { enabled: true, logGroup: v } })],
  ['AWS error code', 'UnauthorizedOperation', (v) => ({ ...failed, error: { code: v, message: 'm', retryable: false, step: 'modify' } })],
  // Configuration: the email's "KMS key" row; chat leaves it out.
  ['KMS key ARN', KMS_KEY, () => remediated, { ctx: true, emailOnly: true }],
];

describe('identifiers that match their shape are shown exactly', () => {
  it.each(IN_NOTIFICATIONS.map(([name, value, place, opts]) => [name, value, place, opts]))(
    '%s: verbatim in a chat code span and in the email',
    (_name, value, place, opts) => {
      const n = buildNotification(place(value), opts?.ctx ? { ...CTX, kmsKeyArn: value } : CTX);
      if (!opts?.emailOnly) expect(chatOf(n)).toContain(`\`${value}\``);
      expect(emailValues(n)).toContain(value);
    },
  );

  it('each kind round-trips through both renderers, whichever row it is in', () => {
    const samples: ReadonlyArray<readonly [IdKind, string]> = [
      ['endpoint-id', 'cvpn-endpoint-00979964d0389482a'],
      ['account', '999999999999'],
      ['principal-arn', SSO_SESSION_ARN],
      ['kms-key-arn', KMS_KEY],
      ['role-name', 'AWSReservedSSO_AdministratorAccess_0123456789abcdef'],
      ['role-name', 'deploy+ci=prod,eu'],
      ['session-name', 'i-0123456789abcdef0'],
      ['event-id', '9a81b7a0-2519-4d68-b9ca-0a35ee377151'],
      ['log-group', '/aws/clientvpn/cvpn-endpoint-00979964d0389482a'],
      ['error-code', 'InvalidClientVpnEndpointId'],
    ];
    for (const [kind, value] of samples) {
      const text = [identifier(kind, value, 300)];
      expect(chatRender(text), kind).toBe(`\`${value}\``);
      expect(emailRender(text), kind).toBe(value);
    }
  });

  it('shows the issue #9 examples without look-alike characters in chat', () => {
    const n = buildNotification(
      { ...remediated, actor: { type: 'AssumedRole', arn: SSO_ROLE, sessionName: 'jane.doe@example.com' } },
      CTX,
    );
    const chat = chatOf(n);
    expect(chat).toContain(`\`${SSO_ROLE}\``);
    expect(chat).toContain('session `jane.doe@example.com`');
    expect(chat).not.toMatch(/[\uFF3F\u2024\uFF20]/); // ＿ ․ ＠
    // And the email keeps the role ARN exact: everything after its first slash is glued to it.
    expect(emailValues(n)).toContain(SSO_ROLE);
    expect(linksIn(n.email).filter((l) => !l.startsWith('https://ap-northeast-1.console.aws.amazon.com/'))).toEqual([]);
  });
});

describe('in the email, an identifier that a link detector would link is still neutralised', () => {
  it.each([
    ['an email-address session name', 'jane.doe@example.com'],
    ['a domain-like session name', 'www.evil.example'],
    ['an IP-like session name', '10.0.0.1'],
  ])('%s: exact in chat, no link in the email', (_name, session) => {
    const n = buildNotification({ ...failed, actor: { type: 'AssumedRole', arn: SSO_ROLE, sessionName: session } }, CTX);
    expect(chatOf(n)).toContain(`session \`${session}\``);
    expect(markdownLinksIn(n.chat.content.description).filter((l) => !l.includes('console.aws.amazon.com'))).toEqual([]);
    expect(n.email).not.toContain(session);
    expect(linksIn(n.email).filter((l) => !l.startsWith('https://ap-northeast-1.console.aws.amazon.com/'))).toEqual([]);
  });

  it.each([
    ['a user name after a comma', 'arn:aws:iam::999999999999:user/x,www.evil.example'],
    ['a user name after an equals sign', 'arn:aws:iam::999999999999:user/x=evil.example'],
  ])('an ARN with %s: exact in chat, no link in the email', (_name, arn) => {
    expect(linksIn(arn).length).toBeGreaterThan(0); // the detector would link it as it is
    const n = buildNotification({ ...remediated, actor: { type: 'IAMUser', arn } }, CTX);
    expect(chatOf(n)).toContain(`\`${arn}\``);
    expect(n.email).not.toContain(arn);
    expect(linksIn(n.email).filter((l) => !l.startsWith('https://ap-northeast-1.console.aws.amazon.com/'))).toEqual([]);
  });

  it('a log group name that holds a link is exact in chat, neutralised in the email, its next steps included', () => {
    const group = '/aws/x/#evil.example/login';
    const n = buildNotification({ ...remediated, tool: 'terraform', logGroup: group, loggingAfter: { enabled: true, logGroup: group } }, CTX);
    expect(chatOf(n)).toContain(`\`${group}\``);
    // Only the console link (which encodes the name) carries it as it is.
    expect(n.email.split('\n').filter((l) => l.includes(group))).toEqual([]);
    expect(n.email).toMatch(/Log group\s+\/aws\/x\/#evil\u2024example\/login/);
    expect(linksIn(n.email).filter((l) => !l.startsWith('https://ap-northeast-1.console.aws.amazon.com/'))).toEqual([]);
  });
});

describe('a value that fails its shape is free text, neutralised as before', () => {
  it.each([
    ['session name with a slash and scheme', { sessionName: 'https://evil.example/login' }],
    ['session name with a mention', { sessionName: '<!channel>' }],
    ['session name with a space', { sessionName: 'jane doe' }],
    ['session name that is a mention', { sessionName: '@here' }],
  ])('%s', (_name, fields) => {
    const n = buildNotification({ ...failed, actor: { type: 'AssumedRole', arn: SSO_ROLE, ...fields } }, CTX);
    const line = n.chat.content.description.split('\n').find((l) => l.startsWith('*Who:* ')) ?? '';
    const session = /session (.*?) · /.exec(line)?.[1] ?? '';
    expect(session).not.toBe('');
    expectChatInert(session);
    expect(linksIn(n.email).filter((l) => !l.startsWith('https://ap-northeast-1.console.aws.amazon.com/'))).toEqual([]);
  });

  it.each([
    ['a made-up partition that spells a scheme', 'arn:aws-tel:iam::999999999999:user/x'],
    ['an account that is no account', 'arn:aws:iam::1:user/evil.example'],
    ['markup in a path', 'arn:aws:iam::999999999999:user/<!channel>'],
  ])('a principal ARN with %s', (_name, arn) => {
    const n = buildNotification({ ...remediated, actor: { type: 'IAMUser', arn } }, CTX);
    expect(chatOf(n)).not.toContain(`\`${arn}\``);
    const who = (n.chat.content.description.split('\n').find((l) => l.startsWith('*Who:* ')) ?? '').slice(7);
    expectChatInert(who.split(' · ')[0] ?? '');
    expect(linksIn(n.email).filter((l) => !l.startsWith('https://ap-northeast-1.console.aws.amazon.com/'))).toEqual([]);
  });

});

describe('linkFree', () => {
  it('says what the link detectors say on the identifiers of the tests above', () => {
    for (const s of [SSO_ROLE, SSO_SESSION_ARN, '/aws/vendedlogs/vpn.prod', 'AWSReservedSSO_x', 'ktou']) {
      expect(linkFree(s), s).toBe(true);
      expect(linksIn(s), s).toEqual([]);
    }
    // The last two: the current linkify-it takes a slash in an address's local part.
    for (const s of ['jane.doe@example.com', 'evil.example', 'x,www.evil.example', 'a//evil.example', 'arn:aws-tel:x', '/@tel.evil', 'x/@evil.example']) {
      expect(linkFree(s), s).toBe(false);
    }
  });

  it('never lets a detector find a link in what it calls link-free, wherever it stands (property)', () => {
    const fragments = [
      ...['.', '@', ':', '/', '-', '_', '+', '=', ',', '#', ' ', '(', ')', '"', '{', '}', '$', '^', '|', '~', '!', '?'],
      ...['%', '&', ';', "'", '*', '[', ']', '<', '>', '`', '..', '@@', '///', 'WWW', 'COM', '1.2.3.4', 'localhost:80'],
      ...['www', 'evil', 'example', 'com', 'x', '10', '0', 'arn', 'aws', 'iam', 'sts', 'http', 'https', 'mailto', 'tel'],
      ...['file', 'localhost', 'xn--80ak6aa92e', 'user', 'role', 'assumed-role', '999999999999', 'AWSReservedSSO'],
    ];
    const text = fc.array(fc.constantFrom(...fragments), { minLength: 1, maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (s) => {
        // Only the interesting ones: with nothing that could separate a host or address, any text is link-free.
        if (!/[.@:]/.test(s) || !linkFree(s)) return;
        for (const around of [s, `  Principal      ${s}`, `to ${s}.`, `(${s}),`, `"${s}"`, `${s}\n${s}`]) {
          expect(linksIn(around), around).toEqual([]);
        }
      }),
      { numRuns: Number(process.env.LINK_RUNS ?? 2000), seed: Number(process.env.LINK_SEED ?? 42) },
    );
  });
});

describe('codeSpanSafe', () => {
  it('keeps Slack control sequences, entities and mentions out of code spans', () => {
    expect(codeSpanSafe('jane.doe@example.com')).toBe(true);
    expect(codeSpanSafe(SSO_SESSION_ARN)).toBe(true);
    for (const s of ['<!channel>', 'a&lt;b', '@here', 'x/@channel', 'a\\', '', '``', 'caf\u00e9']) {
      expect(codeSpanSafe(s), s).toBe(false);
    }
  });
});
