/** The email's layout: aligned label/value rows, wrapped at spaces only. */
import { describe, expect, it } from 'vitest';
import { buildNotification } from '../../../src/notify';
import { wrapLine } from '../../../src/notify/email';
import { CTX, failed, remediated } from './outcomes';

/** 120 characters: an IAM Identity Center session, as CloudTrail records it. */
const SESSION_ARN =
  'arn:aws:sts::999999999999:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/jane.doe-platform@example.com';
/** Two spaces of indent and a 15-character label. */
const VALUE_INDENT = ' '.repeat(17);

describe('wrapLine', () => {
  it('breaks at spaces only, never inside a word', () => {
    expect(wrapLine('aaa bbb ccc ddd', 7)).toEqual(['aaa bbb', 'ccc ddd']);
    expect(wrapLine('aaa bbbb', 7)).toEqual(['aaa', 'bbbb']);
  });

  it('puts a word longer than the width whole on a line of its own', () => {
    expect(wrapLine('see arn:aws:iam::999999999999:role/R now', 10)).toEqual([
      'see',
      'arn:aws:iam::999999999999:role/R',
      'now',
    ]);
    expect(wrapLine('x'.repeat(30), 10)).toEqual(['x'.repeat(30)]);
  });

  it('counts UTF-16 units and keeps surrogate pairs whole', () => {
    expect(wrapLine('😀😀 😀😀', 5)).toEqual(['😀😀', '😀😀']);
    expect(wrapLine('😀😀😀', 2)).toEqual(['😀😀😀']);
  });

  it('gives one empty line for empty text', () => {
    expect(wrapLine('', 10)).toEqual(['']);
    expect(wrapLine('   ', 10)).toEqual(['']);
  });
});

describe('email layout', () => {
  it('shows a 120-character assumed-role ARN unbroken, alone beside its label', () => {
    const { email } = buildNotification({ ...remediated, actor: { type: 'AssumedRole', arn: SESSION_ARN } }, CTX);
    const line = email.split('\n').find((l) => l.startsWith('  Caller'));
    expect(line).toBe(`  ${'Caller'.padEnd(15)}${SESSION_ARN}`);
  });

  it('wraps a long free-text value at spaces, continuation lines under the value', () => {
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`);
    const { email } = buildNotification({ ...remediated, description: words.join(' ') }, CTX);
    const lines = email.split('\n');
    const first = lines.findIndex((l) => l.startsWith('  Description'));
    const rows = [lines[first] ?? ''];
    for (let i = first + 1; lines[i]?.startsWith(VALUE_INDENT); i++) rows.push(lines[i] ?? '');
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) {
      expect(row.length).toBeLessThan(100);
      expect(row.slice(VALUE_INDENT.length)).toMatch(/^word\d+( word\d+)*$/);
    }
    // Every word is there, whole and in order.
    expect(rows.map((r) => r.slice(VALUE_INDENT.length)).join(' ')).toBe(words.join(' '));
  });

  it('wraps an AWS error message at spaces and keeps a long token in it whole', () => {
    const arn = 'arn:aws:iam::999999999999:role/service-role/cvpn-log-guard-prod-remediate-eu-west-1-lambdaRole-0123456789';
    const message = `User: ${arn} is not authorized to perform: ec2:ModifyClientVpnEndpoint on resource: x because no policy allows it`;
    const { email } = buildNotification({ ...failed, error: { code: 'UnauthorizedOperation', message, retryable: false, step: 'modify' } }, CTX);
    expect(email.split('\n')).toContain(`${VALUE_INDENT}${arn}`);
  });
});
