/**
 * The message model: everything a notification says, built once per outcome. The email and chat
 * renderers read this and never the outcome, so what is trusted is decided in one place.
 *
 * Trust rule: the subject, titles, links, keywords and metadata are built only from values
 * checked against their AWS shape (endpoint ID, region, account, event ID, log group name) and
 * from our own enumerations (action, tool). In the rows and next steps, every identifier is
 * built with `identifier(kind, ...)` (values.ts): trusted when it has its kind's shape, so it
 * can be copied as it is, and free text otherwise. Everything a person could have typed
 * (description, tag values, AWS error messages) is a `user` value, which each renderer
 * neutralises for its medium.
 */
import { nextSteps } from './advice';
import { ACCOUNT_NAME_PATTERN, partitionForRegion } from '../domain/patterns';
import { clientVpnEndpointConsoleUrl, cloudTrailEndpointHistoryUrl, cloudTrailEventConsoleUrl, logGroupArn, logGroupConsoleUrl } from './console-links';
import type { NotificationContext, NotifiedOutcome } from './input';
import { isGroupStory, storyOf, type Story, type StoryKey } from './story';
import { summaryOf } from './summary';
import { trusted } from './values';
import { wordingFor, type Severity } from './wording';
import type { Link, MessageModel, Row, RowKey, SectionKey, TrustedIds } from './message-types';
import { endpointSection, errorSection, exemptionSection, groupSection, loggingSection, whenSection, whoSection } from './sections';

export type { Link, LinkKey, MessageModel, Row, RowKey, Section, SectionKey, TrustedIds } from './message-types';

function idsOf(o: NotifiedOutcome): TrustedIds {
  const region = trusted(o.region, 'region');
  const account = trusted(o.account, 'account');
  const logGroup = trusted(o.logGroup ?? o.loggingAfter?.logGroup ?? o.loggingBefore?.logGroup, 'log-group');
  return {
    endpointId: trusted(o.endpointId, 'endpoint-id'),
    region,
    account,
    ...(o.accountName && ACCOUNT_NAME_PATTERN.test(o.accountName) ? { accountName: o.accountName.trim() } : {}),
    eventId: trusted(o.eventId, 'event-id'),
    eventName: trusted(o.eventName, 'event-name'),
    logGroup,
    logGroupArn:
      region && account && logGroup ? logGroupArn(partitionForRegion(region), region, account, logGroup) : undefined,
  };
}

function linksOf(ids: TrustedIds, story: Story): Link[] {
  const { region, endpointId, logGroup, eventId } = ids;
  if (!region) return [];
  const partition = partitionForRegion(region);
  const links: Link[] = [];
  const endpointUrl = endpointId ? clientVpnEndpointConsoleUrl(region, endpointId, partition) : undefined;
  if (endpointUrl) links.push({ key: 'endpoint', label: 'Client VPN endpoint', url: endpointUrl });
  const logGroupUrl = logGroup ? logGroupConsoleUrl(region, logGroup, partition) : undefined;
  if (logGroupUrl) links.push({ key: 'logGroup', label: 'Log group', url: logGroupUrl });
  // A scan has no event of its own: the endpoint's history is where the change can be found.
  const eventUrl = !story.byScan && eventId ? cloudTrailEventConsoleUrl(region, eventId, partition) : undefined;
  if (eventUrl) links.push({ key: 'cloudTrailEvent', label: 'CloudTrail event', url: eventUrl });
  const historyUrl = story.byScan && endpointId && !isGroupStory(story.key) ? cloudTrailEndpointHistoryUrl(region, endpointId, partition) : undefined;
  if (historyUrl) links.push({ key: 'cloudTrailHistory', label: "Endpoint's CloudTrail event history", url: historyUrl });
  return links;
}

function contextOf(o: NotifiedOutcome, ids: TrustedIds, severity: Severity, story: Story): Record<string, string> {
  const context: Record<string, string> = { story: story.key, action: o.action, mode: o.mode, severity, tool: o.tool };
  for (const key of ['region', 'account', 'accountName', 'endpointId', 'eventId', 'eventName', 'logGroup'] as const) {
    const value = ids[key];
    if (value) context[key] = value;
  }
  if (o.verification) context.verification = o.verification;
  // Machine-readable (custom-action variables, never shown), so a number rather than words.
  if (o.action === 'remediated' && o.latencyMs !== undefined && !story.byScan) context.latencySeconds = (o.latencyMs / 1000).toFixed(1);
  const errorCode = trusted(o.error?.code, 'error-code');
  if (errorCode) context.errorCode = errorCode;
  if (o.repeat) {
    context.repeatAfterSeconds = String(Math.round(o.repeat.afterMs / 1000));
    context.reenablesInWindow = String(o.repeat.enablesInWindow);
  }
  return context;
}

const WHY =
  'Connection logs are the only record of who connected to this VPN, when and from where; ' +
  'while logging is off, connections leave no trace.';

const WHY_BY_STORY: Partial<Record<StoryKey, string | null>> = {
  'log-group-missing':
    'Connection logs are the only record of who connected to this VPN, when and from where; ' +
    'while their log group is gone, connections leave no trace.',
  'retention-short': 'Connection logs are the only record of who connected to this VPN; records deleted early are gone for good.',
  'retention-raised': null,
  'key-mismatch': null,
  'cannot-write': 'Connection logs are the only record of who connected to this VPN; while none can be written, connections leave no trace.',
  'not-delivering': 'Connection logs are the only record of who connected to this VPN; while none arrive, connections leave no trace.',
  'service-role-missing':
    'Connection logs are the only record of who connected to a VPN; while none can be written, connections leave no trace.',
};

/** The model of one outcome's notification. Never throws on odd values: they become user text. */
export function buildModel(o: NotifiedOutcome, ctx: NotificationContext): MessageModel {
  const story = storyOf(o);
  const wording = wordingFor(o, story);
  const ids = idsOf(o);
  const endpoint = ids.endpointId ?? 'unrecognised endpoint ID';
  const region = ids.region ?? 'unknown region';
  const subjectOf =
    story.key === 'service-role-missing' ? `account ${ids.account ?? 'unrecognised account'}` : endpoint;
  const sections = [endpointSection(o, story)];
  if (!story.byScan) sections.push(whoSection(o));
  sections.push(whenSection(o, story));
  if (story.key !== 'service-role-missing') {
    sections.push(isGroupStory(story.key) ? groupSection(o, ctx) : loggingSection(o, ctx, story));
  }
  for (const extra of [exemptionSection(o), errorSection(o)]) if (extra) sections.push(extra);
  const whyKey: StoryKey = story.situation === 'log-group-missing' && !isGroupStory(story.key) ? 'log-group-missing' : story.key;
  const why = whyKey in WHY_BY_STORY ? WHY_BY_STORY[whyKey] : WHY;
  return {
    story: story.key,
    action: o.action,
    mode: o.mode,
    tool: o.tool,
    severity: wording.severity,
    emoji: wording.emoji,
    eventType: wording.eventType,
    repeat: o.repeat !== undefined,
    // Central mode: which account, by the name people know it by, early enough to survive the subject's 100 characters.
    title: `${wording.phrase}${ids.accountName ? ` in ${ids.accountName}` : ''}: ${subjectOf} (${region})`,
    summary: summaryOf(o, story, ctx),
    ...(why ? { why } : {}),
    ids,
    context: contextOf(o, ids, wording.severity, story),
    sections,
    nextSteps: nextSteps(o, story, ctx, ids.logGroup),
    links: linksOf(ids, story),
  };
}

/** The row with this key, if the model has one. */
export function rowOf(model: MessageModel, key: RowKey): Row | undefined {
  for (const section of model.sections) {
    const found = section.rows.find((r) => r.key === key);
    if (found) return found;
  }
  return undefined;
}

export function hasSection(model: MessageModel, key: SectionKey): boolean {
  return model.sections.some((s) => s.key === key);
}
