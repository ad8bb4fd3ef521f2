/** One outcome's notification: subject, email, chat message and filter attributes. */
import { renderChat, type ChatbotMessage } from './chat';
import { renderEmail } from './email';
import type { NotificationContext, NotifiedOutcome } from './input';
import { buildModel } from './model';
import { subjectText } from './sanitize';

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

const SUBJECT_PREFIX = '[cvpn-log-guard]';

/** The email, chat message, subject and filter attributes for one outcome. Never throws. */
export function buildNotification(outcome: NotifiedOutcome, ctx: NotificationContext): Notification {
  const model = buildModel(outcome, ctx);
  const attributes: Record<string, string> = { outcome: model.action, severity: model.severity };
  if (model.ids.region) attributes.region = model.ids.region;
  if (model.ids.account) attributes.account = model.ids.account;
  if (model.ids.accountName) attributes.accountName = model.ids.accountName;
  // Lets a filter policy route fights (switched off again soon after a fix) on their own.
  if (model.repeat) attributes.repeat = 'true';
  return {
    subject: subjectText(`${SUBJECT_PREFIX} ${model.title}`),
    email: renderEmail(model),
    chat: renderChat(model),
    attributes,
  };
}
