import type { RemediationOutcome } from '../domain/outcome';

/** Fixes remembered for re-announcement at most; a container seeing more keeps the newest. */
const MAX_UNANNOUNCED = 100;

/**
 * What this container remembers about alerts between Lambda's retries of one event (usually on
 * the same warm container): a failure is announced once per event, not once per attempt, and a
 * fix whose alert could not be sent is announced by the retry, which would otherwise find logging
 * on ("already compliant") and say nothing.
 */
export class AlertLedger {
  private readonly failuresAnnounced = new Set<string>();
  private readonly unannounced = new Map<string, RemediationOutcome>();

  /** The outcome to announce for this attempt: the remembered fix, when this attempt found it done. */
  toAnnounce(outcome: RemediationOutcome): RemediationOutcome {
    const remembered = this.unannounced.get(outcome.eventId);
    return remembered && outcome.action === 'already-compliant' ? remembered : outcome;
  }

  alreadyAnnounced(outcome: RemediationOutcome): boolean {
    return outcome.action === 'failed' && this.failuresAnnounced.has(outcome.eventId);
  }

  sent(outcome: RemediationOutcome): void {
    this.unannounced.delete(outcome.eventId);
    if (outcome.action === 'failed') this.failuresAnnounced.add(outcome.eventId);
  }

  unsent(outcome: RemediationOutcome): void {
    if (outcome.action === 'failed') return;
    if (this.unannounced.size >= MAX_UNANNOUNCED) this.unannounced.clear();
    this.unannounced.set(outcome.eventId, outcome);
  }
}
