import { AwsClientFactory, type AwsClientOptions } from '../aws/clients';

export type { AwsClientOptions };
import { CloudTrailClient, lookupModifyRecords } from '../aws/cloudtrail';
import { DynamoDBClient, DynamoStateTable } from '../aws/dynamodb';
import type { EventStore } from '../core/state';
import { ConfigError } from '../domain/errors';
import { randomUUID } from 'node:crypto';
import { fetchCallerIdentity, STSClient } from '../aws/sts';
import type { CoreDeps, RegionApi } from '../core/ports';
import type { CallerIdentity } from '../domain/identity';
import { RemediationMemory } from '../domain/repeat';
import { DEFAULT_MODIFY_BUCKET, type Settings } from '../domain/settings';
import { TokenBucketLimiter } from '../util/rate-limiter';
import { KeyedSerializer } from '../util/serialize';
import { Fleet } from './fleet';
import { regionApiFrom } from './region-api';

/** Everything one driver (Lambda container, CLI run) needs, built once and reused. */
export interface Runtime {
  settings: Settings;
  clients: AwsClientFactory;
  core: CoreDeps;
  /** Idempotency and the alert outbox, when a state table is configured. */
  events?: EventStore;
  /** Central mode (CVPN_FLEET=central): the accounts guarded and their member sessions. */
  fleet?: Fleet;
  /** This process's owner token for leases and event records. */
  owner: string;
  /** Closes every client the runtime made. */
  close(): void;
}

export interface RuntimeOptions {
  settings: Settings;
  /**
   * Region for the identity lookup (the Lambda's own region, or the CLI's `--region`); without
   * one, the first event's region is used.
   */
  homeRegion?: string;
  clientOptions?: AwsClientOptions;
  /**
   * Whether events caused by this process's own role are skipped. True for the Lambda; false for
   * the CLI, whose operator's role is not the remediator's.
   */
  ignoreOwnRole: boolean;
  /**
   * Whether fight detection may ask CloudTrail for earlier fixes (one LookupEvents call when this
   * process remembers none). The Lambda does; the CLI does not, since replay already spends the
   * 2 requests/second quota and remembers its own fixes.
   */
  repeatLookup?: boolean;
  /** Where DynamoDB is (tests: dynalite); otherwise the SDK's own AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL. */
  stateEndpoint?: string;
  overrides?: Partial<Pick<CoreDeps, 'now' | 'sleep' | 'verifyDelaysMs' | 'propagationDelaysMs'>>;
  /**
   * Central mode: the member role sessions' name (member accounts' CloudTrail shows it). Default
   * `cvpn-log-guard`.
   */
  sessionName?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A state call must fail fast: the fix never waits for the table (degrade, never block). Two tries,
 * one second each, then the core carries on with in-process state.
 */
const STATE_TIMEOUT_MS = 1_000;
const STATE_ATTEMPTS = 2;

/** A lookup is a hint: it gets two tries and two seconds, never the remediation's time. */
const REPEAT_LOOKUP_TIMEOUT_MS = 2_000;
const REPEAT_LOOKUP_ATTEMPTS = 2;

/** Memoises one identity lookup per process; a failed lookup is retried on the next call. */
export function cachedIdentity(load: (region: string) => Promise<CallerIdentity>): (region: string) => Promise<CallerIdentity> {
  let pending: Promise<CallerIdentity> | undefined;
  return (region) => {
    pending ??= load(region).catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

/** One value per key, made on first use. */
function perKey<T>(make: (key: string) => T): (key: string) => T {
  const made = new Map<string, T>();
  return (key) => {
    let value = made.get(key);
    if (value === undefined) {
      value = make(key);
      made.set(key, value);
    }
    return value;
  };
}

export function createRuntime(options: RuntimeOptions): Runtime {
  const clients = new AwsClientFactory(options.clientOptions);
  const bucket = options.settings.modifyBucket ?? DEFAULT_MODIFY_BUCKET;
  const identity = cachedIdentity(async (eventRegion): Promise<CallerIdentity> => {
    const id = await fetchCallerIdentity(clients.get(STSClient, options.homeRegion ?? eventRegion));
    return options.ignoreOwnRole ? id : { ...id, roleName: undefined };
  });
  const lookup = options.repeatLookup
    ? (region: string, since: Date, until: Date) =>
        lookupModifyRecords(
          clients.get(CloudTrailClient, region, {
            requestTimeoutMs: options.clientOptions?.requestTimeoutMs ?? REPEAT_LOOKUP_TIMEOUT_MS,
            maxAttempts: REPEAT_LOOKUP_ATTEMPTS,
          }),
          since,
          until,
        )
    : undefined;
  const api = perKey((region): RegionApi => regionApiFrom(clients, region));
  const owner = randomUUID();
  let table: DynamoStateTable | undefined;
  if (options.settings.stateTable) {
    if (!options.homeRegion) throw new ConfigError('Invalid configuration: a state table needs a home region (--region or AWS_REGION)');
    // The endpoint override is per client: an explicit one (tests) wins over the shared one, so
    // DynamoDB can be elsewhere than the other clients, as AWS_ENDPOINT_URL_DYNAMODB allows.
    const endpointOverride = options.stateEndpoint ?? (options.clientOptions?.endpoint && process.env.AWS_ENDPOINT_URL_DYNAMODB);
    const client = clients.get(DynamoDBClient, options.homeRegion, {
      connectionTimeoutMs: STATE_TIMEOUT_MS,
      requestTimeoutMs: STATE_TIMEOUT_MS,
      maxAttempts: STATE_ATTEMPTS,
      ...(endpointOverride ? { endpoint: endpointOverride } : {}),
    });
    table = new DynamoStateTable(client, options.settings.stateTable);
  }
  const fleet =
    options.settings.fleet === 'central'
      ? new Fleet({
          settings: options.settings,
          clients,
          homeRegion: options.homeRegion,
          sessionName: options.sessionName ?? 'cvpn-log-guard',
          ignoreOwnRole: options.ignoreOwnRole,
        })
      : undefined;
  return {
    owner,
    events: table,
    settings: options.settings,
    clients,
    ...(fleet ? { fleet } : {}),
    close: () => {
      fleet?.destroy();
      clients.destroy();
    },
    core: {
      settings: options.settings,
      api,
      identity,
      now: () => new Date(),
      sleep,
      serializer: new KeyedSerializer(),
      repeat: { memory: new RemediationMemory(), lookup },
      modifyLimiter: perKey(() => new TokenBucketLimiter(bucket)),
      ...(table ? { state: { store: table, owner, pause: sleep } } : {}),
      ...options.overrides,
    },
  };
}
