/**
 * What people receive about an outcome: an email (plain text) and an Amazon Q Developer in chat
 * applications custom notification (Slack, Teams, Chime), published as one SNS message with a
 * per-protocol body. Built once as a message model (model.ts), rendered by email.ts and chat.ts.
 */
export { buildNotification, type Notification } from './notification';
export { snsPublishInput, type SnsMessageAttribute, type SnsPublishInput } from './sns-message';
export { SNS_MAX_MESSAGE_BYTES, fitNotification, publishedSize } from './fit';
export { CHATBOT_EVENT_TYPE_PATTERN, ChatbotMessageSchema, type ChatbotMessage } from './chat';
export type { NotificationContext, NotifiedOutcome } from './input';
export type { Severity } from './wording';
