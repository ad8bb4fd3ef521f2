/**
 * Durations as people read them, for alerts and CLI output (logs and metrics keep milliseconds):
 * "0.4 s", "8.4 s", "42 s", "4 min 50 s", "3 h 5 min", "13 days 2 h". Never a bare count of
 * seconds past a minute: "1121594.4 s" tells a reader nothing until they do the arithmetic.
 *
 * Each range shows two units at most, rounded to the smaller one; a value that rounds up into
 * the next range is shown in that range ("59 min 59.7 s" is "1 h", not "59 min 60 s"). Tenths of
 * a second only below 10 s, where they still say something (a fix in 0.4 s vs 1.4 s).
 * Below 48 h the count is in hours, so "36 h" rather than "1 day 12 h": a day boundary means
 * nothing to an on-call reader, hours do.
 */
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const pair = (big: number, bigUnit: string, small: number, smallUnit: string): string =>
  small === 0 ? `${big} ${bigUnit}` : `${big} ${bigUnit} ${small} ${smallUnit}`;

export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'unknown';
  const t = Math.max(0, ms);
  const tenths = Math.round(t / 100);
  if (tenths < 100) return `${tenths % 10 === 0 ? tenths / 10 : (tenths / 10).toFixed(1)} s`;
  const secs = Math.round(t / SECOND);
  if (secs < 60) return `${secs} s`;
  if (secs < 60 * 60) return pair(Math.floor(secs / 60), 'min', secs % 60, 's');
  const mins = Math.round(t / MINUTE);
  if (mins < 48 * 60) return pair(Math.floor(mins / 60), 'h', mins % 60, 'min');
  const hours = Math.round(t / HOUR);
  return pair(Math.floor(hours / 24), 'days', hours % 24, 'h');
}
