import type { Settings } from '../lib/config';
import { InvalidEventError } from '../lib/errors';
import { envelopeFromRecord, isBareCloudTrailRecord } from '../lib/event';
import type { RemediationOutcome } from '../lib/outcome';
import { createRuntime, notifyOutcome, processEvent, type Runtime } from '../lib/pipeline';
import { plainText } from '../lib/sanitize';
import { loadEventFile } from './event-file';
import { EXIT_FAILED, EXIT_OK, type CliIo } from './io';
import type { ReplayFlags } from './main';

export const REPLAY_NAME = 'cvpn-log-guard-cli';

/** One line of replay output: an outcome, or why an entry was not processed. */
export type ReplayResult =
  | { kind: 'outcome'; outcome: RemediationOutcome; notified: boolean; notifyError?: string }
  | { kind: 'ignored'; where: string; reason: string }
  | { kind: 'invalid'; where: string; reason: string };

interface Entry {
  where: string;
  event: unknown;
  time: number;
  eventId?: string;
}

function detailOf(event: unknown): { eventTime?: unknown; eventID?: unknown } {
  if (typeof event !== 'object' || event === null) return {};
  const detail = (event as { detail?: unknown }).detail;
  return typeof detail === 'object' && detail !== null ? detail : {};
}

/** Envelopes for every entry, oldest first (the order the changes were made), duplicates dropped. */
function prepare(events: unknown[]): { entries: Entry[]; duplicates: number } {
  const seen = new Set<string>();
  const entries: Entry[] = [];
  let duplicates = 0;
  events.forEach((raw, i) => {
    const event = isBareCloudTrailRecord(raw) ? envelopeFromRecord(raw, REPLAY_NAME) : raw;
    const { eventTime, eventID } = detailOf(event);
    const eventId = typeof eventID === 'string' ? eventID : undefined;
    if (eventId !== undefined) {
      // EventBridge and CloudTrail both deliver duplicates; one write per change is enough.
      if (seen.has(eventId)) {
        duplicates++;
        return;
      }
      seen.add(eventId);
    }
    const time = typeof eventTime === 'string' ? Date.parse(eventTime) : Number.NaN;
    entries.push({ where: `event ${i + 1}`, event, time: Number.isNaN(time) ? 0 : time, eventId });
  });
  entries.sort((a, b) => a.time - b.time);
  return { entries, duplicates };
}

async function replayOne(runtime: Runtime, entry: Entry, publish: boolean): Promise<ReplayResult> {
  let outcome: RemediationOutcome;
  try {
    outcome = await processEvent(runtime, entry.event);
  } catch (error) {
    if (error instanceof InvalidEventError) {
      return { kind: error.irrelevant ? 'ignored' : 'invalid', where: entry.where, reason: error.message };
    }
    throw error;
  }
  if (!publish) return { kind: 'outcome', outcome, notified: false };
  try {
    const messageId = await notifyOutcome(runtime, outcome);
    return { kind: 'outcome', outcome, notified: messageId !== undefined };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { kind: 'outcome', outcome, notified: false, notifyError: reason };
  }
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? '' : `, ${(ms / 1000).toFixed(1)} s after the change`;
}

export function formatResultLine(result: ReplayResult): string {
  if (result.kind !== 'outcome') {
    return `${result.kind.padEnd(17)} ${result.where}: ${plainText(result.reason, 300)}`;
  }
  const o = result.outcome;
  const detail = o.error
    ? `${o.error.code}: ${plainText(o.error.message, 200)}${o.error.retryable ? ' (transient; try again)' : ''}`
    : plainText(o.reason, 200);
  const verification = o.verification ? ` [${o.verification}${seconds(o.latencyMs)}]` : '';
  const notice = result.notifyError
    ? ` (alert NOT sent: ${plainText(result.notifyError, 120)})`
    : result.notified
      ? ' (alert sent)'
      : '';
  return `${o.action.padEnd(17)} ${o.endpointId} ${o.region} event ${plainText(o.eventId, 64)}: ${detail}${verification}${notice}`;
}

function jsonResult(result: ReplayResult): string {
  if (result.kind !== 'outcome') return JSON.stringify(result);
  return JSON.stringify({
    kind: 'outcome',
    ...result.outcome,
    notified: result.notified,
    ...(result.notifyError ? { notifyError: result.notifyError } : {}),
  });
}

export async function runReplayFile(flags: ReplayFlags, settings: Settings, io: CliIo): Promise<number> {
  const loaded = await loadEventFile(flags.file);
  const { entries, duplicates } = prepare(loaded.events);
  const runtime = createRuntime({
    settings,
    homeRegion: flags.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION,
    clientOptions: { ...io.clientOptions, ...(flags.profile ? { profile: flags.profile } : {}) },
    ignoreOwnRole: false,
    overrides: io.fastWaits ? { verifyDelaysMs: [0, 0], propagationDelaysMs: [0, 0], sleep: async () => {} } : {},
  });
  const results: ReplayResult[] = loaded.unreadable.map((u) => ({
    kind: 'invalid' as const,
    where: u.where,
    reason: u.reason,
  }));
  try {
    for (const entry of entries) {
      results.push(await replayOne(runtime, entry, !flags['dry-run']));
    }
  } finally {
    runtime.clients.destroy();
  }

  const counts = new Map<string, number>();
  for (const r of results) {
    const key = r.kind === 'outcome' ? r.outcome.action : r.kind;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  if (flags.json) {
    for (const r of results) io.stdout(jsonResult(r));
  } else {
    for (const r of results) io.stdout(formatResultLine(r));
    const summary = [...counts.entries()].map(([k, n]) => `${n} ${k}`).join(', ');
    const dupNote = duplicates > 0 ? `, ${duplicates} duplicate${duplicates === 1 ? '' : 's'} skipped` : '';
    const dry = flags['dry-run'] ? ' (dry run: nothing changed, nothing published)' : '';
    io.stdout(`${results.length} event${results.length === 1 ? '' : 's'}: ${summary || 'none'}${dupNote}${dry}`);
  }
  const anyFailed = results.some(
    (r) => r.kind === 'invalid' || (r.kind === 'outcome' && (r.outcome.action === 'failed' || r.notifyError)),
  );
  return anyFailed ? EXIT_FAILED : EXIT_OK;
}
