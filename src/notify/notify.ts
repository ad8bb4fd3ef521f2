/**
 * Turns a {@link RemediationOutcome} into what people receive: an email (plain text) and an
 * Amazon Q Developer in chat applications custom notification (Slack, Teams, Chime), published
 * as one SNS message with a per-protocol body.
 *
 * Trust rule: the subject, titles, links, keywords and metadata are built only from values
 * checked against their AWS shape (endpoint ID, region, account, event ID, log group name) and
 * from our own enumerations (action, tool). Everything a person could have typed (description,
 * tag values, ARNs with user names, session names, AWS error messages) goes through
 * `plainText` (email) or `slackText` (chat) on its way in.
 */
import * as z from 'zod/mini';
import {
  ACCOUNT_ID_PATTERN,
  CLIENT_VPN_ENDPOINT_ID_PATTERN,
  LOG_GROUP_NAME_PATTERN,
  REGION_PATTERN,
  clientVpnEndpointConsoleUrl,
  logGroupArn,
  logGroupConsoleUrl,
  partitionForRegion,
} from './console-links';
import { templateFight } from '../domain/repeat';
import type { LoggingState, OutcomeError, RemediationOutcome, RepeatedSwitchOff, ToolKind } from '../domain/outcome';
import { defangUrls, plainText, slackText, subjectText } from './sanitize';

// ---------------------------------------------------------------------------------------------
// Amazon Q Developer custom notification schema
// ---------------------------------------------------------------------------------------------

/**
 * The custom notification format of Amazon Q Developer in chat applications (formerly AWS
 * Chatbot). Source, "Event schema" and "Parameter details":
 * https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html
 *
 * - `version` must be "1.0" and `source` must be "custom" (both required); `id` is an optional
 *   unique event identifier.
 * - `content.textType`: only "client-markdown" is supported; the text is rendered "in the target
 *   chat platform's markdown" (Slack mrkdwn in Slack). AWS's own sample writes links in Slack's
 *   `<url|text>` form, which Teams and Chime don't use, and Slack shows `[text](url)` literally,
 *   so we write console links as bare URLs, which every target turns into a link.
 * - `metadata.threadId` groups updates into one thread (if the channel allows it);
 *   `eventType` is what custom-action buttons match on (`[a-zA-Z0-9-]+`).
 * - Messages that don't fit the schema are dropped without an error, hence this strict
 *   encoding, which every built message is tested against. Stricter than AWS where that helps
 *   us: `textType`, `title` and `description` are required here, and unknown keys are rejected.
 */
export const CHATBOT_EVENT_TYPE_PATTERN = /^[a-zA-Z0-9-]+$/;

const nonEmpty = () => z.string().check(z.minLength(1));
const strings = () => z.optional(z.array(z.string()));

export const ChatbotMessageSchema = z.strictObject({
  version: z.literal('1.0'),
  source: z.literal('custom'),
  id: z.optional(nonEmpty()),
  content: z.strictObject({
    textType: z.literal('client-markdown'),
    title: nonEmpty(),
    description: nonEmpty(),
    nextSteps: strings(),
    keywords: strings(),
  }),
  metadata: z.optional(
    z.strictObject({
      threadId: z.optional(nonEmpty()),
      summary: z.optional(z.string()),
      eventType: z.optional(z.string().check(z.regex(CHATBOT_EVENT_TYPE_PATTERN))),
      relatedResources: strings(),
      additionalContext: z.optional(z.record(z.string(), z.string())),
    }),
  ),
});

export type ChatbotMessage = z.infer<typeof ChatbotMessageSchema>;

export interface Notification {
  /** SNS `Subject` (email only): trusted parts, < 100 characters. */
  subject: string;
  /** Plain-text email body. */
  email: string;
  /** Amazon Q Developer custom notification, sent to the HTTPS (chat) subscription. */
  chat: ChatbotMessage;
  /** SNS message attributes, for subscription filter policies. */
  attributes: Record<string, string>;
}

export interface NotificationContext {
  /** Retention cvpn-log-guard sets on log groups it creates. */
  retentionDays: number;
  /** KMS key it sets on log groups it creates, when configured. */
  kmsKeyArn?: string;
}

// ---------------------------------------------------------------------------------------------
// Per-action wording
// ---------------------------------------------------------------------------------------------

/**
 * `severity` attribute, for filter policies (e.g. page on `high` only):
 * - high: `failed`. Logging is off and the automatic fix did not work; only a person can close
 *   the gap, and every connection meanwhile goes unrecorded.
 * - medium: `would-remediate`. Logging is off and stays off until someone acts (notify-only).
 * - low: `exempt` (off by a recorded, time-boxed decision: a reminder, not an incident) and a
 *   `remediated` that AWS accepted but a read-back has not confirmed yet.
 * - info: a verified `remediated` (the gap is closed; the record is for the audit trail), and
 *   the non-notifiable actions should anyone build a notification for them.
 * A verified `remediated` that repeats a recent switch-off is `low`, not `info`: something keeps
 * turning logging off, each round leaves a gap, and only a person can stop it.
 */
export type Severity = 'high' | 'medium' | 'low' | 'info';

interface ActionWording {
  /** Subject/summary phrase, before ": <endpoint> (<region>)". Keep it short: subjects are < 100. */
  phrase: string;
  emoji: string;
  eventType: string;
  severity: Severity;
}

/**
 * What buildNotification reads: the outcome, and (once the core sets it) whether this switch-off
 * repeats one fixed shortly before (see fight.ts).
 */
export type NotifiedOutcome = RemediationOutcome & { repeat?: RepeatedSwitchOff };

function wordingFor(o: NotifiedOutcome): ActionWording {
  const again = o.repeat ? ' again' : '';
  switch (o.action) {
    case 'remediated':
      return o.verification === 'verified'
        ? { phrase: `Logging re-enabled${again}`, emoji: '✅', eventType: 'LoggingRemediated', severity: o.repeat ? 'low' : 'info' }
        : {
            phrase: `Logging re-enable requested${again}`,
            emoji: '✅',
            eventType: 'LoggingRemediationRequested',
            severity: 'low',
          };
    case 'failed':
      return { phrase: 'Could not re-enable logging', emoji: '🚨', eventType: 'LoggingRemediationFailed', severity: 'high' };
    case 'exempt':
      return { phrase: 'Logging off, endpoint exempt', emoji: '⚠️', eventType: 'LoggingOffExempt', severity: 'low' };
    case 'would-remediate':
      return { phrase: 'Logging OFF (notify-only)', emoji: '⚠️', eventType: 'LoggingOffNotifyOnly', severity: 'medium' };
    case 'already-compliant':
      return { phrase: 'Logging already on', emoji: 'ℹ️', eventType: 'LoggingAlreadyOn', severity: 'info' };
    case 'skipped-deleted':
      return { phrase: 'Endpoint deleted, skipped', emoji: 'ℹ️', eventType: 'EndpointDeleted', severity: 'info' };
    case 'not-found':
      return { phrase: 'Endpoint not found', emoji: 'ℹ️', eventType: 'EndpointNotFound', severity: 'info' };
    case 'ignored-self':
      return { phrase: 'Own change, ignored', emoji: 'ℹ️', eventType: 'OwnChangeIgnored', severity: 'info' };
    default: // the log-group requirement actions: a neutral phrase until notify words each of them
      return { phrase: `Log group check: ${o.action}`, emoji: '⚠️', eventType: 'LogGroupRequirement', severity: 'medium' };
  }
}

const TOOL_LABEL: Record<ToolKind, string> = {
  console: 'AWS Management Console',
  'aws-cli': 'AWS CLI',
  sdk: 'AWS SDK',
  terraform: 'Terraform',
  cloudformation: 'CloudFormation',
  other: 'other / unknown',
};

const STEP_LABEL: Record<OutcomeError['step'], string> = {
  identity: 'identity (sts:GetCallerIdentity)',
  describe: 'describe (DescribeClientVpnEndpoints)',
  'ensure-log-group': 'ensure-log-group (CreateLogGroup, PutRetentionPolicy)',
  modify: 'modify (ModifyClientVpnEndpoint)',
};

/** What did and did not happen when a step failed. */
const STEP_CONSEQUENCE: Record<OutcomeError['step'], string> = {
  identity: 'Nothing was changed.',
  describe: 'Nothing was changed: the endpoint could not be read.',
  'ensure-log-group': 'Nothing was changed on the endpoint: the log group could not be made ready.',
  modify: 'The log group is ready, but the endpoint was not changed.',
};

/** The permissions a step needs, named in the failed notification's next steps. */
const STEP_PERMISSIONS: Record<OutcomeError['step'], string[]> = {
  identity: ['sts:GetCallerIdentity'],
  describe: ['ec2:DescribeClientVpnEndpoints'],
  'ensure-log-group': ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:TagResource', 'kms:* on the key, if set'],
  modify: ['ec2:ModifyClientVpnEndpoint'],
};

// ---------------------------------------------------------------------------------------------
// Trusted values
// ---------------------------------------------------------------------------------------------

const EVENT_ID_PATTERN = /^[A-Za-z0-9-]{1,128}$/;
const EVENT_NAME_PATTERN = /^[A-Za-z]{1,64}$/;
const ISO_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
const ERROR_CODE_PATTERN = /^[A-Za-z0-9.]{1,100}$/;
const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

const trusted = (value: string | undefined, pattern: RegExp): string | undefined =>
  value !== undefined && pattern.test(value) ? value : undefined;

interface Facts {
  o: NotifiedOutcome;
  ctx: NotificationContext;
  wording: ActionWording;
  endpointId?: string;
  region?: string;
  account?: string;
  eventId?: string;
  eventName?: string;
  eventTime?: string;
  logGroup?: string;
  logGroupArn?: string;
  endpointUrl?: string;
  logGroupUrl?: string;
  tool: string;
}

function factsOf(o: NotifiedOutcome, ctx: NotificationContext): Facts {
  const region = trusted(o.region, REGION_PATTERN);
  const endpointId = trusted(o.endpointId, CLIENT_VPN_ENDPOINT_ID_PATTERN);
  const account = trusted(o.account, ACCOUNT_ID_PATTERN);
  const logGroup = trusted(o.logGroup ?? o.loggingAfter?.logGroup ?? o.loggingBefore?.logGroup, LOG_GROUP_NAME_PATTERN);
  const partition = partitionForRegion(region ?? '');
  return {
    o,
    ctx,
    wording: wordingFor(o),
    endpointId,
    region,
    account,
    eventId: trusted(o.eventId, EVENT_ID_PATTERN),
    eventName: trusted(o.eventName, EVENT_NAME_PATTERN),
    eventTime: trusted(o.eventTime, ISO_TIME_PATTERN),
    logGroup,
    logGroupArn:
      region && account && logGroup ? logGroupArn(partition, region, account, logGroup) : undefined,
    endpointUrl: region && endpointId ? clientVpnEndpointConsoleUrl(region, endpointId, partition) : undefined,
    logGroupUrl: region && logGroup ? logGroupConsoleUrl(region, logGroup, partition) : undefined,
    tool: TOOL_LABEL[o.tool] ?? TOOL_LABEL.other,
  };
}

const endpointText = (f: Facts): string => f.endpointId ?? 'unrecognised endpoint ID';
const regionText = (f: Facts): string => f.region ?? 'unknown region';

/** "<phrase>: <endpoint> (<region>)", from trusted parts only. */
function headlinePhrase(f: Facts): string {
  return `${f.wording.phrase}: ${endpointText(f)} (${regionText(f)})`;
}

// ---------------------------------------------------------------------------------------------
// Rendering user values: one formatter per medium
// ---------------------------------------------------------------------------------------------

interface Medium {
  /** A user-controlled value, neutralised for this medium. */
  user(value: string | undefined, max: number): string;
  /** A trusted token (identifier, setting name): code-formatted in chat. */
  code(value: string): string;
}

const EMAIL: Medium = {
  user: (value, max) => defangUrls(plainText(value ?? '', max)),
  code: (value) => value,
};

/**
 * slackText bounds visible characters; escaping can make the text longer (`&` -> `&amp;`).
 * This keeps the escaped result within `max` UTF-16 units too, so the chat description stays
 * inside what Slack shows (3,000 characters per text block).
 */
function slackFit(value: string, max: number): string {
  let visible = max;
  let out = slackText(value, visible);
  while (out.length > max && visible > 1) {
    visible = Math.max(1, Math.min(visible - 1, Math.floor((visible * max) / out.length)));
    out = slackText(value, visible);
  }
  return out;
}

const CHAT: Medium = {
  user: (value, max) => slackFit(value ?? '', max),
  code: (value) => `\`${value}\``,
};

/** A value checked against `pattern` is shown as a trusted token, anything else as user text. */
function checked(m: Medium, value: string | undefined, pattern: RegExp, max: number): string {
  return value !== undefined && pattern.test(value) ? m.code(value) : m.user(value, max);
}

const onOff = (state: LoggingState | undefined): string =>
  state === undefined ? 'unknown' : state.enabled ? 'on' : 'off';

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** A duration for people: "40 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/**
 * "switched off again 12 min after cvpn-log-guard turned it back on (at ...); turned back on 3
 * times in the last 24 h". Built from our own numbers and a checked timestamp only.
 */
function repeatText(r: RepeatedSwitchOff): string {
  const who = r.previousByRemediator ? 'cvpn-log-guard turned it back on' : 'it was turned back on';
  const at = ISO_TIME_PATTERN.test(r.previousEnableAt) ? ` (at ${r.previousEnableAt})` : '';
  const rounds = Math.max(1, Math.floor(r.enablesInWindow));
  const window = humanDuration(r.windowMs);
  const times = rounds === 1 ? 'once' : `${rounds} times`;
  return `switched off again ${humanDuration(r.afterMs)} after ${who}${at}; turned back on ${times} in the last ${window}`;
}

// ---------------------------------------------------------------------------------------------
// What to do next
// ---------------------------------------------------------------------------------------------

function nextSteps(f: Facts, m: Medium): string[] {
  const { o } = f;
  const group = f.logGroup ? `log group ${m.code(f.logGroup)}` : 'a log group';
  const steps: string[] = [];
  const iac = templateFight(o.tool);
  const templateNote = (): void => {
    if (!iac) return;
    // The fix is spelled out with the real group name, so it can be pasted into the template.
    const on = iac.onSetting.replace('{logGroup}', f.logGroup ?? 'LOG_GROUP_NAME');
    const source = iac.tool === 'terraform' ? 'configuration' : 'template';
    const next = iac.tool === 'terraform' ? 'the next apply' : 'the next stack update';
    steps.push(
      `This came from ${iac.label}: the ${source} of this ${m.code(iac.resource)} sets ${m.code(iac.offSetting)}, so ` +
        `${next} turns logging off again, and so will ${iac.later}, until the ${source} is changed. ` +
        `Change it to ${m.code(on)}.`,
    );
  };
  const repeatNote = (): void => {
    if (!o.repeat) return;
    const cause = iac
      ? `${iac.label} keeps undoing the fix (see the next step)`
      : 'something keeps turning it off (a script, a pipeline, a person)';
    steps.push(
      `Logging was ${repeatText(o.repeat)}: ${cause}. cvpn-log-guard turns it back on each time, but every round ` +
        'leaves a gap with no connection records. Stop the cause rather than rely on the automatic fix.',
    );
  };

  switch (o.action) {
    case 'remediated': {
      repeatNote();
      templateNote();
      if (!iac && !o.repeat) {
        steps.push(
          'Find out why logging was turned off. If it must stay off for a while, tag the endpoint with ' +
            `the exemption tag (${m.code('CVPN_EXEMPT_TAG')}), a reason and ${m.code('until=YYYY-MM-DD')}.`,
        );
      }
      if (o.verification !== 'verified') {
        steps.push('Check the endpoint in the console: a read-back has not shown logging on yet.');
      }
      if (o.logGroupCreated) {
        steps.push(
          `cvpn-log-guard created ${group} with ${f.ctx.retentionDays}-day retention` +
            `${f.ctx.kmsKeyArn ? ' and the configured KMS key' : ''}: check it meets your retention and encryption policy.`,
        );
      }
      if (o.exemption?.expired) {
        steps.push(
          `The endpoint's exemption expired on ${checked(m, o.exemption.until, DAY_PATTERN, 40)}: ` +
            'remove the tag, or renew it if the endpoint should still be exempt.',
        );
      }
      break;
    }
    case 'exempt': {
      steps.push('Logging stays off while the exemption holds; its reason is shown above.');
      steps.push(
        o.exemption?.until
          ? `Review the exemption before it expires on ${checked(m, o.exemption.until, DAY_PATTERN, 40)} ` +
              '(inclusive, UTC); after that cvpn-log-guard turns logging back on at the next change.'
          : `The exemption has no end date: review whether it is still needed and add ${m.code('until=YYYY-MM-DD')}.`,
      );
      steps.push('To end it early, remove the tag and turn connection logging on in the console.');
      break;
    }
    case 'would-remediate': {
      steps.push(
        `Logging is OFF and nothing was changed: cvpn-log-guard runs with ${m.code('CVPN_MODE=notify-only')}.`,
      );
      steps.push(
        `Turn connection logging on by hand (to ${group}), or set ${m.code('CVPN_MODE=remediate')} ` +
          'so that cvpn-log-guard does it.',
      );
      repeatNote();
      templateNote();
      break;
    }
    case 'failed': {
      const err = o.error;
      if (err) {
        const perms = STEP_PERMISSIONS[err.step].map((p) => m.code(p)).join(', ');
        steps.push(
          `Logging is still OFF. ${STEP_CONSEQUENCE[err.step]} Check the permission or setting named in the error ` +
            `(this step needs ${perms}).`,
        );
      } else {
        steps.push('Logging is still OFF. Check the Lambda function logs for the cause.');
      }
      steps.push(
        `Once fixed, run ${m.code('cvpn-log-guard replay --file EVENT_FILE')} (failed events are kept in the ` +
          'on-failure queue) or wait for the automatic retry.',
      );
      steps.push('Until then, turn connection logging on by hand in the console.');
      repeatNote();
      templateNote();
      break;
    }
    default:
      steps.push('No action needed.');
  }
  return steps;
}

// ---------------------------------------------------------------------------------------------
// Email
// ---------------------------------------------------------------------------------------------

/** Every email line is shorter than 100 characters, except a URL on a line of its own. */
const EMAIL_WIDTH = 99;
const LABEL_WIDTH = 15;
const INDENT = '  ';

/** Word-wraps one line of text to `width` UTF-16 units, never splitting a surrogate pair. */
export function wrapLine(text: string, width: number): string[] {
  const points = Array.from(text);
  const lines: string[] = [];
  let start = 0;
  while (start < points.length) {
    let units = 0;
    let end = start;
    let lastSpace = -1;
    for (let p = points[end]; p !== undefined && units + p.length <= width; p = points[end]) {
      if (p === ' ') lastSpace = end;
      units += p.length;
      end += 1;
    }
    if (end === start) end = start + 1; // a code point wider than the width: emit it anyway
    let next = end;
    if (end < points.length && lastSpace > start && points[end] !== ' ') {
      end = lastSpace;
      next = lastSpace + 1;
    }
    lines.push(points.slice(start, end).join('').trimEnd());
    start = next;
    while (points[start] === ' ') start += 1;
  }
  return lines.length > 0 ? lines : [''];
}

function field(label: string, value: string): string[] {
  const pad = INDENT + ' '.repeat(LABEL_WIDTH);
  return wrapLine(value, EMAIL_WIDTH - pad.length).map((chunk, i) =>
    i === 0 ? `${INDENT}${label.padEnd(LABEL_WIDTH)}${chunk}`.trimEnd() : `${pad}${chunk}`,
  );
}

function paragraph(text: string, indent = ''): string[] {
  return wrapLine(text, EMAIL_WIDTH - indent.length).map((l) => indent + l);
}

function bullet(text: string): string[] {
  return wrapLine(text, EMAIL_WIDTH - 4).map((l, i) => (i === 0 ? `${INDENT}- ${l}` : `${INDENT}  ${l}`));
}

function changeVerb(f: Facts): string {
  return f.o.eventName === 'CreateClientVpnEndpoint'
    ? 'was created with connection logging off'
    : `had connection logging turned off${f.o.repeat ? ' again' : ''}`;
}

function emailHeadline(f: Facts): string {
  const what = `Client VPN endpoint ${endpointText(f)} in ${regionText(f)} ${changeVerb(f)}`;
  const back = f.o.eventName === 'CreateClientVpnEndpoint' ? '' : ' back';
  switch (f.o.action) {
    case 'remediated':
      return f.o.verification === 'verified'
        ? `${what}; cvpn-log-guard turned it${back} on and confirmed it.`
        : `${what}; cvpn-log-guard asked AWS to turn it${back} on, but a read-back has not confirmed it yet.`;
    case 'failed':
      return `${what}, and cvpn-log-guard could NOT turn it${back} on. Logging is still off.`;
    case 'exempt':
      return `${what}. The endpoint is exempt, so cvpn-log-guard left logging off.`;
    case 'would-remediate':
      return `${what}. cvpn-log-guard runs in notify-only mode and changed nothing: logging is OFF.`;
    default:
      return `${f.wording.phrase}: ${endpointText(f)} (${regionText(f)}).`;
  }
}

const WHY =
  'Connection logs are the only record of who connected to this VPN, when and from where; ' +
  'while logging is off, connections leave no trace.';

function verificationText(o: RemediationOutcome): string {
  if (o.action !== 'remediated') return 'not applicable: nothing was changed';
  return o.verification === 'verified'
    ? 'verified: a read-back showed logging on, to the expected log group'
    : 'requested: AWS accepted the change, but a read-back did not show it yet';
}

function loggingLines(f: Facts, m: Medium): { before: string; after: string; group?: string } {
  const { o } = f;
  const describe = (state: LoggingState | undefined): string => {
    const base = onOff(state);
    return state?.enabled && state.logGroup ? `${base}, to ${checked(m, state.logGroup, LOG_GROUP_NAME_PATTERN, 512)}` : base;
  };
  return {
    before: describe(o.loggingBefore),
    after: describe(o.loggingAfter),
    group: o.logGroup === undefined ? undefined : checked(m, o.logGroup, LOG_GROUP_NAME_PATTERN, 512),
  };
}

function retentionText(f: Facts): string {
  if (f.o.logGroupCreated) return `${f.ctx.retentionDays} days (set when cvpn-log-guard created the group)`;
  if (f.o.action === 'would-remediate' || f.o.action === 'exempt') {
    return `${f.ctx.retentionDays} days would be set on a group cvpn-log-guard creates`;
  }
  return `unchanged: the group already existed (cvpn-log-guard sets ${f.ctx.retentionDays} days only on groups it creates)`;
}

function buildEmail(f: Facts): string {
  const { o } = f;
  const m = EMAIL;
  const lines: string[] = [];
  lines.push(...paragraph(emailHeadline(f)), ...paragraph(WHY), '');

  lines.push('Endpoint');
  lines.push(...field('ID', checked(m, o.endpointId, CLIENT_VPN_ENDPOINT_ID_PATTERN, 64)));
  lines.push(...field('Region', checked(m, o.region, REGION_PATTERN, 32)));
  lines.push(...field('Account', checked(m, o.account, ACCOUNT_ID_PATTERN, 32)));
  if (o.description) lines.push(...field('Description', m.user(o.description, 512)));
  lines.push('');

  lines.push('Who');
  const principal = o.actor.arn ?? o.actor.invokedBy;
  lines.push(...field('Principal', principal ? m.user(principal, 2048) : 'not recorded'));
  if (o.actor.sessionName) lines.push(...field('Session', m.user(o.actor.sessionName, 128)));
  lines.push(...field('Identity type', m.user(o.actor.type, 64) || 'unknown'));
  if (o.actor.arn && o.actor.invokedBy) lines.push(...field('Via service', m.user(o.actor.invokedBy, 128)));
  lines.push(...field('Tool', f.tool));
  lines.push('');

  lines.push('When');
  lines.push(...field('Event time', checked(m, o.eventTime, ISO_TIME_PATTERN, 64)));
  lines.push(...field('API call', checked(m, o.eventName, EVENT_NAME_PATTERN, 64)));
  lines.push(...field('Event ID', checked(m, o.eventId, EVENT_ID_PATTERN, 128)));
  if (o.repeat) lines.push(...field('Repeat', repeatText(o.repeat)));
  if (o.replayName) lines.push(...field('Replay', m.user(o.replayName, 128)));
  if (o.action === 'remediated' && o.latencyMs !== undefined) {
    lines.push(
      ...field(
        'Time to fix',
        o.verification === 'verified'
          ? `${seconds(o.latencyMs)} from the change to the verified fix`
          : `${seconds(o.latencyMs)} from the change to the last read-back (not verified)`,
      ),
    );
  }
  lines.push('');

  const logging = loggingLines(f, m);
  lines.push('Logging');
  lines.push(...field('Before', logging.before));
  lines.push(...field('After', logging.after));
  if (logging.group) lines.push(...field('Log group', logging.group));
  lines.push(...field('Retention', retentionText(f)));
  if (o.action === 'remediated' || o.action === 'failed') {
    lines.push(
      ...field(
        'Group created',
        o.logGroupCreated === undefined ? 'unknown' : o.logGroupCreated ? 'yes, by cvpn-log-guard' : 'no, it existed',
      ),
    );
  }
  if (o.logGroupCreated) {
    lines.push(...field('KMS key', f.ctx.kmsKeyArn ? plainText(f.ctx.kmsKeyArn, 2048) : 'none (CloudWatch default encryption)'));
  }
  lines.push(...field('Verification', verificationText(o)));
  lines.push('');

  if (o.exemption && (o.action === 'exempt' || o.exemption.expired)) {
    lines.push('Exemption');
    lines.push(...field('Reason', o.exemption.reason ? m.user(o.exemption.reason, 256) : 'none given'));
    lines.push(
      ...field(
        'Until',
        o.exemption.until
          ? `${checked(m, o.exemption.until, DAY_PATTERN, 40)} (inclusive, UTC)${o.exemption.expired ? ', EXPIRED' : ''}`
          : 'no end date',
      ),
    );
    lines.push('');
  }

  if (o.action === 'failed' && o.error) {
    lines.push('Error');
    lines.push(...field('Step', STEP_LABEL[o.error.step] ?? m.user(o.error.step, 40)));
    lines.push(...field('Code', checked(m, o.error.code, ERROR_CODE_PATTERN, 100)));
    lines.push(...field('Message', m.user(o.error.message, 1024)));
    lines.push(...field('Retryable', o.error.retryable ? 'yes' : 'no'));
    lines.push('');
  }

  lines.push('What to do next');
  for (const step of nextSteps(f, m)) lines.push(...bullet(step));
  lines.push('');

  if (f.endpointUrl || f.logGroupUrl) {
    lines.push('Console');
    // URLs stay whole on their own line (longer than 99 characters if need be) so they stay clickable.
    if (f.endpointUrl) lines.push(`${INDENT}Client VPN endpoint:`, `${INDENT}${f.endpointUrl}`);
    if (f.logGroupUrl) lines.push(`${INDENT}Log group:`, `${INDENT}${f.logGroupUrl}`);
    lines.push('');
  }

  lines.push('--');
  lines.push(...paragraph(`Sent by cvpn-log-guard. Outcome: ${o.action}. Mode: ${o.mode}. Severity: ${f.wording.severity}.`));
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Chat
// ---------------------------------------------------------------------------------------------

function chatDescription(f: Facts): string {
  const { o } = f;
  const m = CHAT;
  const lines: string[] = [];
  const account = f.account ? `, account ${f.account}` : '';
  lines.push(`*Endpoint:* ${f.endpointId ? m.code(f.endpointId) : 'unrecognised endpoint ID'} in ${regionText(f)}${account}`);
  if (o.description) lines.push(`*Description:* ${m.user(o.description, 256)}`);

  const principal = o.actor.arn ?? o.actor.invokedBy;
  const who = [principal ? m.user(principal, 300) : 'not recorded'];
  if (o.actor.sessionName) who.push(`session ${m.user(o.actor.sessionName, 128)}`);
  if (o.actor.type) who.push(m.user(o.actor.type, 40));
  lines.push(`*Who:* ${who.join(' · ')}`);
  lines.push(`*Tool:* ${f.tool}`);

  const event = [
    f.eventName ? m.code(f.eventName) : m.user(o.eventName, 64),
    `at ${f.eventTime ?? m.user(o.eventTime, 64)}`,
    `event ID ${f.eventId ? m.code(f.eventId) : m.user(o.eventId, 128)}`,
  ];
  if (o.replayName) event.push(`replay ${m.user(o.replayName, 64)}`);
  lines.push(`*Event:* ${event.join(' · ')}`);
  if (o.repeat) lines.push(`*Repeat:* ${repeatText(o.repeat)}`);

  const logging = loggingLines(f, m);
  const loggingParts = [`${onOff(o.loggingBefore)} → ${onOff(o.loggingAfter)}`];
  if (logging.group) loggingParts.push(`log group ${logging.group}`);
  if (o.logGroupCreated) loggingParts.push(`created now, retention ${f.ctx.retentionDays} days`);
  lines.push(`*Logging:* ${loggingParts.join(' · ')}`);

  if (o.action === 'remediated') {
    const latency = o.latencyMs === undefined ? '' : `, ${seconds(o.latencyMs)} after the change`;
    lines.push(`*Verification:* ${o.verification === 'verified' ? 'verified by read-back' : 'requested, not yet confirmed'}${latency}`);
  }
  if (o.exemption && (o.action === 'exempt' || o.exemption.expired)) {
    const reason = o.exemption.reason ? m.user(o.exemption.reason, 200) : 'no reason given';
    const until = o.exemption.until
      ? ` · until ${checked(m, o.exemption.until, DAY_PATTERN, 40)}${o.exemption.expired ? ' (expired)' : ''}`
      : ' · no end date';
    lines.push(`*Exemption:* ${reason}${until}`);
  }
  if (o.action === 'failed' && o.error) {
    lines.push(
      `*Error:* ${checked(m, o.error.code, ERROR_CODE_PATTERN, 100)} during ${checked(m, o.error.step, /^[a-z-]{1,40}$/, 40)}: ${m.user(o.error.message, 400)}`,
    );
  }
  // Bare URLs: every chat target links them (see ChatbotMessageSchema for why not markdown links).
  if (f.endpointUrl) lines.push(`*Endpoint in console:* ${f.endpointUrl}`);
  if (f.logGroupUrl) lines.push(`*Log group in console:* ${f.logGroupUrl}`);
  return lines.join('\n');
}

function buildChat(f: Facts): ChatbotMessage {
  const { o } = f;
  const additionalContext: Record<string, string> = {
    action: o.action,
    mode: o.mode,
    severity: f.wording.severity,
    tool: o.tool,
  };
  if (f.region) additionalContext.region = f.region;
  if (f.account) additionalContext.account = f.account;
  if (f.endpointId) additionalContext.endpointId = f.endpointId;
  if (f.eventId) additionalContext.eventId = f.eventId;
  if (f.eventName) additionalContext.eventName = f.eventName;
  if (f.logGroup) additionalContext.logGroup = f.logGroup;
  if (o.verification) additionalContext.verification = o.verification;
  if (o.action === 'remediated' && o.latencyMs !== undefined) {
    additionalContext.latencySeconds = (o.latencyMs / 1000).toFixed(1);
  }
  if (o.error && ERROR_CODE_PATTERN.test(o.error.code)) additionalContext.errorCode = o.error.code;
  if (o.repeat) {
    additionalContext.repeatAfterSeconds = String(Math.round(o.repeat.afterMs / 1000));
    additionalContext.reenablesInWindow = String(o.repeat.enablesInWindow);
  }

  const relatedResources = [f.endpointId, f.logGroupArn].filter((r): r is string => r !== undefined);
  const keywords = [o.action, f.region, o.tool, o.repeat ? 'repeat' : undefined].filter(
    (k): k is string => k !== undefined,
  );

  return {
    version: '1.0',
    source: 'custom',
    ...(f.eventId ? { id: f.eventId } : {}),
    content: {
      textType: 'client-markdown',
      title: `${f.wording.emoji} ${headlinePhrase(f)}`,
      description: chatDescription(f),
      nextSteps: nextSteps(f, CHAT),
      keywords,
    },
    metadata: {
      threadId: f.endpointId ?? 'cvpn-log-guard',
      summary: headlinePhrase(f),
      eventType: f.wording.eventType,
      relatedResources,
      additionalContext,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Building and publishing
// ---------------------------------------------------------------------------------------------

const SUBJECT_PREFIX = '[cvpn-log-guard]';

/** The email, chat message, subject and filter attributes for one outcome. Never throws. */
export function buildNotification(outcome: NotifiedOutcome, ctx: NotificationContext): Notification {
  const f = factsOf(outcome, ctx);
  const attributes: Record<string, string> = {
    outcome: outcome.action,
    severity: f.wording.severity,
  };
  if (f.region) attributes.region = f.region;
  if (f.account) attributes.account = f.account;
  // Lets a filter policy route fights (switched off again soon after a fix) on their own.
  if (outcome.repeat) attributes.repeat = 'true';
  return {
    subject: subjectText(`${SUBJECT_PREFIX} ${headlinePhrase(f)}`),
    email: buildEmail(f),
    chat: buildChat(f),
    attributes,
  };
}

/** SNS: a message may be up to 256 KiB, message attributes included. */
export const SNS_MAX_MESSAGE_BYTES = 256 * 1024;
/** Headroom for how SNS counts what surrounds our strings. */
const SIZE_MARGIN_BYTES = 4 * 1024;

const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

function messageBody(n: Notification): string {
  const chat = JSON.stringify(n.chat);
  return JSON.stringify({ default: chat, https: chat, email: n.email });
}

type StringAttribute = { DataType: 'String'; StringValue: string };

/** What SNS Publish takes, as plain data (the call itself is in src/aws/sns.ts). */
export interface SnsPublishInput {
  TopicArn: string;
  MessageStructure: 'json';
  Message: string;
  Subject: string;
  MessageAttributes: Record<string, StringAttribute>;
}

function messageAttributes(attributes: Record<string, string>): Record<string, StringAttribute> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String' as const, StringValue: value }]),
  );
}

/** Bytes SNS counts against the 256 KiB limit: body, subject, attribute names, types and values. */
export function publishedSize(n: Notification): number {
  let size = utf8Bytes(messageBody(n)) + utf8Bytes(n.subject);
  for (const [name, value] of Object.entries(n.attributes)) {
    size += utf8Bytes(name) + utf8Bytes('String') + utf8Bytes(value);
  }
  return size;
}

/** Cuts text to about `max` code points, at a line break when one is near, marking the cut. */
function cut(text: string, max: number, marker: string): string {
  const points = Array.from(text);
  if (points.length <= max) return text;
  let head = points.slice(0, Math.max(0, max)).join('');
  const nl = head.lastIndexOf('\n');
  if (nl > head.length / 2) head = head.slice(0, nl);
  return head + marker;
}

/** Halves every long string (and long array) in a chat message: the size guard's last resort. */
function shrinkChat(chat: ChatbotMessage): ChatbotMessage {
  const half = (s: string): string => (s.length > 200 ? cut(s, Math.floor(Array.from(s).length / 2), '…') : s);
  const halfList = (list: string[] | undefined): string[] | undefined =>
    list === undefined ? undefined : (list.length > 10 ? list.slice(0, Math.ceil(list.length / 2)) : list).map(half);
  const meta = chat.metadata;
  return {
    ...chat,
    ...(chat.id !== undefined ? { id: half(chat.id) } : {}),
    content: {
      ...chat.content,
      title: half(chat.content.title),
      description: half(chat.content.description),
      nextSteps: halfList(chat.content.nextSteps),
      keywords: halfList(chat.content.keywords),
    },
    ...(meta
      ? {
          metadata: {
            ...meta,
            threadId: meta.threadId === undefined ? undefined : half(meta.threadId),
            summary: meta.summary === undefined ? undefined : half(meta.summary),
            relatedResources: halfList(meta.relatedResources),
            additionalContext:
              meta.additionalContext === undefined
                ? undefined
                : Object.fromEntries(
                    Object.entries(meta.additionalContext)
                      .slice(0, 50)
                      .map(([k, v]) => [half(k), half(v)]),
                  ),
          },
        }
      : {}),
  };
}

/**
 * Returns `n` unchanged when it fits in one SNS message, or a copy with the chat description and
 * the email (then, if still needed, every long field) cut until it does. Never throws.
 */
export function fitNotification(n: Notification, limit = SNS_MAX_MESSAGE_BYTES - SIZE_MARGIN_BYTES): Notification {
  let current = n;
  for (let round = 0; round < 40; round++) {
    const size = publishedSize(current);
    if (size <= limit) break;
    // Aim a little below the limit; the floor of 200 code points keeps something readable.
    const ratio = (limit / size) * 0.9;
    const emailPoints = Array.from(current.email).length;
    const descPoints = Array.from(current.chat.content.description).length;
    const next: Notification = {
      ...current,
      email: cut(current.email, Math.max(200, Math.floor(emailPoints * ratio)), '\n[truncated to fit one SNS message]'),
      chat: {
        ...current.chat,
        content: {
          ...current.chat.content,
          description: cut(current.chat.content.description, Math.max(200, Math.floor(descPoints * ratio)), '…'),
        },
      },
    };
    // When the two big texts are already short, something else is big: shrink every field.
    current =
      publishedSize(next) < size
        ? next
        : { ...next, chat: shrinkChat(next.chat), attributes: shrinkAttributes(next.attributes) };
  }
  return current;
}

function shrinkAttributes(attributes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(attributes)
      .slice(0, 5)
      .map(([k, v]) => [k.slice(0, 64), v.slice(0, 256)]),
  );
}

/**
 * The SNS Publish input for one notification: the chat JSON for `default` and `https` (the Amazon
 * Q Developer subscription), the plain text for `email`, fitted to one message.
 *
 * Message attributes go along for subscription filter policies (evaluated by SNS whatever the
 * message structure; AWS documents delivering them to endpoints only for String-structured
 * messages, so receivers should read the body, not the attributes).
 */
export function snsPublishInput(topicArn: string, n: Notification): SnsPublishInput {
  const fitted = fitNotification(n);
  return {
    TopicArn: topicArn,
    MessageStructure: 'json',
    Message: messageBody(fitted),
    Subject: subjectText(fitted.subject),
    MessageAttributes: messageAttributes(fitted.attributes),
  };
}
