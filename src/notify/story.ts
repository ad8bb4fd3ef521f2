/**
 * Which story an alert tells: chosen once per outcome, here, and read by the wording (subject,
 * severity), the summary, the sections and the next steps. The renderers never choose.
 *
 * A story is what happened (the situation) and what cvpn-log-guard did about it (the action).
 * The situation decides the opening sentence, so an exempt or notify-only alert about a new
 * endpoint still says "created without connection logging" and never "switched off".
 */
import { LOG_GROUP_ACTIONS } from '../domain/outcome';
import { templateFight } from '../domain/repeat';
import type { NotifiedOutcome } from './input';

/** What happened to the endpoint, as far as the outcome knows. */
export type Situation =
  /** A CreateClientVpnEndpoint without logging: it was never on. */
  | 'created'
  /** A ModifyClientVpnEndpoint switched it off. */
  | 'switched-off'
  /** Switched off again soon after it had been turned back on (fight detection, domain/repeat.ts). */
  | 'switched-off-again'
  /** Switched off by infrastructure as code (Terraform, CloudFormation and the CDK on top of it). */
  | 'iac'
  /** Logging is on, but its log group does not exist (found by a scan or the sweep). */
  | 'log-group-missing'
  /** A scan or the sweep found logging off: no CloudTrail event reached cvpn-log-guard. */
  | 'found-by-scan';

export const STORY_KEYS = [
  'created-without-logging',
  'switched-off',
  'switched-off-again',
  'switched-off-by-iac',
  'log-group-missing',
  'found-by-scan',
  'exempt',
  'would-remediate',
  'failed-retryable',
  'failed-needs-person',
  'guard-role',
  // The log-group stories are the log-group actions themselves.
  ...LOG_GROUP_ACTIONS,
  'service-role-missing',
  /** The non-notifiable actions, should anyone build a notification for them. */
  'other',
] as const;
export type StoryKey = (typeof STORY_KEYS)[number];

const GROUP_STORY_KEYS: ReadonlySet<StoryKey> = new Set<StoryKey>([...LOG_GROUP_ACTIONS, 'service-role-missing']);

/** The stories about a log group's requirements and delivery (and the account's service role): told from the group, not the endpoint's logging. */
export const isGroupStory = (key: StoryKey): boolean => GROUP_STORY_KEYS.has(key);

export interface Story {
  key: StoryKey;
  situation: Situation;
  /** Found by a scan or the sweep rather than by a CloudTrail event: no caller, no event to link. */
  byScan: boolean;
}

export function situationOf(o: NotifiedOutcome): Situation {
  if (o.logGroupMissing) return 'log-group-missing';
  if (o.eventName === 'CreateClientVpnEndpoint') return 'created';
  if (o.repeat) return 'switched-off-again';
  if (templateFight(o.tool)) return 'iac';
  if (o.eventName === 'Scan') return 'found-by-scan';
  return 'switched-off';
}

const REMEDIATED_STORY: Record<Situation, StoryKey> = {
  created: 'created-without-logging',
  'switched-off': 'switched-off',
  'switched-off-again': 'switched-off-again',
  iac: 'switched-off-by-iac',
  'log-group-missing': 'log-group-missing',
  'found-by-scan': 'found-by-scan',
};

export function storyOf(o: NotifiedOutcome): Story {
  const situation = situationOf(o);
  const byScan = o.eventName === 'Scan';
  const story = (key: StoryKey): Story => ({ key, situation, byScan });
  switch (o.action) {
    case 'retention-short':
    case 'retention-raised':
    case 'key-mismatch':
    case 'cannot-write':
    case 'not-delivering':
    case 'service-role-missing':
      return story(o.action);
    case 'remediated':
    case 'would-remediate':
    case 'failed':
      // The guard's own role switching logging off is a likely misuse of the role: its own story.
      if (o.byGuardRole) return story('guard-role');
      if (o.action === 'would-remediate') return story('would-remediate');
      if (o.action === 'failed') return story(o.error?.retryable ? 'failed-retryable' : 'failed-needs-person');
      return story(REMEDIATED_STORY[situation]);
    case 'exempt':
      return story('exempt');
    default:
      return story('other');
  }
}
