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
import { clientVpnEndpointConsoleUrl, logGroupArn, logGroupConsoleUrl } from './console-links';
import type { NotificationContext, NotifiedOutcome } from './input';
import { identifier, t, trusted, user, type Text } from './values';
import { STEP_LABEL, TOOL_LABEL, headlineSentence, wordingFor, type Severity } from './wording';

export type RowKey =
  | 'endpoint' | 'region' | 'account' | 'description'
  | 'principal' | 'session' | 'identityType' | 'viaService' | 'tool'
  | 'eventTime' | 'apiCall' | 'eventId' | 'repeat' | 'replay' | 'timeToFix'
  | 'before' | 'after' | 'logGroup' | 'retention' | 'groupCreated' | 'kmsKey' | 'verification' | 'state'
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

export type SectionKey = 'endpoint' | 'who' | 'when' | 'logging' | 'exemption' | 'error';

export interface Section {
  key: SectionKey;
  title: string;
  rows: Row[];
}

export interface Link {
  key: 'endpoint' | 'logGroup';
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
  /** The email's opening sentence, trusted parts only. */
  headline: string;
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

function linksOf(ids: TrustedIds): Link[] {
  const { region, endpointId, logGroup } = ids;
  if (!region) return [];
  const partition = partitionForRegion(region);
  const links: Link[] = [];
  const endpointUrl = endpointId ? clientVpnEndpointConsoleUrl(region, endpointId, partition) : undefined;
  if (endpointUrl) links.push({ key: 'endpoint', label: 'Client VPN endpoint', url: endpointUrl });
  const logGroupUrl = logGroup ? logGroupConsoleUrl(region, logGroup, partition) : undefined;
  if (logGroupUrl) links.push({ key: 'logGroup', label: 'Log group', url: logGroupUrl });
  return links;
}

function contextOf(o: NotifiedOutcome, ids: TrustedIds, severity: Severity): Record<string, string> {
  const context: Record<string, string> = { action: o.action, mode: o.mode, severity, tool: o.tool };
  for (const key of ['region', 'account', 'accountName', 'endpointId', 'eventId', 'eventName', 'logGroup'] as const) {
    const value = ids[key];
    if (value) context[key] = value;
  }
  if (o.verification) context.verification = o.verification;
  // Machine-readable (custom-action variables, never shown), so a number rather than words.
  if (o.action === 'remediated' && o.latencyMs !== undefined) context.latencySeconds = (o.latencyMs / 1000).toFixed(1);
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

function endpointSection(o: NotifiedOutcome): Section {
  const rows = [
    row('endpoint', 'ID', [identifier('endpoint-id', o.endpointId, 64)]),
    row('region', 'Region', [identifier('region', o.region, 32)]),
    row('account', 'Account', [
      identifier('account', o.account, 32),
      ...(o.accountName ? [' (', user(o.accountName, 64, 50), ')'] : []),
    ]),
  ];
  if (o.description) rows.push(row('description', 'Description', [user(o.description, 512, 256)]));
  return { key: 'endpoint', title: 'Endpoint', rows };
}

function whoSection(o: NotifiedOutcome): Section {
  const { actor } = o;
  const principal = actor.arn ?? actor.invokedBy;
  const limits = { email: 2048, chat: 300 };
  const who =
    principal === undefined || principal === ''
      ? 'not recorded'
      : principal === actor.arn
        ? identifier('principal-arn', principal, limits)
        : identifier('service-principal', principal, limits);
  const rows = [row('principal', 'Principal', [who])];
  if (actor.sessionName) rows.push(row('session', 'Session', [identifier('session-name', actor.sessionName, 128)]));
  // Email falls back to "unknown"; chat leaves an empty type out.
  const typeBrief = actor.type ? [user(actor.type, 64, 40)] : null;
  rows.push(row('identityType', 'Identity type', [user(actor.type, 64, 40, 'unknown')], typeBrief));
  if (actor.arn && actor.invokedBy) {
    rows.push(row('viaService', 'Via service', [identifier('service-principal', actor.invokedBy, 128)]));
  }
  rows.push(row('tool', 'Tool', [TOOL_LABEL[o.tool] ?? TOOL_LABEL.other]));
  return { key: 'who', title: 'Who', rows };
}

function whenSection(o: NotifiedOutcome): Section {
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

function verificationRow(o: NotifiedOutcome): Row {
  if (o.action !== 'remediated') return row('verification', 'Verification', ['not applicable: nothing was changed'], null);
  const verified = o.verification === 'verified';
  const latency = o.latencyMs === undefined ? '' : `, ${humanDuration(o.latencyMs)} after the change`;
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

function loggingSection(o: NotifiedOutcome, ctx: NotificationContext): Section {
  const state = (key: 'before' | 'after', label: string, s: LoggingState | undefined): Row =>
    row(
      key,
      label,
      s?.enabled && s.logGroup ? t`${onOff(s)}, to ${identifier('log-group', s.logGroup, 512)}` : [onOff(s)],
      [onOff(s)],
    );
  const rows = [state('before', 'Before', o.loggingBefore), state('after', 'After', o.loggingAfter)];
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
  rows.push(verificationRow(o));
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

/** The model of one outcome's notification. Never throws on odd values: they become user text. */
export function buildModel(o: NotifiedOutcome, ctx: NotificationContext): MessageModel {
  const wording = wordingFor(o);
  const ids = idsOf(o);
  const endpoint = ids.endpointId ?? 'unrecognised endpoint ID';
  const region = ids.region ?? 'unknown region';
  const sections = [endpointSection(o), whoSection(o), whenSection(o), loggingSection(o, ctx)];
  for (const extra of [exemptionSection(o), errorSection(o)]) if (extra) sections.push(extra);
  return {
    action: o.action,
    mode: o.mode,
    tool: o.tool,
    severity: wording.severity,
    emoji: wording.emoji,
    eventType: wording.eventType,
    repeat: o.repeat !== undefined,
    // Central mode: which account, by the name people know it by, early enough to survive the subject's 100 characters.
    title: `${wording.phrase}${ids.accountName ? ` in ${ids.accountName}` : ''}: ${endpoint} (${region})`,
    headline: headlineSentence(o, wording, endpoint, region),
    ids,
    context: contextOf(o, ids, wording.severity),
    sections,
    nextSteps: nextSteps(o, ctx, ids.logGroup),
    links: linksOf(ids),
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
