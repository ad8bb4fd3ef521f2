import type { EndpointState, LogGroupInfo } from '../domain/endpoint';
import type { CallerIdentity } from '../domain/identity';
import type { KeyReading, StreamSummary } from '../domain/log-group-requirements';
import type { Settings } from '../domain/settings';
import type { KeyedSerializer } from '../util/serialize';
import type { RepeatSources } from './repeat';
import type { StateStore } from './state';

/**
 * What the core asks of AWS in one region. Every method throws `AwsCallError` (src/aws converts
 * SDK errors once); the app wires it to the real clients, tests to anything they like.
 */
export interface RegionApi {
  /** The endpoint now, or undefined when it does not exist (any more). */
  describeEndpoint(endpointId: string): Promise<EndpointState | undefined>;
  listEndpoints(onPage?: (pages: number, endpoints: number) => void): Promise<{ endpoints: EndpointState[]; pages: number }>;
  /** The one write to an endpoint: `ConnectionLogOptions` and nothing else. */
  enableConnectionLogging(endpointId: string, logGroup: string, logStream: string | undefined): Promise<void>;
  /** Creates the group, tagged as ours; `created: false` when it already existed. */
  createLogGroup(name: string, options: { kmsKeyArn?: string }): Promise<{ created: boolean }>;
  setRetention(name: string, retentionDays: number): Promise<void>;
  /** The groups of these exact names that exist. */
  describeLogGroups(names: readonly string[]): Promise<Map<string, LogGroupInfo>>;
}

/**
 * The reads behind "records actually arrive", for the scan and the sweep only: the event path never
 * makes them (its Lambda carries no KMS or IAM client). Throw `AwsCallError` like RegionApi.
 */
export interface DeliveryApi {
  /**
   * The group's streams (only those named with `prefix`, when given), at most `maxPages` pages of
   * 50; `truncated` when more were left; undefined when the group does not exist. `beforePage`
   * runs before each call (the caller's pacing).
   */
  describeLogStreams(
    logGroup: string,
    prefix: string | undefined,
    maxPages: number,
    beforePage?: () => Promise<void>,
  ): Promise<{ streams: StreamSummary[]; truncated: boolean } | undefined>;
  /** The key's state and policy; refused reads are recorded in the reading, not thrown. */
  readKey(keyArn: string): Promise<KeyReading>;
}

/** Account-wide checks, made once per account per run whatever the number of regions. */
export interface AccountChecks {
  /**
   * Whether AWSServiceRoleForClientVPN exists. `firstReport` is true for exactly one caller per
   * run, so a missing role is reported once per account, not once per region.
   */
  serviceLinkedRole(account: string): Promise<{ state: 'present' | 'missing' | 'unknown'; detail?: string; firstReport: boolean }>;
}

export interface DeliveryDeps {
  api(region: string): DeliveryApi;
  account: AccountChecks;
}

export interface CoreDeps {
  settings: Settings;
  api(region: string): RegionApi;
  /** Who this process acts as; `region` is where to ask when no home region is configured. */
  identity(region: string): Promise<CallerIdentity>;
  now(): Date;
  sleep(ms: number): Promise<void>;
  /**
   * Re-reads after a Modify before settling for `requested`: Describe can lag the write.
   * Delays between reads; its length + 1 is the number of reads.
   */
  verifyDelaysMs?: readonly number[];
  /**
   * Delays before re-sending a Modify rejected with InvalidParameterValue right after this run
   * created the log group (the group may not be visible to Client VPN yet).
   */
  propagationDelaysMs?: readonly number[];
  /** Serialises work per endpoint within this process (see KeyedSerializer). */
  serializer?: KeyedSerializer;
  /** Where to look for an earlier fix of the same endpoint (fight detection); none = no check. */
  repeat?: Omit<RepeatSources, 'self'>;
  /**
   * Paces ModifyClientVpnEndpoint to the region's EC2 mutating-request bucket (scan --apply and
   * the sweep fix many endpoints at once; one event never waits).
   */
  modifyLimiter?(region: string): { acquire(): Promise<void>; drain(): void } | undefined;
  /**
   * State shared across processes (the DynamoDB table): a lease around the write and the
   * endpoint's fix history. None: in-process serialisation and memory only.
   */
  state?: {
    store: StateStore;
    /** This process's lease owner token. */
    owner: string;
    /** Real-time waits while a lease is held elsewhere (tests that skip `sleep` still wait for real). */
    pause(ms: number): Promise<void>;
    leaseMs?: number;
  };
  /** The delivery, key and service-role reads; wired for the scan and the sweep, never for the event path. */
  delivery?: DeliveryDeps;
}
