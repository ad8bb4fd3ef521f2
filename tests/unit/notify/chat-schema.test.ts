/**
 * Every chat payload against the Amazon Q Developer in chat applications custom-notification
 * schema, written here from AWS's documentation and independently of src/notify/chat.ts (whose
 * schema is stricter on purpose, so it can't be the judge of itself).
 *
 * Source: Amazon Q Developer in chat applications Administrator Guide, "Custom notifications"
 * (https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html), "Event schema" and
 * "Parameter details", as far as the stored copies show them (/work/shared/notes/aws.md and
 * tests/fixtures/chatbot-custom-notification-*-awsdoc.json with their .source.txt):
 * - version: required, must be "1.0"; source: required, must be "custom"; id: optional string.
 * - content: required; description: required (the minimal sample has only it); textType: optional,
 *   only "client-markdown" is supported; title: optional; nextSteps, keywords: optional string arrays.
 * - metadata: optional; threadId, summary, eventType: optional strings; relatedResources: optional
 *   string array; additionalContext: optional map of string to string ("customerProvidedKey1": String).
 * - eventType: what custom-action buttons match on; the custom-action API (CustomActionAttachment
 *   NotificationType) takes 1-100 characters of `[a-zA-Z0-9-]`, the only documented limit we apply.
 * The page documents no length limit for the texts; messages off the schema are dropped silently,
 * which is why unknown keys are rejected here too ("must use the following event format").
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { buildNotification } from '../../../src/notify';
import { fixture } from '../../helpers/events';
import { CTX } from './outcomes';
import { STORIES } from './stories';

const strings = z.array(z.string()).optional();

const CustomNotification = z.strictObject({
  version: z.literal('1.0'),
  source: z.literal('custom'),
  id: z.string().optional(),
  content: z.strictObject({
    textType: z.literal('client-markdown').optional(),
    title: z.string().optional(),
    description: z.string(),
    nextSteps: strings,
    keywords: strings,
  }),
  metadata: z
    .strictObject({
      threadId: z.string().optional(),
      summary: z.string().optional(),
      eventType: z
        .string()
        .regex(/^[a-zA-Z0-9-]+$/)
        .max(100)
        .optional(),
      relatedResources: strings,
      additionalContext: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
});

const GOLDEN = join(import.meta.dirname, '..', '..', 'golden');
const goldenChats = readdirSync(GOLDEN).filter((f) => f.endsWith('.chat.json'));

describe('the custom-notification schema, as documented', () => {
  it.each(['chatbot-custom-notification-full-awsdoc.json', 'chatbot-custom-notification-minimal-awsdoc.json'])(
    'accepts AWS\'s own sample %s',
    (name) => {
      const parsed = CustomNotification.safeParse(fixture(name));
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    },
  );

  it('rejects what the documentation rules out', () => {
    const sample = fixture('chatbot-custom-notification-full-awsdoc.json');
    const bad = [
      { ...sample, version: '1' },
      { ...sample, source: 'aws.ec2' },
      { ...sample, content: { ...sample.content, description: undefined } },
      { ...sample, content: { ...sample.content, textType: 'markdown' } },
      { ...sample, content: { ...sample.content, nextSteps: 'one' } },
      { ...sample, metadata: { ...sample.metadata, eventType: 'Banana Order' } },
      { ...sample, metadata: { ...sample.metadata, additionalContext: { priority: 1 } } },
      { ...sample, extra: true },
    ];
    for (const message of bad) expect(CustomNotification.safeParse(message).success, JSON.stringify(message)).toBe(false);
  });
});

describe('every chat payload fits it', () => {
  it('there is a golden chat message for every story', () => {
    expect(goldenChats.length).toBe(STORIES.length);
  });

  it.each(goldenChats.map((f) => [f]))('tests/golden/%s', (file) => {
    const parsed = CustomNotification.safeParse(JSON.parse(readFileSync(join(GOLDEN, file), 'utf8')));
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });

  it.each(STORIES.map(([name, , outcome]) => [name, outcome] as const))('%s, as built and as SNS delivers it (JSON)', (_name, outcome) => {
    const { chat } = buildNotification(outcome, CTX);
    const parsed = CustomNotification.safeParse(JSON.parse(JSON.stringify(chat)));
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    // Always both, though only description is required (shared/notes/aws.md).
    expect(chat.content.title).not.toBe('');
    expect(chat.content.description).not.toBe('');
  });
});
