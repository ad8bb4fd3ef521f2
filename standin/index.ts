// AWS stand-in: one loopback HTTP server speaking the real wire protocols of EC2 (Client VPN), CloudWatch Logs,
// SNS, STS, CloudTrail, Organizations, EventBridge, KMS, IAM, Lambda (Invoke) and SQS, so the real AWS SDK v3
// clients run unchanged against it. State is per account: the access key that signed a request names the account.
// See README.md.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { AccountControl } from './account-control';
import { CLOUDTRAIL_TARGET_PREFIX, cloudTrailErrorJson, handleCloudTrail } from './cloudtrail';
import { ApiError, type QueryParams, type RequestContext, type ServiceName } from './common';
import { DEFAULT_REGIONS, ec2ErrorXml, handleEc2, type RegionInfo } from './ec2';
import { EVENTS_TARGET_PREFIX, handleEvents } from './eventbridge';
import { FaultEngine, type FaultHit, type FaultSpec } from './faults';
import { Identities, type IssuedKey } from './identities';
import { functionArn, LAMBDA_INVOKE_PATH, lambdaErrorBody, LambdaStore, type FunctionHandler, type FunctionOptions, type InvocationRecord, type RegisteredFunction } from './lambda';
import { maxInWindow, SlidingWindow, TokenBucket, type BucketConfig } from './limits';
import { handleIam, IAM_XMLNS } from './iam';
import { handleKms, KMS_TARGET_PREFIX } from './kms';
import { handleLogs, LOGS_TARGET_PREFIX, logsErrorJson } from './logs';
import {
  buildOrgAccount,
  handleOrganizations,
  ORG_ID_RE,
  ORGANIZATIONS_TARGET_PREFIX,
  organizationsErrorJson,
  type AccountStateName,
  type OrgAccountSpec,
  type OrgAccountState,
  type OrganizationSpec,
  type OrganizationState,
} from './organizations';
import { handleSns, queryErrorXml, SNS_XMLNS } from './sns';
import { SQS_TARGET_PREFIX, sqsError, SqsStore, type QueueMessage, type QueueOptions } from './sqs';
import { StandinState, type PublishedMessage } from './state';
import { handleSts, STS_XMLNS, userIdFor } from './sts';
import type { TrailState } from './trails';

export { AccountControl, type RoleSpec } from './account-control';
export type { EventBusSpec, RuleSpec, RuleState, RuleStateName, RuleTarget } from './eventbridge';
export type { IssuedKey, Principal } from './identities';
export type { AccountFieldMode, AccountStateName, OrgAccountSpec, OrgAccountState, OrganizationSpec } from './organizations';
export type { TrailSpec, TrailState } from './trails';
export type { CloudTrailEventOptions, CloudTrailRecord, CloudTrailResource } from './cloudtrail';
export type { ServiceName } from './common';
export type { OptInStatus, RegionInfo } from './ec2';
export type { DelayFault, ErrorFault, FaultSpec, ResetFault } from './faults';
export type { FunctionHandler, FunctionOptions, InvocationRecord, InvocationType } from './lambda';
export type { BucketConfig } from './limits';
export type { MessageAttribute as SqsMessageAttribute, QueueMessage, QueueOptions } from './sqs';
export type {
  AuthenticationOption,
  ConnectionLogging,
  EndpointSpec,
  EndpointState,
  EndpointStatusCode,
  KmsKeySpec,
  KmsKeyState,
  KmsKeyStateName,
  LogGroupSpec,
  LogGroupState,
  LogStreamState,
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
  /** cap on SQS long polling (ReceiveMessage WaitTimeSeconds), in ms; default 2000 */
  sqsMaxWaitMs?: number;
}

export interface CallRecord {
  service: ServiceName | 'unknown';
  region: string;
  action: string;
  /** Query: the form parameters without Action/Version; JSON: the parsed body; Lambda: FunctionName, headers, Payload */
  params: Record<string, unknown>;
  /** the status answered (0 when the connection was reset without handling the call) */
  status: number;
  errorCode?: string;
  /** arrival time, epoch ms */
  at: number;
  requestId: string;
  version?: string;
  userAgent?: string;
  /** set when an injected fault hit the call */
  fault?: FaultHit['kind'];
  /** set when the modelled throttling (EC2 buckets, per-second limits) refused the call */
  throttled?: boolean;
  /** the account of the access key that signed the call (absent when the signature was refused) */
  account?: string;
}

/** EC2 API request throttling: one bucket per class per region. A class left out is not throttled. */
export interface Ec2ThrottlingConfig {
  /** Describe*, Get*, List* */
  nonMutating?: BucketConfig;
  /** everything else (Modify*, Create*, ...) */
  mutating?: BucketConfig;
}

/** The documented defaults (EC2 API reference, "Request throttling"). */
export const AWS_EC2_THROTTLING: Readonly<Required<Ec2ThrottlingConfig>> = {
  nonMutating: { capacity: 100, refillPerSecond: 20 },
  mutating: { capacity: 50, refillPerSecond: 5 },
};

/** Per-second limits that are on unless changed with setRateLimit. */
export const DEFAULT_RATE_LIMITS: Readonly<Record<string, number>> = { LookupEvents: 2, DescribeLogStreams: 5 };

const MAX_BODY_BYTES = 8 * 1024 * 1024;

type Protocol = 'query' | 'json' | 'rest-json';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const CONTENT_TYPE: Readonly<Record<string, string>> = {
  query: 'text/xml;charset=UTF-8',
  'rest-json': 'application/json',
};

export class Standin extends AccountControl {
  readonly url: string;
  readonly port: number;
  readonly callerArn: string;

  private regionList: RegionInfo[];
  /** by account ID; the default account's is `this.state` */
  private readonly accountStates = new Map<string, StandinState>();
  private readonly sharedPublished: PublishedMessage[];
  private organization: OrganizationState | undefined;
  private readonly callLog: CallRecord[] = [];
  private readonly faults = new FaultEngine();
  private readonly lambda = new LambdaStore();
  private readonly sqs = new SqsStore();
  private readonly sqsMaxWaitMs: number;

  private ec2Throttling: { global: Ec2ThrottlingConfig | null; regions: Map<string, Ec2ThrottlingConfig | null> } = {
    global: null,
    regions: new Map(),
  };
  private readonly buckets = new Map<string, TokenBucket>();
  private rateLimits = new Map<string, number>(Object.entries(DEFAULT_RATE_LIMITS));
  private readonly windows = new Map<string, SlidingWindow>();
  private readonly throttledByAction = new Map<string, number>();
  private latency: { all: number; byAction: Map<string, number> } = { all: 0, byAction: new Map() };
  private readonly sleepers = new Set<() => void>();
  private closed = false;

  private constructor(
    private readonly server: Server,
    port: number,
    opts: StandinOptions,
  ) {
    const accountId = opts.accountId ?? DEFAULT_ACCOUNT_ID;
    const callerArn = opts.callerArn ?? DEFAULT_CALLER_ARN.replace(DEFAULT_ACCOUNT_ID, accountId);
    // Every account publishes into one list, so published() shows all messages in the order they arrived.
    const published: PublishedMessage[] = [];
    // Keys nobody registered or issued are the default account's caller: single-account use needs no setup.
    super(new StandinState(published), accountId, new Identities(() => ({ accountId, arn: callerArn })));
    this.sharedPublished = published;
    this.accountStates.set(accountId, this.state);
    this.callerArn = callerArn;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.regionList = normaliseRegions(opts.regions ?? DEFAULT_REGIONS);
    this.sqsMaxWaitMs = opts.sqsMaxWaitMs ?? 2000;
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
        // Last resort: handle() answers every error itself; this only fires if reading or writing failed.
        if (res.destroyed) return;
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
    // Like AWS endpoints, keep idle connections: a short timeout makes node's http agent drop the
    // socket after every call, so each SDK call would pay a new TCP connection (the bench saw it).
    server.keepAliveTimeout = 30_000;
    server.headersTimeout = 31_000;
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

  /** The DescribeRegions list. */
  get regions(): readonly RegionInfo[] {
    return this.regionList;
  }

  /** Replaces the DescribeRegions list (plain names mean "opt-in-not-required"). */
  setRegions(regions: ReadonlyArray<string | RegionInfo>): void {
    this.regionList = normaliseRegions(regions);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Control API: other accounts, the organization, sessions

  /** The control API for another account's state (made on first use). The default account's is the stand-in itself. */
  account(accountId: string): AccountControl {
    if (!/^\d{12}$/.test(accountId)) throw new Error(`standin: account id '${accountId}' is not 12 digits`);
    return accountId === this.accountId ? this : new AccountControl(this.stateOf(accountId), accountId, this.identities);
  }

  /**
   * Creates the organization (replacing any earlier one). The management account (default: the default account)
   * is its first member. Until this is called every account gets AWSOrganizationsNotInUseException.
   */
  setOrganization(spec: OrganizationSpec = {}): void {
    const id = spec.id ?? 'o-exampleorgid';
    if (!ORG_ID_RE.test(id)) throw new Error(`standin: organization id '${id}' must be o- and 10-32 lowercase letters or digits`);
    const management = spec.managementAccountId ?? this.accountId;
    this.organization = {
      id,
      rootId: spec.rootId ?? 'r-examplerootid111',
      managementAccountId: management,
      delegatedAdministrators: new Set(spec.delegatedAdministrators ?? []),
      accountFields: spec.accountFields ?? 'state',
      accounts: new Map([[management, buildOrgAccount(management, { name: 'Management Account', joinedMethod: 'INVITED' }, Date.now())]]),
    };
  }

  /** Adds an account to the organization (or replaces its entry). */
  addOrganizationAccount(accountId: string, spec: OrgAccountSpec = {}): void {
    this.org().accounts.set(accountId, buildOrgAccount(accountId, spec, Date.now()));
  }

  /** Moves an account to another state (SUSPENDED, PENDING_CLOSURE, ...). */
  setOrganizationAccountState(accountId: string, state: AccountStateName): void {
    const a = this.org().accounts.get(accountId);
    if (a === undefined) throw new Error(`standin: account ${accountId} is not in the organization`);
    this.org().accounts.set(accountId, buildOrgAccount(accountId, { ...a, state }, a.joinedTimestamp));
  }

  removeOrganizationAccount(accountId: string): boolean {
    return this.org().accounts.delete(accountId);
  }

  /** Copies of the organization's accounts, in ListAccounts order. */
  organizationAccounts(): OrgAccountState[] {
    return structuredClone([...(this.organization?.accounts.values() ?? [])]);
  }

  /** Session credentials issued by AssumeRole so far (with the principal each is bound to). */
  sessions(): IssuedKey[] {
    return this.identities.sessions();
  }

  /** Makes AssumeRole credentials expired: calls signed with them then get ExpiredToken(Exception). */
  expireSession(accessKeyId: string): void {
    this.identities.expire(accessKeyId, Date.now());
  }

  private org(): OrganizationState {
    if (this.organization === undefined) throw new Error('standin: no organization: call setOrganization() first');
    return this.organization;
  }

  private stateOf(accountId: string): StandinState {
    let s = this.accountStates.get(accountId);
    if (s === undefined) {
      s = new StandinState(this.sharedPublished);
      this.accountStates.set(accountId, s);
    }
    return s;
  }

  /** Organization trails the management account shares with `accountId` (none for the management account itself). */
  private organizationTrailsFor(accountId: string): TrailState[] {
    const org = this.organization;
    if (org === undefined || accountId === org.managementAccountId || !org.accounts.has(accountId)) return [];
    return (this.accountStates.get(org.managementAccountId)?.trails ?? []).filter((t) => t.isOrganizationTrail);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Control API: SNS messages (every account's, oldest first)

  /** Copies of the messages published so far (to one topic, or all), oldest first. */
  published(topicArnFilter?: string): PublishedMessage[] {
    return this.sharedPublished.filter((m) => topicArnFilter === undefined || m.topicArn === topicArnFilter).map((m) => structuredClone(m));
  }

  // -------------------------------------------------------------------------------------------------------------
  // Control API: Lambda, SQS (not per account: they live in the default account)

  /** Registers an in-process Lambda function that Invoke runs (by name, partial or full ARN). */
  registerFunction(name: string, handler: FunctionHandler, opts: FunctionOptions = {}): void {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new Error(`standin: invalid function name '${name}'`);
    const fn: RegisteredFunction = {
      name,
      handler,
      aliases: [...(opts.aliases ?? [])],
    };
    if (opts.region !== undefined) fn.region = opts.region;
    this.lambda.functions.set(name, fn);
  }

  /** The ARN Invoke accepts for a function in a region. */
  functionArn(name: string, region: string): string {
    return functionArn(region, this.accountId, name);
  }

  /** Copies of the invocations so far (of one function, or all), oldest first. */
  invocations(functionName?: string): InvocationRecord[] {
    return this.lambda.invocations.filter((i) => functionName === undefined || i.functionName === functionName).map((i) => structuredClone(i));
  }

  /** Resolves when every asynchronous (InvocationType Event) invocation started so far has finished. */
  async settleInvocations(): Promise<void> {
    await this.lambda.settle();
  }

  /**
   * Creates (or finds) a standard SQS queue; returns its loopback URL `${url}/<account>/<name>`, which the SDK
   * sends requests to. Queue names are unique across regions here.
   */
  createQueue(region: string, name: string, opts: QueueOptions = {}): string {
    return this.sqs.create(this.url, region, this.accountId, name, opts, Date.now());
  }

  /** The queue's messages (visible, in flight and delayed), oldest first. */
  queueMessages(queueUrl: string): QueueMessage[] {
    const messages = this.sqs.messages(queueUrl, Date.now());
    if (messages === undefined) throw new Error(`standin: no queue ${queueUrl}`);
    return messages;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Control API: calls, faults, throttling, latency

  /** Every request received, oldest first (the live log; reset() empties it). */
  get calls(): readonly CallRecord[] {
    return this.callLog;
  }

  callsTo(action: string, service?: ServiceName): CallRecord[] {
    return this.callLog.filter((c) => c.action === action && (service === undefined || c.service === service));
  }

  /**
   * The most calls of `action` (in `region`, or any) that arrived within any one-second window. Throttled calls
   * count (the question is how fast a client sent); `acceptedOnly` leaves them out.
   */
  maxRequestsPerSecond(action: string, region?: string, opts: { acceptedOnly?: boolean; account?: string } = {}): number {
    const times = this.callLog
      .filter(
        (c) =>
          c.action === action &&
          (region === undefined || c.region === region) &&
          (opts.account === undefined || c.account === opts.account) &&
          !(opts.acceptedOnly === true && c.throttled === true),
      )
      .map((c) => c.at);
    return maxInWindow(times, 1000);
  }

  /**
   * Injects a fault: the next `times` matching calls fail (`kind: 'error'`, the default, in the protocol's own
   * envelope), answer late (`delay`), or lose their connection (`reset`). See FaultSpec.
   */
  injectFault(spec: FaultSpec): void {
    this.faults.add(spec);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Seeds the PRNG behind fault probabilities (default seed 1); the same seed and calls give the same faults. */
  setSeed(seed: number): void {
    this.faults.setSeed(seed);
  }

  /**
   * Caps `action` at `perSecond` accepted calls per region in any one-second sliding window; calls beyond it get
   * the service's throttling error. LookupEvents defaults to 2; `Infinity` switches a limit off.
   */
  setRateLimit(action: string, perSecond: number): void {
    if (!(perSecond > 0)) throw new Error('standin: setRateLimit needs a positive number (Infinity switches it off)');
    if (perSecond === Number.POSITIVE_INFINITY) this.rateLimits.delete(action);
    else this.rateLimits.set(action, perSecond);
    for (const key of this.windows.keys()) if (key.startsWith(`${action}|`)) this.windows.delete(key);
  }

  /**
   * EC2 token-bucket throttling (off by default). Without `region` it sets the default for every region (and
   * `null` switches throttling off everywhere, dropping per-region settings); with `region` it overrides that
   * region (`null`: not throttled there). `AWS_EC2_THROTTLING` holds AWS's documented buckets. Buckets start full.
   */
  setEc2Throttling(config: Ec2ThrottlingConfig | null, region?: string): void {
    const copy = config === null ? null : structuredClone(config);
    if (region === undefined) {
      this.ec2Throttling = { global: copy, regions: config === null ? new Map<string, Ec2ThrottlingConfig | null>() : this.ec2Throttling.regions };
    } else {
      this.ec2Throttling.regions.set(region, copy);
    }
    this.buckets.clear();
  }

  /** How many calls (of `action`, or all) the modelled throttling refused. Injected faults don't count. */
  throttledCount(action?: string): number {
    if (action !== undefined) return this.throttledByAction.get(action) ?? 0;
    let n = 0;
    for (const v of this.throttledByAction.values()) n += v;
    return n;
  }

  /**
   * Holds every answer back `ms` milliseconds (or only answers to `action`, which then overrides the global
   * value). Calls take effect when they arrive. `setLatency(0)` removes the global latency.
   */
  setLatency(ms: number, action?: string): void {
    if (!(ms >= 0 && Number.isFinite(ms))) throw new Error('standin: setLatency needs a finite ms >= 0');
    if (action === undefined) this.latency.all = ms;
    else this.latency.byAction.set(action, ms);
  }

  clearLatency(): void {
    this.latency = { all: 0, byAction: new Map() };
  }

  /**
   * Forgets all state (every account's endpoints, log groups, topics, roles, rules, trails, messages, CloudTrail
   * events; the organization, access keys and sessions; functions, queues), calls,
   * faults, throttling counters and buckets, and restarts the PRNG from its seed. Configuration (regions, seed,
   * rate limits, EC2 throttling, latency) stays unless `config: true`, which restores the defaults too.
   */
  reset(opts: { config?: boolean } = {}): void {
    this.state.clear();
    for (const id of [...this.accountStates.keys()]) if (id !== this.accountId) this.accountStates.delete(id);
    this.identities.clear();
    this.organization = undefined;
    this.callLog.length = 0;
    this.faults.clear();
    this.lambda.clear();
    this.sqs.clear();
    this.buckets.clear();
    this.windows.clear();
    this.throttledByAction.clear();
    if (opts.config === true) {
      this.faults.setSeed(1);
      this.rateLimits = new Map(Object.entries(DEFAULT_RATE_LIMITS));
      this.ec2Throttling = { global: null, regions: new Map() };
      this.clearLatency();
    }
    this.faults.reseed();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of [...this.sleepers]) wake();
    await new Promise<void>((resolve, reject) => {
      this.server.close((err) => {
        if (err) reject(err);
        else resolve();
      });
      this.server.closeAllConnections();
    });
  }

  private sleep(ms: number): Promise<void> {
    if (this.closed || ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Wire handling

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const now = new Date();
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const target = headerValue(req, 'x-amz-target');
    const auth = headerValue(req, 'authorization');
    const scope = auth === undefined ? undefined : credentialScope(auth);
    const userAgent = headerValue(req, 'x-amz-user-agent') ?? headerValue(req, 'user-agent');

    let protocol: Protocol;
    let jsonVersion = '1.1';
    let service: ServiceName | 'unknown';
    let action: string;
    let version: string | undefined;
    let query: Map<string, string> | undefined;
    let json: Record<string, unknown> | undefined;
    let parseError: ApiError | undefined;
    let params: Record<string, unknown> = {};
    let lambdaFunction: string | undefined;

    if (target !== undefined) {
      protocol = 'json';
      const dot = target.indexOf('.');
      action = dot >= 0 ? target.slice(dot + 1) : target;
      if (target.startsWith(LOGS_TARGET_PREFIX)) service = 'logs';
      else if (target.startsWith(CLOUDTRAIL_TARGET_PREFIX)) service = 'cloudtrail';
      else if (target.startsWith(SQS_TARGET_PREFIX)) service = 'sqs';
      else if (target.startsWith(KMS_TARGET_PREFIX)) service = 'kms';
      else if (target.startsWith(ORGANIZATIONS_TARGET_PREFIX)) service = 'organizations';
      else if (target.startsWith(EVENTS_TARGET_PREFIX)) service = 'events';
      else service = 'unknown';
      const ct = headerValue(req, 'content-type') ?? '';
      jsonVersion = service === 'sqs' || (service === 'unknown' && ct.includes('json-1.0')) ? '1.0' : '1.1';
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
      params = json;
    } else if (url.pathname.startsWith('/2015-03-31/functions/') || scope?.service === 'lambda') {
      protocol = 'rest-json';
      service = 'lambda';
      const m = LAMBDA_INVOKE_PATH.exec(url.pathname);
      action = m !== null && req.method === 'POST' ? 'Invoke' : `${req.method ?? 'GET'} ${url.pathname}`;
      if (m?.[1] !== undefined) {
        try {
          lambdaFunction = decodeURIComponent(m[1]);
        } catch {
          parseError = new ApiError('ValidationException', 'The function name is not valid URI encoding.');
        }
      }
      const payloadText = body.toString('utf8');
      let payload: unknown = payloadText;
      try {
        payload = payloadText === '' ? undefined : JSON.parse(payloadText);
      } catch {
        // recorded as the raw text
      }
      params = { FunctionName: lambdaFunction, Payload: payload };
      for (const [k, v] of url.searchParams) params[k] = v;
      const headerParams: Array<[string, string]> = [
        ['InvocationType', 'x-amz-invocation-type'],
        ['LogType', 'x-amz-log-type'],
        ['ClientContext', 'x-amz-client-context'],
      ];
      for (const [name, header] of headerParams) {
        const v = headerValue(req, header);
        if (v !== undefined) params[name] = v;
      }
    } else {
      protocol = 'query';
      query = new Map<string, string>();
      for (const [k, v] of url.searchParams) query.set(k, v);
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) query.set(k, v);
      action = query.get('Action') ?? '';
      version = query.get('Version');
      const s = scope?.service;
      service = s === 'ec2' || s === 'sns' || s === 'sts' || s === 'iam' ? s : 'unknown';
      for (const [k, v] of query) if (k !== 'Action' && k !== 'Version') params[k] = v;
    }

    const region = scope?.region ?? '';
    const call: CallRecord = { service, region, action, params, status: 0, at: now.getTime(), requestId };
    if (version !== undefined) call.version = version;
    if (userAgent !== undefined) call.userAgent = userAgent;
    this.callLog.push(call);

    const isJson = protocol !== 'query';
    let hit: FaultHit | undefined;
    let answer: Answer;
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

      const caller = this.identities.resolve(
        scope.accessKeyId,
        headerValue(req, 'x-amz-security-token'),
        now.getTime(),
        isJson ? 'json' : service === 'ec2' ? 'ec2' : 'query',
      );
      call.account = caller.accountId;

      hit = this.faults.hit(service, action, region, caller.accountId);
      if (hit !== undefined) call.fault = hit.kind;
      if (hit?.kind === 'error') throw hit.error;
      if (hit?.kind === 'reset' && !hit.applies) {
        req.socket.destroy();
        return;
      }
      this.throttle(service, action, region, call, caller.accountId);

      const ctx: RequestContext = { service, region, action, requestId, accountId: caller.accountId, callerArn: caller.arn, now };
      answer = await this.dispatch(ctx, { query, json, lambdaFunction, req, body, url, jsonVersion });
    } catch (err) {
      const apiError =
        err instanceof ApiError
          ? err
          : new ApiError(isJson ? 'InternalFailure' : 'InternalError', `standin internal error: ${String(err)}`, 500);
      call.errorCode = apiError.code;
      answer = errorAnswer(protocol, service, jsonVersion, apiError, requestId);
    }
    call.status = answer.status;

    const wait = (hit?.kind === 'delay' ? hit.ms : 0) + (this.latency.byAction.get(action) ?? this.latency.all);
    if (wait > 0) await this.sleep(wait);
    if (hit?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (this.closed || res.destroyed || req.socket.destroyed) return;
    const bytes = Buffer.from(answer.body, 'utf8');
    res.writeHead(answer.status, {
      ...answer.headers,
      'content-type': answer.headers['content-type'] ?? contentTypeFor(protocol, jsonVersion),
      'content-length': String(bytes.length),
      'x-amzn-RequestId': requestId,
    });
    res.end(bytes);
  }

  private async dispatch(
    ctx: RequestContext,
    input: {
      query: Map<string, string> | undefined;
      json: Record<string, unknown> | undefined;
      lambdaFunction: string | undefined;
      req: IncomingMessage;
      body: Buffer;
      url: URL;
      jsonVersion: string;
    },
  ): Promise<Answer> {
    const jsonAnswer = (out: Record<string, unknown>): Answer => ({
      status: 200,
      headers: { 'content-type': `application/x-amz-json-${input.jsonVersion}` },
      body: JSON.stringify(out),
    });
    const json = input.json ?? {};
    const q: QueryParams = input.query ?? new Map<string, string>();
    const xml = (body: string): Answer => ({ status: 200, headers: {}, body });
    const state = this.stateOf(ctx.accountId);
    switch (ctx.service) {
      case 'logs':
        return jsonAnswer(handleLogs(ctx, json, { state }));
      case 'cloudtrail':
        return jsonAnswer(
          handleCloudTrail(ctx, json, {
            events: state.region(ctx.region).trailEvents,
            nextSeq: state.trailSeq,
            trails: { own: state.trails, organization: this.organizationTrailsFor(ctx.accountId) },
          }),
        );
      case 'organizations':
        return jsonAnswer(handleOrganizations(ctx, json, this.organization));
      case 'events':
        return jsonAnswer(handleEvents(ctx, json, state.region(ctx.region)));
      case 'sqs':
        return jsonAnswer(
          await this.sqs.handle(ctx, json, {
            sleep: (ms) => this.sleep(ms),
            maxWaitMs: this.sqsMaxWaitMs,
            senderId: userIdFor(ctx.callerArn, ctx.accountId),
          }),
        );
      case 'lambda': {
        if (ctx.action !== 'Invoke' || input.lambdaFunction === undefined) {
          throw new ApiError('UnknownOperationException', `Unknown operation ${ctx.action}`, 404);
        }
        const invoke: Parameters<LambdaStore['invoke']>[0] = {
          region: ctx.region,
          accountId: this.accountId,
          requestId: ctx.requestId,
          rawFunctionName: input.lambdaFunction,
          payload: input.body,
          now: ctx.now.getTime(),
        };
        const qualifier = input.url.searchParams.get('Qualifier');
        if (qualifier !== null) invoke.qualifier = qualifier;
        const type = headerValue(input.req, 'x-amz-invocation-type');
        if (type !== undefined) invoke.invocationType = type;
        const logType = headerValue(input.req, 'x-amz-log-type');
        if (logType !== undefined) invoke.logType = logType;
        const clientContext = headerValue(input.req, 'x-amz-client-context');
        if (clientContext !== undefined) invoke.clientContext = clientContext;
        return this.lambda.invoke(invoke);
      }
      case 'ec2':
        return xml(handleEc2(ctx, q, { state, regions: this.regionList }));
      case 'sns':
        return xml(handleSns(ctx, q, { state }));
      case 'sts':
        return xml(
          handleSts(ctx, q, {
            caller: { accountId: ctx.accountId, arn: ctx.callerArn },
            account: (id) => this.accountStates.get(id),
            identities: this.identities,
          }),
        );
      case 'kms':
        return jsonAnswer(handleKms(ctx, json, { state }));
      case 'iam':
        return xml(handleIam(ctx, q, { state }));
    }
  }

  /** EC2 token buckets and per-second limits; throws the service's throttling error. */
  private throttle(service: ServiceName, action: string, region: string, call: CallRecord, account: string): void {
    const t = performance.now();
    let refused = false;
    if (service === 'ec2') {
      const config = this.ec2Throttling.regions.has(region) ? this.ec2Throttling.regions.get(region) : this.ec2Throttling.global;
      const cls = /^(Describe|Get|List)/.test(action) ? 'nonMutating' : 'mutating';
      const bucketConfig = config?.[cls];
      if (bucketConfig !== undefined) {
        // EC2 buckets are per account and region.
        const key = `${account}|${region}|${cls}`;
        let bucket = this.buckets.get(key);
        if (bucket === undefined) {
          bucket = new TokenBucket(bucketConfig, t);
          this.buckets.set(key, bucket);
        }
        refused = !bucket.take(t);
      }
    }
    const limit = this.rateLimits.get(action);
    if (!refused && limit !== undefined) {
      const key = `${action}|${region}|${account}`;
      let window = this.windows.get(key);
      if (window === undefined) {
        window = new SlidingWindow(limit);
        this.windows.set(key, window);
      }
      refused = !window.tryAcquire(t);
    }
    if (!refused) return;
    call.throttled = true;
    this.throttledByAction.set(action, (this.throttledByAction.get(action) ?? 0) + 1);
    throw throttlingError(service);
  }
}

function normaliseRegions(regions: ReadonlyArray<string | RegionInfo>): RegionInfo[] {
  return regions.map((r) => (typeof r === 'string' ? { name: r, optInStatus: 'opt-in-not-required' } : { ...r }));
}

/** Each service's own throttling error. */
function throttlingError(service: ServiceName): ApiError {
  switch (service) {
    case 'ec2':
      return new ApiError('RequestLimitExceeded', 'Request limit exceeded.', 503);
    case 'cloudtrail':
    case 'logs':
    case 'kms':
    case 'events':
      return new ApiError('ThrottlingException', 'Rate exceeded', 400);
    case 'organizations':
      // httpError 429 in the SDK model
      return new ApiError('TooManyRequestsException', 'Rate exceeded', 429);
    case 'lambda':
      return new ApiError('TooManyRequestsException', 'Rate exceeded', 429);
    case 'sqs':
      return new ApiError('RequestThrottled', 'Rate exceeded', 403);
    case 'sns':
    case 'sts':
    case 'iam':
      return new ApiError('Throttling', 'Rate exceeded', 400);
  }
}

function contentTypeFor(protocol: Protocol, jsonVersion: string): string {
  return protocol === 'json' ? `application/x-amz-json-${jsonVersion}` : (CONTENT_TYPE[protocol] ?? 'text/plain');
}

function errorAnswer(protocol: Protocol, service: ServiceName | 'unknown', jsonVersion: string, err: ApiError, requestId: string): Answer {
  if (protocol === 'rest-json') {
    const headers: Record<string, string> = { 'x-amzn-ErrorType': err.code };
    return { status: err.status, headers, body: lambdaErrorBody(err) };
  }
  if (protocol === 'json') {
    if (service === 'sqs') {
      const e = sqsError(err);
      return { status: err.status, headers: e.headers, body: e.body };
    }
    const body =
      service === 'cloudtrail'
        ? cloudTrailErrorJson(err.code, err.message)
        : service === 'organizations'
          ? organizationsErrorJson(err)
          : logsErrorJson(err.code, err.message);
    return { status: err.status, headers: { 'content-type': `application/x-amz-json-${jsonVersion}` }, body };
  }
  const type = err.status >= 500 ? 'Receiver' : 'Sender';
  let body: string;
  switch (service) {
    case 'ec2':
      body = ec2ErrorXml(err.code, err.message, requestId);
      break;
    case 'sns':
      body = queryErrorXml(SNS_XMLNS, err.code, err.message, requestId, type);
      break;
    case 'sts':
      body = queryErrorXml(STS_XMLNS, err.code, err.message, requestId, type);
      break;
    case 'iam':
      body = queryErrorXml(IAM_XMLNS, err.code, err.message, requestId, type);
      break;
    default:
      body = queryErrorXml(undefined, err.code, err.message, requestId, type);
  }
  return { status: err.status, headers: {}, body };
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
