/** The shapes of the message model (model.ts builds it; sections.ts builds its sections). */
import type { OutcomeAction, ToolKind } from '../domain/outcome';
import type { StoryKey } from './story';
import type { Text } from './values';
import type { Severity } from './wording';

export type RowKey =
  | 'endpoint' | 'name' | 'region' | 'account' | 'description' | 'affected'
  | 'principal' | 'role' | 'session' | 'identityType' | 'viaService' | 'sourceIp' | 'tool'
  | 'eventTime' | 'apiCall' | 'eventId' | 'foundAt' | 'foundBy' | 'changedAt' | 'repeat' | 'replay' | 'timeToFix'
  | 'before' | 'after' | 'logGroup' | 'retention' | 'groupCreated' | 'kmsKey' | 'verification' | 'state'
  | 'groupRetention' | 'raised' | 'raiseRefused' | 'groupKey' | 'requiredKey' | 'delivery' | 'lastRecords' | 'causes'
  | 'reason' | 'until'
  | 'step' | 'code' | 'message' | 'retryable';

export interface Row {
  key: RowKey;
  label: string;
  value: Text;
  /**
   * The row in a one-line summary (chat), where it differs from `value`; null: left out of
   * summaries.
   */
  brief?: Text | null;
}

export type SectionKey = 'endpoint' | 'who' | 'when' | 'logging' | 'group' | 'exemption' | 'error';

export interface Section {
  key: SectionKey;
  title: string;
  rows: Row[];
}

export type LinkKey = 'endpoint' | 'logGroup' | 'cloudTrailEvent' | 'cloudTrailHistory';

export interface Link {
  key: LinkKey;
  label: string;
  url: string;
}

/** Values that matched their AWS shape; absent when the outcome's value did not. */
export interface TrustedIds {
  endpointId?: string;
  region?: string;
  account?: string;
  /** The account's Organizations name (central mode), when it has the plain shape. */
  accountName?: string;
  eventId?: string;
  eventName?: string;
  logGroup?: string;
  logGroupArn?: string;
}

export interface MessageModel {
  /** The story this alert tells (story.ts), chosen once for both renderers. */
  story: StoryKey;
  action: OutcomeAction;
  mode: 'remediate' | 'notify-only';
  tool: ToolKind;
  severity: Severity;
  emoji: string;
  /** Amazon Q `eventType` (`[a-zA-Z0-9-]`). */
  eventType: string;
  repeat: boolean;
  /** "<phrase>[ in <account name>]: <endpoint> (<region>)", trusted parts only: the subject's and chat title's text. */
  title: string;
  /** What happened and what cvpn-log-guard did: the opening of the email and of the chat message. */
  summary: Text;
  /** Why it matters, when it does (the email's second paragraph). */
  why?: string;
  ids: TrustedIds;
  /** Trusted machine-readable facts, in a stable order (chat `additionalContext`). */
  context: Record<string, string>;
  sections: Section[];
  nextSteps: Text[];
  links: Link[];
}
