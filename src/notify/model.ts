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
import type { LoggingState, OutcomeAction, ToolKind } from '../domain/outcome';
import { nextSteps, repeatText } from './advice';
import { ACCOUNT_NAME_PATTERN, partitionForRegion } from '../domain/patterns';
import { humanDuration } from '../util/duration';
import {
  clientVpnEndpointConsoleUrl,
  cloudTrailEndpointHistoryUrl,
  cloudTrailEventConsoleUrl,
  logGroupArn,
  logGroupConsoleUrl,
} from './console-links';
import type { NotificationContext, NotifiedOutcome } from './input';
import { storyOf, type Story, type StoryKey } from './story';
import { sourceIpValue, summaryOf } from './summary';
import { identifier, t, trusted, user, type Text } from './values';
import { STEP_LABEL, TOOL_LABEL, wordingFor, type Severity } from './wording';

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

const onOff = (state: LoggingState | undefined): string =>
  state === undefined ? 'unknown' : state.enabled ? 'on' : 'off';

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
  const historyUrl = story.byScan && endpointId && !GROUP_STORIES.has(story.key) ? cloudTrailEndpointHistoryUrl(region, endpointId, partition) : undefined;
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

const row = (key: RowKey, label: string, value: Text, brief?: Text | null): Row =>
  brief === undefined ? { key, label, value } : { key, label, value, brief };

function endpointSection(o: NotifiedOutcome, story: Story): Section {
  if (story.key === 'service-role-missing') {
    const affected = o.affectedEndpoints ?? [];
    const list = affected.flatMap((e, i) => (i === 0 ? [identifier('endpoint-id', e, 64)] : [', ', identifier('endpoint-id', e, 64)]));
    return {
      key: 'endpoint',
      title: 'Account',
      rows: [
        row('account', 'Account', [
            identifier('account', o.account, 32),
            ...(o.accountName ? [' (', user(o.accountName, 64, 50), ')'] : []),
          ]),
        row('region', 'Region', [identifier('region', o.region, 32)]),
        row('affected', 'Affected', affected.length > 0 ? list : ['no endpoint with logging on in this region'], null),
      ],
    };
  }
  const rows = [row('endpoint', 'ID', [identifier('endpoint-id', o.endpointId, 64)])];
  if (o.endpointName) rows.push(row('name', 'Name tag', [user(o.endpointName, 256, 128)]));
  rows.push(
    row('region', 'Region', [identifier('region', o.region, 32)]),
    row('account', 'Account', [
      identifier('account', o.account, 32),
      ...(o.accountName ? [' (', user(o.accountName, 64, 50), ')'] : []),
    ]),
  );
  if (o.description) rows.push(row('description', 'Description', [user(o.description, 512, 256)]));
  return { key: 'endpoint', title: 'Endpoint', rows };
}

function whoSection(o: NotifiedOutcome): Section {
  const { actor } = o;
  const principal = actor.sessionArn ?? actor.arn ?? actor.invokedBy;
  const limits = { email: 2048, chat: 300 };
  const who =
    principal === undefined || principal === ''
      ? 'not recorded'
      : principal === actor.invokedBy && principal !== actor.arn
        ? identifier('service-principal', principal, limits)
        : identifier('principal-arn', principal, limits);
  // The caller exactly as CloudTrail records it; for a session, the role behind it too.
  const rows = [row('principal', 'Caller', [who])];
  if (actor.sessionArn && actor.arn) rows.push(row('role', 'Role', [identifier('principal-arn', actor.arn, limits)]));
  if (actor.sessionName) rows.push(row('session', 'Session', [identifier('session-name', actor.sessionName, 128)]));
  // Email falls back to "unknown"; chat leaves an empty type out.
  const typeBrief = actor.type ? [user(actor.type, 64, 40)] : null;
  rows.push(row('identityType', 'Identity type', [user(actor.type, 64, 40, 'unknown')], typeBrief));
  if (actor.arn && actor.invokedBy) {
    rows.push(row('viaService', 'Via service', [identifier('service-principal', actor.invokedBy, 128)]));
  }
  if (o.sourceIp) rows.push(row('sourceIp', 'Source IP', sourceIpValue(o.sourceIp)));
  rows.push(row('tool', 'Tool', [TOOL_LABEL[o.tool] ?? TOOL_LABEL.other]));
  return { key: 'who', title: 'Who', rows };
}

function whenSection(o: NotifiedOutcome, story: Story): Section {
  if (story.byScan) {
    // No event: the time is when the scan looked, and the change itself has no known time.
    const changed =
      story.situation === 'log-group-missing'
        ? 'unknown: the group was deleted some time before; records since then are lost'
        : 'unknown: no CloudTrail event reached cvpn-log-guard';
    const rows = [
      row('foundAt', 'Found at', [identifier('event-time', o.eventTime, 64)]),
      row('foundBy', 'Found by', ['a cvpn-log-guard scan or the hourly sweep (no CloudTrail event)'], null),
    ];
    // The log-group stories are about the group as it is now, not about a change.
    if (!GROUP_STORIES.has(story.key)) rows.push(row('changedAt', 'Changed at', [changed], null));
    if (o.repeat) rows.push(row('repeat', 'Repeat', [repeatText(o.repeat)]));
    return { key: 'when', title: 'When', rows };
  }
  const rows = [
    row('eventTime', 'Event time', [identifier('event-time', o.eventTime, 64)]),
    row('apiCall', 'API call', [identifier('event-name', o.eventName, 64)]),
    row('eventId', 'Event ID', [identifier('event-id', o.eventId, 128)]),
  ];
  if (o.repeat) rows.push(row('repeat', 'Repeat', [repeatText(o.repeat)]));
  if (o.replayName) rows.push(row('replay', 'Replay', [user(o.replayName, 128, 64)]));
  if (o.action === 'remediated' && o.latencyMs !== undefined) {
    const upTo = o.verification === 'verified' ? 'the verified fix' : 'the last read-back (not verified)';
    rows.push(row('timeToFix', 'Time to fix', [`${humanDuration(o.latencyMs)} from the change to ${upTo}`]));
  }
  return { key: 'when', title: 'When', rows };
}

function retentionText(o: NotifiedOutcome, days: number): string {
  if (o.logGroupCreated) return `${days} days (set when cvpn-log-guard created the group)`;
  if (o.action === 'would-remediate' || o.action === 'exempt') {
    return `${days} days would be set on a group cvpn-log-guard creates`;
  }
  return `unchanged: the group already existed (cvpn-log-guard sets ${days} days only on groups it creates)`;
}

function verificationRow(o: NotifiedOutcome, story: Story): Row {
  if (o.action !== 'remediated') return row('verification', 'Verification', ['not applicable: nothing was changed'], null);
  const verified = o.verification === 'verified';
  // A scan's "event time" is when it looked, not when logging went off: no time to report.
  const latency = o.latencyMs === undefined || story.byScan ? '' : `, ${humanDuration(o.latencyMs)} after the change`;
  return row(
    'verification',
    'Verification',
    [
      verified
        ? 'verified: a read-back showed logging on, to the expected log group'
        : 'requested: AWS accepted the change, but a read-back did not show it yet',
    ],
    [`${verified ? 'verified by read-back' : 'requested, not yet confirmed'}${latency}`],
  );
}

function loggingSection(o: NotifiedOutcome, ctx: NotificationContext, story: Story): Section {
  const state = (key: 'before' | 'after', label: string, s: LoggingState | undefined): Row =>
    row(
      key,
      label,
      s?.enabled && s.logGroup ? t`${onOff(s)}, to ${identifier('log-group', s.logGroup, 512)}` : [onOff(s)],
      [onOff(s)],
    );
  const missing = story.situation === 'log-group-missing';
  const before = missing
    ? row('before', 'Before', t`on, to ${identifier('log-group', o.loggingBefore?.logGroup, 512)}, a log group that no longer existed`, [
        'on, to a deleted log group',
      ])
    : state('before', 'Before', o.loggingBefore);
  const after =
    missing && o.action === 'remediated'
      ? row('after', 'After', t`on, to ${identifier('log-group', o.loggingAfter?.logGroup, 512)}, re-created`, ['on, group re-created'])
      : missing
        ? row('after', 'After', ['unchanged: records still go nowhere'], ['unchanged, records go nowhere'])
        : o.action === 'failed' && !o.loggingAfter
          ? row('after', 'After', ['off: the endpoint was not changed'], ['still off'])
          : state('after', 'After', o.loggingAfter);
  const rows = [before, after];
  if (o.logGroup) rows.push(row('logGroup', 'Log group', [identifier('log-group', o.logGroup, 512)]));
  const created = o.logGroupCreated ? [`created now, retention ${ctx.retentionDays} days`] : null;
  rows.push(row('retention', 'Retention', [retentionText(o, ctx.retentionDays)], created));
  if (o.action === 'remediated' || o.action === 'failed') {
    const text =
      o.logGroupCreated === undefined ? 'unknown' : o.logGroupCreated ? 'yes, by cvpn-log-guard' : 'no, it existed';
    rows.push(row('groupCreated', 'Group created', [text], null));
  }
  if (o.logGroupCreated) {
    const kms = ctx.kmsKeyArn ? [identifier('kms-key-arn', ctx.kmsKeyArn, 2048)] : ['none (CloudWatch default encryption)'];
    rows.push(row('kmsKey', 'KMS key', kms, null));
  }
  rows.push(verificationRow(o, story));
  // The state table could not be used: another container may announce or write the same thing.
  if (o.stateUnavailable) rows.push(row('state', 'State', ['state unavailable: duplicates possible']));
  return { key: 'logging', title: 'Logging', rows };
}

function exemptionSection(o: NotifiedOutcome): Section | undefined {
  const e = o.exemption;
  if (!e || !(o.action === 'exempt' || e.expired)) return undefined;
  const reason = e.reason ? [user(e.reason, 256, 200)] : undefined;
  const day = identifier('day', e.until, 40);
  const until = e.until
    ? row('until', 'Until', t`${day} (inclusive, UTC)${e.expired ? ', EXPIRED' : ''}`, t`until ${day}${e.expired ? ' (expired)' : ''}`)
    : row('until', 'Until', ['no end date']);
  return {
    key: 'exemption',
    title: 'Exemption',
    rows: [row('reason', 'Reason', reason ?? ['none given'], reason ? undefined : ['no reason given']), until],
  };
}

function errorSection(o: NotifiedOutcome): Section | undefined {
  const err = o.error;
  if (o.action !== 'failed' || !err) return undefined;
  const step = STEP_LABEL[err.step] ?? user(err.step, 40);
  return {
    key: 'error',
    title: 'Error',
    rows: [
      row('step', 'Step', [step], [identifier('step', err.step, 40)]),
      row('code', 'Code', [identifier('error-code', err.code, 100)]),
      row('message', 'Message', [user(err.message, 1024, 400)]),
      row('retryable', 'Retryable', [err.retryable ? 'yes' : 'no'], null),
    ],
  };
}

const KEY_STATE: Record<string, string> = {
  disabled: 'disabled',
  'pending-deletion': 'pending deletion',
  unavailable: 'unavailable',
  'not-found': 'does not exist',
  'policy-excludes-logs': 'its key policy does not let CloudWatch Logs use it',
};

/** The log-group stories: the group and what it falls short of. */
function groupSection(o: NotifiedOutcome, ctx: NotificationContext): Section {
  const rows: Row[] = [];
  const name = o.logGroup ?? o.loggingAfter?.logGroup;
  if (name) rows.push(row('logGroup', 'Log group', [identifier('log-group', name, 512)]));
  const required = o.requiredRetentionDays ?? o.retentionShort?.requiredDays;
  if (o.retentionShort) {
    rows.push(row('groupRetention', 'Retention', [`${o.retentionShort.retentionDays} days; required: ${o.retentionShort.requiredDays} days`]));
  } else if (o.retentionRaised) {
    const r = o.retentionRaised;
    rows.push(row('raised', 'Retention', [`raised from ${r.from} to ${r.to} days${required ? ` (required: ${required} days)` : ''}`]));
  }
  if (o.retentionRaiseError) {
    const e = o.retentionRaiseError;
    rows.push(row('raiseRefused', 'Raise refused', t`${identifier('error-code', e.code, 100)}: ${user(e.message, 512, 200)}`));
  }
  if (o.keyRequirement) {
    const k = o.keyRequirement;
    const expected = k.expectedKeyArn ? [identifier('kms-key-arn', k.expectedKeyArn, 2048)] : ['any KMS key'];
    rows.push(row('requiredKey', 'Required key', expected));
    rows.push(row('groupKey', 'Group key', k.kind === 'other-key' ? [identifier('kms-key-arn', k.keyArn, 2048)] : ['none']));
  } else if (o.key) {
    const k = o.key;
    const state = k.usable === 'yes' ? 'usable by CloudWatch Logs' : k.usable === 'no' ? KEY_STATE[k.why] ?? k.why : 'unknown: could not be read';
    rows.push(row('groupKey', 'Group key', t`${identifier('kms-key-arn', k.keyArn, 2048)} (${state})`));
  }
  const d = o.delivery;
  if (d && d.status !== 'delivering') {
    const status = d.status === 'not-delivering' ? 'no records arriving' : d.status === 'pending' ? 'not judged yet' : 'unknown';
    rows.push(row('delivery', 'Delivery', t`${status}: ${user(d.reason, 512, 300)}`));
    rows.push(row('lastRecords', 'Last records', [d.lastIngestionTime ? identifier('event-time', d.lastIngestionTime, 64) : 'never'], null));
    const causes = (d.likelyCauses ?? []).map((c) => `${c.confirmed ? 'confirmed: ' : 'possible: '}${c.detail}`);
    if (causes.length > 0) rows.push(row('causes', 'Likely causes', [user(causes.join('; '), 1024, 600)]));
  }
  if (rows.length === 0) rows.push(row('retention', 'Retention', [`${ctx.retentionDays} days on groups cvpn-log-guard creates`]));
  return { key: 'group', title: 'Log group', rows };
}

const GROUP_STORIES: ReadonlySet<StoryKey> = new Set([
  'retention-short',
  'retention-raised',
  'key-mismatch',
  'cannot-write',
  'not-delivering',
  'service-role-missing',
]);

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
    sections.push(GROUP_STORIES.has(story.key) ? groupSection(o, ctx) : loggingSection(o, ctx, story));
  }
  for (const extra of [exemptionSection(o), errorSection(o)]) if (extra) sections.push(extra);
  const whyKey: StoryKey = story.situation === 'log-group-missing' && !GROUP_STORIES.has(story.key) ? 'log-group-missing' : story.key;
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
