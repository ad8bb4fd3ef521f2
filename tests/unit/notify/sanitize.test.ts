import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defangUrls, emailText, plainText, slackText, subjectText, unlink } from '../../../src/notify/sanitize';
import { plainText as basePlainText } from '../../../src/util/plain-text';
import { HOSTILE, LONE_SURROGATE, expectChatInert, expectOneCleanLine } from '../../fixtures/hostile';

const codePoints = (s: string): number => Array.from(s).length;

describe('plainText', () => {
  it.each(HOSTILE)('leaves one clean line: %j', (s) => {
    const out = plainText(s, 200);
    expectOneCleanLine(out);
    expect(codePoints(out)).toBeLessThanOrEqual(200);
  });

  it('turns line breaks, tabs and whitespace runs into single spaces', () => {
    expect(plainText('line1\nline2\r\nSubject: x', 100)).toBe('line1 line2 Subject: x');
    expect(plainText('  a \t\t b\u2028c\u2029d\u0085e\u3000f  ', 100)).toBe('a b c d e f');
  });

  it('drops control, bidi and zero-width characters without joining words', () => {
    expect(plainText('\u202Eevil\u202C', 100)).toBe('evil');
    expect(plainText('a\u200Bb', 100)).toBe('ab');
    expect(plainText('\u0000\u0007\u001b[31m', 100)).toBe('[31m');
    expect(plainText('one\u0007 \u0007two', 100)).toBe('one two');
  });

  it('drops variation selectors, Hangul fillers and the Braille blank', () => {
    expect(plainText('e\uFE0Fvil \u{E0100}x \uFE00y', 100)).toBe('evil x y');
    expect(plainText('\u3164\uFFA0\u115F\u1160name', 100)).toBe('name');
    expect(plainText('a\u2800b \u2800', 100)).toBe('ab');
    expect(plainText('\u2764\uFE0F', 10)).toBe('\u2764');
  });

  it('keeps at most two combining marks on a letter', () => {
    expect(plainText('z\u0300\u0301\u0302\u0303a', 100)).toBe('z\u0300\u0301a');
    expect(plainText('Vi\u1EC7t', 100)).toBe('Vi\u1EC7t');
    expect(plainText('e\u0323\u0302', 100)).toBe('e\u0323\u0302');
  });

  it('is the same function as the CLI uses', () => {
    expect(plainText).toBe(basePlainText);
  });

  it('replaces lone surrogates with U+FFFD and keeps valid pairs', () => {
    expect(plainText('\uD800', 10)).toBe('\uFFFD');
    expect(plainText('a\uDC00b', 10)).toBe('a\uFFFDb');
    expect(plainText('😀', 10)).toBe('😀');
  });

  it('keeps emoji and CJK text as written', () => {
    expect(plainText('東京オフィス VPN 🇯🇵', 100)).toBe('東京オフィス VPN 🇯🇵');
  });

  it('truncates to max code points with an ellipsis, never splitting a surrogate pair', () => {
    expect(plainText('abcdefghij', 5)).toBe('abcd…');
    expect(plainText('abcde', 5)).toBe('abcde');
    const emoji = plainText('😀'.repeat(10), 5);
    expect(emoji).toBe('😀😀😀😀…');
    expect(emoji).not.toMatch(LONE_SURROGATE);
    expect(codePoints(plainText('x'.repeat(10_000), 300))).toBe(300);
    expect(plainText('anything', 0)).toBe('');
  });
});

describe('slackText', () => {
  it.each(HOSTILE)('is inert in chat markdown: %j', (s) => {
    expectChatInert(slackText(s, 300));
  });

  it('escapes Slack control sequences so they show as text', () => {
    expect(slackText('<!channel>', 50)).toBe('&lt;!channel&gt;');
    expect(slackText('<@U123ABC>', 50)).toBe('&lt;＠U123ABC&gt;');
    expect(slackText('a & b', 50)).toBe('a &amp; b');
    expect(slackText('&lt;', 50)).toBe('&amp;lt;');
  });

  it('defuses mentions, markdown and links with look-alikes a person still reads', () => {
    expect(slackText('@here', 50)).toBe('＠here');
    expect(slackText('*bold* _it_ ~s~ `code`', 50)).toBe('∗bold∗ ＿it＿ ∼s∼ ˋcodeˋ');
    expect(slackText('[click](https://evil.example)', 50)).toBe('［click］（hxxps∶//evil․example）');
    expect(slackText('# heading', 50)).toBe('＃ heading');
    expect(slackText('HTTPS://x.example', 50)).toBe('HXXPS∶//x․example');
  });

  it('keeps ordinary text readable', () => {
    expect(slackText('Tokyo office VPN, prod', 100)).toBe('Tokyo office VPN, prod');
    expect(slackText('東京オフィス 🇯🇵', 100)).toBe('東京オフィス 🇯🇵');
  });

  it('bounds the visible length', () => {
    expect(codePoints(slackText('x'.repeat(10_000), 100))).toBe(100);
  });

  it('holds for any string (property)', () => {
    const fragments = [...HOSTILE.filter((h) => h.length < 100), ' ', 'a', '\n', '.', ':', '/', 'http', 's://'];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.array(fc.constantFrom(...fragments), { maxLength: 20 }).map((parts) => parts.join('')),
        ),
        (s) => {
          expectChatInert(slackText(s, 200));
          expectOneCleanLine(plainText(s, 200));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('subjectText', () => {
  it.each(HOSTILE)('is a valid SNS subject: %j', (s) => {
    const out = subjectText(s);
    expectOneCleanLine(out);
    expect(out.length).toBeLessThan(100);
    expect(out.length).toBeGreaterThan(0);
    expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out);
  });

  it('counts astral characters as two, so the limit holds however SNS counts', () => {
    const out = subjectText('😀'.repeat(80));
    expect(out.length).toBeLessThanOrEqual(99);
    expect(out.endsWith('…')).toBe(true);
    expect(out).not.toMatch(LONE_SURROGATE);
  });

  it('is never empty and respects a smaller max', () => {
    expect(subjectText('')).not.toBe('');
    expect(subjectText('\u0000\u200B\n')).not.toBe('');
    expect(subjectText('abcdefghij', 5)).toBe('abcd…');
    expect(subjectText('x'.repeat(500), 500).length).toBeLessThan(100);
  });

  it('holds for any string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
        const out = subjectText(s);
        expect(out.length).toBeGreaterThan(0);
        expect(out.length).toBeLessThan(100);
        expectOneCleanLine(out);
      }),
      { numRuns: 500 },
    );
  });
});

describe('unlink and emailText', () => {
  it('breaks every kind of link and keeps the text readable', () => {
    expect(unlink('www.evil.example')).toBe('www\u2024evil\u2024example');
    expect(unlink('evil.example/login')).toBe('evil\u2024example/login');
    expect(unlink('me@evil.example')).toBe('me\uFF20evil\u2024example');
    expect(unlink('ftp://x and FILE:///etc and mailto:me')).toBe('ftp\u2236//x and FILE\u2236///etc and mailto\u2236me');
    expect(unlink('\\\\evil\\share')).toBe('\u2216\u2216evil\u2216share');
    expect(unlink('http:\\\\evil')).toBe('hxxp:\u2216\u2216evil');
    expect(unlink('see //localhost/x')).toBe('see /\u2215localhost/x');
    expect(unlink('evil\uFF0Eexample evil\u3002example evil\uFF61example')).toBe(
      'evil\u2024example evil\u2024example evil\u2024example',
    );
    expect(unlink('https://evil.example')).toBe('hxxps://evil\u2024example');
  });

  it('leaves prose, CJK sentences and ARNs alone but for their dots', () => {
    expect(unlink('Tokyo office VPN, prod. Owner: network team')).toBe('Tokyo office VPN, prod. Owner: network team');
    expect(unlink('東京オフィス。本番')).toBe('東京オフィス。本番');
    expect(unlink('arn:aws:iam::999999999999:role/KTOU_SwitchRole')).toBe('arn:aws:iam::999999999999:role/KTOU_SwitchRole');
  });

  it('holds where a property run found gaps: symbols in labels, schemes after an underscore', () => {
    expect(unlink('A.\u{1EEF0}0 0.\u{10B39}0 a.|www _tel:+15551234567')).toBe(
      'A\u2024\u{1EEF0}0 0\u2024\u{10B39}0 a\u2024|www _tel\u2236+15551234567',
    );
  });

  it('is what the email applies to user values, after plainText', () => {
    expect(emailText(' www.evil\u200B.example\n', 100)).toBe('www\u2024evil\u2024example');
  });
});

describe('defangUrls', () => {
  it('breaks web links visibly and keeps everything else', () => {
    expect(defangUrls('see https://a.example and http://b.example')).toBe('see hxxps://a.example and hxxp://b.example');
    expect(defangUrls('HTTP://A.EXAMPLE')).toBe('HXXP://A.EXAMPLE');
    expect(defangUrls('http without scheme')).toBe('http without scheme');
  });
});
