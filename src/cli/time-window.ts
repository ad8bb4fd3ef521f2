/** CloudTrail's event history covers the last 90 days. */
export const LOOKUP_HISTORY_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: DAY_MS };

/**
 * Reads `--since`/`--until`: an ISO 8601 time, or a duration back from now (`90m`, `24h`, `7d`).
 * Returns undefined for anything else, so the caller can name the flag in its message.
 */
export function parseTimeArg(text: string, now: Date): Date | undefined {
  const duration = /^(\d{1,6})([mhd])$/.exec(text.trim());
  if (duration) {
    const [, amount, unit] = duration;
    return new Date(now.getTime() - Number(amount) * (UNIT_MS[unit ?? 'm'] ?? 0));
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

export interface TimeWindow {
  since: Date;
  until: Date;
}

/** Checks a lookup window; returns a message naming the problem, or the window. */
export function checkWindow(since: Date, until: Date, now: Date): TimeWindow | string {
  if (since.getTime() >= until.getTime()) {
    return `--since (${since.toISOString()}) must be before --until (${until.toISOString()})`;
  }
  const oldest = now.getTime() - LOOKUP_HISTORY_DAYS * DAY_MS;
  if (since.getTime() < oldest) {
    return `--since ${since.toISOString()} is more than ${LOOKUP_HISTORY_DAYS} days ago; CloudTrail event history only keeps ${LOOKUP_HISTORY_DAYS} days (use the trail's S3 files with replay --file for older events)`;
  }
  return { since, until: until.getTime() > now.getTime() ? now : until };
}
