// SNS (Query protocol, Version 2010-03-31): Publish, CreateTopic, plus a few read-only helpers.

import { randomUUID } from 'node:crypto';
import { ApiError, indexesUnder, type QueryParams, type RequestContext } from './common';
import {
  topicArn,
  topicNameProblem,
  type MessageAttribute,
  type PublishedMessage,
  type StandinState,
  type TopicState,
} from './state';
import { elem, fragment, leaf, list, xmlDocument, type Xml } from './xml';

export const SNS_XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const MAX_MESSAGE_BYTES = 256 * 1024;

export interface SnsEnv {
  state: StandinState;
}

export function queryErrorXml(xmlns: string | undefined, code: string, message: string, requestId: string, type = 'Sender'): string {
  return xmlDocument(
    'ErrorResponse',
    xmlns,
    elem('Error', leaf('Type', type), leaf('Code', code), leaf('Message', message)),
    leaf('RequestId', requestId),
  );
}

export function handleSns(ctx: RequestContext, params: QueryParams, env: SnsEnv): string {
  switch (ctx.action) {
    case 'Publish':
      return publish(ctx, params, env);
    case 'CreateTopic':
      return createTopic(ctx, params, env);
    case 'ListTopics':
      return respond(
        ctx,
        list(
          'Topics',
          [...env.state.region(ctx.region).topics.values()].map((t) => leaf('TopicArn', t.arn)),
          { always: true, itemName: 'member' },
        ),
      );
    case 'GetTopicAttributes': {
      const topic = findTopic(ctx, env, requireParam(params, 'TopicArn'));
      const attrs: Array<[string, string]> = [
        ['TopicArn', topic.arn],
        ['Owner', ctx.accountId],
        ['DisplayName', ''],
        ['SubscriptionsConfirmed', '0'],
        ['SubscriptionsPending', '0'],
        ['SubscriptionsDeleted', '0'],
      ];
      return respond(
        ctx,
        elem('Attributes', ...attrs.map(([k, v]) => elem('entry', leaf('key', k), leaf('value', v)))),
      );
    }
    default:
      throw new ApiError('InvalidAction', `Could not find operation ${ctx.action} for version 2010-03-31`);
  }
}

function respond(ctx: RequestContext, ...result: Xml[]): string {
  return xmlDocument(
    `${ctx.action}Response`,
    SNS_XMLNS,
    elem(`${ctx.action}Result`, ...result),
    elem('ResponseMetadata', leaf('RequestId', ctx.requestId)),
  );
}

function requireParam(params: QueryParams, name: string): string {
  const v = params.get(name);
  if (v === undefined) throw new ApiError('InvalidParameter', `Invalid parameter: ${name}`);
  return v;
}

function findTopic(ctx: RequestContext, env: SnsEnv, arn: string): TopicState {
  const m = /^arn:[^:]+:sns:([^:]+):(\d{12}):([^:]+)$/.exec(arn);
  if (m === null) throw new ApiError('InvalidParameter', 'Invalid parameter: TopicArn');
  if (m[1] !== ctx.region) throw new ApiError('InvalidParameter', 'Invalid parameter: TopicArn');
  const topic = env.state.region(ctx.region).topics.get(arn);
  if (topic === undefined) throw new ApiError('NotFound', 'Topic does not exist', 404);
  return topic;
}

function createTopic(ctx: RequestContext, params: QueryParams, env: SnsEnv): string {
  const name = requireParam(params, 'Name');
  const problem = topicNameProblem(name);
  if (problem !== undefined) throw new ApiError('InvalidParameter', problem);
  const arn = topicArn(ctx.region, ctx.accountId, name);
  const topics = env.state.region(ctx.region).topics;
  if (!topics.has(arn)) topics.set(arn, { arn, name, region: ctx.region });
  return respond(ctx, leaf('TopicArn', arn));
}

// eslint-disable-next-line no-control-regex
const CONTROL_OR_LINEBREAK = /[\u0000-\u001f\u007f\u2028\u2029]/;
const ATTRIBUTE_NAME_RE = /^[A-Za-z0-9_\-.]{1,256}$/;

function isJsonArray(raw: string): boolean {
  try {
    return Array.isArray(JSON.parse(raw));
  } catch {
    return false;
  }
}

function readAttributes(params: QueryParams): { attributes: Record<string, MessageAttribute>; bytes: number } {
  const attributes: Record<string, MessageAttribute> = {};
  let bytes = 0;
  const indexes = indexesUnder(params, 'MessageAttributes.entry');
  if (indexes.length > 10) {
    throw new ApiError('InvalidParameter', `Number of message attributes [${indexes.length}] exceeds the allowed maximum [10].`);
  }
  for (const n of indexes) {
    const p = `MessageAttributes.entry.${n}`;
    const name = params.get(`${p}.Name`);
    if (name === undefined || name === '') throw new ApiError('ParameterValueInvalid', 'The message attribute name must not be empty.');
    if (!ATTRIBUTE_NAME_RE.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..') || /^(aws|amazon)\./i.test(name)) {
      throw new ApiError('ParameterValueInvalid', `The message attribute name '${name}' is invalid.`);
    }
    const dataType = params.get(`${p}.Value.DataType`);
    if (dataType === undefined || dataType === '') {
      throw new ApiError('ParameterValueInvalid', `The message attribute '${name}' must contain non-empty message attribute type.`);
    }
    const base = dataType.split('.')[0] ?? '';
    if (!['String', 'Number', 'Binary'].includes(base) || (base !== 'String' && dataType.startsWith(`${base}.Array`))) {
      throw new ApiError('ParameterValueInvalid', `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    }
    const stringValue = params.get(`${p}.Value.StringValue`);
    const binaryValue = params.get(`${p}.Value.BinaryValue`);
    const attr: MessageAttribute = { dataType };
    if (base === 'Binary') {
      if (binaryValue === undefined || binaryValue === '') {
        throw new ApiError('ParameterValueInvalid', `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`);
      }
      attr.binaryValue = binaryValue;
    } else {
      if (stringValue === undefined || stringValue === '') {
        throw new ApiError('ParameterValueInvalid', `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`);
      }
      if (base === 'Number' && !Number.isFinite(Number(stringValue))) {
        throw new ApiError('ParameterValueInvalid', `Could not cast message attribute '${name}' value to number.`);
      }
      if (dataType === 'String.Array') {
        if (!isJsonArray(stringValue)) throw new ApiError('ParameterValueInvalid', `The message attribute '${name}' with type 'String.Array' must be a JSON array.`);
      }
      attr.stringValue = stringValue;
    }
    attributes[name] = attr;
    bytes += Buffer.byteLength(name) + Buffer.byteLength(dataType) + Buffer.byteLength(stringValue ?? binaryValue ?? '');
  }
  return { attributes, bytes };
}

function publish(ctx: RequestContext, params: QueryParams, env: SnsEnv): string {
  const arn = params.get('TopicArn') ?? params.get('TargetArn');
  if (arn === undefined) {
    if (params.get('PhoneNumber') !== undefined) {
      throw new ApiError('InvalidParameter', 'Invalid parameter: PhoneNumber (SMS is not modelled by this stand-in)');
    }
    throw new ApiError('InvalidParameter', 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
  }
  const message = params.get('Message');
  if (message === undefined || message === '') throw new ApiError('InvalidParameter', 'Invalid parameter: Empty message');

  const subject = params.get('Subject');
  if (subject !== undefined && (subject === '' || subject.length >= 100 || CONTROL_OR_LINEBREAK.test(subject))) {
    throw new ApiError('InvalidParameter', 'Invalid parameter: Subject');
  }

  const structure = params.get('MessageStructure');
  let bodies: Record<string, string> | undefined;
  if (structure !== undefined) {
    if (structure !== 'json') throw new ApiError('InvalidParameter', 'Invalid parameter: MessageStructure');
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      throw new ApiError('InvalidParameter', 'Invalid parameter: Message Structure - JSON message body failed to parse');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ApiError('InvalidParameter', 'Invalid parameter: Message Structure - JSON message body failed to parse');
    }
    const entries = Object.entries(parsed);
    const def = entries.find(([k]) => k === 'default');
    if (def === undefined || typeof def[1] !== 'string') {
      throw new ApiError('InvalidParameter', 'Invalid parameter: Message Structure - No default entry in JSON message body');
    }
    bodies = {};
    for (const [k, v] of entries) {
      if (typeof v !== 'string') {
        throw new ApiError('InvalidParameter', `Invalid parameter: Message Structure - the value of '${k}' must be a string`);
      }
      bodies[k] = v;
    }
  }

  const { attributes, bytes } = readAttributes(params);
  if (Buffer.byteLength(message) + bytes > MAX_MESSAGE_BYTES) {
    throw new ApiError('InvalidParameter', 'Invalid parameter: Message too long');
  }

  const topic = findTopic(ctx, env, arn);
  const isFifo = topic.name.endsWith('.fifo');
  const groupId = params.get('MessageGroupId');
  if (isFifo && groupId === undefined) {
    throw new ApiError('InvalidParameter', 'Invalid parameter: The MessageGroupId parameter is required for FIFO topics');
  }

  const record: PublishedMessage = {
    messageId: randomUUID(),
    topicArn: topic.arn,
    region: ctx.region,
    message,
    attributes,
    at: ctx.now.getTime(),
  };
  if (subject !== undefined) record.subject = subject;
  if (structure !== undefined) record.messageStructure = structure;
  if (bodies !== undefined) record.bodies = bodies;
  if (groupId !== undefined) record.messageGroupId = groupId;
  const dedup = params.get('MessageDeduplicationId');
  if (dedup !== undefined) record.messageDeduplicationId = dedup;
  env.state.published.push(record);

  return respond(
    ctx,
    fragment(
      leaf('MessageId', record.messageId),
      leaf('SequenceNumber', isFifo ? String(env.state.published.length).padStart(20, '1') : undefined),
    ),
  );
}
