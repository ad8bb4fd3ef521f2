import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Standin } from '../../standin/index';
import { envelope, modifyRecord, retarget } from '../helpers/events';
import { ACCOUNT, clientOptionsFor, REGION, standinForAccount, runCliAgainst } from '../helpers/standin-runtime';

let standin: Standin;
let queueUrl: string;
let topicArn: string;

beforeAll(async () => {
  standin = await standinForAccount();
});
afterAll(async () => {
  await standin.close();
});
beforeEach(() => {
  standin.reset();
  queueUrl = standin.createQueue(REGION, 'cvpn-log-guard-prod-failed-events');
  topicArn = standin.createTopic(REGION, 'alerts');
});

function cli(args: string[]) {
  return runCliAgainst(standin, args, { AWS_REGION: REGION, CVPN_TOPIC_ARN: topicArn });
}

/** What Lambda puts on an on-failure SQS destination: the original event as requestPayload. */
function failureRecord(event: unknown, errorType: string): string {
  return JSON.stringify({
    version: '1.0',
    timestamp: '2026-11-26T10:00:00.000Z',
    requestContext: {
      requestId: 'e4b46cbf-b738-xmpl-8880-a18cdf61200e',
      functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:cvpn-log-guard-prod-remediate:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType, errorMessage: 'Transient failure, Lambda will retry' },
  });
}

async function send(body: string): Promise<void> {
  const sqs = new SQSClient({ region: REGION, ...clientOptionsFor(standin) });
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  sqs.destroy();
}

async function parkFailures(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = standin.addEndpoint(REGION, { logging: { enabled: false } });
    ids.push(id);
    await send(failureRecord(envelope(retarget(modifyRecord(), { endpointId: id, eventId: `evt-${i}` })), 'RemediationFailedError'));
  }
  return ids;
}

describe('cvpn-log-guard redrive', () => {
  it('empties a queue of retriable failures once AWS is healthy again', async () => {
    const ids = await parkFailures(12); // more than one ReceiveMessage batch
    const r = await cli(['redrive', '--queue-url', queueUrl]);
    expect(r.code, r.out).toBe(0);
    for (const id of ids) expect(standin.getEndpoint(REGION, id)?.logging.enabled).toBe(true);
    expect(standin.queueMessages(queueUrl)).toHaveLength(0);
    expect(r.out).toMatch(/12 messages in .*: 12 now succeeded and deleted, 0 left/);
    expect(standin.published(topicArn)).toHaveLength(12);
  });

  it('keeps what still fails or can never be processed, visible again, and says why', async () => {
    await parkFailures(2);
    await send('not json at all');
    standin.injectFault({ action: 'ModifyClientVpnEndpoint', code: 'UnauthorizedOperation', status: 403, message: 'no', times: Infinity });
    const r = await cli(['redrive', '--queue-url', queueUrl]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^kept\s+failed\s+cvpn-endpoint-\w+ .*UnauthorizedOperation: no/m);
    expect(r.out).toMatch(/^kept\s+invalid\s+message .*: message body is not JSON/m);
    expect(r.out).toMatch(/3 messages in .*: 0 now succeeded and deleted, 3 left/);
    const left = standin.queueMessages(queueUrl);
    expect(left).toHaveLength(3);
  });

  it('finds the stack\'s queue by stage, and --dry-run deletes nothing', async () => {
    const [id] = await parkFailures(1);
    const r = await cli(['redrive', '--stage', 'prod', '--dry-run']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/dry run: nothing changed, nothing deleted/);
    expect(standin.queueMessages(queueUrl)).toHaveLength(1);
    expect(standin.getEndpoint(REGION, id ?? '')?.logging.enabled).toBe(false);
  });

  it('names a missing queue clearly', async () => {
    const r = await cli(['redrive', '--stage', 'nope']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot find the failure queue cvpn-log-guard-nope-failed-events in ap-northeast-1/);
  });
});
