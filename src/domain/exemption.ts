import type { Exemption } from './outcome';

const UNTIL = /(?:^|[\s;,])until=(\S*)/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export type ExemptionCheck =
  | { exempt: false; exemption?: undefined; problem?: undefined }
  | { exempt: true; exemption: Exemption; problem?: undefined }
  | { exempt: false; exemption: Exemption; problem?: string };

function parseDay(text: string): number | undefined {
  const m = text.match(DATE);
  if (!m) return undefined;
  const [, y, mo, d] = m.map(Number) as [number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d);
  const date = new Date(ms);
  // Rejects 2026-02-31 and friends, which Date would silently roll over.
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
    return undefined;
  }
  return ms;
}

/**
 * Reads the exemption tag. Its value is free text with an optional `until=YYYY-MM-DD`
 * (inclusive, UTC), e.g. `"load test INC-42 until=2026-12-31"`. An unreadable date does not
 * exempt: failing open here would let a typo switch the guard off for good.
 */
export function checkExemption(
  tags: Record<string, string>,
  tagKey: string,
  now: Date,
): ExemptionCheck {
  const value = tags[tagKey];
  if (value === undefined) return { exempt: false };
  const untilMatch = value.match(UNTIL);
  const reason =
    value
      .replace(UNTIL, ' ')
      .replace(/^\s*reason=/i, '')
      .replace(/^[\s;,]+|[\s;,]+$/g, '') || undefined;
  if (!untilMatch) return { exempt: true, exemption: { reason, expired: false } };
  const until = untilMatch[1] ?? '';
  const day = parseDay(until);
  if (day === undefined) {
    return {
      exempt: false,
      exemption: { reason, until, expired: false },
      problem: `the exemption tag's expiry "until=${until}" is not a date (YYYY-MM-DD), so it is not honoured`,
    };
  }
  const endOfDay = day + 24 * 60 * 60 * 1000;
  const expired = now.getTime() >= endOfDay;
  return expired
    ? { exempt: false, exemption: { reason, until, expired: true }, problem: `the exemption expired on ${until}` }
    : { exempt: true, exemption: { reason, until, expired: false } };
}
