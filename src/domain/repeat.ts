/**
 * Fight detection: telling people when fixing logging will not last.
 *
 * 1. Infrastructure as code. When the change came from Terraform, CloudFormation (which the AWS
 *    CDK deploys through) or Pulumi (CloudTrail's `userAgent`), the template itself says logging off, and every apply puts it back off until
 *    the template is changed. That needs no AWS call: see {@link templateFight}.
 *
 * 2. Switched off again shortly after it was turned back on. The endpoint's own state has no
 *    history (Describe shows only `Enabled: false`), so the signal has to come from a record of
 *    the earlier re-enable. Sources considered, cheapest reliable first:
 *    - This process's own memory of its remediations ({@link RemediationMemory}): free and
 *      immediate, but a Lambda container is recycled and concurrent events may land on others.
 *    - CloudTrail event history (LookupEvents, EventName=ModifyClientVpnEndpoint, over the
 *      window): the authoritative record of every re-enable (ours, the CLI's, a person's), kept
 *      90 days, no writes, no new resources. One read, made only when logging was found off
 *      (the rare path). Costs: `cloudtrail:LookupEvents` (resource `*`, read-only), a quota of
 *      2 requests/second per account and region shared with other tools, and delivery lag
 *      (AWS: about 5 minutes on average, not guaranteed), which the memory covers for fast
 *      fights on a warm container.
 *    - Rejected: a tag on the log group (`last-remediated=<time>`): one extra write per
 *      remediation on a resource we promise to leave alone when it pre-exists, one value per
 *      group when several endpoints share one, and editable by anyone with logs permissions.
 *      A tag on the endpoint: a write to the very resource Terraform manages (tag drift, another
 *      fight). The log stream's creation time: when Client VPN creates it is undocumented.
 *    So: memory first, CloudTrail when memory has nothing, both best-effort. A lookup that fails
 *    or is throttled yields no `repeat`; it never delays or fails the remediation.
 */
import { actorFromIdentity, type UserIdentity } from './actor';
import { isOwnAction, type CallerIdentity } from './identity';
import type { LoggingEnabled, RepeatedSwitchOff, ToolKind } from './outcome';

// ---------------------------------------------------------------------------------------------
// Infrastructure as code
// ---------------------------------------------------------------------------------------------

type IacTool = 'terraform' | 'cloudformation' | 'pulumi';

export interface TemplateFight {
  tool: IacTool;
  /** What people call the tool. */
  label: string;
  /** What the setting is written in: the configuration, the template, the program. */
  source: string;
  /** The resource type in the template. */
  resource: string;
  /** The setting that turns logging off, as written in the template. */
  offSetting: string;
  /** What to write instead; `{logGroup}` is replaced by the group name. */
  onSetting: string;
  /** The run that switches logging off again next ("the next apply"). */
  next: string;
  /** The runs that switch logging off again, after the next one. */
  later: string;
  /** One such run, in "every <run> is another gap". */
  run: string;
}

const TEMPLATE_FIGHTS: Record<IacTool, TemplateFight> = {
  terraform: {
    tool: 'terraform',
    label: 'Terraform',
    source: 'configuration',
    resource: 'aws_ec2_client_vpn_endpoint',
    offSetting: 'connection_log_options { enabled = false }',
    onSetting: 'connection_log_options { enabled = true, cloudwatch_log_group = "{logGroup}" }',
    next: 'the next apply',
    // Terraform refreshes state before planning, so it sees logging on as drift and "fixes" it.
    later: 'every apply after it',
    run: 'apply',
  },
  cloudformation: {
    tool: 'cloudformation',
    label: 'CloudFormation',
    source: 'template',
    resource: 'AWS::EC2::ClientVpnEndpoint',
    offSetting: 'ConnectionLogOptions: Enabled: false',
    onSetting: 'ConnectionLogOptions: Enabled: true, CloudwatchLogGroup: {logGroup}',
    next: 'the next stack update',
    // CloudFormation applies template differences, not live state: an update that leaves the
    // endpoint untouched does not send the setting again, one that changes it does.
    later: 'every later update that changes this endpoint',
    run: 'such stack update',
  },
  pulumi: {
    tool: 'pulumi',
    label: 'Pulumi',
    source: 'program',
    resource: 'aws.ec2.ClientVpnEndpoint',
    offSetting: 'connectionLogOptions: { enabled: false }',
    onSetting: 'connectionLogOptions: { enabled: true, cloudwatchLogGroup: "{logGroup}" }',
    // `pulumi up` diffs the program against its own state, not the live endpoint: only a refresh
    // (`--refresh`, `pulumi refresh`) or an update of this endpoint sends the setting again.
    next: 'the next pulumi up that refreshes or updates this endpoint',
    later: 'every such run after it',
    run: 'such run',
  },
};

/** The IaC tool whose template set logging off, or undefined when the change was not IaC. */
export function templateFight(tool: ToolKind): TemplateFight | undefined {
  return tool === 'terraform' || tool === 'cloudformation' || tool === 'pulumi' ? TEMPLATE_FIGHTS[tool] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Switched off again within a window
// ---------------------------------------------------------------------------------------------

/** How far back a re-enable counts: a day covers daily pipelines and an on-call shift. */
export const DEFAULT_REPEAT_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Two records of one re-enable (our memory and CloudTrail) are at most this far apart. */
const SAME_ENABLE_MS = 60_000;

/**
 * Decides whether a switch-off at `switchOffAt` repeats one that was fixed within `windowMs`.
 * Pure: the caller gathers the re-enables (memory, CloudTrail) and the time.
 */
export function detectRepeat(
  enables: readonly LoggingEnabled[],
  switchOffAt: string,
  windowMs = DEFAULT_REPEAT_WINDOW_MS,
): RepeatedSwitchOff | undefined {
  const off = Date.parse(switchOffAt);
  if (Number.isNaN(off)) return undefined;
  const inWindow = enables
    .map((e) => ({ ...e, ms: Date.parse(e.at) }))
    .filter((e) => !Number.isNaN(e.ms) && e.ms < off && off - e.ms <= windowMs)
    .sort((a, b) => a.ms - b.ms);
  // The same re-enable seen twice (memory and CloudTrail) counts once; CloudTrail's time wins.
  const merged: (LoggingEnabled & { ms: number })[] = [];
  for (const e of inWindow) {
    const last = merged[merged.length - 1];
    if (last && e.ms - last.ms <= SAME_ENABLE_MS && last.byRemediator === e.byRemediator) {
      if (e.source === 'cloudtrail') merged[merged.length - 1] = e;
      continue;
    }
    merged.push(e);
  }
  const latest = merged[merged.length - 1];
  if (!latest) return undefined;
  return {
    previousEnableAt: new Date(latest.ms).toISOString(),
    previousByRemediator: latest.byRemediator,
    afterMs: off - latest.ms,
    enablesInWindow: merged.length,
    windowMs,
    source: latest.source,
  };
}

interface RecordShape {
  eventName?: unknown;
  eventTime?: unknown;
  errorCode?: unknown;
  recipientAccountId?: unknown;
  userIdentity?: unknown;
  requestParameters?: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The successful ModifyClientVpnEndpoint calls in `records` (CloudTrail records, as parsed from
 * LookupEvents' `CloudTrailEvent`) that turned logging on for `endpointId`. Anything malformed is
 * skipped: this is a hint for people, never a reason to fail.
 */
export function enablesFromCloudTrail(
  records: readonly unknown[],
  endpointId: string,
  self: CallerIdentity | undefined,
): LoggingEnabled[] {
  const out: LoggingEnabled[] = [];
  for (const raw of records) {
    if (!isObject(raw)) continue;
    const r = raw as RecordShape;
    if (r.eventName !== 'ModifyClientVpnEndpoint' || r.errorCode || typeof r.eventTime !== 'string') continue;
    const request = isObject(r.requestParameters) ? r.requestParameters.ModifyClientVpnEndpointRequest : undefined;
    if (!isObject(request) || request.ClientVpnEndpointId !== endpointId) continue;
    const options = request.ConnectionLogOptions;
    const enabled = isObject(options) && (options.Enabled === true || options.Enabled === 'true');
    if (!enabled || Number.isNaN(Date.parse(r.eventTime))) continue;
    const identity = isObject(r.userIdentity) ? (r.userIdentity as UserIdentity) : undefined;
    const account = typeof r.recipientAccountId === 'string' ? r.recipientAccountId : (identity?.accountId ?? '');
    out.push({
      at: new Date(Date.parse(r.eventTime)).toISOString(),
      byRemediator: self !== undefined && isOwnAction(actorFromIdentity(identity), self, account),
      source: 'cloudtrail',
    });
  }
  return out;
}

/**
 * This process's record of the re-enables it made, per endpoint. Bounded: a long-lived CLI run or
 * a warm container touching thousands of endpoints keeps only the newest.
 */
export class RemediationMemory {
  private readonly byKey = new Map<string, string[]>();

  constructor(
    private readonly maxKeys = 1_000,
    private readonly perKey = 10,
  ) {}

  record(key: string, at: Date): void {
    const times = this.byKey.get(key) ?? [];
    this.byKey.delete(key); // re-inserted last: Map order doubles as recency
    times.push(at.toISOString());
    this.byKey.set(key, times.slice(-this.perKey));
    if (this.byKey.size > this.maxKeys) {
      const oldest = this.byKey.keys().next().value;
      if (oldest !== undefined) this.byKey.delete(oldest);
    }
  }

  enables(key: string): LoggingEnabled[] {
    return (this.byKey.get(key) ?? []).map((at) => ({ at, byRemediator: true, source: 'memory' as const }));
  }
}

/** The memory key of an endpoint. */
export const repeatKey = (region: string, endpointId: string): string => `${region}/${endpointId}`;
