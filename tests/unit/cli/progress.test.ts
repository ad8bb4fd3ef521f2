import { describe, expect, it } from 'vitest';
import { fitLine, Progress, table, wrapText } from '../../../src/cli/progress';

describe('fitLine', () => {
  it('keeps a line that fits, leaving the last column free', () => {
    expect(fitLine('x'.repeat(79), 80)).toBe('x'.repeat(79));
    expect(fitLine('x'.repeat(80), 80)).toBe(`${'x'.repeat(78)}…`);
  });

  it('never returns more than columns - 1 characters, for any width', () => {
    const text = '17/17 regions · 123456 endpoints · 4321 fixed · 12 failed';
    for (let columns = 1; columns <= 120; columns++) {
      expect(Array.from(fitLine(text, columns)).length, `columns ${columns}`).toBeLessThanOrEqual(Math.max(1, columns - 1));
    }
  });

  it('assumes 80 columns when the terminal reports none', () => {
    expect(Array.from(fitLine('y'.repeat(200), undefined))).toHaveLength(79);
    expect(Array.from(fitLine('y'.repeat(200), 0))).toHaveLength(79);
  });
});

describe('Progress', () => {
  it('draws n/N and the summed counters on one line, rate-limited, and erases it at the end', () => {
    const writes: string[] = [];
    let now = 1000;
    const p = new Progress((t) => writes.push(t), { now: () => now });
    p.start(3, 'regions');
    p.update('eu-west-1', { endpoints: 50, fixed: 1, failed: 0 });
    now = 1050; // too soon: not drawn, but counted
    p.update('us-east-1', { endpoints: 3, fixed: 0, failed: 0 });
    now = 1300;
    p.step();
    now = 1600;
    p.update('eu-west-1', { endpoints: 75, fixed: 4 });
    p.done();
    expect(writes).toEqual([
      '\r\x1b[K0/3 regions · 50 endpoints · 1 fixed · 0 failed',
      '\r\x1b[K1/3 regions · 53 endpoints · 1 fixed · 0 failed',
      '\r\x1b[K1/3 regions · 78 endpoints · 4 fixed · 0 failed',
      '\r\x1b[K',
    ]);
  });

  it('fits the line to the width it reads on each draw', () => {
    const writes: string[] = [];
    let now = 0;
    let columns = 120;
    const p = new Progress((t) => writes.push(t), { now: () => now, columns: () => columns });
    p.start(17, 'regions');
    p.update('eu-west-1', { endpoints: 123456, fixed: 4321, failed: 12 });
    columns = 20;
    now = 1000;
    p.step();
    expect(writes[0]).toBe('\r\x1b[K0/17 regions · 123456 endpoints · 4321 fixed · 12 failed');
    expect(writes[1]).toBe('\r\x1b[K1/17 regions · 123…');
  });

  it('stays silent without a terminal', () => {
    const p = new Progress(undefined);
    expect(() => {
      p.update('eu-west-1', { endpoints: 1 });
      p.done();
    }).not.toThrow();
  });

  it('writes nothing at the end when it never drew', () => {
    const writes: string[] = [];
    new Progress((t) => writes.push(t)).done();
    expect(writes).toEqual([]);
  });

  it('neutralises control characters in counter names', () => {
    const writes: string[] = [];
    const p = new Progress((t) => writes.push(t), { now: () => 1000 });
    p.update('eu-west-1', { 'pages\x1b[2J': 1 });
    expect(writes[0]).not.toContain('\x1b[2J');
  });
});

describe('table', () => {
  it('aligns columns', () => {
    expect(table(['a', 'bb'], [['xxx', 'y'], ['z', 'wwww']])).toBe('a    bb\n---  ----\nxxx  y\nz    wwww');
  });
});

describe('wrapText', () => {
  const arn = 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/jane.doe@example.com';

  it('wraps at spaces with a hanging indent, keeping the first line\'s own indent', () => {
    const text = `  ${'word '.repeat(30).trim()}`;
    const lines = wrapText(text, 40, '    ').split('\n');
    expect(lines[0]?.startsWith('  word')).toBe(true);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(40);
    for (const line of lines.slice(1)) expect(line.startsWith('    word')).toBe(true);
    expect(lines.join(' ').replace(/\s+/g, ' ').trim()).toBe('word '.repeat(30).trim());
  });

  it('puts a token longer than the line whole on its own line', () => {
    const lines = wrapText(`caller ${arn} did it`, 80).split('\n');
    expect(lines).toEqual(['caller', `  ${arn}`, '  did it']);
  });
});
