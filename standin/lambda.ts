// Lambda (REST-JSON): Invoke, `POST /2015-03-31/functions/{FunctionName}/invocations`, with in-process handlers.

import { partitionOf, ApiError } from './common';

export const LAMBDA_INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

export type FunctionHandler = (event: unknown) => Promise<unknown>;

export interface FunctionOptions {
  /** only invocable in this region; default any region */
  region?: string;
  /** qualifiers besides `$LATEST` that resolve to this function (aliases or versions) */
  aliases?: string[];
}

export interface RegisteredFunction {
  name: string;
  handler: FunctionHandler;
  region?: string;
  aliases: string[];
}

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

export interface InvocationRecord {
  requestId: string;
  functionName: string;
  region: string;
  invocationType: InvocationType;
  qualifier?: string;
  /** the payload parsed as JSON (`{}` when empty) */
  event: unknown;
  /** the payload as sent */
  payload: string;
  clientContext?: string;
  at: number;
  /** `pending` while an Event invocation runs */
  status: 'pending' | 'succeeded' | 'failed';
  result?: unknown;
  error?: { errorType: string; errorMessage: string };
}

export interface LambdaAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Synchronous payloads up to 6 MB (documented quota). */
export const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
/** Asynchronous payloads: 1 MB (raised from 256 KB in 2025; an assumption worth re-checking). */
export const MAX_ASYNC_PAYLOAD = 1024 * 1024;

export function lambdaErrorBody(err: ApiError): string {
  return JSON.stringify({ Type: err.status >= 500 ? 'Service' : 'User', Message: err.message });
}

export function functionArn(region: string, accountId: string, name: string, qualifier?: string): string {
  return `arn:${partitionOf(region)}:lambda:${region}:${accountId}:function:${name}${qualifier === undefined ? '' : `:${qualifier}`}`;
}

interface ParsedName {
  name: string;
  qualifier?: string;
  region?: string;
  accountId?: string;
}

/** `name`, `name:qualifier`, `123456789012:function:name[:q]` or `arn:aws:lambda:region:acct:function:name[:q]`. */
export function parseFunctionName(raw: string): ParsedName | undefined {
  const full = /^arn:[^:]+:lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9$_-]{1,128}))?$/.exec(raw);
  if (full !== null) return withQualifier({ name: full[3] ?? '', region: full[1], accountId: full[2] }, full[4]);
  const partial = /^(\d{12}):function:([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9$_-]{1,128}))?$/.exec(raw);
  if (partial !== null) return withQualifier({ name: partial[2] ?? '', accountId: partial[1] }, partial[3]);
  const bare = /^([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9$_-]{1,128}))?$/.exec(raw);
  if (bare !== null) return withQualifier({ name: bare[1] ?? '' }, bare[2]);
  return undefined;
}

function withQualifier(p: ParsedName, q: string | undefined): ParsedName {
  if (q !== undefined) p.qualifier = q;
  return p;
}

export interface InvokeRequest {
  region: string;
  accountId: string;
  requestId: string;
  rawFunctionName: string;
  /** `Qualifier` query parameter */
  qualifier?: string;
  invocationType?: string;
  logType?: string;
  clientContext?: string;
  payload: Buffer;
  now: number;
}

export class LambdaStore {
  readonly functions = new Map<string, RegisteredFunction>();
  readonly invocations: InvocationRecord[] = [];
  private readonly pending = new Set<Promise<void>>();

  clear(): void {
    this.functions.clear();
    this.invocations.length = 0;
  }

  /** Resolves once every Event invocation started so far has finished. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async invoke(req: InvokeRequest): Promise<LambdaAnswer> {
    const parsed = parseFunctionName(req.rawFunctionName);
    if (parsed === undefined) {
      throw new ApiError(
        'ValidationException',
        `1 validation error detected: Value '${req.rawFunctionName}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
      );
    }
    if (parsed.qualifier !== undefined && req.qualifier !== undefined && parsed.qualifier !== req.qualifier) {
      throw new ApiError('InvalidParameterValueException', 'The derived qualifier from the function name does not match the specified qualifier.');
    }
    const qualifier = parsed.qualifier ?? req.qualifier;
    const fn = this.functions.get(parsed.name);
    const notFound = (): ApiError =>
      new ApiError('ResourceNotFoundException', `Function not found: ${functionArn(req.region, req.accountId, parsed.name, qualifier)}`, 404);
    if (
      fn === undefined ||
      (parsed.accountId !== undefined && parsed.accountId !== req.accountId) ||
      (parsed.region !== undefined && parsed.region !== req.region) ||
      (fn.region !== undefined && fn.region !== req.region) ||
      (qualifier !== undefined && qualifier !== '$LATEST' && !fn.aliases.includes(qualifier))
    ) {
      throw notFound();
    }

    const type = req.invocationType ?? 'RequestResponse';
    if (type !== 'RequestResponse' && type !== 'Event' && type !== 'DryRun') {
      throw new ApiError('InvalidParameterValueException', `Unsupported invocation type: ${type}`);
    }
    const limit = type === 'Event' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD;
    if (req.payload.length > limit) {
      throw new ApiError(
        'RequestTooLargeException',
        `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
        413,
      );
    }
    const payloadText = req.payload.toString('utf8');
    let event: unknown = {};
    if (payloadText.trim() !== '') {
      try {
        event = JSON.parse(payloadText);
      } catch {
        throw new ApiError('InvalidRequestContentException', 'Could not parse request body into json: Could not parse payload into json', 400);
      }
    }
    const record: InvocationRecord = {
      requestId: req.requestId,
      functionName: fn.name,
      region: req.region,
      invocationType: type,
      event,
      payload: payloadText,
      at: req.now,
      status: 'pending',
    };
    if (qualifier !== undefined) record.qualifier = qualifier;
    if (req.clientContext !== undefined) record.clientContext = req.clientContext;

    const version = { 'x-amz-executed-version': '$LATEST' };
    if (type === 'DryRun') {
      record.status = 'succeeded';
      this.invocations.push(record);
      return { status: 204, headers: {}, body: '' };
    }
    this.invocations.push(record);
    if (type === 'Event') {
      const run = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => runHandler(fn.handler, event, record))
        .then(() => undefined);
      this.pending.add(run);
      void run.finally(() => this.pending.delete(run));
      return { status: 202, headers: {}, body: '' };
    }

    const started = Date.now();
    const outcome = await runHandler(fn.handler, event, record);
    const headers: Record<string, string> = { ...version, 'content-type': 'application/json' };
    if (req.logType === 'Tail') headers['x-amz-log-result'] = tailLog(req.requestId, Date.now() - started, outcome.functionError);
    if (outcome.functionError !== undefined) headers['x-amz-function-error'] = outcome.functionError;
    return { status: 200, headers, body: outcome.body };
  }
}

interface Outcome {
  body: string;
  functionError?: 'Unhandled';
}

/** Runs a handler the way the Node.js runtime reports it: the JSON result, or {errorType, errorMessage, trace}. */
async function runHandler(handler: FunctionHandler, event: unknown, record: InvocationRecord): Promise<Outcome> {
  let result: unknown;
  try {
    result = await handler(structuredClone(event));
  } catch (err) {
    const error =
      err instanceof Error
        ? { errorType: err.name, errorMessage: err.message, trace: (err.stack ?? '').split('\n') }
        : { errorType: typeof err, errorMessage: String(err), trace: [] as string[] };
    record.status = 'failed';
    record.error = { errorType: error.errorType, errorMessage: error.errorMessage };
    return { body: JSON.stringify(error), functionError: 'Unhandled' };
  }
  let body: string;
  try {
    body = JSON.stringify(result) ?? 'null';
  } catch (err) {
    const errorMessage = err instanceof Error ? err.message : String(err);
    record.status = 'failed';
    record.error = { errorType: 'Runtime.MarshalError', errorMessage };
    return { body: JSON.stringify({ errorType: 'Runtime.MarshalError', errorMessage }), functionError: 'Unhandled' };
  }
  record.status = 'succeeded';
  record.result = result === undefined ? null : (JSON.parse(body) as unknown);
  return { body };
}

/** `LogType: Tail`: the base64 of the last lines of a made-up execution log. */
function tailLog(requestId: string, ms: number, error: string | undefined): string {
  const lines = [
    `START RequestId: ${requestId} Version: $LATEST`,
    ...(error === undefined ? [] : [`ERROR\tInvoke Error\t${error}`]),
    `END RequestId: ${requestId}`,
    `REPORT RequestId: ${requestId}\tDuration: ${ms.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(ms))} ms\tMemory Size: 1024 MB\tMax Memory Used: 64 MB`,
    '',
  ];
  return Buffer.from(lines.join('\n'), 'utf8').toString('base64');
}
