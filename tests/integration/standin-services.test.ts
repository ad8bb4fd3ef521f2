// Lambda Invoke and SQS in the stand-in, exercised only through the REAL @aws-sdk/client-lambda and client-sqs.

import { createHash } from 'node:crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStandin, type Standin } from '../../standin/index';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let standin: Standin;

beforeAll(async () => {
  standin = await startStandin();
});
afterAll(async () => {
  await standin.close();
});
beforeEach(() => {
  standin.reset({ config: true });
});

function lambda(region = 'us-east-1'): LambdaClient {
  return new LambdaClient({ region, endpoint: standin.url, credentials, maxAttempts: 1 });
}

function sqs(region = 'eu-west-1', extra: Partial<ConstructorParameters<typeof SQSClient>[0]> = {}): SQSClient {
  return new SQSClient({ region, endpoint: standin.url, credentials, maxAttempts: 1, ...extra });
}

interface SdkError {
  name: string;
  message: string;
  Error?: { Code?: string };
  $metadata: { httpStatusCode?: number };
}

function isSdkError(e: unknown): e is SdkError {
  return e instanceof Error && typeof Reflect.get(e, '$metadata') === 'object';
}

async function sdkError(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    if (isSdkError(e)) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

const json = (bytes: Uint8Array | undefined): unknown => JSON.parse(Buffer.from(bytes ?? new Uint8Array()).toString('utf8'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------------------

describe('Lambda Invoke', () => {
  it('runs a RequestResponse invocation in-process and answers 200 with the JSON result', async () => {
    standin.registerFunction('cvpn-log-guard-dev-remediate', async (event) => ({ handled: true, event }));
    const client = lambda();
    const out = await client.send(
      new InvokeCommand({ FunctionName: 'cvpn-log-guard-dev-remediate', Payload: Buffer.from(JSON.stringify({ id: 'e-1', n: 2 })) }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('$LATEST');
    expect(out.Payload).toBeInstanceOf(Uint8Array);
    expect(json(out.Payload)).toEqual({ handled: true, event: { id: 'e-1', n: 2 } });

    // full ARN, partial ARN, Qualifier
    const arn = standin.functionArn('cvpn-log-guard-dev-remediate', 'us-east-1');
    expect(arn).toBe('arn:aws:lambda:us-east-1:123456789012:function:cvpn-log-guard-dev-remediate');
    await client.send(new InvokeCommand({ FunctionName: arn, Payload: Buffer.from('{}') }));
    await client.send(new InvokeCommand({ FunctionName: '123456789012:function:cvpn-log-guard-dev-remediate', Qualifier: '$LATEST' }));

    const calls = standin.invocations('cvpn-log-guard-dev-remediate');
    expect(calls.map((c) => [c.invocationType, c.status, c.qualifier])).toEqual([
      ['RequestResponse', 'succeeded', undefined],
      ['RequestResponse', 'succeeded', undefined],
      ['RequestResponse', 'succeeded', '$LATEST'],
    ]);
    expect(calls[0]?.event).toEqual({ id: 'e-1', n: 2 });
    expect(calls[0]?.result).toEqual({ handled: true, event: { id: 'e-1', n: 2 } });
    expect(calls[2]?.event).toEqual({}); // no payload: the handler gets {}
    expect(standin.callsTo('Invoke', 'lambda')[1]?.params.FunctionName).toBe(arn);
  });

  it('reports a thrown error as the SDK sees it: FunctionError "Unhandled", errorType/errorMessage in Payload', async () => {
    standin.registerFunction('broken', async () => {
      throw new TypeError('endpoint is not a string');
    });
    const out = await lambda().send(new InvokeCommand({ FunctionName: 'broken', Payload: Buffer.from('{"x":1}'), LogType: 'Tail' }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(json(out.Payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'endpoint is not a string', trace: expect.any(Array) });
    expect(Buffer.from(out.LogResult ?? '', 'base64').toString('utf8')).toMatch(/^START RequestId: [0-9a-f-]+ Version: \$LATEST/);
    expect(standin.invocations('broken')[0]).toMatchObject({ status: 'failed', error: { errorType: 'TypeError' } });
  });

  it('Event invocations answer 202 at once and run afterwards; DryRun answers 204', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const seen: unknown[] = [];
    standin.registerFunction('async-fn', async (event) => {
      await gate;
      seen.push(event);
      return 'done';
    });
    const out = await lambda().send(new InvokeCommand({ FunctionName: 'async-fn', InvocationType: 'Event', Payload: Buffer.from('{"a":1}') }));
    expect(out.StatusCode).toBe(202);
    // an empty body comes back as Payload null at runtime (the type says Uint8Array | undefined)
    expect(out.Payload).toBeNull();
    expect(standin.invocations('async-fn')[0]?.status).toBe('pending');
    expect(seen).toEqual([]);
    release();
    await standin.settleInvocations();
    expect(seen).toEqual([{ a: 1 }]);
    expect(standin.invocations('async-fn')[0]).toMatchObject({ status: 'succeeded', result: 'done', invocationType: 'Event' });

    const dry = await lambda().send(new InvokeCommand({ FunctionName: 'async-fn', InvocationType: 'DryRun' }));
    expect(dry.StatusCode).toBe(204);
  });

  it('answers 404 ResourceNotFoundException for unknown functions, other regions and accounts; 400 for bad JSON', async () => {
    standin.registerFunction('regional', async () => 1, { region: 'eu-west-1' });
    const missing = await sdkError(lambda().send(new InvokeCommand({ FunctionName: 'nope' })));
    expect(missing.name).toBe('ResourceNotFoundException');
    expect(missing.$metadata.httpStatusCode).toBe(404);
    expect(missing.message).toBe('Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope');
    expect((await sdkError(lambda('us-east-1').send(new InvokeCommand({ FunctionName: 'regional' })))).name).toBe('ResourceNotFoundException');
    expect(json((await lambda('eu-west-1').send(new InvokeCommand({ FunctionName: 'regional' }))).Payload)).toBe(1);
    const otherAccount = 'arn:aws:lambda:eu-west-1:210987654321:function:regional';
    expect((await sdkError(lambda('eu-west-1').send(new InvokeCommand({ FunctionName: otherAccount })))).name).toBe('ResourceNotFoundException');
    expect((await sdkError(lambda('eu-west-1').send(new InvokeCommand({ FunctionName: 'regional', Qualifier: 'live' })))).name).toBe(
      'ResourceNotFoundException',
    );
    const bad = await sdkError(lambda('eu-west-1').send(new InvokeCommand({ FunctionName: 'regional', Payload: Buffer.from('{oops') })));
    expect(bad.name).toBe('InvalidRequestContentException');
    expect(bad.$metadata.httpStatusCode).toBe(400);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('SQS', () => {
  it('sends, receives (the SDK checks MD5OfBody) and deletes, one by one and in a batch', async () => {
    const url = standin.createQueue('eu-west-1', 'cvpn-log-guard-failures');
    expect(url).toBe(`${standin.url}/123456789012/cvpn-log-guard-failures`);
    const client = sqs();
    expect((await client.send(new GetQueueUrlCommand({ QueueName: 'cvpn-log-guard-failures' }))).QueueUrl).toBe(url);

    const body = JSON.stringify({ requestPayload: { id: 'ev-1' }, note: 'ünïcödé ✓' });
    const sent = await client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: body,
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'failure' },
          attempt: { DataType: 'Number', StringValue: '3' },
          blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 254, 255]) },
        },
      }),
    );
    expect(sent.MD5OfMessageBody).toBe(createHash('md5').update(body, 'utf8').digest('hex'));
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    const batch = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'second' },
          { Id: 'b', MessageBody: 'third' },
        ],
      }),
    );
    expect(batch.Successful?.map((s) => s.Id)).toEqual(['a', 'b']);
    expect(batch.Failed ?? []).toEqual([]);

    const got = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
    );
    expect(got.Messages?.map((m) => m.Body)).toEqual([body, 'second', 'third']);
    const first = got.Messages?.[0];
    expect(first?.MessageId).toBe(sent.MessageId);
    expect(first?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(first?.MessageAttributes?.kind).toEqual({ DataType: 'String', StringValue: 'failure' });
    expect(first?.MessageAttributes?.blob?.BinaryValue).toEqual(new Uint8Array([0, 1, 254, 255]));
    expect(first?.Attributes).toMatchObject({ ApproximateReceiveCount: '1', SentTimestamp: expect.stringMatching(/^\d{13}$/) });
    expect(got.Messages?.[1]?.MessageAttributes).toBeUndefined();

    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first?.ReceiptHandle }));
    const del = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'one', ReceiptHandle: got.Messages?.[1]?.ReceiptHandle },
          { Id: 'two', ReceiptHandle: got.Messages?.[2]?.ReceiptHandle },
          { Id: 'bogus', ReceiptHandle: 'not-a-receipt-handle' },
        ],
      }),
    );
    expect(del.Successful?.map((s) => s.Id)).toEqual(['one', 'two']);
    expect(del.Failed).toEqual([expect.objectContaining({ Id: 'bogus', SenderFault: true, Code: 'ReceiptHandleIsInvalid' })]);
    expect(standin.queueMessages(url)).toEqual([]);
  });

  it('hides received messages for the visibility timeout, then shows them again with a new receipt handle', async () => {
    const url = standin.createQueue('eu-west-1', 'vis');
    const client = sqs();
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'hello' }));
    const a = await client.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 1 }));
    expect(a.Messages).toHaveLength(1);
    expect((await client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    const attrs = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    expect(attrs.Attributes).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '1' });
    expect(standin.queueMessages(url)).toEqual([expect.objectContaining({ body: 'hello', visible: false, receiveCount: 1 })]);

    await sleep(1100);
    const b = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    expect(b.Messages?.[0]?.MessageId).toBe(a.Messages?.[0]?.MessageId);
    expect(b.Messages?.[0]?.ReceiptHandle).not.toBe(a.Messages?.[0]?.ReceiptHandle);
    expect(b.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');

    // ChangeMessageVisibility 0 makes it visible at once; on a visible message it is MessageNotInflight
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: b.Messages?.[0]?.ReceiptHandle, VisibilityTimeout: 0 }));
    const notInFlight = await sdkError(
      client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: b.Messages?.[0]?.ReceiptHandle, VisibilityTimeout: 5 })),
    );
    expect(notInFlight.name).toBe('MessageNotInflight');
    expect((await client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toHaveLength(1);
    const all = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    expect(all.Attributes).toMatchObject({ QueueArn: 'arn:aws:sqs:eu-west-1:123456789012:vis', VisibilityTimeout: '30' });
  });

  it('long-polls: WaitTimeSeconds returns as soon as a message arrives', async () => {
    const url = standin.createQueue('eu-west-1', 'lp');
    const client = sqs();
    const t = Date.now();
    const waiting = client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    await sleep(100);
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'late' }));
    expect((await waiting).Messages?.[0]?.Body).toBe('late');
    expect(Date.now() - t).toBeGreaterThanOrEqual(100);
    expect(Date.now() - t).toBeLessThan(1900); // well before the 2 s cap
  });

  it('long-polls only up to the configured cap', async () => {
    const s = await startStandin({ sqsMaxWaitMs: 300 });
    try {
      const url = s.createQueue('eu-west-1', 'lp');
      const client = new SQSClient({ region: 'eu-west-1', endpoint: s.url, credentials, maxAttempts: 1 });
      const t = Date.now();
      const empty = await client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
      expect(empty.Messages).toBeUndefined();
      expect(Date.now() - t).toBeGreaterThanOrEqual(280);
      expect(Date.now() - t).toBeLessThan(3000);
    } finally {
      await s.close();
    }
  });

  it('answers the SDK-modelled errors with their query-compatible codes', async () => {
    const url = standin.createQueue('eu-west-1', 'errs');
    const client = sqs();
    const missing = await sdkError(client.send(new SendMessageCommand({ QueueUrl: `${standin.url}/123456789012/nope`, MessageBody: 'x' })));
    expect(missing.name).toBe('QueueDoesNotExist');
    expect(missing.Error?.Code).toBe('AWS.SimpleQueueService.NonExistentQueue');
    expect(missing.$metadata.httpStatusCode).toBe(400);
    expect((await sdkError(client.send(new GetQueueUrlCommand({ QueueName: 'nope' })))).name).toBe('QueueDoesNotExist');
    // the queue lives in eu-west-1: a client in another region doesn't find it
    expect((await sdkError(sqs('us-east-1').send(new GetQueueUrlCommand({ QueueName: 'errs' })))).name).toBe('QueueDoesNotExist');

    const tooMany = await sdkError(client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })));
    expect(tooMany.name).toBe('InvalidParameterValue');
    expect(tooMany.message).toContain('MaxNumberOfMessages');
    const badHandle = await sdkError(client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'garbage' })));
    expect([badHandle.name, badHandle.$metadata.httpStatusCode]).toEqual(['ReceiptHandleIsInvalid', 404]);
    const empty = await sdkError(client.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [] })));
    expect(empty.name).toBe('EmptyBatchRequest');
    const dup = await sdkError(
      client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: 'x', ReceiptHandle: 'a' },
            { Id: 'x', ReceiptHandle: 'b' },
          ],
        }),
      ),
    );
    expect(dup.name).toBe('BatchEntryIdsNotDistinct');
    const control = await sdkError(client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bad \u0001 char' })));
    expect(control.name).toBe('InvalidMessageContents');
  });

  it('routes to the queue URL host when the client has no endpoint, even with AWS_ENDPOINT_URL pointing elsewhere', async () => {
    const url = standin.createQueue('eu-west-1', 'routed');
    const warnings: string[] = [];
    const logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: (m: unknown) => warnings.push(String(m)), error: () => undefined };
    const saved = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9'; // nothing listens there
    try {
      const client = new SQSClient({ region: 'eu-west-1', credentials, maxAttempts: 1, logger });
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'via queue url' }));
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
      else process.env.AWS_ENDPOINT_URL = saved;
    }
    expect(standin.queueMessages(url).map((m) => m.body)).toEqual(['via queue url']);
    expect(warnings.join('\n')).toContain('using QueueUrl host as endpoint');
  });
});
