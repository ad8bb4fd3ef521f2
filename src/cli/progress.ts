import { plainText } from '../util/plain-text';

export type Counters = Record<string, number>;

/** Terminals that report no width (or 0) are drawn for as if they had the classic 80 columns. */
export const DEFAULT_COLUMNS = 80;
/** Redraws closer together than this only cost the terminal time. */
const REDRAW_MS = 150;
const ERASE_LINE = '\r\x1b[K';

/**
 * Fits a status line into a terminal `columns` wide. One column stays free: writing the last one
 * leaves many terminals in a pending wrap, and the next `\r` then lands on a fresh line.
 */
export function fitLine(text: string, columns: number | undefined): string {
  const width = Math.max(1, (columns !== undefined && columns > 0 ? Math.floor(columns) : DEFAULT_COLUMNS) - 1);
  const chars = Array.from(text);
  if (chars.length <= width) return text;
  return width === 1 ? '…' : `${chars.slice(0, width - 1).join('')}…`;
}

export interface ProgressOptions {
  /** The terminal's width, read again on every draw so a resize takes effect at once. */
  columns?: () => number | undefined;
  now?: () => number;
}

/**
 * Live progress on a terminal: one short line rewritten in place on stderr, so stdout stays clean
 * for results, e.g. `3/17 regions · 120 endpoints · 4 fixed · 0 failed`. Silent when stderr is not
 * a terminal, with --json, --quiet or --no-progress.
 */
export class Progress {
  private readonly counters = new Map<string, Counters>();
  private total: { count: number; unit: string } | undefined;
  private finished = 0;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private drawn = false;
  private readonly columns: () => number | undefined;
  private readonly now: () => number;

  constructor(
    private readonly write: ((text: string) => void) | undefined,
    options: ProgressOptions = {},
  ) {
    this.columns = options.columns ?? (() => undefined);
    this.now = options.now ?? Date.now;
  }

  /** Announces how many units (regions, events) the run has, for the `n/N` part. */
  start(count: number, unit: string): void {
    this.total = { count, unit };
    this.finished = 0;
  }

  /** Sets the counters of one part of the run (a region; `run` when there is only one). */
  update(part: string, counters: Counters): void {
    this.counters.set(part, { ...this.counters.get(part), ...counters });
    this.draw();
  }

  /** One unit of `start`'s count is done. */
  step(): void {
    this.finished++;
    this.draw();
  }

  /** The line as it would be drawn now, before fitting. */
  text(): string {
    const sums = new Map<string, number>();
    for (const c of this.counters.values()) {
      for (const [k, v] of Object.entries(c)) sums.set(k, (sums.get(k) ?? 0) + v);
    }
    const parts = [...sums.entries()].map(([k, v]) => `${v} ${k}`);
    if (this.total) parts.unshift(`${this.finished}/${this.total.count} ${this.total.unit}`);
    return plainText(parts.join(' · '), 400);
  }

  private draw(): void {
    if (!this.write || this.now() - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = this.now();
    this.write(`${ERASE_LINE}${fitLine(this.text(), this.columns())}`);
    this.drawn = true;
  }

  /** Erases the line; the next update draws it again. */
  done(): void {
    if (this.write && this.drawn) this.write(ERASE_LINE);
    this.drawn = false;
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

/**
 * Wraps at spaces to `width` columns, continuation lines indented by `indent`; a word longer than
 * the line (an ARN) stands whole on its own line rather than being cut where a copy would break it.
 */
export function wrapText(text: string, width = 80, indent = '  '): string {
  const lead = /^ */.exec(text)?.[0] ?? '';
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ').filter((w) => w !== '')) {
    const prefix = lines.length === 0 && line === '' ? lead : line === '' ? indent : `${line} `;
    if (line.trim() !== '' && prefix.length + word.length > width) {
      lines.push(line);
      line = `${indent}${word}`;
    } else {
      line = `${prefix}${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}
