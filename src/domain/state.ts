/**
 * The records of the state table (see src/core/state.ts for the ports, src/aws/dynamodb.ts for the
 * table). No AWS here: shapes, keys and lifetimes.
 */

/** `<account>/<region>/<endpointId>`: one key per endpoint, shareable across accounts. */
export const endpointStateKey = (account: string, region: string, endpointId: string): string => `${account}/${region}/${endpointId}`;

export interface LeaseGrant {
  acquired: boolean;
  /** When a previous holder released it (ms since epoch): a fix may have happened since our read. */
  releasedAtMs?: number;
}

/** One fix of an endpoint, kept 30 days. */
export interface FixRecord {
  /** When the Modify was sent (ISO 8601). */
  at: string;
  eventId: string;
  /** Who switched logging off (the role for assumed roles, never a session name). */
  actorArn?: string;
  logGroup: string;
  /** False while the Modify's answer is outstanding (written ahead, so a lost answer is not a lost fix). */
  confirmed: boolean;
}

/** Well below the remediate function's 150 s timeout, above one act's usual second or two. */
export const LEASE_MS = 45_000;
/** How often a waiter asks again for a held lease. */
export const LEASE_POLL_MS = 200;
/** Clock difference between two containers tolerated when comparing a release with our read. */
export const CLOCK_SKEW_MS = 1_000;
/** Fix history retention. */
export const FIX_HISTORY_DAYS = 30;

/** One CloudTrail event's record: the stored result answers a duplicate; the outbox flag its alert. */
export interface EventRecord {
  status: 'running' | 'open' | 'done';
  /** The outcome, JSON, once done. */
  outcome?: string;
  /** The done outcome's alert went out (or it needed none). */
  announced: boolean;
  /** A `failed` alert for this event went out already (announced once per event, not per attempt). */
  failureAnnounced: boolean;
  /** While running: until when the running attempt owns the event (ms). */
  runUntilMs?: number;
}

/** Idempotency records live a week: far past Lambda's 6 h maximum event age and EventBridge's 24 h retries. */
export const EVENT_RECORD_DAYS = 7;
