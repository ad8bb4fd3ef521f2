import { plainText } from '../util/plain-text';

export type RegionCounters = Record<string, number>;

/**
 * Per-region progress on a terminal: one line rewritten in place on stderr, so stdout stays
 * clean for results. Silent when stderr is not a terminal, with --json, or with --quiet.
 */
export class Progress {
  private readonly regions = new Map<string, RegionCounters>();
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly write: ((text: string) => void) | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  update(region: string, counters: RegionCounters): void {
    this.regions.set(region, { ...this.regions.get(region), ...counters });
    if (!this.write || this.now() - this.lastDraw < 150) return;
    this.lastDraw = this.now();
    const parts = [...this.regions.entries()].map(
      ([r, c]) => `${r}: ${Object.entries(c).map(([k, v]) => `${v} ${k}`).join(', ')}`,
    );
    const line = plainText(parts.join(' | '), 400);
    this.write(`\r\x1b[K${line}`);
    this.drawn = true;
  }

  done(): void {
    if (this.write && this.drawn) this.write('\r\x1b[K');
  }
}

/** A plain text table with left-aligned columns. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
