/**
 * The sections of the message model (model.ts), one builder each: rows of labelled values, every
 * identifier through `identifier(kind, ...)` and everything a person typed as `user` text (see
 * model.ts for the trust rule).
 */
import type { LoggingState } from '../domain/outcome';
import { repeatText } from './advice';
import { humanDuration } from '../util/duration';
import type { NotificationContext, NotifiedOutcome } from './input';
import { isGroupStory, type Story } from './story';
import { sourceIpValue } from './summary';
import { identifier, t, user, type Text } from './values';
import { STEP_LABEL, TOOL_LABEL } from './wording';
import type { Row, RowKey, Section } from './message-types';

const onOff = (state: LoggingState | undefined): string =>
  state === undefined ? 'unknown' : state.enabled ? 'on' : 'off';




export const row = (key: RowKey, label: string, value: Text, brief?: Text | null): Row =>
  brief === undefined ? { key, label, value } : { key, label, value, brief };

export function endpointSection(o: NotifiedOutcome, story: Story): Section {
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

export function whoSection(o: NotifiedOutcome): Section {
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

export function whenSection(o: NotifiedOutcome, story: Story): Section {
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
    if (!isGroupStory(story.key)) rows.push(row('changedAt', 'Changed at', [changed], null));
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

export function loggingSection(o: NotifiedOutcome, ctx: NotificationContext, story: Story): Section {
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

export function exemptionSection(o: NotifiedOutcome): Section | undefined {
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

export function errorSection(o: NotifiedOutcome): Section | undefined {
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
export function groupSection(o: NotifiedOutcome, ctx: NotificationContext): Section {
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
