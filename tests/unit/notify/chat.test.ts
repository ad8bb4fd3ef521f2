import { describe, expect, it } from 'vitest';
import { ChatbotMessageSchema, buildNotification } from '../../../src/notify';
import { CTX, remediated } from './outcomes';

describe('ChatbotMessageSchema', () => {
  const valid = buildNotification(remediated, CTX).chat;

  it('rejects messages Amazon Q would drop', () => {
    expect(ChatbotMessageSchema.safeParse({ ...valid, version: '2.0' }).success).toBe(false);
    expect(ChatbotMessageSchema.safeParse({ ...valid, source: 'aws.ec2' }).success).toBe(false);
    expect(ChatbotMessageSchema.safeParse({ ...valid, extra: 1 }).success).toBe(false);
    expect(
      ChatbotMessageSchema.safeParse({ ...valid, content: { ...valid.content, textType: 'markdown' } }).success,
    ).toBe(false);
    expect(ChatbotMessageSchema.safeParse({ ...valid, content: { ...valid.content, nextSteps: [1] } }).success).toBe(
      false,
    );
    expect(
      ChatbotMessageSchema.safeParse({ ...valid, metadata: { ...valid.metadata, eventType: 'Logging Remediated' } })
        .success,
    ).toBe(false);
    expect(
      ChatbotMessageSchema.safeParse({ ...valid, metadata: { ...valid.metadata, additionalContext: { n: 1 } } }).success,
    ).toBe(false);
  });
});
