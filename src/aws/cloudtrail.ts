import { CloudTrailClient, DescribeTrailsCommand, GetTrailStatusCommand, LookupEventsCommand, type Event } from '@aws-sdk/client-cloudtrail';
import { envelopeFromRecord, WATCHED_EVENT_NAMES } from '../domain/event';
import { awsErrorCode, toAwsCallError } from './errors';

export { CloudTrailClient };

export const LOOKUP_REPLAY_NAME = 'cvpn-log-guard-replay';
/** The largest page LookupEvents returns. */
const PAGE_SIZE = 50;

export interface TimeWindow {
  since: Date;
  until: Date;
}

export interface LookupPaging {
  /** Paces every call (LookupEvents: 2 requests/second per account and region). */
  limiter?: { acquire(): Promise<void> };
  sleep?(ms: number): Promise<void>;
  /** Throttling that got past the limiter (another tool sharing the quota) is waited out this often. */
  throttleRetries?: number;
  /** Stop after this many pages (a hint is not worth the whole history). */
  maxPages?: number;
}

/**
 * The one CloudTrail event-history reader: every page of LookupEvents for one event name in the
 * window, newest first, with pacing and a page limit. Replay and repeat detection both use it.
 */
export async function* lookupEventPages(
  cloudtrail: CloudTrailClient,
  eventName: string,
  window: TimeWindow,
  paging: LookupPaging = {},
): AsyncGenerator<Event[]> {
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await lookupPage(cloudtrail, eventName, window, nextToken, paging);
    pages++;
    yield page.Events ?? [];
    nextToken = page.NextToken;
  } while (nextToken && (paging.maxPages === undefined || pages < paging.maxPages));
}

async function lookupPage(
  cloudtrail: CloudTrailClient,
  eventName: string,
  window: TimeWindow,
  nextToken: string | undefined,
  paging: LookupPaging,
) {
  for (let attempt = 0; ; attempt++) {
    await paging.limiter?.acquire();
    try {
      // The same parameters on every page: CloudTrail rejects a NextToken used with others.
      return await cloudtrail.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: eventName }],
          StartTime: window.since,
          EndTime: window.until,
          MaxResults: PAGE_SIZE,
          NextToken: nextToken,
        }),
      );
    } catch (error) {
      const retries = paging.throttleRetries ?? 0;
      if (awsErrorCode(error) !== 'ThrottlingException' || attempt >= retries || !paging.sleep) {
        throw toAwsCallError('LookupEvents', error);
      }
      await paging.sleep(1000 * (attempt + 1));
    }
  }
}

type Parsed = { record: Record<string, unknown> } | { malformed: string };

function parseRecord(e: Event): Parsed {
  let record: unknown;
  try {
    record = JSON.parse(e.CloudTrailEvent ?? '');
  } catch (error) {
    return { malformed: `CloudTrailEvent is not valid JSON (${error instanceof Error ? error.message.slice(0, 120) : 'unreadable'})` };
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return { malformed: 'CloudTrailEvent is not a JSON object' };
  }
  return { record: record as Record<string, unknown> };
}

/** Pages read at most for a repeat check: a hint is not worth more of the shared quota. */
const REPEAT_MAX_PAGES = 2;

/**
 * The CloudTrail records of ModifyClientVpnEndpoint calls in [since, until), newest first, parsed
 * (unreadable ones skipped). Throws AwsCallError; callers treat any failure as "no history".
 */
export async function lookupModifyRecords(cloudtrail: CloudTrailClient, since: Date, until: Date): Promise<unknown[]> {
  const records: unknown[] = [];
  for await (const page of lookupEventPages(cloudtrail, 'ModifyClientVpnEndpoint', { since, until }, { maxPages: REPEAT_MAX_PAGES })) {
    for (const e of page) {
      const parsed = parseRecord(e);
      if ('record' in parsed) records.push(parsed.record);
    }
  }
  return records;
}

export interface LookupResult {
  region: string;
  /** Rebuilt EventBridge envelopes, oldest first, one per eventID. */
  envelopes: unknown[];
  /** Records whose `CloudTrailEvent` string could not be read. */
  malformed: { eventId: string; reason: string }[];
  pages: number;
  /** Failed calls and records from other services, dropped as AWS's own rule would. */
  filtered: number;
  duplicates: number;
}

export interface LookupDeps {
  cloudtrail: CloudTrailClient;
  limiter: { acquire(): Promise<void> };
  sleep(ms: number): Promise<void>;
  onPage?(progress: { region: string; pages: number; events: number }): void;
}

/** Throttling that got past the limiter during a replay is waited out this often. */
const REPLAY_THROTTLE_RETRIES = 5;

/**
 * Reads the region's CloudTrail event history for the calls that can switch logging off. One
 * query per event name (LookupEvents takes a single lookup attribute), every page, paced to the
 * 2 requests/second/region quota by the caller's limiter.
 */
export async function lookupClientVpnEvents(deps: LookupDeps, region: string, window: TimeWindow): Promise<LookupResult> {
  const byId = new Map<string, { time: number; record: Record<string, unknown> }>();
  const result: LookupResult = { region, envelopes: [], malformed: [], pages: 0, filtered: 0, duplicates: 0 };
  const paging = { limiter: deps.limiter, sleep: (ms: number) => deps.sleep(ms), throttleRetries: REPLAY_THROTTLE_RETRIES };
  let seen = 0;

  for (const eventName of WATCHED_EVENT_NAMES) {
    for await (const page of lookupEventPages(deps.cloudtrail, eventName, window, paging)) {
      result.pages++;
      for (const e of page) {
        seen++;
        const eventId = e.EventId ?? '(no EventId)';
        const parsed = parseRecord(e);
        if ('malformed' in parsed) {
          result.malformed.push({ eventId, reason: parsed.malformed });
          continue;
        }
        const r = parsed.record;
        if (r.eventSource !== 'ec2.amazonaws.com' || r.errorCode) {
          result.filtered++;
          continue;
        }
        const id = typeof r.eventID === 'string' ? r.eventID : eventId;
        if (byId.has(id)) {
          result.duplicates++;
          continue;
        }
        const time = typeof r.eventTime === 'string' ? Date.parse(r.eventTime) : Number.NaN;
        byId.set(id, { time: Number.isNaN(time) ? 0 : time, record: r });
      }
      deps.onPage?.({ region, pages: result.pages, events: seen });
    }
  }

  result.envelopes = [...byId.values()]
    .sort((a, b) => a.time - b.time)
    .map((c) => envelopeFromRecord(c.record, LOOKUP_REPLAY_NAME));
  return result;
}

/** A trail that applies to the client's region, with whether it is logging. */
export interface TrailView {
  name: string;
  arn: string;
  homeRegion: string;
  multiRegion: boolean;
  /** an organization trail: seen from a member account, it belongs to the management account (see `arn`) */
  organizationTrail: boolean;
  logging: boolean;
}

/** A trail that applies to the client's region, as DescribeTrails lists it (no status). */
export type TrailSeen = Omit<TrailView, 'logging'>;

/**
 * The trails that record the client's region: DescribeTrails with shadow trails (multi-region trails of other home
 * regions and, in a member account, the organization's trails). Read-only: `cloudtrail:DescribeTrails`.
 */
export async function describeTrails(cloudtrail: CloudTrailClient): Promise<TrailSeen[]> {
  let trails;
  try {
    trails = (await cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [];
  } catch (error) {
    throw toAwsCallError('DescribeTrails', error);
  }
  const seen: TrailSeen[] = [];
  for (const t of trails) {
    if (!t.TrailARN) continue;
    seen.push({
      name: t.Name ?? t.TrailARN,
      arn: t.TrailARN,
      homeRegion: t.HomeRegion ?? '',
      multiRegion: t.IsMultiRegionTrail === true,
      organizationTrail: t.IsOrganizationTrail === true,
    });
  }
  return seen;
}

/**
 * Whether the trail is logging, asked by ARN: a member account must name an organization trail, and any account a
 * shadow trail, by ARN (CloudTrail user guide; GetTrailStatus API reference). `undefined` when the trail is gone
 * (`TrailNotFoundException`). Read-only: `cloudtrail:GetTrailStatus`.
 */
export async function trailIsLogging(cloudtrail: CloudTrailClient, trailArn: string): Promise<boolean | undefined> {
  try {
    return (await cloudtrail.send(new GetTrailStatusCommand({ Name: trailArn }))).IsLogging === true;
  } catch (error) {
    if (awsErrorCode(error) === 'TrailNotFoundException') return undefined;
    throw toAwsCallError('GetTrailStatus', error);
  }
}

/**
 * The trails that record the client's region with whether each is logging: {@link describeTrails}, then
 * {@link trailIsLogging} for each. A trail deleted between the two reads is left out.
 */
export async function readTrails(cloudtrail: CloudTrailClient): Promise<TrailView[]> {
  const views: TrailView[] = [];
  for (const t of await describeTrails(cloudtrail)) {
    const logging = await trailIsLogging(cloudtrail, t.arn);
    if (logging !== undefined) views.push({ ...t, logging });
  }
  return views;
}
