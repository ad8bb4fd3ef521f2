import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { RetryStrategyV2 } from '@smithy/types';

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** when session credentials stop working */
  expiration?: Date;
}

/**
 * Fixed credentials, or a function the SDK calls for them: it caches the answer and calls again once
 * `expiration` is less than 5 minutes away, so a client made once keeps working across sessions.
 */
export type CredentialsInput = StaticCredentials | (() => Promise<StaticCredentials>);

export interface AwsClientOptions {
  /** Named profile from ~/.aws (CLI `--profile`); the default chain otherwise. */
  profile?: string;
  /** Overrides `AWS_ENDPOINT_URL` (tests point clients at the loopback stand-in). */
  endpoint?: string;
  credentials?: CredentialsInput;
  /** Tests swap in a strategy with the same semantics but no waiting. */
  retryStrategy?: RetryStrategyV2;
  maxAttempts?: number;
  /** Overrides of the timeouts below (fault tests use short ones). */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

// A hung call must fail fast enough for the SDK to retry it, and for the whole chain to finish
// inside the function's timeout. Every call here answers in well under a second when AWS is well.
// The SDK's `standard` retry mode with its default 3 attempts is kept (full-jitter backoff from
// 100 ms, 500 ms after throttling): one call takes at most 3 x (2 s + 5 s) + ~3 s of backoff, about
// 24 s; the remediation's 5 calls in a row, plus the read-back re-checks, stay under the remediate
// function's 150 s timeout (serverless.yml) even if every one of them hangs.
const CONNECTION_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 5_000;

export type ClientConfig = ReturnType<typeof clientConfig>;

/** Settings every client shares: timeouts, retries, profile, endpoint. */
export function clientConfig(region: string, o: AwsClientOptions) {
  return {
    region,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: o.connectionTimeoutMs ?? CONNECTION_TIMEOUT_MS,
      requestTimeout: o.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    }),
    ...(o.profile ? { profile: o.profile } : {}),
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
    ...(o.retryStrategy ? { retryStrategy: o.retryStrategy } : {}),
    ...(o.maxAttempts ? { maxAttempts: o.maxAttempts } : {}),
  };
}

interface Destroyable {
  destroy(): void;
}

/** Any SDK v3 client class: `new EC2Client(config)`. */
export type ClientClass<C extends Destroyable> = new (config: ClientConfig) => C;

/**
 * The one place AWS clients are made: one per client class and region, created on first use and
 * reused across invocations of a warm Lambda container (keep-alive connections, cached
 * credentials). The caller names the class, so a bundle carries only the clients its code uses
 * (the Lambda bundle has no Lambda, SQS or CloudTrail-replay code).
 */
export class AwsClientFactory {
  private readonly clients = new Map<ClientClass<Destroyable>, Map<string, Destroyable>>();

  constructor(readonly options: AwsClientOptions = {}) {}

  get<C extends Destroyable>(kind: ClientClass<C>, region: string, overrides: Partial<AwsClientOptions> = {}): C {
    let byRegion = this.clients.get(kind);
    if (!byRegion) {
      byRegion = new Map();
      this.clients.set(kind, byRegion);
    }
    const key = Object.keys(overrides).length === 0 ? region : `${region} ${JSON.stringify(overrides)}`;
    let client = byRegion.get(key) as C | undefined;
    if (!client) {
      client = new kind(clientConfig(region, { ...this.options, ...overrides }));
      byRegion.set(key, client);
    }
    return client;
  }

  /**
   * A factory whose clients sign with `credentials` (another account's role session) and otherwise share this
   * one's settings. The profile is dropped: explicit credentials win over it anyway. Keep one per account and pass a
   * function that returns the cached session, so its clients (and their keep-alive connections) are reused.
   */
  clientsFor(credentials: CredentialsInput): AwsClientFactory {
    const { profile: _profile, ...rest } = this.options;
    return new AwsClientFactory({ ...rest, credentials });
  }

  destroy(): void {
    for (const byRegion of this.clients.values()) for (const c of byRegion.values()) c.destroy();
    this.clients.clear();
  }
}
