/**
 * Which AWS calls ran one after another and which overlapped, from the stand-in's call log.
 * The stand-in records each call's arrival (`at`) and holds every answer back by the injected
 * latency L, so a call spans [at, at + L]. A call that arrives before every call of the current
 * wave has been answered overlaps it; otherwise it starts the next wave. The number of waves is
 * the length of the chain of calls that ran one after another.
 */
import type { CallRecord } from '../../standin/index';

export interface TimedCall {
  action: string;
  region: string;
  start: number;
  end: number;
  status: number;
  throttled: boolean;
}

export interface Wave {
  calls: TimedCall[];
  start: number;
  end: number;
  /** Client-side time between the previous wave's last answer and this wave's first call. */
  gapBefore: number;
}

export function timedCalls(calls: readonly CallRecord[], latencyMs: number, from = -Infinity, to = Infinity): TimedCall[] {
  return calls
    .filter((c) => c.at >= from && c.at <= to)
    .map((c) => ({
      action: c.action,
      region: c.region,
      start: c.at,
      end: c.at + latencyMs,
      status: c.status,
      throttled: c.throttled === true,
    }))
    .sort((a, b) => a.start - b.start);
}

export function waves(calls: readonly TimedCall[], since?: number): Wave[] {
  const out: Wave[] = [];
  for (const call of calls) {
    const current = out[out.length - 1];
    if (current && call.start < current.end) {
      current.calls.push(call);
      current.end = Math.max(current.end, call.end);
    } else {
      const previousEnd = current?.end ?? since ?? call.start;
      out.push({ calls: [call], start: call.start, end: call.end, gapBefore: call.start - previousEnd });
    }
  }
  return out;
}

/** "A → B ‖ C → D": waves in order, overlapping calls joined with ‖. */
export function chainText(ws: readonly Wave[]): string {
  return ws.map((w) => w.calls.map((c) => c.action).join(' ‖ ')).join(' → ');
}

export function overlapped(ws: readonly Wave[]): string[] {
  return ws.filter((w) => w.calls.length > 1).map((w) => w.calls.map((c) => c.action).join(' ‖ '));
}
