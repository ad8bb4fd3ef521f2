import { AwsCallError, InvalidEventError } from '../domain/errors';
import { envelopeFromRecord, isBareCloudTrailRecord } from '../domain/event';
import type { RemediationOutcome } from '../domain/outcome';
import { announce, REPLAY_POLICY } from '../app/announce';
import { processEvent, snapshotKey, type RegionSnapshot } from '../app/process';
import type { Runtime } from '../app/runtime';
import { invokeDeployed, readHistory, regionSnapshot, type InvokeResult } from '../app/services';
import { mapLimited } from '../util/concurrency';
import { humanDuration } from '../util/duration';
import { plainText } from '../util/plain-text';
import { checkWindow, parseTimeArg } from './time-window';
import { ensureCredentials, type CliContext } from './context';
import { loadEventFile } from './event-file';
import { EXIT_FAILED, EXIT_OK } from './io';
import { table } from './progress';
import { resolveRegions } from './regions';
import { failedRegionsNote, longError, NO_TOPIC_NOTE, plural, rethrowCredentialFailure, type RegionFailure } from './summary';
import { UsageError } from './usage-error';

export const REPLAY_NAME = 'cvpn-log-guard-cli';

/** One line of replay output: an outcome, a remote invocation, or why an entry was not processed. */
export type ReplayResult =
  | {
      kind: 'outcome';
      outcome: RemediationOutcome;
      notified: boolean;
      notifyError?: string;
      /** An alert was due, but no topic is configured. */
      noTopic?: boolean;
    }
  | { kind: 'invoked'; where: string; region: string; eventId?: string; status: string; action?: string; detail: string; failed: boolean }
  | { kind: 'ignored'; where: string; reason: string }
  | { kind: 'invalid'; where: string; reason: string };

export interface Entry {
  where: string;
  event: unknown;
  time: number;
  eventId?: string;
  region?: string;
}

function fieldsOf(event: unknown): { eventTime?: unknown; eventID?: unknown; region?: unknown } {
  if (typeof event !== 'object' || event === null) return {};
  const { detail, region } = event as { detail?: unknown; region?: unknown };
  const d = typeof detail === 'object' && detail !== null ? (detail as { eventTime?: unknown; eventID?: unknown }) : {};
  return { eventTime: d.eventTime, eventID: d.eventID, region };
}

/** Envelopes for every entry, oldest first (the order the changes were made), duplicates dropped. */
export function prepareEntries(events: unknown[], label = 'event'): { entries: Entry[]; duplicates: number } {
  const seen = new Set<string>();
  const entries: Entry[] = [];
  let duplicates = 0;
  events.forEach((raw, i) => {
    const event = isBareCloudTrailRecord(raw) ? envelopeFromRecord(raw, REPLAY_NAME) : raw;
    const { eventTime, eventID, region } = fieldsOf(event);
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
    entries.push({
      where: `${label} ${i + 1}`,
      event,
      time: Number.isNaN(time) ? 0 : time,
      eventId,
      region: typeof region === 'string' ? region : undefined,
    });
  });
  entries.sort((a, b) => a.time - b.time);
  return { entries, duplicates };
}

/** Runs one event through the same core as the Lambda, and announces its outcome. */
export async function replayOne(
  runtime: Runtime,
  entry: Entry,
  publish: boolean,
  snapshot?: RegionSnapshot,
): Promise<ReplayResult> {
  let outcome: RemediationOutcome;
  try {
    outcome = await processEvent(runtime, entry.event, snapshot);
    // Later events for this endpoint need not read it again: it was just read back with logging on.
    const key = snapshotKey(outcome.region, outcome.endpointId);
    const known = snapshot?.endpoints.get(key);
    if (known && outcome.action === 'remediated' && outcome.verification === 'verified' && outcome.loggingAfter) {
      snapshot?.endpoints.set(key, { ...known, logging: outcome.loggingAfter });
      // The fix judged its group: later events are judged the same way without reading it. Only the
      // retention counts on the event path, and a group it created (retention set, or never
      // expiring if that failed) meets the requirement, as does one that was not short or was raised.
      const group = outcome.loggingAfter.logGroup;
      const short = outcome.retentionRaised ? undefined : outcome.retentionShort;
      if (group !== undefined) snapshot?.logGroups.set(group, { name: group, ...(short ? { retentionInDays: short.retentionDays } : {}) });
    }
  } catch (error) {
    if (error instanceof InvalidEventError) {
      return { kind: error.irrelevant ? 'ignored' : 'invalid', where: entry.where, reason: error.message };
    }
    throw error;
  }
  if (!publish) return { kind: 'outcome', outcome, notified: false };
  const sent = await announce(runtime, outcome, REPLAY_POLICY);
  if (sent.status === 'unsent') return { kind: 'outcome', outcome, notified: false, notifyError: sent.error.message };
  if (sent.status === 'not-announced' && sent.why === 'no-topic') return { kind: 'outcome', outcome, notified: false, noTopic: true };
  return { kind: 'outcome', outcome, notified: sent.status === 'sent' };
}

/**
 * Sends the event to the deployed function (EventBridge PutEvents can't inject `aws.*` sources),
 * so its alerts and metrics come from production.
 */
async function invokeRemote(ctx: CliContext, entry: Entry, fn: string): Promise<ReplayResult> {
  const arnRegion = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):/.exec(fn)?.[1];
  const region = arnRegion ?? entry.region ?? ctx.home;
  if (!region) throw new UsageError('--invoke needs a region: use a function ARN or set AWS_REGION');
  const base = { kind: 'invoked' as const, where: entry.where, region, eventId: entry.eventId };
  let out: InvokeResult;
  try {
    out = await invokeDeployed(ctx.runtime, region, fn, entry.event);
  } catch (error) {
    if (!(error instanceof AwsCallError)) throw error;
    return { ...base, status: 'error', detail: `${error.code}: ${error.awsMessage}`, failed: true };
  }
  const text = out.payload;
  let body: { status?: unknown; action?: unknown; reason?: unknown; errorType?: unknown; errorMessage?: unknown } = {};
  try {
    body = text ? (JSON.parse(text) as typeof body) : {};
  } catch {
    body = {};
  }
  if (out.functionError) {
    const detail = `${typeof body.errorType === 'string' ? body.errorType : out.functionError}: ${typeof body.errorMessage === 'string' ? body.errorMessage : text}`;
    return { ...base, status: 'function-error', detail, failed: true };
  }
  const status = typeof body.status === 'string' ? body.status : 'unknown';
  const action = typeof body.action === 'string' ? body.action : undefined;
  const detail = action ?? (typeof body.reason === 'string' ? body.reason : text);
  return { ...base, status, action, detail, failed: false };
}

function afterChange(ms: number | undefined): string {
  return ms === undefined ? '' : `, ${humanDuration(ms)} after the change`;
}

export function formatResultLine(result: ReplayResult): string {
  if (result.kind === 'invoked') {
    const label = result.failed ? 'failed' : (result.action ?? result.status);
    return `${label.padEnd(17)} ${result.where} ${result.region} event ${plainText(result.eventId ?? '?', 64)}: invoked: ${plainText(result.detail, 300)}`;
  }
  if (result.kind !== 'outcome') {
    return `${result.kind.padEnd(17)} ${result.where}: ${plainText(result.reason, 300)}`;
  }
  const o = result.outcome;
  const detail = o.error
    ? `${o.error.code}: ${plainText(o.error.message, 200)}${o.error.retryable ? ' (transient; try again)' : ''}`
    : plainText(o.reason, 200);
  const verification = o.verification ? ` [${o.verification}${afterChange(o.latencyMs)}]` : '';
  const notice = result.notifyError
    ? ` (alert NOT sent: ${plainText(result.notifyError, 120)})`
    : result.notified
      ? ' (alert sent)'
      : '';
  return `${o.action.padEnd(17)} ${o.endpointId} ${o.region} event ${plainText(o.eventId, 64)}: ${detail}${verification}${notice}`;
}

export function jsonResult(result: ReplayResult): string {
  if (result.kind !== 'outcome') return JSON.stringify(result);
  return JSON.stringify({
    kind: 'outcome',
    ...result.outcome,
    notified: result.notified,
    ...(result.notifyError ? { notifyError: result.notifyError } : {}),
    ...(result.noTopic ? { noTopic: true } : {}),
  });
}

export function resultKey(r: ReplayResult): string {
  if (r.kind === 'outcome') return r.outcome.action;
  if (r.kind === 'invoked') return r.failed ? 'failed' : (r.action ?? r.status);
  return r.kind;
}

export function isFailure(r: ReplayResult): boolean {
  return (
    r.kind === 'invalid' ||
    (r.kind === 'invoked' && r.failed) ||
    (r.kind === 'outcome' && (r.outcome.action === 'failed' || r.notifyError !== undefined))
  );
}

/** `; no alerts sent (no topic)` when some result would have been announced to a topic. */
export function noTopicNote(results: ReplayResult[]): string {
  return results.some((r) => r.kind === 'outcome' && r.noTopic) ? `; ${NO_TOPIC_NOTE}` : '';
}

/** What the progress line counts for a batch of results. */
function progressCounters(results: ReplayResult[]): Record<string, number> {
  return { fixed: results.filter((r) => resultKey(r) === 'remediated').length, failed: results.filter(isFailure).length };
}

function countsText(results: ReplayResult[]): string {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(resultKey(r), (counts.get(resultKey(r)) ?? 0) + 1);
  return [...counts.entries()].map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
}

/**
 * Events in flight at once per run (per region for --since). Events for one endpoint still run one
 * after another, oldest first (the core serialises per endpoint); results keep the input order.
 */
const REPLAY_CONCURRENCY = 16;

async function runEntries(
  ctx: CliContext,
  entries: Entry[],
  onResult?: (r: ReplayResult) => void,
  snapshot?: RegionSnapshot,
): Promise<ReplayResult[]> {
  return mapLimited(entries, REPLAY_CONCURRENCY, async (entry) => {
    const result = ctx.flags.invoke
      ? await invokeRemote(ctx, entry, ctx.flags.invoke)
      : await replayOne(ctx.runtime, entry, !ctx.flags['dry-run'], snapshot);
    onResult?.(result);
    return result;
  });
}

function printResults(ctx: CliContext, results: ReplayResult[]): void {
  for (const r of results) {
    if (ctx.flags.json) ctx.io.stdout(jsonResult(r));
    else ctx.out(formatResultLine(r));
  }
}

/** `replay --file`: saved events, in any of the shapes `loadEventFile` reads. */
export async function replayFile(ctx: CliContext, path: string): Promise<number> {
  const loaded = await loadEventFile(path);
  const { entries, duplicates } = prepareEntries(loaded.events);
  await ensureCredentials(ctx);
  const results: ReplayResult[] = loaded.unreadable.map((u) => ({ kind: 'invalid' as const, where: u.where, reason: u.reason }));
  const done: ReplayResult[] = [];
  ctx.progress.start(entries.length, 'events');
  results.push(
    ...(await runEntries(ctx, entries, (r) => {
      done.push(r);
      ctx.progress.update('run', progressCounters(done));
      ctx.progress.step();
    })),
  );
  ctx.progress.done();
  printResults(ctx, results);
  if (!ctx.flags.json) {
    const dupNote = duplicates > 0 ? `, ${duplicates} duplicate${duplicates === 1 ? '' : 's'} skipped` : '';
    const dry = ctx.flags['dry-run'] ? ' (dry run: nothing changed, nothing published)' : '';
    ctx.io.stdout(`${plural(results.length, 'event')}: ${countsText(results)}${dupNote}${noTopicNote(results)}${dry}`);
  }
  return results.some(isFailure) ? EXIT_FAILED : EXIT_OK;
}

interface RegionReplay {
  region: string;
  pages: number;
  events: number;
  malformed: number;
  results: ReplayResult[];
  failure?: RegionFailure;
}

/** `replay --since`: what CloudTrail's event history holds for the window, in every region asked. */
export async function replayHistory(ctx: CliContext): Promise<number> {
  const now = ctx.runtime.core.now();
  const since = parseTimeArg(ctx.flags.since ?? '', now);
  if (!since) throw new UsageError('--since must be an ISO 8601 time or a duration such as 90m, 24h, 7d');
  const until = ctx.flags.until === undefined ? now : parseTimeArg(ctx.flags.until, now);
  if (!until) throw new UsageError('--until must be an ISO 8601 time or a duration such as 90m, 24h, 7d');
  const window = checkWindow(since, until, now);
  if (typeof window === 'string') throw new UsageError(window);
  const regions = await resolveRegions(ctx.flags.regions, ctx.home, ctx.runtime);
  await ensureCredentials(ctx);

  ctx.progress.start(regions.length, 'regions');
  const replays = await Promise.all(
    regions.map(async (region): Promise<RegionReplay> => {
      const counters = { events: 0, fixed: 0, failed: 0 };
      const replay: RegionReplay = { region, pages: 0, events: 0, malformed: 0, results: [] };
      try {
        const lookup = await readHistory(ctx.runtime, region, window, (p) => {
          ctx.progress.update(region, { ...counters, events: p.events });
        });
        replay.pages = lookup.pages;
        replay.events = lookup.envelopes.length;
        replay.malformed = lookup.malformed.length;
        counters.events = lookup.envelopes.length;
        replay.results.push(
          ...lookup.malformed.map((m) => ({ kind: 'invalid' as const, where: `${region} event ${m.eventId}`, reason: m.reason })),
        );
        const { entries } = prepareEntries(lookup.envelopes, `${region} event`);
        // One read of every endpoint in the region instead of one per event: events for endpoints
        // that need nothing (most of them) are decided from it; the rest are read again and fixed.
        const snapshot = ctx.flags.invoke || entries.length < 2 ? undefined : await regionSnapshot(ctx.runtime, region);
        replay.results.push(
          ...(await runEntries(
            ctx,
            entries,
            (r) => {
              if (resultKey(r) === 'remediated') counters.fixed++;
              if (isFailure(r)) counters.failed++;
              ctx.progress.update(region, counters);
            },
            snapshot,
          )),
        );
      } catch (error) {
        replay.failure = { region, error };
      } finally {
        ctx.progress.step();
      }
      return replay;
    }),
  );
  ctx.progress.done();

  const all = replays.flatMap((r) => r.results);
  const failures = replays.flatMap((r) => (r.failure ? [r.failure] : []));
  rethrowCredentialFailure(failures);
  printResults(ctx, all);
  if (ctx.flags.json) {
    for (const f of failures) ctx.io.stdout(JSON.stringify({ kind: 'region-error', region: f.region, error: longError(f.error) }));
  } else {
    const rows = replays.map((r) => [
      r.region,
      String(r.pages),
      String(r.events),
      String(r.results.filter((x) => resultKey(x) === 'remediated').length),
      String(r.results.filter(isFailure).length),
      r.failure ? `error: ${plainText(longError(r.failure.error), 120)}` : countsText(r.results),
    ]);
    ctx.io.stdout(table(['region', 'pages', 'events', 'remediated', 'failed', 'outcomes'], rows));
    const dry = ctx.flags['dry-run'] ? ' (dry run: nothing changed, nothing published)' : '';
    // A region that could not be read is named, so "0 events" never reads as "nothing happened".
    const counts = failures.length > 0 && all.length === 0 ? '' : `: ${countsText(all)}`;
    ctx.io.stdout(
      `${plural(all.length, 'event')} from ${window.since.toISOString()} to ${window.until.toISOString()} in ${plural(regions.length, 'region')}` +
        `${failedRegionsNote(failures)}${counts}${noTopicNote(all)}${dry}`,
    );
  }
  return all.some(isFailure) || failures.length > 0 ? EXIT_FAILED : EXIT_OK;
}
