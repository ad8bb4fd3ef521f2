import { describe, expect, it } from 'vitest';
import { humanDuration } from '../../../src/util/duration';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const DAY = 24 * H;

describe('humanDuration', () => {
  it.each([
    [0, '0 s'],
    [400, '0.4 s'],
    [8_400, '8.4 s'],
    [9_000, '9 s'],
    [9_960, '10 s'],
    [40 * S, '40 s'],
    [59.4 * S, '59 s'],
    // Rounds up into the next range rather than showing "60 s".
    [59.9 * S, '1 min'],
    [60 * S, '1 min'],
    [290.5 * S, '4 min 51 s'],
    [290 * S, '4 min 50 s'],
    [999 * S, '16 min 39 s'],
    [12 * MIN, '12 min'],
    [59 * MIN + 59.7 * S, '1 h'],
    [H, '1 h'],
    [185 * MIN, '3 h 5 min'],
    [24 * H, '24 h'],
    [47 * H + 59 * MIN + 40 * S, '2 days'],
    [48 * H, '2 days'],
    [52 * H, '2 days 4 h'],
    [13 * DAY + 2 * H, '13 days 2 h'],
    // The replayed event of issue #9: "Time to fix 1121594.4 s".
    [1_121_594_400, '13 days'],
  ])('%d ms is %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it('never shows a bare count of seconds over 999', () => {
    for (let ms = 0; ms < 60 * DAY; ms = Math.ceil(ms * 1.07) + 137) {
      const text = humanDuration(ms);
      for (const [, n] of text.matchAll(/([\d.]+) s\b/g)) expect(Number(n), text).toBeLessThan(60);
    }
  });

  it('says unknown for a value that is no number, and 0 s for a negative one (clock skew)', () => {
    expect(humanDuration(Number.NaN)).toBe('unknown');
    expect(humanDuration(-5)).toBe('0 s');
  });
});
