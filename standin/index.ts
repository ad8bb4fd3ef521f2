// AWS stand-in: one loopback HTTP server speaking the real wire protocols of EC2 (Client VPN), CloudWatch Logs,
// SNS and STS, so the real AWS SDK v3 clients run unchanged against it. See README.md.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, type QueryParams, type RequestContext, type ServiceName } from './common';
import { DEFAULT_REGIONS, ec2ErrorXml, handleEc2, markDeleted, type RegionInfo } from './ec2';
import { handleLogs, LOGS_TARGET_PREFIX, logsErrorJson } from './logs';
import { handleSns, queryErrorXml, SNS_XMLNS } from './sns';
import {
  buildEndpoint,
  buildLogGroup,
  logGroupNameProblem,
  RETENTION_DAYS,
  StandinState,
  topicArn,
  topicNameProblem,
  type EndpointRecord,
  type EndpointSpec,
  type EndpointState,
  type EndpointStatusCode,
  type LogGroupSpec,
  type LogGroupState,
  type PublishedMessage,
} from './state';
import { handleSts, STS_XMLNS } from './sts';

export type { ServiceName } from './common';
export type { OptInStatus, RegionInfo } from './ec2';
export type {
  AuthenticationOption,
  ConnectionLogging,
  EndpointSpec,
  EndpointState,
  EndpointStatusCode,
  LogGroupSpec,
  LogGroupState,
  MessageAttribute,
  PublishedMessage,
} from './state';

export const DEFAULT_ACCOUNT_ID = '123456789012';
export const DEFAULT_CALLER_ARN =
  'arn:aws:sts::123456789012:assumed-role/cvpn-log-guard-dev-us-east-1-lambdaRole/cvpn-log-guard-dev-remediate';

export interface StandinOptions {
  accountId?: string;
  /** STS GetCallerIdentity Arn; default: the dev Lambda role session, in `accountId`'s account */
  callerArn?: string;
  /** DescribeRegions answer; plain names mean "opt-in-not-required" */
  regions?: ReadonlyArray<string | RegionInfo>;
  /** default 0 (a random free port); always bound to 127.0.0.1 */
  port?: number;
}

export interface CallRecord {
  service: ServiceName | 'unknown';
  region: string;
  action: string;
  /** Query: the form parameters without Action/Version; JSON: the parsed body */
  params: Record<string, unknown>;
  status: number;
  errorCode?: string;
  at: number;
  requestId: string;
  version?: string;
  userAgent?: string;
}

export interface FaultSpec {
  service?: ServiceName;
  action: string;
  region?: string;
  code: string;
  status: number;
  message?: string;
  /** how many matching calls fail; default 1, Infinity allowed */
  times?: number;
}

interface ActiveFault extends FaultSpec {
  remaining: number;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;

export class Standin {
  readonly url: string;
  readonly port: number;
  readonly accountId: string;
  readonly callerArn: string;
  readonly regions: readonly RegionInfo[];

  private readonly state = new StandinState();
  private readonly callLog: CallRecord[] = [];
  private faults: ActiveFault[] = [];

  private constructor(
    private readonly server: Server,
    port: number,
    opts: StandinOptions,
  ) {
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.accountId = opts.accountId ?? DEFAULT_ACCOUNT_ID;
    this.callerArn = opts.callerArn ?? DEFAULT_CALLER_ARN.replace(DEFAULT_ACCOUNT_ID, this.accountId);
    this.regions = (opts.regions ?? DEFAULT_REGIONS).map((r) =>
      typeof r === 'string' ? { name: r, optInStatus: 'opt-in-not-required' } : { ...r },
    );
  }

  /** @internal use startStandin() */
  static async listen(opts: StandinOptions): Promise<Standin> {
    const holder: { instance?: Standin } = {};
    const server = createServer((req, res) => {
      const instance = holder.instance;
      if (instance === undefined) {
        res.writeHead(503).end();
        return;
      }
      instance.handle(req, res).catch((err: unknown) => {
        // Last resort: handle() answers every error itself; this only fires if writing the answer failed.
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address: string | AddressInfo | null = server.address();
    if (address === null || typeof address === 'string') throw new Error('standin: server has no TCP address');
    const instance = new Standin(server, address.port, opts);
    holder.instance = instance;
    return instance;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Control API

  /** Adds a Client VPN endpoint; returns its id (random `cvpn-endpoint-<17 hex>` unless given). */
  addEndpoint(region: string, spec: EndpointSpec = {}): string {
    const endpoint = buildEndpoint(region, this.accountId, spec, new Date());
    const endpoints = this.state.region(region).endpoints;
    if (endpoints.has(endpoint.id)) throw new Error(`standin: endpoint ${endpoint.id} already exists in ${region}`);
    endpoints.set(endpoint.id, { current: endpoint, staleReads: 0 });
    const log = endpoint.logging;
    if (log.enabled && log.logGroup !== undefined && log.logStream !== undefined) {
      const lg = this.state.region(region).logGroups.get(log.logGroup);
      if (lg !== undefined && !lg.streams.includes(log.logStream)) lg.streams.push(log.logStream);
    }
    return endpoint.id;
  }

  /** A copy of the endpoint's current (not stale) state, or undefined. */
  getEndpoint(region: string, id: string): EndpointState | undefined {
    const r = this.state.regions.get(region)?.endpoints.get(id);
    return r === undefined ? undefined : structuredClone(r.current);
  }

  listEndpoints(region: string): EndpointState[] {
    return [...(this.state.regions.get(region)?.endpoints.values() ?? [])].map((r) => structuredClone(r.current));
  }

  setEndpointStatus(region: string, id: string, code: EndpointStatusCode, message?: string): void {
    const e = this.record(region, id).current;
    if (code === 'deleted') {
      markDeleted(e, new Date());
    } else {
      e.status = message === undefined ? { code } : { code, message };
    }
  }

  /** Marks the endpoint deleted (it stays visible to Describe with status "deleted", like AWS). */
  deleteEndpoint(region: string, id: string): void {
    markDeleted(this.record(region, id).current, new Date());
  }

  /**
   * The next `count` Describe responses that include this endpoint show its state from before the last
   * successful ModifyClientVpnEndpoint (if there was none yet, the count waits for the first one).
   */
  setStaleReads(region: string, id: string, count: number): void {
    this.record(region, id).staleReads = count;
  }

  addLogGroup(region: string, name: string, opts: LogGroupSpec = {}): LogGroupState {
    const problem = logGroupNameProblem(name);
    if (problem !== undefined) throw new Error(`standin: ${problem}`);
    if (opts.retentionInDays !== undefined && !RETENTION_DAYS.includes(opts.retentionInDays)) {
      throw new Error(`standin: retentionInDays ${opts.retentionInDays} is not a value CloudWatch Logs accepts`);
    }
    const groups = this.state.region(region).logGroups;
    if (groups.has(name)) throw new Error(`standin: log group ${name} already exists in ${region}`);
    const group = buildLogGroup(region, this.accountId, name, opts, new Date());
    groups.set(name, group);
    return structuredClone(group);
  }

  getLogGroup(region: string, name: string): LogGroupState | undefined {
    const g = this.state.regions.get(region)?.logGroups.get(name);
    return g === undefined ? undefined : structuredClone(g);
  }

  listLogGroups(region: string): LogGroupState[] {
    return [...(this.state.regions.get(region)?.logGroups.values() ?? [])].map((g) => structuredClone(g));
  }

  deleteLogGroup(region: string, name: string): boolean {
    return this.state.regions.get(region)?.logGroups.delete(name) ?? false;
  }

  /** Creates (or finds) an SNS topic; returns its ARN. */
  createTopic(region: string, name: string): string {
    const problem = topicNameProblem(name);
    if (problem !== undefined) throw new Error(`standin: ${problem}`);
    const arn = topicArn(region, this.accountId, name);
    const topics = this.state.region(region).topics;
    if (!topics.has(arn)) topics.set(arn, { arn, name, region });
    return arn;
  }

  /** Copies of the messages published so far (to one topic, or all), oldest first. */
  published(topicArnFilter?: string): PublishedMessage[] {
    return this.state.published.filter((m) => topicArnFilter === undefined || m.topicArn === topicArnFilter).map((m) => structuredClone(m));
  }

  /** Every request received, oldest first (the live log; reset() empties it). */
  get calls(): readonly CallRecord[] {
    return this.callLog;
  }

  callsTo(action: string, service?: ServiceName): CallRecord[] {
    return this.callLog.filter((c) => c.action === action && (service === undefined || c.service === service));
  }

  /** The next `times` matching calls answer with this error, in the protocol's own envelope. */
  injectFault(spec: FaultSpec): void {
    const times = spec.times ?? 1;
    if (!(times > 0)) throw new Error('standin: injectFault times must be > 0');
    this.faults.push({ ...spec, remaining: times });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Forgets all state, calls and faults (configuration stays). */
  reset(): void {
    this.state.clear();
    this.callLog.length = 0;
    this.faults = [];
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.close((err) => {
        if (err) reject(err);
        else resolve();
      });
      this.server.closeAllConnections();
    });
  }

  private record(region: string, id: string): EndpointRecord {
    const r = this.state.regions.get(region)?.endpoints.get(id);
    if (r === undefined) throw new Error(`standin: no endpoint ${id} in ${region}`);
    return r;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Wire handling

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const now = new Date();
    const body = await readBody(req);
    const target = headerValue(req, 'x-amz-target');
    const auth = headerValue(req, 'authorization');
    const scope = auth === undefined ? undefined : credentialScope(auth);
    const userAgent = headerValue(req, 'x-amz-user-agent') ?? headerValue(req, 'user-agent');

    let service: ServiceName | 'unknown';
    let action: string;
    let version: string | undefined;
    let query: Map<string, string> | undefined;
    let json: Record<string, unknown> | undefined;
    let parseError: ApiError | undefined;

    if (target !== undefined) {
      const dot = target.indexOf('.');
      action = dot >= 0 ? target.slice(dot + 1) : target;
      service = target.startsWith(LOGS_TARGET_PREFIX) ? 'logs' : 'unknown';
      try {
        const parsed: unknown = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          throw new Error('not an object');
        }
        json = Object.fromEntries(Object.entries(parsed));
      } catch {
        json = {};
        parseError = new ApiError('SerializationException', 'The request body is not a JSON object.');
      }
    } else {
      query = new Map<string, string>();
      const url = new URL(req.url ?? '/', 'http://localhost');
      for (const [k, v] of url.searchParams) query.set(k, v);
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) query.set(k, v);
      action = query.get('Action') ?? '';
      version = query.get('Version');
      const s = scope?.service;
      service = s === 'ec2' || s === 'sns' || s === 'sts' ? s : 'unknown';
    }

    const region = scope?.region ?? '';
    const params: Record<string, unknown> = json ?? {};
    if (query !== undefined) {
      for (const [k, v] of query) if (k !== 'Action' && k !== 'Version') params[k] = v;
    }
    const call: CallRecord = { service, region, action, params, status: 0, at: now.getTime(), requestId };
    if (version !== undefined) call.version = version;
    if (userAgent !== undefined) call.userAgent = userAgent;
    this.callLog.push(call);

    const ctx = (svc: ServiceName): RequestContext => ({ service: svc, region, action, requestId, accountId: this.accountId, now });
    let status = 200;
    let responseBody: string;
    const isJson = target !== undefined;
    try {
      if (auth === undefined) {
        throw new ApiError(isJson ? 'MissingAuthenticationTokenException' : 'MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
      }
      if (scope === undefined) {
        throw new ApiError(
          isJson ? 'IncompleteSignatureException' : 'IncompleteSignature',
          "Authorization header requires 'Credential' parameter of the form AKID/date/region/service/aws4_request.",
          403,
        );
      }
      if (parseError !== undefined) throw parseError;
      if (service === 'unknown') {
        throw isJson
          ? new ApiError('UnknownOperationException', `Unknown operation ${target ?? ''}`)
          : new ApiError('InvalidAction', `The service '${scope.service}' is not modelled by this stand-in.`);
      }
      if (action === '') throw new ApiError('MissingAction', 'Could not find the Action parameter in the request.');
      this.applyFault(service, action, region);

      if (service === 'logs') {
        responseBody = JSON.stringify(handleLogs(ctx('logs'), json ?? {}, { state: this.state }));
      } else {
        const q: QueryParams = query ?? new Map<string, string>();
        if (service === 'ec2') responseBody = handleEc2(ctx('ec2'), q, { state: this.state, regions: this.regions });
        else if (service === 'sns') responseBody = handleSns(ctx('sns'), q, { state: this.state });
        else responseBody = handleSts(ctx('sts'), { callerArn: this.callerArn, accountId: this.accountId });
      }
    } catch (err) {
      const apiError =
        err instanceof ApiError
          ? err
          : new ApiError(isJson ? 'InternalFailure' : 'InternalError', `standin internal error: ${String(err)}`, 500);
      status = apiError.status;
      call.errorCode = apiError.code;
      responseBody = errorBody(isJson ? 'logs' : service, apiError, requestId);
    }
    call.status = status;
    const contentType = isJson ? 'application/x-amz-json-1.1' : 'text/xml;charset=UTF-8';
    const bytes = Buffer.from(responseBody, 'utf8');
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': String(bytes.length),
      'x-amzn-RequestId': requestId,
    });
    res.end(bytes);
  }

  private applyFault(service: ServiceName, action: string, region: string): void {
    const fault = this.faults.find(
      (f) => f.action === action && (f.service === undefined || f.service === service) && (f.region === undefined || f.region === region),
    );
    if (fault === undefined) return;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    throw new ApiError(fault.code, fault.message ?? `Injected fault: ${fault.code}`, fault.status);
  }
}

function errorBody(service: ServiceName | 'unknown', err: ApiError, requestId: string): string {
  const type = err.status >= 500 ? 'Receiver' : 'Sender';
  switch (service) {
    case 'logs':
      return logsErrorJson(err.code, err.message);
    case 'ec2':
      return ec2ErrorXml(err.code, err.message, requestId);
    case 'sns':
      return queryErrorXml(SNS_XMLNS, err.code, err.message, requestId, type);
    case 'sts':
      return queryErrorXml(STS_XMLNS, err.code, err.message, requestId, type);
    default:
      return queryErrorXml(undefined, err.code, err.message, requestId, type);
  }
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ec2/aws4_request, SignedHeaders=..., Signature=...` */
function credentialScope(auth: string): { accessKeyId: string; region: string; service: string } | undefined {
  const m = /Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/.exec(auth);
  if (m === null || m[1] === undefined || m[3] === undefined || m[4] === undefined) return undefined;
  return { accessKeyId: m[1], region: m[3], service: m[4] };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Starts the stand-in on 127.0.0.1 (random port unless `port` is given). */
export async function startStandin(opts: StandinOptions = {}): Promise<Standin> {
  return Standin.listen(opts);
}
