import { PublishCommand, SNSClient, type PublishCommandInput } from '@aws-sdk/client-sns';
import { toAwsCallError } from './errors';

export { SNSClient };

/** Publishes one prepared message (see notify's `snsPublishInput`); returns the SNS MessageId. */
export async function publish(sns: SNSClient, input: PublishCommandInput): Promise<string> {
  try {
    const out = await sns.send(new PublishCommand(input));
    return out.MessageId ?? '';
  } catch (error) {
    throw toAwsCallError('Publish', error);
  }
}
