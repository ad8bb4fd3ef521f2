/** The Amazon Q Developer in chat applications custom notification, rendered from the message model. */
import * as z from 'zod/mini';
import { hasSection, rowOf, type LinkKey, type MessageModel, type Row, type RowKey } from './model';
import { chatText, codeSpan } from './sanitize';
import { renderText, type Medium, type Text } from './values';

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

/** Escaping can make a trusted value longer than it is; it is bounded by its shape already. */
const TRUSTED_MAX = 4096;

/**
 * Identifiers go verbatim into an inline code span, where Slack makes no link, mention or
 * format of them, so they paste into the console or the CLI as they are. A trusted value that
 * can't stand in one (see values.ts `verbatim`) is neutralised like free text.
 */
const CHAT: Medium = {
  trusted: (v) => {
    if (!v.verbatim.chat) return chatText(v.text, TRUSTED_MAX);
    return v.code ? codeSpan(v.text) : v.text;
  },
  user: (v) => chatText(v.text, v.max.chat) || (v.orElse ?? ''),
};

export const chatRender = (text: Text): string => renderText(text, CHAT);

const LINK_LABEL: Record<LinkKey, string> = {
  endpoint: 'Endpoint in console',
  logGroup: 'Log group in console',
  cloudTrailEvent: 'CloudTrail event',
  cloudTrailHistory: 'Endpoint history in CloudTrail',
};

/** The rows of the model, as chat shows them: compact (`brief`) where the model has one. */
function briefs(model: MessageModel) {
  const shown = (r: Row | undefined): string | undefined => {
    if (r === undefined || r.brief === null) return undefined;
    return chatRender(r.brief ?? r.value);
  };
  return (key: RowKey): string | undefined => shown(rowOf(model, key));
}

function description(model: MessageModel): string {
  const brief = briefs(model);
  const { ids } = model;
  const lines: string[] = [];
  lines.push(`*What happened:* ${chatRender(model.summary)}`);
  if (model.story === 'service-role-missing') {
    const account = ids.account ? codeSpan(ids.account) : 'unrecognised account';
    lines.push(`*Account:* ${account} in ${ids.region ?? 'unknown region'}`);
    const affected = rowOf(model, 'affected');
    if (affected) lines.push(`*Affected:* ${chatRender(affected.value)}`);
  } else {
    const endpoint = ids.endpointId ? codeSpan(ids.endpointId) : 'unrecognised endpoint ID';
    const name = brief('name');
    const account = ids.account ? `, account ${codeSpan(ids.account)}` : '';
    lines.push(`*Endpoint:* ${endpoint}${name ? ` (${name})` : ''} in ${ids.region ?? 'unknown region'}${account}`);
  }
  const desc = brief('description');
  if (desc !== undefined) lines.push(`*Description:* ${desc}`);

  if (hasSection(model, 'who')) {
    const session = brief('session');
    const type = brief('identityType');
    const ip = brief('sourceIp');
    const who = [brief('principal') ?? 'not recorded'];
    if (session !== undefined && brief('role') === undefined) who.push(`session ${session}`);
    if (type !== undefined) who.push(type);
    if (ip !== undefined) who.push(`from ${ip}`);
    lines.push(`*Who:* ${who.join(' · ')}`);
    const role = brief('role');
    if (role !== undefined) lines.push(`*Role:* ${role}`);
    lines.push(`*Tool:* ${brief('tool') ?? ''}`);
    const event = [brief('apiCall') ?? '', `at ${brief('eventTime') ?? ''}`, `event ID ${brief('eventId') ?? ''}`];
    const replay = brief('replay');
    if (replay !== undefined) event.push(`replay ${replay}`);
    lines.push(`*Event:* ${event.join(' · ')}`);
  } else {
    lines.push(`*Found:* by a cvpn-log-guard scan or the hourly sweep at ${brief('foundAt') ?? ''} · no CloudTrail event`);
  }
  const repeat = brief('repeat');
  if (repeat !== undefined) lines.push(`*Repeat:* ${repeat}`);

  if (hasSection(model, 'group')) {
    const group = model.sections.find((s) => s.key === 'group');
    for (const r of group?.rows ?? []) {
      if (r.brief === null) continue;
      lines.push(`*${r.label}:* ${chatRender(r.brief ?? r.value)}`);
    }
  } else if (hasSection(model, 'logging')) {
    const logging = [`${brief('before') ?? ''} → ${brief('after') ?? ''}`];
    const group = brief('logGroup');
    if (group) logging.push(`log group ${group}`);
    const created = brief('retention');
    if (created !== undefined) logging.push(created);
    lines.push(`*Logging:* ${logging.join(' · ')}`);
    const verification = brief('verification');
    if (verification !== undefined) lines.push(`*Verification:* ${verification}`);
  }
  if (hasSection(model, 'exemption')) lines.push(`*Exemption:* ${brief('reason') ?? ''} · ${brief('until') ?? ''}`);
  if (hasSection(model, 'error')) {
    lines.push(`*Error:* ${brief('code') ?? ''} during ${brief('step') ?? ''}: ${brief('message') ?? ''}`);
  }
  // Bare URLs: every chat target links them (see ChatbotMessageSchema for why not markdown links).
  for (const link of model.links) lines.push(`*${LINK_LABEL[link.key]}:* ${link.url}`);
  return lines.join('\n');
}

export function renderChat(model: MessageModel): ChatbotMessage {
  const { ids } = model;
  const relatedResources = [ids.endpointId, ids.logGroupArn].filter((r): r is string => r !== undefined);
  const keywords = [model.action, ids.region, model.tool, model.repeat ? 'repeat' : undefined].filter(
    (k): k is string => k !== undefined,
  );
  return {
    version: '1.0',
    source: 'custom',
    ...(ids.eventId ? { id: ids.eventId } : {}),
    content: {
      textType: 'client-markdown',
      title: `${model.emoji} ${model.title}`,
      description: description(model),
      nextSteps: model.nextSteps.map(chatRender),
      keywords,
    },
    metadata: {
      threadId: ids.endpointId ?? 'cvpn-log-guard',
      summary: model.title,
      eventType: model.eventType,
      relatedResources,
      additionalContext: { ...model.context },
    },
  };
}
