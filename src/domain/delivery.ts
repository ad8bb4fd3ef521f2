/**
 * Delivery: whether Client VPN's records reach the group (the checks behind "delivering"), and the
 * service-linked role it writes through. Re-exported by log-group-requirements.ts.
 */
// ---------------------------------------------------------------------------------------------
// Delivery (whether Client VPN writes to the group)
// ---------------------------------------------------------------------------------------------

/**
 * How long after logging was turned on a missing stream is still expected: Client VPN creates its
 * stream when logging is enabled; an hour leaves room for the stream to appear however slowly.
 */
export const DELIVERY_GRACE_MS = 60 * 60 * 1000;

/** One log stream as DescribeLogStreams shows it (times in epoch milliseconds). */
export interface StreamSummary {
  name: string;
  creationTime?: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
}

/**
 * The prefix of the stream Client VPN writes an endpoint's records to: the configured stream name,
 * or the endpoint ID. With no stream configured, Client VPN names its stream
 * `<endpoint ID>-<region>-<yyyy/mm/dd>-<random>`, e.g.
 * `cvpn-endpoint-0123456abcd123456-us-west-2-2020/04/20-abcdEFGH1234` (AWS CLI Command Reference,
 * describe-client-vpn-endpoints, example output; also tests/fixtures/ec2-describe-client-vpn-
 * endpoints-awscli-logging-enabled.json). The name starts with the full endpoint ID.
 */
export function streamPrefixFor(endpointId: string, configuredStream: string | undefined): string {
  return configuredStream ?? `${endpointId}-`;
}

/** The streams among `streams` that belong to the endpoint. */
export function streamsForEndpoint(streams: readonly StreamSummary[], endpointId: string, configuredStream: string | undefined): StreamSummary[] {
  return configuredStream === undefined
    ? streams.filter((s) => s.name.startsWith(`${endpointId}-`))
    : streams.filter((s) => s.name === configuredStream);
}

export type DeliveryStatus = 'delivering' | 'not-delivering' | 'pending' | 'unknown';

/** Why records may not arrive; `confirmed` when a check of this run found it. */
export interface DeliveryCause {
  cause: 'service-linked-role-missing' | 'key-unusable' | 'group-recreated';
  confirmed: boolean;
  detail: string;
}

export interface DeliveryCheck {
  status: DeliveryStatus;
  /** The endpoint's most recent stream. */
  logStream?: string;
  /** When that stream last received records (ISO 8601); absent: never. */
  lastIngestionTime?: string;
  /** With `pending`: from when a missing stream counts as "not delivering" (ISO 8601). */
  checkAfter?: string;
  /** With `not-delivering`: what to look at, most likely first. */
  likelyCauses?: DeliveryCause[];
  reason: string;
}

export interface DeliveryInput {
  endpointId: string;
  configuredStream?: string;
  /** The group's streams that DescribeLogStreams returned for the endpoint's prefix. */
  streams: readonly StreamSummary[];
  /** When logging was last turned on, if known (this run, this process, CloudTrail). */
  loggingOnSince?: number;
  groupCreationTime?: number;
  /** The last connection to the endpoint known to have happened (epoch ms), if any. */
  lastKnownConnection?: number;
  now: number;
  /** Context for the likely causes. */
  serviceLinkedRole?: 'present' | 'missing' | 'unknown';
  keyUnusable?: string;
  groupHasKey?: boolean;
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

function causes(input: DeliveryInput): DeliveryCause[] {
  const list: DeliveryCause[] = [];
  if (input.serviceLinkedRole !== 'present') {
    list.push({
      cause: 'service-linked-role-missing',
      confirmed: input.serviceLinkedRole === 'missing',
      detail:
        input.serviceLinkedRole === 'missing'
          ? 'the service-linked role AWSServiceRoleForClientVPN does not exist: Client VPN cannot create streams or write records'
          : 'the service-linked role AWSServiceRoleForClientVPN could not be checked',
    });
  }
  if (input.keyUnusable || input.groupHasKey) {
    list.push({
      cause: 'key-unusable',
      confirmed: input.keyUnusable !== undefined,
      detail: input.keyUnusable ?? "the group's KMS key policy must let CloudWatch Logs use the key",
    });
  }
  list.push({
    cause: 'group-recreated',
    confirmed: false,
    detail: 'the group was deleted and re-created after logging was turned on: turn logging off and on again so Client VPN writes to the new group',
  });
  return list.sort((a, b) => Number(b.confirmed) - Number(a.confirmed));
}

/**
 * Whether Client VPN delivers the endpoint's records to the group:
 * - a stream for the endpoint exists: `delivering` (with its last ingestion time), unless a
 *   connection is known after that last ingestion, older than the grace: `not-delivering`;
 * - no stream, and logging was turned on (or the group created) less than the grace ago: `pending`;
 * - no stream otherwise: `not-delivering`.
 */
export function evaluateDelivery(input: DeliveryInput): DeliveryCheck {
  const own = streamsForEndpoint(input.streams, input.endpointId, input.configuredStream);
  const latest = [...own].sort((a, b) => (b.lastIngestionTime ?? b.creationTime ?? 0) - (a.lastIngestionTime ?? a.creationTime ?? 0))[0];
  if (latest) {
    const last = latest.lastIngestionTime;
    const connection = input.lastKnownConnection;
    if (connection !== undefined && (last ?? 0) < connection && input.now - connection >= DELIVERY_GRACE_MS) {
      return {
        status: 'not-delivering',
        logStream: latest.name,
        lastIngestionTime: iso(last),
        likelyCauses: causes(input),
        reason: `no records in ${latest.name} since the last known connection at ${iso(connection) ?? ''}`,
      };
    }
    return {
      status: 'delivering',
      logStream: latest.name,
      lastIngestionTime: iso(last),
      reason: last === undefined ? `stream ${latest.name} exists, no records yet` : `stream ${latest.name}, last records at ${iso(last) ?? ''}`,
    };
  }
  const since = Math.max(input.loggingOnSince ?? 0, input.groupCreationTime ?? 0);
  const expected = input.configuredStream ?? `${input.endpointId}-…`;
  if (since > 0 && input.now - since < DELIVERY_GRACE_MS) {
    return {
      status: 'pending',
      checkAfter: iso(since + DELIVERY_GRACE_MS),
      reason: `no stream ${expected} yet; logging was turned on (or the group created) less than an hour ago`,
    };
  }
  return {
    status: 'not-delivering',
    likelyCauses: causes(input),
    reason: `no log stream ${expected} in the group${input.loggingOnSince ? ` although logging has been on since ${iso(input.loggingOnSince) ?? ''}` : ''}`,
  };
}

/** The scan's yes / no / unknown for a delivery check (pending is not known yet). */
export function deliveringAnswer(check: DeliveryCheck | undefined): 'yes' | 'no' | 'unknown' {
  if (check?.status === 'delivering') return 'yes';
  if (check?.status === 'not-delivering') return 'no';
  return 'unknown';
}

// ---------------------------------------------------------------------------------------------
// Service-linked role
// ---------------------------------------------------------------------------------------------

/** The role Client VPN writes connection logs with (Client VPN Administrator Guide, "Using roles for Client VPN"). */
export const CLIENT_VPN_SERVICE_ROLE = 'AWSServiceRoleForClientVPN';
/** Its path: service-linked roles live under `/aws-service-role/<service principal>/`. */
export const CLIENT_VPN_SERVICE_ROLE_PATH = '/aws-service-role/clientvpn.amazonaws.com/';

export function clientVpnServiceRoleArn(partition: string, account: string): string {
  return `arn:${partition}:iam::${account}:role${CLIENT_VPN_SERVICE_ROLE_PATH}${CLIENT_VPN_SERVICE_ROLE}`;
}
