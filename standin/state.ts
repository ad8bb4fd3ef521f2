// In-memory state of the stand-in, per region, plus the shapes the control API hands out.

import { randomUUID } from 'node:crypto';
import type { TrailEvent } from './cloudtrail';
import type { EventBusState } from './eventbridge';
import type { TrailState } from './trails';
import { partitionOf, randomAlnum, randomHex } from './common';

export type EndpointStatusCode = 'pending-associate' | 'available' | 'deleting' | 'deleted' | 'pending' | (string & Record<never, never>);

export interface ConnectionLogging {
  enabled: boolean;
  logGroup?: string;
  logStream?: string;
  includeAuthorizationPolicyContext?: boolean;
}

export interface AuthenticationOption {
  type: string;
  mutualAuthentication?: { clientRootCertificateChain: string };
  activeDirectory?: { directoryId: string };
  federatedAuthentication?: { samlProviderArn: string; selfServiceSamlProviderArn?: string };
}

/**
 * One Client VPN endpoint as the stand-in holds it. `null` means "the element is absent from the
 * Describe XML" (so the SDK leaves that member undefined); empty lists are absent too.
 */
export interface EndpointState {
  id: string;
  region: string;
  description: string | null;
  status: { code: EndpointStatusCode; message?: string };
  creationTime: string;
  deletionTime: string | null;
  dnsName: string;
  clientCidrBlock: string;
  dnsServers: string[];
  splitTunnel: boolean;
  vpnProtocol: string;
  transportProtocol: string;
  vpnPort: number | null;
  serverCertificateArn: string;
  authenticationOptions: AuthenticationOption[];
  logging: ConnectionLogging;
  tags: Record<string, string>;
  securityGroupIds: string[];
  vpcId: string | null;
  selfServicePortalUrl: string | null;
  clientConnectOptions: { enabled: boolean; lambdaFunctionArn?: string; statusCode?: string } | null;
  sessionTimeoutHours: number | null;
  clientLoginBannerOptions: { enabled: boolean; bannerText?: string } | null;
  clientRouteEnforcementOptions: { enforced: boolean } | null;
  disconnectOnSessionTimeout: boolean | null;
  endpointIpAddressType: string | null;
  trafficIpAddressType: string | null;
}

/** What `addEndpoint` accepts: any field of EndpointState, `status` as a bare code. */
export type EndpointSpec = Partial<Omit<EndpointState, 'region' | 'status'>> & {
  status?: EndpointStatusCode;
  statusMessage?: string;
};

export interface LogGroupState {
  name: string;
  region: string;
  /** with the trailing ":*", as DescribeLogGroups' `arn` */
  arn: string;
  /** without ":*", as DescribeLogGroups' `logGroupArn` and the ARN TagResource takes */
  logGroupArn: string;
  creationTime: number;
  retentionInDays?: number;
  kmsKeyId?: string;
  logGroupClass: string;
  tags: Record<string, string>;
  /** streams Client VPN was told to write to (ModifyClientVpnEndpoint / addEndpoint) */
  streams: string[];
  /** the log streams that exist in the group (DescribeLogStreams), oldest first */
  logStreams: LogStreamState[];
}

/** One log stream; times are epoch ms, absent until the first record arrives. */
export interface LogStreamState {
  name: string;
  creationTime: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  storedBytes: number;
  /** the records written (connection-log entries as JSON text) */
  events: { timestamp: number; message: string }[];
}

export type KmsKeyStateName = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport' | 'Unavailable' | 'Creating';

/** A KMS key (symmetric, customer managed unless said otherwise). */
export interface KmsKeyState {
  keyId: string;
  arn: string;
  region: string;
  keyState: KmsKeyStateName;
  /** the key policy document (JSON text), policy name "default" */
  policy: string;
  keyManager: 'CUSTOMER' | 'AWS';
  description: string;
  creationDate: number;
  deletionDate?: number;
}

export interface KmsKeySpec {
  keyId?: string;
  keyState?: KmsKeyStateName;
  /** default: the account-root statement plus the CloudWatch Logs statement for the key's region */
  policy?: string | Record<string, unknown>;
  keyManager?: 'CUSTOMER' | 'AWS';
  description?: string;
}

export interface LogGroupSpec {
  retentionInDays?: number;
  kmsKeyId?: string;
  tags?: Record<string, string>;
  creationTime?: number;
  logGroupClass?: string;
}

export interface TopicState {
  arn: string;
  name: string;
  region: string;
}

export interface MessageAttribute {
  dataType: string;
  stringValue?: string;
  binaryValue?: string;
}

export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  region: string;
  subject?: string;
  message: string;
  messageStructure?: string;
  attributes: Record<string, MessageAttribute>;
  /** MessageStructure=json: the parsed per-protocol bodies ({default, email, https, ...}) */
  bodies?: Record<string, string>;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  at: number;
}

export interface EndpointRecord {
  current: EndpointState;
  /** state just before the last successful ModifyClientVpnEndpoint */
  beforeLastModify?: EndpointState;
  staleReads: number;
}

export class RegionState {
  readonly endpoints = new Map<string, EndpointRecord>();
  readonly logGroups = new Map<string, LogGroupState>();
  readonly topics = new Map<string, TopicState>();
  /** by key ID */
  readonly kmsKeys = new Map<string, KmsKeyState>();
  /** CloudTrail event history (LookupEvents), in the order added */
  readonly trailEvents: TrailEvent[] = [];
  /** EventBridge buses by name; the default bus is made on first use */
  readonly eventBuses = new Map<string, EventBusState>();
}

/** An IAM role of the account. */
export interface RoleState {
  path: string;
  createDate: number;
  /**
   * Who may assume it (the trust policy's `Principal.AWS` entries): role, user or session ARNs, or an account root
   * `arn:aws:iam::<id>:root` (any principal of that account). Absent: a service role nobody can assume with keys.
   */
  trustedPrincipals?: string[];
  /** the trust policy's `sts:ExternalId` condition, when it has one */
  externalId?: string;
  /** seconds, 3600-43200 (IAM's default 3600) */
  maxSessionDuration: number;
}

/** Everything one AWS account holds. Published messages may be shared with the other accounts' states. */
export class StandinState {
  readonly regions = new Map<string, RegionState>();
  /** CloudTrail trails of the account (global: each has a home region) */
  readonly trails: TrailState[] = [];
  /** sequence number for the next CloudTrail event (across regions) */
  trailSeq = 1;
  /**
   * IAM roles of the account (global): by name. Holds the Client VPN service-linked role from the
   * start, as AWS creates it with the account's first endpoint.
   */
  readonly roles = new Map<string, RoleState>();

  constructor(readonly published: PublishedMessage[] = []) {
    this.addDefaultRoles();
  }

  region(name: string): RegionState {
    let r = this.regions.get(name);
    if (r === undefined) {
      r = new RegionState();
      this.regions.set(name, r);
    }
    return r;
  }

  clear(): void {
    this.regions.clear();
    this.published.length = 0;
    this.trailSeq = 1;
    this.trails.length = 0;
    this.roles.clear();
    this.addDefaultRoles();
  }

  addDefaultRoles(): void {
    this.roles.set(CLIENT_VPN_ROLE.name, { path: CLIENT_VPN_ROLE.path, createDate: Date.UTC(2020, 0, 1), maxSessionDuration: 3600 });
  }
}

/** Client VPN's service-linked role (Client VPN Administrator Guide, "Using roles for Client VPN"). */
export const CLIENT_VPN_ROLE = { name: 'AWSServiceRoleForClientVPN', path: '/aws-service-role/clientvpn.amazonaws.com/' } as const;

/** The key policy AWS documents for a log-group key: account root, and CloudWatch Logs of the region. */
export function defaultLogsKeyPolicy(region: string, accountId: string): string {
  const partition = partitionOf(region);
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${accountId}:root` }, Action: 'kms:*', Resource: '*' },
      {
        Effect: 'Allow',
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        Resource: '*',
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${accountId}:log-group:*` } },
      },
    ],
  });
}

export function newEndpointId(): string {
  return `cvpn-endpoint-${randomHex(17)}`;
}

/** EC2's CreationTime format for Client VPN: "2019-07-08T11:37:27" (UTC, no zone). */
export function ec2Time(d: Date): string {
  return d.toISOString().slice(0, 19);
}

/** Client VPN's invented stream name: `<endpoint id>-<region>-<yyyy/mm/dd>-<12 alnum>`. */
export function inventLogStream(endpointId: string, region: string, now: Date): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${endpointId}-${region}-${day}-${randomAlnum(12)}`;
}

export function buildEndpoint(region: string, accountId: string, spec: EndpointSpec, now: Date): EndpointState {
  const id = spec.id ?? newEndpointId();
  const certArn = `arn:aws:acm:${region}:${accountId}:certificate/${randomUUID()}`;
  const partition = partitionOf(region);
  const logging: ConnectionLogging = spec.logging ? { ...spec.logging } : { enabled: false };
  if (logging.enabled && logging.logGroup !== undefined && logging.logStream === undefined) {
    logging.logStream = inventLogStream(id, region, now);
  }
  if (!logging.enabled) {
    delete logging.logGroup;
    delete logging.logStream;
  }
  const status: EndpointState['status'] = { code: spec.status ?? 'available' };
  if (spec.statusMessage !== undefined) status.message = spec.statusMessage;
  const endpoint: EndpointState = {
    id,
    region,
    description: spec.description === undefined ? '' : spec.description,
    status,
    creationTime: spec.creationTime ?? ec2Time(now),
    deletionTime: spec.deletionTime ?? null,
    dnsName: spec.dnsName ?? `*.${id}.prod.clientvpn.${region}.amazonaws.com`,
    clientCidrBlock: spec.clientCidrBlock ?? '10.100.0.0/22',
    dnsServers: spec.dnsServers ? [...spec.dnsServers] : [],
    splitTunnel: spec.splitTunnel ?? false,
    vpnProtocol: spec.vpnProtocol ?? 'openvpn',
    transportProtocol: spec.transportProtocol ?? 'udp',
    vpnPort: spec.vpnPort === undefined ? 443 : spec.vpnPort,
    serverCertificateArn: spec.serverCertificateArn ?? certArn,
    authenticationOptions: spec.authenticationOptions
      ? structuredClone(spec.authenticationOptions)
      : [
          {
            type: 'certificate-authentication',
            mutualAuthentication: { clientRootCertificateChain: `arn:${partition}:acm:${region}:${accountId}:certificate/${randomUUID()}` },
          },
        ],
    logging,
    tags: spec.tags ? { ...spec.tags } : {},
    securityGroupIds: spec.securityGroupIds ? [...spec.securityGroupIds] : [`sg-${randomHex(17)}`],
    vpcId: spec.vpcId === undefined ? `vpc-${randomHex(17)}` : spec.vpcId,
    selfServicePortalUrl: spec.selfServicePortalUrl ?? null,
    clientConnectOptions: spec.clientConnectOptions === undefined ? { enabled: false, statusCode: 'applied' } : spec.clientConnectOptions,
    sessionTimeoutHours: spec.sessionTimeoutHours === undefined ? 24 : spec.sessionTimeoutHours,
    clientLoginBannerOptions: spec.clientLoginBannerOptions === undefined ? { enabled: false } : spec.clientLoginBannerOptions,
    clientRouteEnforcementOptions: spec.clientRouteEnforcementOptions === undefined ? { enforced: false } : spec.clientRouteEnforcementOptions,
    disconnectOnSessionTimeout: spec.disconnectOnSessionTimeout === undefined ? true : spec.disconnectOnSessionTimeout,
    endpointIpAddressType: spec.endpointIpAddressType === undefined ? 'ipv4' : spec.endpointIpAddressType,
    trafficIpAddressType: spec.trafficIpAddressType === undefined ? 'ipv4' : spec.trafficIpAddressType,
  };
  return endpoint;
}

export const LOG_GROUP_NAME_RE = /^[.\-_/#A-Za-z0-9]+$/;

export function logGroupNameProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > 512) {
    return `1 validation error detected: Value '${name}' at 'logGroupName' failed to satisfy constraint: Member must have length between 1 and 512`;
  }
  if (!LOG_GROUP_NAME_RE.test(name)) {
    return `1 validation error detected: Value '${name}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`;
  }
  return undefined;
}

export function buildLogGroup(region: string, accountId: string, name: string, spec: LogGroupSpec, now: Date): LogGroupState {
  const logGroupArn = `arn:${partitionOf(region)}:logs:${region}:${accountId}:log-group:${name}`;
  const group: LogGroupState = {
    name,
    region,
    arn: `${logGroupArn}:*`,
    logGroupArn,
    creationTime: spec.creationTime ?? now.getTime(),
    logGroupClass: spec.logGroupClass ?? 'STANDARD',
    tags: spec.tags ? { ...spec.tags } : {},
    streams: [],
    logStreams: [],
  };
  if (spec.retentionInDays !== undefined) group.retentionInDays = spec.retentionInDays;
  if (spec.kmsKeyId !== undefined) group.kmsKeyId = spec.kmsKeyId;
  return group;
}

export const RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export function topicArn(region: string, accountId: string, name: string): string {
  return `arn:${partitionOf(region)}:sns:${region}:${accountId}:${name}`;
}

export const TOPIC_NAME_RE = /^[A-Za-z0-9_-]{1,256}$/;

export function topicNameProblem(name: string): string | undefined {
  const base = name.endsWith('.fifo') ? name.slice(0, -5) : name;
  if (!TOPIC_NAME_RE.test(base) || name.length > 256) {
    return 'Invalid parameter: Topic Name';
  }
  return undefined;
}
