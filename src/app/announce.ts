import { publish, SNSClient } from '../aws/sns';
import { AwsCallError } from '../domain/errors';
import { NOTIFIABLE_ACTIONS, type OutcomeAction, type RemediationOutcome } from '../domain/outcome';
import { buildNotification, snsPublishInput } from '../notify';
import type { Runtime } from './runtime';

/**
 * Which outcomes a driver tells people about, and what an alert that could not be sent means.
 * The one place that rule lives: the Lambda, the sweep and every CLI command name a policy.
 */
export interface AnnouncePolicy {
  alerts: ReadonlySet<OutcomeAction>;
  /**
   * True when a fix whose alert could not be sent must fail the run so it is retried (the
   * Lambda: Lambda retries, and the retry announces it). Otherwise the failure is reported.
   */
  retryUnsent: boolean;
}

/** Lambda events: every outcome a person should hear about; an unsent fix is retried. */
export const EVENT_POLICY: AnnouncePolicy = { alerts: NOTIFIABLE_ACTIONS, retryUnsent: true };
/** replay and redrive: the same outcomes as the event they stand in for; failures are printed. */
export const REPLAY_POLICY: AnnouncePolicy = { alerts: NOTIFIABLE_ACTIONS, retryUnsent: false };
/**
 * scan --apply and the hourly sweep: what they changed or could not change, and the log-group
 * findings only they can make (records that can't be written, that don't arrive, a missing
 * service-linked role) or that the issue asks to alert on (short retention, wrong key). Exemptions
 * and notify-only findings would repeat every run, so they stay in the summary.
 */
export const SCAN_POLICY: AnnouncePolicy = {
  alerts: new Set<OutcomeAction>([
    'remediated',
    'failed',
    'retention-short',
    'retention-raised',
    'key-mismatch',
    'cannot-write',
    'not-delivering',
    'service-role-missing',
  ]),
  retryUnsent: false,
};

export type Announcement =
  | { status: 'sent'; messageId: string }
  | { status: 'not-announced'; why: 'policy' | 'no-topic' }
  | { status: 'unsent'; error: AwsCallError };

/**
 * Publishes the outcome's alert to the configured topic (in the topic's own region) when the
 * policy says so. Never throws: the caller decides what an unsent alert means.
 */
export async function announce(runtime: Runtime, outcome: RemediationOutcome, policy: AnnouncePolicy): Promise<Announcement> {
  if (!policy.alerts.has(outcome.action)) return { status: 'not-announced', why: 'policy' };
  const topicArn = runtime.settings.topicArn;
  if (!topicArn) return { status: 'not-announced', why: 'no-topic' };
  const topicRegion = topicArn.split(':')[3] ?? outcome.region;
  const notification = buildNotification(outcome, {
    retentionDays: runtime.settings.retentionDays,
    kmsKeyArn: runtime.settings.kmsKeyArn,
    exemptTagKey: runtime.settings.exemptTagKey,
  });
  try {
    const messageId = await publish(runtime.clients.get(SNSClient, topicRegion), snsPublishInput(topicArn, notification));
    return { status: 'sent', messageId };
  } catch (error) {
    const e = error instanceof AwsCallError ? error : new AwsCallError('Publish', 'InternalError', String(error), false, { cause: error });
    return { status: 'unsent', error: e };
  }
}
