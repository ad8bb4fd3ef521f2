import { describe, expect, it } from 'vitest';
import { formatResultLine } from '../../../src/cli/replay';
import { remediated } from '../notify/outcomes';

describe('replay result line', () => {
  const line = (latencyMs: number): string =>
    formatResultLine({ kind: 'outcome', outcome: { ...remediated, latencyMs }, notified: true });

  it('gives the time to the fix in words, even for an event replayed days later', () => {
    expect(line(8_400)).toContain('[verified, 8.4 s after the change]');
    expect(line(290_500)).toContain('[verified, 4 min 51 s after the change]');
    expect(line(1_121_594_400)).toContain('[verified, 13 days after the change]');
    expect(line(1_121_594_400)).not.toMatch(/\d{4,}(?:\.\d+)? s\b/);
  });
});
