import type { EventRecord, EventStore } from '../core/state';
import type { RemediationOutcome } from '../domain/outcome';

/** How long one attempt owns its event: above the remediate function's 150 s timeout. */
export const EVENT_RUN_MS = 160_000;
/** How long a duplicate waits for the attempt that runs the same event elsewhere before it lets Lambda retry. */
export const EVENT_WAIT_MS = 30_000;
const EVENT_POLL_MS = 200;
/** One announcer at a time for an unannounced fix; a crashed one frees it after this. */
export const ANNOUNCE_CLAIM_MS = 30_000;

/**
 * CloudTrail event IDs are unique, but events made by hand (tests, saved files) reuse them: the
 * endpoint in the key keeps one such event from answering for another endpoint.
 */
export const eventStateKey = (o: { account: string; region: string; endpointId: string; eventId: string }): string =>
  `${o.account}/${o.region}/${o.endpointId}/${o.eventId}`;

export type Begun =
  | { kind: 'run'; failureAnnounced: boolean }
  | { kind: 'stored'; outcome: RemediationOutcome; announced: boolean }
  /** Another attempt still runs the event after our wait: let Lambda retry later. */
  | { kind: 'busy' };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function storedOutcome(record: EventRecord): RemediationOutcome | undefined {
  if (record.status !== 'done' || !record.outcome) return undefined;
  try {
    return JSON.parse(record.outcome) as RemediationOutcome;
  } catch {
    return undefined;
  }
}

/**
 * Idempotency per CloudTrail event ID, by hand on conditional writes (see README, State table):
 * the first attempt runs, a concurrent duplicate waits for it, a later one gets the stored result.
 * Throws when the table fails; the caller degrades.
 */
export async function beginEvent(store: EventStore, key: string, owner: string): Promise<Begun> {
  const deadline = Date.now() + EVENT_WAIT_MS;
  for (;;) {
    const begun = await store.beginEvent(key, owner, Date.now(), EVENT_RUN_MS);
    if (begun.started) return { kind: 'run', failureAnnounced: begun.failureAnnounced };
    const outcome = begun.record && storedOutcome(begun.record);
    if (begun.record && outcome) return { kind: 'stored', outcome, announced: begun.record.announced };
    if (Date.now() > deadline) return { kind: 'busy' };
    await sleep(EVENT_POLL_MS);
  }
}
