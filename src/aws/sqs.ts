import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { toAwsCallError } from './errors';

export { SQSClient };

export interface QueueMessage {
  messageId: string;
  body: string;
  receiptHandle: string;
}

export async function queueUrl(sqs: SQSClient, name: string): Promise<string | undefined> {
  try {
    return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  } catch (error) {
    throw toAwsCallError('GetQueueUrl', error);
  }
}

/** Up to `max` messages, hidden from other readers for `visibilitySeconds`. */
export async function receiveMessages(sqs: SQSClient, url: string, max: number, visibilitySeconds: number): Promise<QueueMessage[]> {
  try {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: max, WaitTimeSeconds: 1, VisibilityTimeout: visibilitySeconds }),
    );
    return (out.Messages ?? []).flatMap((m) =>
      m.MessageId === undefined ? [] : [{ messageId: m.MessageId, body: m.Body ?? '', receiptHandle: m.ReceiptHandle ?? '' }],
    );
  } catch (error) {
    throw toAwsCallError('ReceiveMessage', error);
  }
}

export async function deleteMessage(sqs: SQSClient, url: string, receiptHandle: string): Promise<void> {
  try {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: receiptHandle }));
  } catch (error) {
    throw toAwsCallError('DeleteMessage', error);
  }
}

export async function changeVisibility(sqs: SQSClient, url: string, receiptHandle: string, seconds: number): Promise<void> {
  try {
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }));
  } catch (error) {
    throw toAwsCallError('ChangeMessageVisibility', error);
  }
}
