/**
 * The SNS Publish input for a notification, as plain data: the SNS call itself lives with the
 * AWS clients, so that this layer needs no SDK.
 */
import { fitNotification, messageBody } from './fit';
import type { Notification } from './notification';
import { subjectText } from './sanitize';

export interface SnsMessageAttribute {
  DataType: 'String';
  StringValue: string;
}

export interface SnsPublishInput {
  TopicArn: string;
  MessageStructure: 'json';
  Message: string;
  Subject: string;
  MessageAttributes: Record<string, SnsMessageAttribute>;
}

/**
 * One SNS message for `n`, cut to fit when it is too big.
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
    MessageAttributes: Object.fromEntries(
      Object.entries(fitted.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
    ),
  };
}
