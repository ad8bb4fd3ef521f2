/** What buildNotification reads. */
import type { RemediationOutcome, RepeatedSwitchOff } from '../domain/outcome';

/**
 * The outcome, and (once the core sets it) whether this switch-off repeats one fixed shortly
 * before (see fight.ts).
 */
export type NotifiedOutcome = RemediationOutcome & { repeat?: RepeatedSwitchOff };

export interface NotificationContext {
  /** Retention cvpn-log-guard sets on log groups it creates. */
  retentionDays: number;
  /** KMS key it sets on log groups it creates, when configured. */
  kmsKeyArn?: string;
  /** The exemption tag key as configured (CVPN_EXEMPT_TAG): the key to name in next steps. */
  exemptTagKey: string;
}
