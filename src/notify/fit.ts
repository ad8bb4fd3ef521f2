/** Keeps a notification within one SNS message. */
import type { ChatbotMessage } from './chat';
import type { Notification } from './notification';

/** SNS: a message may be up to 256 KiB, message attributes included. */
export const SNS_MAX_MESSAGE_BYTES = 256 * 1024;
/** Headroom for how SNS counts what surrounds our strings. */
const SIZE_MARGIN_BYTES = 4 * 1024;

const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * The `MessageStructure: 'json'` body: the chat JSON for `default` and `https` (the Amazon Q
 * Developer subscription), the plain text for `email`.
 */
export function messageBody(n: Notification): string {
  const chat = JSON.stringify(n.chat);
  return JSON.stringify({ default: chat, https: chat, email: n.email });
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

