import { describe, expect, it } from 'vitest';
import { Progress, table } from '../../../src/cli/progress';

describe('Progress', () => {
  it('rewrites one line per update on a terminal, rate-limited, and clears it at the end', () => {
    const writes: string[] = [];
    let now = 0;
    const p = new Progress((t) => writes.push(t), () => now);
    now = 1000;
    p.update('eu-west-1', { pages: 1, events: 50 });
    now = 1050; // too soon: skipped
    p.update('us-east-1', { pages: 1, events: 3 });
    now = 1300;
    p.update('eu-west-1', { pages: 2, events: 75, remediated: 4 });
    p.done();
    expect(writes).toEqual([
      '\r\x1b[Keu-west-1: 1 pages, 50 events',
      '\r\x1b[Keu-west-1: 2 pages, 75 events, 4 remediated | us-east-1: 1 pages, 3 events',
      '\r\x1b[K',
    ]);
  });

  it('stays silent without a terminal', () => {
    const p = new Progress(undefined);
    expect(() => {
      p.update('eu-west-1', { pages: 1 });
      p.done();
    }).not.toThrow();
  });

  it('neutralises control characters from region names', () => {
    const writes: string[] = [];
    const p = new Progress((t) => writes.push(t), () => 1000);
    p.update('eu-west-1\x1b[2J', { pages: 1 });
    expect(writes[0]).not.toContain('\x1b[2J');
  });
});

describe('table', () => {
  it('aligns columns', () => {
    expect(table(['a', 'bb'], [['xxx', 'y'], ['z', 'wwww']])).toBe('a    bb\n---  ----\nxxx  y\nz    wwww');
  });
});
