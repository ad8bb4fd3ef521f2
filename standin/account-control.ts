// Control API for the state of one account: Client VPN endpoints, log groups, topics, KMS keys, roles, CloudTrail
// history and trails, EventBridge buses and rules. `Standin` is this for its default account; `standin.account(id)`
// gives the same methods for any other account.

import { randomUUID } from 'node:crypto';
import { buildTrailEvent, type CloudTrailEventOptions, type CloudTrailRecord } from './cloudtrail';
import { partitionOf } from './common';
import { createStream, keyProblem, writeRecord } from './delivery';
import { markDeleted } from './ec2';
import { buildBus, buildRule, busOf, DEFAULT_BUS, type EventBusSpec, type RuleSpec, type RuleState, type RuleStateName } from './eventbridge';
import type { Identities } from './identities';
import {
  buildEndpoint,
  buildLogGroup,
  CLIENT_VPN_ROLE,
  defaultLogsKeyPolicy,
  logGroupNameProblem,
  RETENTION_DAYS,
  topicArn,
  topicNameProblem,
  type EndpointRecord,
  type EndpointSpec,
  type EndpointState,
  type EndpointStatusCode,
  type KmsKeySpec,
  type KmsKeyState,
  type KmsKeyStateName,
  type LogGroupSpec,
  type LogGroupState,
  type LogStreamState,
  type StandinState,
} from './state';
import { buildTrail, trailArn, type TrailSpec, type TrailState } from './trails';

export interface RoleSpec {
  /** default "/" */
  path?: string;
  /** trust policy principals: role/user/session ARNs, `arn:aws:iam::<acct>:root`, or "*" */
  trustedPrincipals?: string[];
  externalId?: string;
  /** seconds, default 3600 */
  maxSessionDuration?: number;
}

const ROLE_NAME_RE = /^[\w+=,.@-]{1,64}$/;

export class AccountControl {
  constructor(
    protected readonly state: StandinState,
    readonly accountId: string,
    protected readonly identities: Identities,
  ) {}

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
      if (lg !== undefined) createStream(this.state, lg, log.logStream, Date.now());
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


  /**
   * Adds a KMS key in `region`; returns its ARN. By default Enabled, customer managed, with the key
   * policy AWS documents for log-group keys (account root + `logs.<region>.amazonaws.com`).
   */
  addKmsKey(region: string, spec: KmsKeySpec = {}): string {
    const keyId = spec.keyId ?? randomUUID();
    const arn = `arn:${partitionOf(region)}:kms:${region}:${this.accountId}:key/${keyId}`;
    const policy = spec.policy === undefined ? defaultLogsKeyPolicy(region, this.accountId) : typeof spec.policy === 'string' ? spec.policy : JSON.stringify(spec.policy);
    const key: KmsKeyState = {
      keyId,
      arn,
      region,
      keyState: spec.keyState ?? 'Enabled',
      policy,
      keyManager: spec.keyManager ?? 'CUSTOMER',
      description: spec.description ?? '',
      creationDate: Date.now(),
    };
    if (key.keyState === 'PendingDeletion') key.deletionDate = Date.now() + 30 * 86_400_000;
    this.state.region(region).kmsKeys.set(keyId, key);
    return arn;
  }

  /** Changes a key's state (Disabled, PendingDeletion, ...) or policy. */
  updateKmsKey(arn: string, change: { keyState?: KmsKeyStateName; policy?: string | Record<string, unknown> }): void {
    const key = this.keyByArn(arn);
    if (change.keyState !== undefined) {
      key.keyState = change.keyState;
      if (change.keyState === 'PendingDeletion') key.deletionDate = Date.now() + 30 * 86_400_000;
      else delete key.deletionDate;
    }
    if (change.policy !== undefined) key.policy = typeof change.policy === 'string' ? change.policy : JSON.stringify(change.policy);
  }

  /** Deletes a key outright (DescribeKey then answers NotFoundException). */
  deleteKmsKey(arn: string): void {
    const key = this.keyByArn(arn);
    this.state.region(key.region).kmsKeys.delete(key.keyId);
  }

  /** Whether the Client VPN service-linked role exists (it does from the start). */
  setServiceLinkedRole(present: boolean): void {
    if (present) this.state.addDefaultRoles();
    else this.state.roles.delete(CLIENT_VPN_ROLE.name);
  }

  /**
   * A client connects to the endpoint: Client VPN writes a connection-log record to its stream (at
   * `at`, default now). Returns false when nothing could be written: logging off, no group, no
   * service-linked role, or a key CloudWatch Logs can't use.
   */
  simulateConnection(region: string, endpointId: string, at: Date = new Date()): boolean {
    const r = this.state.regions.get(region);
    const log = r?.endpoints.get(endpointId)?.current.logging;
    if (r === undefined || log === undefined || !log.enabled || log.logGroup === undefined || log.logStream === undefined) return false;
    const group = r.logGroups.get(log.logGroup);
    if (group === undefined) return false;
    const message = JSON.stringify({
      'connection-log-type': 'connection-attempt',
      'connection-attempt-status': 'successful',
      'client-vpn-endpoint-id': endpointId,
      'connection-start-time': at.toISOString().replace('T', ' ').slice(0, 19),
    });
    return writeRecord(this.state, r, region, group, log.logStream, at.getTime(), message);
  }

  /** Why CloudWatch Logs can't encrypt for this group (a disabled key, a policy without logs), or undefined. */
  logGroupKeyProblem(region: string, group: string): string | undefined {
    const r = this.state.regions.get(region);
    const g = r?.logGroups.get(group);
    return r === undefined || g === undefined ? undefined : keyProblem(r, region, g);
  }

  /** Copies of the group's log streams. */
  logStreams(region: string, group: string): LogStreamState[] {
    return structuredClone(this.state.regions.get(region)?.logGroups.get(group)?.logStreams ?? []);
  }

  /** Moves a stream's times (epoch ms) so tests can age it; `creationTime` and the record times alike. */
  setLogStreamTimes(
    region: string,
    group: string,
    stream: string,
    times: { creationTime?: number; lastIngestionTime?: number; lastEventTimestamp?: number; firstEventTimestamp?: number },
  ): void {
    const st = this.state.regions.get(region)?.logGroups.get(group)?.logStreams.find((s) => s.name === stream);
    if (st === undefined) throw new Error(`standin: no stream ${stream} in ${group} (${region})`);
    Object.assign(st, times);
  }

  /** Sets a group's creation time (epoch ms): a group "created" more than an hour ago. */
  setLogGroupCreationTime(region: string, group: string, creationTime: number): void {
    const g = this.state.regions.get(region)?.logGroups.get(group);
    if (g === undefined) throw new Error(`standin: no log group ${group} in ${region}`);
    g.creationTime = creationTime;
  }

  protected keyByArn(arn: string): KmsKeyState {
    for (const r of this.state.regions.values()) for (const k of r.kmsKeys.values()) if (k.arn === arn) return k;
    throw new Error(`standin: no KMS key ${arn}`);
  }

  /**
   * Adds a record to the region's CloudTrail event history (what LookupEvents searches). `record` is the object
   * as CloudTrail writes it (eventID, eventTime, eventName, eventSource, userIdentity, ...); it is served back
   * verbatim as the `CloudTrailEvent` string. Returns the eventID (a new UUID, also written into the record,
   * when it has none).
   */
  addCloudTrailEvent(region: string, record: CloudTrailRecord, opts: CloudTrailEventOptions = {}): string {
    const ev = buildTrailEvent(record, opts, this.state.trailSeq);
    this.state.trailSeq += 1;
    this.state.region(region).trailEvents.push(ev);
    return ev.eventId;
  }


  protected record(region: string, id: string): EndpointRecord {
    const r = this.state.regions.get(region)?.endpoints.get(id);
    if (r === undefined) throw new Error(`standin: no endpoint ${id} in ${region}`);
    return r;
  }

  // -------------------------------------------------------------------------------------------------------------
  // IAM roles and access keys

  /** Adds (or replaces) an IAM role that AssumeRole can assume when the caller matches `trustedPrincipals`. */
  addRole(name: string, spec: RoleSpec = {}): string {
    if (!ROLE_NAME_RE.test(name)) throw new Error(`standin: invalid role name '${name}'`);
    const path = spec.path ?? '/';
    if (!/^\/(?:[\x21-\x7e]+\/)?$/.test(path)) throw new Error(`standin: invalid role path '${path}'`);
    const max = spec.maxSessionDuration ?? 3600;
    if (!Number.isInteger(max) || max < 3600 || max > 43200) throw new Error('standin: maxSessionDuration must be 3600-43200 seconds');
    this.state.roles.set(name, {
      path,
      createDate: Date.now(),
      trustedPrincipals: [...(spec.trustedPrincipals ?? [])],
      ...(spec.externalId === undefined ? {} : { externalId: spec.externalId }),
      maxSessionDuration: max,
    });
    return `arn:aws:iam::${this.accountId}:role${path}${name}`;
  }

  deleteRole(name: string): boolean {
    return this.state.roles.delete(name);
  }

  /**
   * Binds a long-term access key to a principal of this account (default: an IAM user named after the key).
   * Requests signed with it act on this account, as that principal.
   */
  addAccessKey(accessKeyId: string, arn: string = `arn:aws:iam::${this.accountId}:user/${accessKeyId}`): void {
    this.identities.register(accessKeyId, { accountId: this.accountId, arn });
  }

  // -------------------------------------------------------------------------------------------------------------
  // EventBridge

  /** Adds a custom event bus (the default bus always exists). Returns its ARN. */
  addEventBus(region: string, name: string, spec: EventBusSpec = {}): string {
    const buses = this.state.region(region).eventBuses;
    if (name !== DEFAULT_BUS && buses.has(name)) throw new Error(`standin: event bus ${name} already exists in ${region}`);
    const bus = buildBus(name, spec, Date.now());
    const existing = name === DEFAULT_BUS ? buses.get(name) : undefined;
    if (existing !== undefined) bus.rules = existing.rules;
    buses.set(name, bus);
    return `arn:${partitionOf(region)}:events:${region}:${this.accountId}:event-bus/${name}`;
  }

  /** Adds a rule (with its targets) to a bus of the region; the bus must exist (default: the default bus). */
  addRule(region: string, spec: RuleSpec): void {
    const rule = buildRule(spec, this.accountId);
    const bus = busOf(this.state.region(region), rule.eventBusName, Date.now());
    if (bus === undefined) throw new Error(`standin: no event bus ${rule.eventBusName} in ${region}`);
    if (bus.rules.has(rule.name)) throw new Error(`standin: rule ${rule.name} already exists on ${rule.eventBusName} in ${region}`);
    bus.rules.set(rule.name, rule);
  }

  /** A copy of a rule, or undefined. */
  getRule(region: string, name: string, eventBusName = DEFAULT_BUS): RuleState | undefined {
    const rule = this.state.regions.get(region)?.eventBuses.get(eventBusName)?.rules.get(name);
    return rule === undefined ? undefined : structuredClone(rule);
  }

  setRuleState(region: string, name: string, state: RuleStateName, eventBusName = DEFAULT_BUS): void {
    const rule = this.state.regions.get(region)?.eventBuses.get(eventBusName)?.rules.get(name);
    if (rule === undefined) throw new Error(`standin: no rule ${name} on ${eventBusName} in ${region}`);
    rule.state = state;
  }

  deleteRule(region: string, name: string, eventBusName = DEFAULT_BUS): boolean {
    return this.state.regions.get(region)?.eventBuses.get(eventBusName)?.rules.delete(name) ?? false;
  }

  // -------------------------------------------------------------------------------------------------------------
  // CloudTrail trails

  /** Adds a trail whose home region is `homeRegion` (multi-region and logging unless said otherwise). Returns its ARN. */
  addTrail(homeRegion: string, spec: TrailSpec): string {
    const trail = buildTrail(this.accountId, homeRegion, spec, Date.now());
    if (this.state.trails.some((t) => t.name === trail.name && t.homeRegion === homeRegion)) {
      throw new Error(`standin: trail ${trail.name} already exists in ${homeRegion}`);
    }
    this.state.trails.push(trail);
    return trailArn(trail);
  }

  /** StartLogging / StopLogging on a trail (by ARN or name). */
  setTrailLogging(trail: string, isLogging: boolean): void {
    const t = this.trail(trail);
    if (t.isLogging === isLogging) return;
    t.isLogging = isLogging;
    if (isLogging) t.startLoggingTime = Date.now();
    else t.stopLoggingTime = Date.now();
  }

  deleteTrail(trail: string): void {
    const t = this.trail(trail);
    this.state.trails.splice(this.state.trails.indexOf(t), 1);
  }

  /** Copies of the account's trails. */
  listTrails(): TrailState[] {
    return structuredClone(this.state.trails);
  }

  private trail(nameOrArn: string): TrailState {
    const matches = this.state.trails.filter((t) => t.name === nameOrArn || trailArn(t) === nameOrArn);
    const t = matches[0];
    if (t === undefined || matches.length > 1) throw new Error(`standin: ${t === undefined ? 'no' : 'more than one'} trail ${nameOrArn} in ${this.accountId}`);
    return t;
  }
}
