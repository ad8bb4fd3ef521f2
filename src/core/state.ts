/**
 * State that outlives one process: the per-endpoint lease around the write and the endpoint's fix
 * history. The DynamoDB implementation lives in src/aws/dynamodb.ts; without a table the core
 * keeps today's in-process behaviour (serialiser and memory). Every method may throw: the core
 * treats any failure as "state unavailable" and carries on without it (degrade, never block).
 */
import type { EventRecord, FixRecord, LeaseGrant } from '../domain/state';

export * from '../domain/state';

export interface StateStore {
  /** Takes the endpoint's lease when free or expired; never waits. */
  tryLease(key: string, owner: string, nowMs: number, leaseMs: number): Promise<LeaseGrant>;
  releaseLease(key: string, owner: string, nowMs: number): Promise<void>;
  putFix(key: string, fix: FixRecord): Promise<void>;
  /** Fixes with `at` >= since, oldest first. */
  fixesSince(key: string, since: Date): Promise<FixRecord[]>;
}

/** Idempotency per event and the alert outbox; used by the Lambda handler (src/app/event-ledger.ts). */
export interface EventStore {
  /** Starts an attempt when nobody runs the event (or the runner's time is up); else returns the record. */
  beginEvent(key: string, owner: string, nowMs: number, runMs: number): Promise<{ started: true; failureAnnounced: boolean } | { started: false; record?: EventRecord }>;
  getEvent(key: string): Promise<EventRecord | undefined>;
  /** Ends our attempt: `done` with the outcome (unannounced when it needs an alert), or `open` for a retry. */
  finishEvent(key: string, owner: string, end: { status: 'done'; outcome: string; announced: boolean } | { status: 'open' }): Promise<void>;
  /** Claims the right to announce an unannounced done outcome (one announcer at a time). */
  claimAnnouncement(key: string, owner: string, nowMs: number, claimMs: number): Promise<boolean>;
  releaseAnnouncement(key: string, owner: string): Promise<void>;
  markAnnounced(key: string, which: 'outcome' | 'failure'): Promise<void>;
}

