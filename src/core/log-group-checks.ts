import { AwsCallError } from '../domain/errors';
import type { EndpointState, LogGroupInfo } from '../domain/endpoint';
import {
  DELIVERY_GRACE_MS,
  evaluateDelivery,
  keyUsability,
  streamPrefixFor,
  streamsForEndpoint,
  type DeliveryCheck,
  type KeyReading,
  type KeyUsability,
  type StreamSummary,
} from '../domain/log-group-requirements';
import { enablesFromCloudTrail, repeatKey } from '../domain/repeat';
import { mapLimited } from '../util/concurrency';
import { IntervalLimiter } from '../util/rate-limiter';
import type { CoreDeps } from './ports';

/** Reads in flight at once per region. */
const READS_IN_FLIGHT = 4;
/**
 * DescribeLogStreams "has a limit of five transactions per second, after which transactions are
 * throttled" (CloudWatch Logs API Reference, DescribeLogStreams), per account and region: the
 * scan paces itself to it instead of being throttled (other tools share the quota; the SDK's
 * retries absorb the odd refusal).
 */
const DESCRIBE_LOG_STREAMS_PER_SECOND = 5;
/**
 * DescribeLogStreams calls one region's run may make (about 45 s at that pace): the sweep has 300 s
 * for everything. Groups beyond it are `unknown` for this run, said so.
 */
const STREAM_CALL_BUDGET = 200;
/** Pages of a prefix query: an endpoint has a handful of streams (one per enable). */
const PREFIX_PAGES = 2;
/** Pages of a shared group's listing: at most 1000 streams. */
const SHARED_GROUP_PAGES = 20;

/** What the stream reads gave for one endpoint: its group's streams, or why they are unknown. */
type StreamAnswer = { streams: StreamSummary[]; truncated: boolean } | { error: string };

export interface RoleFinding {
  state: 'present' | 'missing' | 'unknown';
  detail?: string;
  firstReport: boolean;
}

/** What the scan and sweep found about each endpoint's delivery and key, beyond DescribeLogGroups. */
export interface DeliveryFindings {
  /** By endpoint ID; only endpoints with logging on to an existing group. */
  delivery: Map<string, DeliveryCheck>;
  /** By key ARN as the group names it. */
  keys: Map<string, { keyArn: string } & KeyUsability>;
  role?: RoleFinding;
}

function reasonOf(error: unknown): string {
  return error instanceof AwsCallError ? `${error.operation} ${error.code}` : String(error);
}

/**
 * The reads behind "records arrive", batched for one region: DescribeLogStreams once per group (a
 * listing of a shared group, a prefix query for a group of one endpoint), paced to its quota and
 * within a per-run budget, one DescribeKey + GetKeyPolicy per distinct key, GetRole once per account
 * per run, and at most one CloudTrail lookup (only when a stream is missing and neither this run nor
 * this process knows when logging was turned on). A failed read makes that answer `unknown`; it
 * never fails the scan.
 */
export async function checkDelivery(
  deps: CoreDeps,
  region: string,
  account: string,
  endpoints: readonly EndpointState[],
  groups: ReadonlyMap<string, LogGroupInfo | undefined>,
  /** false: skip the stream reads (paced to 5 a second, they bound a large scan's time). */
  readStreams = true,
): Promise<DeliveryFindings> {
  const findings: DeliveryFindings = { delivery: new Map(), keys: new Map() };
  const delivery = deps.delivery;
  if (!delivery) return findings;
  const api = delivery.api(region);
  const now = deps.now().getTime();
  const logging = endpoints.filter((e) => e.logging.enabled && e.logging.logGroup !== undefined && groups.get(e.logging.logGroup ?? ''));
  if (logging.length === 0) return findings;

  const roleRead = delivery.account.serviceLinkedRole(account).catch(
    (error: unknown): RoleFinding => ({ state: 'unknown', detail: reasonOf(error), firstReport: false }),
  );

  const keyArns = [...new Set(logging.map((e) => groups.get(e.logging.logGroup ?? '')?.kmsKeyId).filter((k): k is string => !!k))];
  const keyReads = mapLimited(keyArns, READS_IN_FLIGHT, async (keyArn) => {
    let reading: KeyReading;
    try {
      reading = await api.readKey(keyArn);
    } catch (error) {
      findings.keys.set(keyArn, { keyArn, usable: 'unknown', detail: `the key could not be read (${reasonOf(error)})` });
      return;
    }
    // Judged against the first group using it; groups differ only in the encryption-context ARN.
    const user = logging.find((e) => groups.get(e.logging.logGroup ?? '')?.kmsKeyId === keyArn);
    const arn = user ? groups.get(user.logging.logGroup ?? '')?.logGroupArn : undefined;
    findings.keys.set(keyArn, { keyArn, ...keyUsability(reading, region, arn) });
  });

  // A group several endpoints share is listed once (50 streams a call); a group of one endpoint
  // is asked for that endpoint's prefix. Either way evaluateDelivery picks the endpoint's streams.
  const byGroup = new Map<string, EndpointState[]>();
  for (const e of logging) {
    const group = e.logging.logGroup ?? '';
    const users = byGroup.get(group);
    if (users) users.push(e);
    else byGroup.set(group, [e]);
  }
  const queries = [...byGroup.entries()].map(([group, users]) => {
    const only = users.length === 1 ? users[0] : undefined;
    return only
      ? { group, prefix: streamPrefixFor(only.endpointId, configuredStream(only)), pages: PREFIX_PAGES }
      : { group, prefix: undefined, pages: SHARED_GROUP_PAGES };
  });
  const answers = new Map<string, StreamAnswer>();
  // Evenly spaced rather than a bucket: "at most 5 in any second" holds for a sliding window too.
  const pace = new IntervalLimiter(DESCRIBE_LOG_STREAMS_PER_SECOND);
  let calls = 0;
  // Every page is one call: paced, and counted against the budget.
  const beforePage = async (): Promise<void> => {
    calls++;
    await pace.acquire();
  };
  const streamReads = mapLimited(queries, READS_IN_FLIGHT, async (q) => {
    if (!readStreams) {
      answers.set(q.group, { error: 'not checked in this run (the delivery check was turned off)' });
      return;
    }
    if (calls >= STREAM_CALL_BUDGET) {
      answers.set(q.group, { error: `not checked in this run: over ${STREAM_CALL_BUDGET} DescribeLogStreams calls (the API allows 5 a second)` });
      return;
    }
    try {
      answers.set(q.group, (await api.describeLogStreams(q.group, q.prefix, q.pages, beforePage)) ?? { streams: [], truncated: false });
    } catch (error) {
      answers.set(q.group, { error: `the streams could not be read (${reasonOf(error)})` });
    }
  });
  const [role] = await Promise.all([roleRead, keyReads, streamReads]);
  findings.role = role;

  const onSince = await loggingOnTimes(deps, region, logging, groups, answers, now);
  for (const e of logging) {
    const groupName = e.logging.logGroup ?? '';
    const group = groups.get(groupName);
    const answer = answers.get(groupName) ?? { error: 'the streams were not read' };
    if ('error' in answer) {
      findings.delivery.set(e.endpointId, { status: 'unknown', reason: answer.error });
      continue;
    }
    const key = group?.kmsKeyId ? findings.keys.get(group.kmsKeyId) : undefined;
    const check = evaluateDelivery({
      endpointId: e.endpointId,
      configuredStream: configuredStream(e),
      streams: answer.streams,
      loggingOnSince: onSince.get(e.endpointId),
      groupCreationTime: group?.creationTime,
      now,
      serviceLinkedRole: role.state,
      keyUnusable: key?.usable === 'no' ? key.detail : undefined,
      groupHasKey: group?.kmsKeyId !== undefined,
    });
    // A listing cut short proves nothing about a stream it did not reach.
    findings.delivery.set(
      e.endpointId,
      check.status === 'not-delivering' && answer.truncated
        ? { status: 'unknown', reason: `the group has more streams than one run lists; no stream for ${e.endpointId} among the first` }
        : check,
    );
  }
  return findings;
}

/**
 * The stream someone configured, if any. A name Client VPN made up (`<endpoint ID>-<region>-...`)
 * is not one: the search is then by endpoint ID, which also finds the streams of earlier enables.
 */
function configuredStream(e: EndpointState): string | undefined {
  const name = e.logging.logStream;
  return name && !name.startsWith(`${e.endpointId}-`) ? name : undefined;
}

/**
 * When logging was last turned on, for the endpoints whose stream is missing: this process's
 * memory first; one CloudTrail lookup of the last hour only for those the memory and the group's
 * creation time leave open (an endpoint turned on within the hour is not yet "not delivering").
 */
async function loggingOnTimes(
  deps: CoreDeps,
  region: string,
  logging: readonly EndpointState[],
  groups: ReadonlyMap<string, LogGroupInfo | undefined>,
  answers: ReadonlyMap<string, StreamAnswer>,
  now: number,
): Promise<Map<string, number>> {
  const since = new Map<string, number>();
  const open: EndpointState[] = [];
  for (const e of logging) {
    const group = e.logging.logGroup ?? '';
    const answer = answers.get(group);
    if (answer === undefined || 'error' in answer) continue;
    if (streamsForEndpoint(answer.streams, e.endpointId, configuredStream(e)).length > 0) continue;
    const remembered = deps.repeat?.memory?.enables(repeatKey(region, e.endpointId)) ?? [];
    const latest = Math.max(0, ...remembered.map((r) => Date.parse(r.at)).filter((t) => !Number.isNaN(t)));
    if (latest > 0) since.set(e.endpointId, latest);
    const created = groups.get(group)?.creationTime ?? 0;
    if (now - Math.max(latest, created) >= DELIVERY_GRACE_MS) open.push(e);
  }
  const lookup = deps.repeat?.lookup;
  if (open.length === 0 || !lookup) return since;
  try {
    const records = await lookup(region, new Date(now - DELIVERY_GRACE_MS), new Date(now));
    for (const e of open) {
      const times = enablesFromCloudTrail(records, e.endpointId, undefined).map((r) => Date.parse(r.at));
      const latest = Math.max(since.get(e.endpointId) ?? 0, ...times);
      if (latest > 0) since.set(e.endpointId, latest);
    }
  } catch {
    // A hint only: without it the missing stream is judged on what is known.
  }
  return since;
}
