import { LookupEventsCommand, type CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { awsErrorCode, toAwsCallError } from '../domain/errors';
import { envelopeFromRecord, WATCHED_EVENT_NAMES } from '../domain/event';
import type { IntervalLimiter } from '../util/rate-limiter';
import type { TimeWindow } from '../cli/time-window';

export const LOOKUP_REPLAY_NAME = 'cvpn-log-guard-replay';
/** The largest page LookupEvents returns. */
const PAGE_SIZE = 50;
/** Throttling that got past the limiter (another tool sharing the quota) is waited out this often. */
const THROTTLE_RETRIES = 5;

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
  limiter: IntervalLimiter;
  sleep(ms: number): Promise<void>;
  onPage?(progress: { region: string; pages: number; events: number }): void;
}

interface Candidate {
  eventId: string;
  time: number;
  record: Record<string, unknown>;
}

async function lookupPage(
  deps: LookupDeps,
  eventName: string,
  window: TimeWindow,
  nextToken: string | undefined,
) {
  for (let attempt = 0; ; attempt++) {
    await deps.limiter.acquire();
    try {
      // The same parameters on every page: CloudTrail rejects a NextToken used with others.
      return await deps.cloudtrail.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: eventName }],
          StartTime: window.since,
          EndTime: window.until,
          MaxResults: PAGE_SIZE,
          NextToken: nextToken,
        }),
      );
    } catch (error) {
      if (awsErrorCode(error) !== 'ThrottlingException' || attempt >= THROTTLE_RETRIES) {
        throw toAwsCallError('LookupEvents', error);
      }
      await deps.sleep(1000 * (attempt + 1));
    }
  }
}

/**
 * Reads the region's CloudTrail event history for the calls that can switch logging off. One
 * query per event name (LookupEvents takes a single lookup attribute), every page, paced to the
 * 2 requests/second/region quota by the caller's limiter.
 */
export async function lookupClientVpnEvents(
  deps: LookupDeps,
  region: string,
  window: TimeWindow,
): Promise<LookupResult> {
  const byId = new Map<string, Candidate>();
  const result: LookupResult = { region, envelopes: [], malformed: [], pages: 0, filtered: 0, duplicates: 0 };
  let seen = 0;

  for (const eventName of WATCHED_EVENT_NAMES) {
    let nextToken: string | undefined;
    do {
      const page = await lookupPage(deps, eventName, window, nextToken);
      result.pages++;
      for (const e of page.Events ?? []) {
        seen++;
        const eventId = e.EventId ?? '(no EventId)';
        let record: unknown;
        try {
          record = JSON.parse(e.CloudTrailEvent ?? '');
        } catch (error) {
          result.malformed.push({
            eventId,
            reason: `CloudTrailEvent is not valid JSON (${error instanceof Error ? error.message.slice(0, 120) : 'unreadable'})`,
          });
          continue;
        }
        if (typeof record !== 'object' || record === null || Array.isArray(record)) {
          result.malformed.push({ eventId, reason: 'CloudTrailEvent is not a JSON object' });
          continue;
        }
        const r = record as Record<string, unknown>;
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
        byId.set(id, { eventId: id, time: Number.isNaN(time) ? 0 : time, record: r });
      }
      deps.onPage?.({ region, pages: result.pages, events: seen });
      nextToken = page.NextToken;
    } while (nextToken);
  }

  result.envelopes = [...byId.values()]
    .sort((a, b) => a.time - b.time)
    .map((c) => envelopeFromRecord(c.record, LOOKUP_REPLAY_NAME));
  return result;
}
