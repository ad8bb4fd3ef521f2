// SQS (JSON 1.0, X-Amz-Target: AmazonSQS.<Op>, awsQueryCompatible): standard queues on loopback queue URLs.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ApiError, partitionOf, type RequestContext } from './common';
import { isJsonObject, optInt, optObject, optObjectList, optString, optStringList, own, type JsonObject } from './json';

export const SQS_TARGET_PREFIX = 'AmazonSQS.';

/** Codes the SDK model gives a different Query-compatible code (sent in `x-amzn-query-error`). */
const QUERY_CODES: Readonly<Record<string, string>> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  BatchEntryIdsNotDistinct: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  EmptyBatchRequest: 'AWS.SimpleQueueService.EmptyBatchRequest',
  InvalidBatchEntryId: 'AWS.SimpleQueueService.InvalidBatchEntryId',
  TooManyEntriesInBatchRequest: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  MessageNotInflight: 'AWS.SimpleQueueService.MessageNotInflight',
  UnsupportedOperation: 'AWS.SimpleQueueService.UnsupportedOperation',
};

/** `{"__type": "com.amazonaws.sqs#<Shape>", "message"}` plus the header `x-amzn-query-error: <query code>;Sender`. */
export function sqsError(err: ApiError): { body: string; headers: Record<string, string> } {
  const queryCode = QUERY_CODES[err.code] ?? err.code;
  return {
    body: JSON.stringify({ __type: `com.amazonaws.sqs#${err.code}`, message: err.message }),
    headers: { 'x-amzn-query-error': `${queryCode};${err.status >= 500 ? 'Receiver' : 'Sender'}` },
  };
}

export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  /** base64, as it travels in JSON */
  BinaryValue?: string;
}

interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  attributes: Record<string, MessageAttribute>;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  seq: number;
}

export interface QueueOptions {
  /** seconds, default 30 */
  visibilityTimeout?: number;
  /** seconds, default 0 */
  delaySeconds?: number;
  /** seconds, default 0 */
  receiveMessageWaitTimeSeconds?: number;
}

interface QueueState {
  name: string;
  region: string;
  url: string;
  arn: string;
  createdAt: number;
  visibilityTimeout: number;
  delaySeconds: number;
  receiveMessageWaitTimeSeconds: number;
  messages: StoredMessage[];
}

/** What `queueMessages` hands to tests. */
export interface QueueMessage {
  messageId: string;
  body: string;
  messageAttributes: Record<string, MessageAttribute>;
  sentAt: number;
  receiveCount: number;
  /** false while in flight (received, visibility timeout running) or delayed */
  visible: boolean;
  visibleAt: number;
}

/** SQS raised the maximum message size from 256 KiB to 1 MiB in 2025. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

export interface SqsEnv {
  sleep(ms: number): Promise<void>;
  /** cap on long polling (WaitTimeSeconds) in ms */
  maxWaitMs: number;
  senderId: string;
}

export class SqsStore {
  /** by URL path `/<account>/<name>` */
  private readonly queues = new Map<string, QueueState>();
  private seq = 0;

  clear(): void {
    this.queues.clear();
  }

  create(baseUrl: string, region: string, accountId: string, name: string, opts: QueueOptions, now: number): string {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
      throw new Error(`standin: invalid queue name '${name}' (1-80 of A-Z a-z 0-9 _ -; FIFO queues are not modelled)`);
    }
    const path = `/${accountId}/${name}`;
    const existing = this.queues.get(path);
    if (existing !== undefined) {
      if (existing.region !== region) {
        throw new Error(`standin: queue ${name} already exists in ${existing.region}; queue names are unique across regions here`);
      }
      return existing.url;
    }
    const q: QueueState = {
      name,
      region,
      url: `${baseUrl}${path}`,
      arn: `arn:${partitionOf(region)}:sqs:${region}:${accountId}:${name}`,
      createdAt: now,
      visibilityTimeout: opts.visibilityTimeout ?? 30,
      delaySeconds: opts.delaySeconds ?? 0,
      receiveMessageWaitTimeSeconds: opts.receiveMessageWaitTimeSeconds ?? 0,
      messages: [],
    };
    this.queues.set(path, q);
    return q.url;
  }

  messages(queueUrl: string, now: number): QueueMessage[] | undefined {
    const q = this.byUrl(queueUrl);
    return q?.messages.map((m) => ({
      messageId: m.messageId,
      body: m.body,
      messageAttributes: structuredClone(m.attributes),
      sentAt: m.sentAt,
      receiveCount: m.receiveCount,
      visible: m.visibleAt <= now,
      visibleAt: m.visibleAt,
    }));
  }

  /** Looks a queue up by the path of its URL (any host: the SDK may send a real-looking URL). */
  private byUrl(queueUrl: string): QueueState | undefined {
    let path: string;
    try {
      path = new URL(queueUrl).pathname.replace(/\/+$/, '');
    } catch {
      return undefined;
    }
    return this.queues.get(path);
  }

  async handle(ctx: RequestContext, input: JsonObject, env: SqsEnv): Promise<JsonObject> {
    switch (ctx.action) {
      case 'SendMessage': {
        const q = this.queue(ctx, input);
        return this.send(q, input, ctx.now.getTime());
      }
      case 'SendMessageBatch':
        return this.sendBatch(ctx, input);
      case 'ReceiveMessage':
        return this.receive(ctx, input, env);
      case 'DeleteMessage': {
        const q = this.queue(ctx, input);
        const handle = requiredString(input, 'ReceiptHandle');
        this.deleteByHandle(q, handle);
        return {};
      }
      case 'DeleteMessageBatch':
        return this.deleteBatch(ctx, input);
      case 'ChangeMessageVisibility': {
        const q = this.queue(ctx, input);
        const handle = requiredString(input, 'ReceiptHandle');
        const vt = optInt(input, 'VisibilityTimeout');
        if (vt === undefined) throw missing('VisibilityTimeout');
        checkRange('VisibilityTimeout', vt, 0, 43200);
        const m = this.messageForHandle(q, handle);
        const now = ctx.now.getTime();
        if (m === undefined || m.visibleAt <= now) {
          throw new ApiError('MessageNotInflight', 'The message referred to is not in flight.');
        }
        m.visibleAt = now + vt * 1000;
        return {};
      }
      case 'GetQueueUrl': {
        const name = requiredString(input, 'QueueName');
        const owner = optString(input, 'QueueOwnerAWSAccountId');
        const q = this.queues.get(`/${owner ?? ctx.accountId}/${name}`);
        if (q === undefined || q.region !== ctx.region) throw queueDoesNotExist();
        return { QueueUrl: q.url };
      }
      case 'GetQueueAttributes':
        return this.attributes(ctx, input);
      default:
        throw new ApiError('UnsupportedOperation', `Operation ${ctx.action} is not supported by this stand-in.`);
    }
  }

  private queue(ctx: RequestContext, input: JsonObject): QueueState {
    const url = requiredString(input, 'QueueUrl');
    const q = this.byUrl(url);
    if (q === undefined || q.region !== ctx.region) throw queueDoesNotExist();
    return q;
  }

  private send(q: QueueState, input: JsonObject, now: number): JsonObject {
    const body = own(input, 'MessageBody');
    if (typeof body !== 'string' || body === '') throw missing('MessageBody');
    const invalid = firstInvalidChar(body);
    if (invalid !== undefined) {
      throw new ApiError(
        'InvalidMessageContents',
        `Invalid binary character '#x${invalid.toString(16).toUpperCase()}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
      );
    }
    const attributes = readMessageAttributes(optObject(input, 'MessageAttributes'));
    const size = Buffer.byteLength(body, 'utf8') + attributesSize(attributes);
    if (size > MAX_MESSAGE_BYTES) {
      throw new ApiError(
        'InvalidParameterValue',
        `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`,
      );
    }
    const delay = optInt(input, 'DelaySeconds') ?? q.delaySeconds;
    checkRange('DelaySeconds', delay, 0, 900);
    if (own(input, 'MessageGroupId') !== undefined || own(input, 'MessageDeduplicationId') !== undefined) {
      throw new ApiError('InvalidParameterValue', 'The request include parameter that is not valid for this queue type');
    }
    const m: StoredMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5Hex(Buffer.from(body, 'utf8')),
      attributes,
      sentAt: now,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
      seq: this.seq++,
    };
    q.messages.push(m);
    const out: JsonObject = { MD5OfMessageBody: m.md5OfBody, MessageId: m.messageId };
    if (Object.keys(attributes).length > 0) out.MD5OfMessageAttributes = md5OfMessageAttributes(attributes);
    return out;
  }

  private sendBatch(ctx: RequestContext, input: JsonObject): JsonObject {
    const q = this.queue(ctx, input);
    const entries = batchEntries(input);
    const Successful: JsonObject[] = [];
    const Failed: JsonObject[] = [];
    for (const e of entries) {
      const id = String(own(e, 'Id'));
      try {
        const r = this.send(q, e, ctx.now.getTime());
        Successful.push({ Id: id, ...r });
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        Failed.push({ Id: id, SenderFault: true, Code: err.code, Message: err.message });
      }
    }
    return { Successful, Failed };
  }

  private async receive(ctx: RequestContext, input: JsonObject, env: SqsEnv): Promise<JsonObject> {
    const q = this.queue(ctx, input);
    const max = optInt(input, 'MaxNumberOfMessages') ?? 1;
    if (max < 1 || max > 10) {
      throw new ApiError(
        'InvalidParameterValue',
        `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
      );
    }
    const vt = optInt(input, 'VisibilityTimeout') ?? q.visibilityTimeout;
    checkRange('VisibilityTimeout', vt, 0, 43200);
    const wait = optInt(input, 'WaitTimeSeconds') ?? q.receiveMessageWaitTimeSeconds;
    checkRange('WaitTimeSeconds', wait, 0, 20);
    const systemNames = [...(optStringList(input, 'AttributeNames') ?? []), ...(optStringList(input, 'MessageSystemAttributeNames') ?? [])];
    const attributeNames = optStringList(input, 'MessageAttributeNames') ?? [];

    // Long polling: wait (up to the cap) until something is visible.
    const deadline = Date.now() + Math.min(wait * 1000, env.maxWaitMs);
    let now = Date.now();
    while (!q.messages.some((m) => m.visibleAt <= now) && now < deadline) {
      await env.sleep(Math.min(25, deadline - now));
      now = Date.now();
    }

    const taken = q.messages.filter((m) => m.visibleAt <= now).slice(0, max);
    const Messages = taken.map((m) => {
      m.receiveCount += 1;
      m.firstReceiveAt ??= now;
      m.visibleAt = now + vt * 1000;
      const out: JsonObject = {
        MessageId: m.messageId,
        ReceiptHandle: encodeHandle(q.name, m.messageId),
        MD5OfBody: m.md5OfBody,
        Body: m.body,
      };
      const sys = systemAttributes(m, systemNames, env.senderId);
      if (Object.keys(sys).length > 0) out.Attributes = sys;
      const picked = pickAttributes(m.attributes, attributeNames);
      if (Object.keys(picked).length > 0) {
        out.MD5OfMessageAttributes = md5OfMessageAttributes(picked);
        out.MessageAttributes = picked;
      }
      return out;
    });
    return Messages.length > 0 ? { Messages } : {};
  }

  private deleteByHandle(q: QueueState, handle: string): void {
    const parsed = decodeHandle(handle);
    if (parsed === undefined || parsed.queue !== q.name) {
      throw new ApiError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`, 404);
    }
    // Deleting an already deleted message succeeds, as in SQS.
    q.messages = q.messages.filter((m) => m.messageId !== parsed.messageId);
  }

  private messageForHandle(q: QueueState, handle: string): StoredMessage | undefined {
    const parsed = decodeHandle(handle);
    if (parsed === undefined || parsed.queue !== q.name) {
      throw new ApiError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`, 404);
    }
    return q.messages.find((m) => m.messageId === parsed.messageId);
  }

  private deleteBatch(ctx: RequestContext, input: JsonObject): JsonObject {
    const q = this.queue(ctx, input);
    const entries = batchEntries(input);
    const Successful: JsonObject[] = [];
    const Failed: JsonObject[] = [];
    for (const e of entries) {
      const id = String(own(e, 'Id'));
      const handle = own(e, 'ReceiptHandle');
      try {
        if (typeof handle !== 'string') throw missing('ReceiptHandle');
        this.deleteByHandle(q, handle);
        Successful.push({ Id: id });
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        Failed.push({ Id: id, SenderFault: true, Code: err.code, Message: err.message });
      }
    }
    return { Successful, Failed };
  }

  private attributes(ctx: RequestContext, input: JsonObject): JsonObject {
    const q = this.queue(ctx, input);
    const names = optStringList(input, 'AttributeNames') ?? [];
    const now = ctx.now.getTime();
    const visible = q.messages.filter((m) => m.visibleAt <= now).length;
    const inFlight = q.messages.filter((m) => m.visibleAt > now && m.receiveCount > 0).length;
    const delayed = q.messages.filter((m) => m.visibleAt > now && m.receiveCount === 0).length;
    const all: Record<string, string> = {
      QueueArn: q.arn,
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(inFlight),
      ApproximateNumberOfMessagesDelayed: String(delayed),
      CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(q.createdAt / 1000)),
      VisibilityTimeout: String(q.visibilityTimeout),
      MaximumMessageSize: String(MAX_MESSAGE_BYTES),
      MessageRetentionPeriod: '345600',
      DelaySeconds: String(q.delaySeconds),
      ReceiveMessageWaitTimeSeconds: String(q.receiveMessageWaitTimeSeconds),
      SqsManagedSseEnabled: 'true',
    };
    const out: Record<string, string> = {};
    for (const n of names) {
      if (n === 'All') {
        Object.assign(out, all);
        continue;
      }
      const v = all[n];
      if (v === undefined) throw new ApiError('InvalidAttributeName', `Unknown Attribute ${n}.`);
      out[n] = v;
    }
    return Object.keys(out).length > 0 ? { Attributes: out } : {};
  }
}

// ---------------------------------------------------------------------------------------------------------------

function queueDoesNotExist(): ApiError {
  return new ApiError('QueueDoesNotExist', 'The specified queue does not exist.');
}

function missing(name: string): ApiError {
  return new ApiError('MissingParameter', `The request must contain the parameter ${name}.`);
}

function requiredString(input: JsonObject, key: string): string {
  const v = optString(input, key);
  if (v === undefined || v === '') throw missing(key);
  return v;
}

function checkRange(name: string, v: number, min: number, max: number): void {
  if (v < min || v > max) {
    throw new ApiError('InvalidParameterValue', `Value ${v} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}.`);
  }
}

function batchEntries(input: JsonObject): JsonObject[] {
  const entries = optObjectList(input, 'Entries') ?? [];
  if (entries.length === 0) throw new ApiError('EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.');
  if (entries.length > 10) {
    throw new ApiError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${entries.length}.`);
  }
  const ids = new Set<string>();
  for (const e of entries) {
    const id = own(e, 'Id');
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(id)) {
      throw new ApiError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (ids.has(id)) throw new ApiError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    ids.add(id);
  }
  return entries;
}

function firstInvalidChar(s: string): number | undefined {
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    const ok =
      c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
    if (!ok) return c;
  }
  return undefined;
}

function readMessageAttributes(raw: JsonObject | undefined): Record<string, MessageAttribute> {
  const out: Record<string, MessageAttribute> = {};
  if (raw === undefined) return out;
  const entries = Object.entries(raw);
  if (entries.length > 10) throw new ApiError('InvalidParameterValue', 'Number of message attributes [' + String(entries.length) + '] exceeds the allowed maximum [10].');
  for (const [name, v] of entries) {
    if (!/^[A-Za-z0-9_.-]{1,256}$/.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..') || /^(aws|amazon)\./i.test(name)) {
      throw new ApiError('InvalidParameterValue', `Message attribute name '${name}' is not valid.`);
    }
    if (!isJsonObject(v)) throw new ApiError('SerializationException', `Expected a structure for MessageAttributes.${name}`);
    const dataType = own(v, 'DataType');
    if (typeof dataType !== 'string' || !/^(String|Number|Binary)(\..+)?$/.test(dataType)) {
      throw new ApiError('InvalidParameterValue', `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    }
    const attr: MessageAttribute = { DataType: dataType };
    const sv = own(v, 'StringValue');
    const bv = own(v, 'BinaryValue');
    if (dataType.startsWith('Binary')) {
      if (typeof bv !== 'string') throw new ApiError('InvalidParameterValue', `Message (user) attribute '${name}' must contain a non-empty value of message attribute type '${dataType}'.`);
      attr.BinaryValue = bv;
    } else {
      if (typeof sv !== 'string' || sv === '') {
        throw new ApiError('InvalidParameterValue', `Message (user) attribute '${name}' must contain a non-empty value of message attribute type '${dataType}'.`);
      }
      if (dataType.startsWith('Number') && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(sv.trim())) {
        throw new ApiError('InvalidParameterValue', `Can't cast the value of message (user) attribute '${name}' to a number.`);
      }
      attr.StringValue = sv;
    }
    out[name] = attr;
  }
  return out;
}

function attributeValueBytes(a: MessageAttribute): Buffer {
  return a.BinaryValue !== undefined ? Buffer.from(a.BinaryValue, 'base64') : Buffer.from(a.StringValue ?? '', 'utf8');
}

function attributesSize(attrs: Record<string, MessageAttribute>): number {
  let n = 0;
  for (const [name, a] of Object.entries(attrs)) n += Buffer.byteLength(name) + Buffer.byteLength(a.DataType) + attributeValueBytes(a).length;
  return n;
}

function md5Hex(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/**
 * SQS's MD5OfMessageAttributes: over the attributes sorted by name, each as
 * len(name) name len(type) type transport-byte (1 string/number, 2 binary) len(value) value, lengths as 4-byte
 * big-endian integers.
 */
export function md5OfMessageAttributes(attrs: Record<string, MessageAttribute>): string {
  const parts: Buffer[] = [];
  const lenPrefixed = (b: Buffer): void => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  for (const name of Object.keys(attrs).sort()) {
    const a = attrs[name];
    if (a === undefined) continue;
    lenPrefixed(Buffer.from(name, 'utf8'));
    lenPrefixed(Buffer.from(a.DataType, 'utf8'));
    parts.push(Buffer.from([a.BinaryValue !== undefined ? 2 : 1]));
    lenPrefixed(attributeValueBytes(a));
  }
  return md5Hex(Buffer.concat(parts));
}

function pickAttributes(attrs: Record<string, MessageAttribute>, names: readonly string[]): Record<string, MessageAttribute> {
  const out: Record<string, MessageAttribute> = {};
  for (const [name, a] of Object.entries(attrs)) {
    const wanted = names.some((n) => n === 'All' || n === '.*' || n === name || (n.endsWith('.*') && name.startsWith(n.slice(0, -1))));
    if (wanted) out[name] = { ...a };
  }
  return out;
}

function systemAttributes(m: StoredMessage, names: readonly string[], senderId: string): Record<string, string> {
  const all: Record<string, string> = {
    SenderId: senderId,
    SentTimestamp: String(m.sentAt),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? m.sentAt),
  };
  const out: Record<string, string> = {};
  for (const n of names) {
    if (n === 'All') Object.assign(out, all);
    else {
      const v = all[n];
      if (v !== undefined) out[n] = v;
    }
  }
  return out;
}

/** Opaque receipt handle: a new one per receive. */
function encodeHandle(queue: string, messageId: string): string {
  return Buffer.from(JSON.stringify({ q: queue, m: messageId, r: randomBytes(6).toString('hex') }), 'utf8').toString('base64url');
}

function decodeHandle(handle: string): { queue: string; messageId: string } | undefined {
  try {
    const p: unknown = JSON.parse(Buffer.from(handle, 'base64url').toString('utf8'));
    if (!isJsonObject(p) || typeof p.q !== 'string' || typeof p.m !== 'string') return undefined;
    return { queue: p.q, messageId: p.m };
  } catch {
    return undefined;
  }
}
