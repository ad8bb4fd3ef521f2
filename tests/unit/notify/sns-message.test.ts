import { PublishCommand, SNSClient, type PublishCommandInput } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { allCustomMatcher } from 'aws-sdk-client-mock-vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ChatbotMessageSchema,
  SNS_MAX_MESSAGE_BYTES,
  buildNotification,
  fitNotification,
  publishedSize,
  snsPublishInput,
  type Notification,
} from '../../../src/notify';
import { publish } from '../../../src/aws/sns';
import { ACCOUNT, CTX, REGION, TOPIC, failed, remediated } from './outcomes';

expect.extend(allCustomMatcher);

/** What the app's announce does: the notify layer's input, sent by the aws layer's publish. */
function publishNotification(topicArn: string, n: Notification): Promise<string> {
  return publish(new SNSClient({ region: REGION }), snsPublishInput(topicArn, n));
}

describe('snsPublishInput', () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => {
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'msg-0001' });
  });

  const sentInput = (): PublishCommandInput => {
    const call = sns.commandCalls(PublishCommand)[0];
    if (!call) throw new Error('no PublishCommand was sent');
    return call.args[0].input;
  };

  it('sends one JSON-structured message with chat, https and email bodies, subject and attributes', async () => {
    const n = buildNotification(remediated, CTX);
    const id = await publishNotification(TOPIC, n);
    expect(id).toBe('msg-0001');
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);

    const input = sentInput();
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.MessageStructure).toBe('json');
    expect(input.Subject).toBe(n.subject);
    const body = JSON.parse(input.Message ?? '') as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['default', 'email', 'https']);
    expect(typeof body.default).toBe('string');
    expect(body.https).toBe(body.default);
    expect(ChatbotMessageSchema.parse(JSON.parse(String(body.default)))).toEqual(n.chat);
    expect(body.email).toBe(n.email);
    expect(input.MessageAttributes).toEqual({
      outcome: { DataType: 'String', StringValue: 'remediated' },
      severity: { DataType: 'String', StringValue: 'info' },
      region: { DataType: 'String', StringValue: REGION },
      account: { DataType: 'String', StringValue: ACCOUNT },
    });
  });

  it('keeps a huge description under 256 KiB', async () => {
    const n = buildNotification({ ...remediated, description: 'x'.repeat(1_000_000) }, CTX);
    await publishNotification(TOPIC, n);
    const input = sentInput();
    expect(Buffer.byteLength(input.Message ?? '', 'utf8')).toBeLessThan(SNS_MAX_MESSAGE_BYTES);
  });

  it('cuts an oversized notification to fit instead of throwing', async () => {
    const big = buildNotification(remediated, CTX);
    const oversized: Notification = {
      ...big,
      email: `${big.email}\n${'注意 '.repeat(200_000)}`,
      chat: { ...big.chat, content: { ...big.chat.content, description: '&amp; '.repeat(100_000) } },
    };
    expect(publishedSize(oversized)).toBeGreaterThan(SNS_MAX_MESSAGE_BYTES);
    const fitted = fitNotification(oversized);
    expect(publishedSize(fitted)).toBeLessThan(SNS_MAX_MESSAGE_BYTES);
    expect(ChatbotMessageSchema.safeParse(fitted.chat).success).toBe(true);
    expect(fitted.email.startsWith(big.email.slice(0, 200))).toBe(true);
    expect(fitted.email).toContain('[truncated to fit one SNS message]');

    await publishNotification(TOPIC, oversized);
    const input = sentInput();
    const total =
      Buffer.byteLength(input.Message ?? '', 'utf8') +
      Buffer.byteLength(input.Subject ?? '', 'utf8') +
      Object.entries(input.MessageAttributes ?? {}).reduce(
        (sum, [k, v]) => sum + k.length + (v.DataType ?? '').length + (v.StringValue ?? '').length,
        0,
      );
    expect(total).toBeLessThan(SNS_MAX_MESSAGE_BYTES);
  });

  it('leaves a notification that fits untouched', () => {
    const n = buildNotification(failed, CTX);
    expect(fitNotification(n)).toBe(n);
  });
});
