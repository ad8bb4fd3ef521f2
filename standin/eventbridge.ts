// EventBridge (JSON 1.1, X-Amz-Target: AWSEvents.<Op>): ListRules, DescribeRule, ListTargetsByRule and
// DescribeEventBus over the buses and rules seeded per account and region.

import { ApiError, decodeToken, encodeToken, partitionOf, type RequestContext } from './common';
import { optInt, optString, type JsonObject } from './json';
import type { RegionState } from './state';

export const EVENTS_TARGET_PREFIX = 'AWSEvents.';

export type RuleStateName = 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

export interface RuleTarget {
  Id: string;
  Arn: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
}

export interface RuleState {
  name: string;
  eventBusName: string;
  /** the pattern as JSON text (the API carries it as a string) */
  eventPattern?: string;
  scheduleExpression?: string;
  state: RuleStateName;
  description?: string;
  roleArn?: string;
  managedBy?: string;
  /** the account that made the rule */
  createdBy: string;
  targets: RuleTarget[];
}

export interface RuleSpec {
  name: string;
  /** default "default" */
  eventBusName?: string;
  /** an object is written as compact JSON */
  eventPattern?: string | Record<string, unknown>;
  scheduleExpression?: string;
  state?: RuleStateName;
  description?: string;
  roleArn?: string;
  managedBy?: string;
  targets?: RuleTarget[];
}

export interface EventBusState {
  name: string;
  /** the resource policy as JSON text */
  policy?: string;
  description?: string;
  creationTime: number;
  lastModifiedTime: number;
  rules: Map<string, RuleState>;
}

export interface EventBusSpec {
  policy?: string | Record<string, unknown>;
  description?: string;
}

export const DEFAULT_BUS = 'default';
const RULE_NAME_RE = /^[.\-_A-Za-z0-9]{1,64}$/;
const BUS_NAME_RE = /^(?:[/.\-_A-Za-z0-9]{1,256}|arn:[\w-]+:events:[a-z0-9-]+:\d{12}:event-bus\/[/.\-_A-Za-z0-9]+)$/;
const MAX_LIMIT = 100;

export function busArn(region: string, accountId: string, bus: string): string {
  return `arn:${partitionOf(region)}:events:${region}:${accountId}:event-bus/${bus}`;
}

/** A rule on the default bus is `rule/<name>`; on any other bus `rule/<bus>/<name>` (recorded answers). */
export function ruleArn(region: string, accountId: string, rule: Pick<RuleState, 'name' | 'eventBusName'>): string {
  const path = rule.eventBusName === DEFAULT_BUS ? rule.name : `${rule.eventBusName}/${rule.name}`;
  return `arn:${partitionOf(region)}:events:${region}:${accountId}:rule/${path}`;
}

/** The region's bus, made on first use for the default bus. */
export function busOf(region: RegionState, name: string, now: number): EventBusState | undefined {
  let bus = region.eventBuses.get(name);
  if (bus === undefined && name === DEFAULT_BUS) {
    bus = { name, creationTime: now, lastModifiedTime: now, rules: new Map() };
    region.eventBuses.set(name, bus);
  }
  return bus;
}

export function buildBus(name: string, spec: EventBusSpec, now: number): EventBusState {
  if (!BUS_NAME_RE.test(name) || name.startsWith('arn:')) throw new Error(`standin: invalid event bus name '${name}'`);
  const bus: EventBusState = { name, creationTime: now, lastModifiedTime: now, rules: new Map() };
  if (spec.policy !== undefined) bus.policy = typeof spec.policy === 'string' ? spec.policy : JSON.stringify(spec.policy);
  if (spec.description !== undefined) bus.description = spec.description;
  return bus;
}

export function buildRule(spec: RuleSpec, accountId: string): RuleState {
  if (!RULE_NAME_RE.test(spec.name)) throw new Error(`standin: invalid rule name '${spec.name}'`);
  if (spec.eventPattern === undefined && spec.scheduleExpression === undefined) {
    throw new Error('standin: a rule needs an eventPattern or a scheduleExpression');
  }
  const ids = new Set<string>();
  for (const t of spec.targets ?? []) {
    if (ids.has(t.Id)) throw new Error(`standin: rule ${spec.name} has two targets with Id ${t.Id}`);
    ids.add(t.Id);
  }
  if (ids.size > 5) throw new Error('standin: a rule has at most 5 targets');
  const rule: RuleState = {
    name: spec.name,
    eventBusName: spec.eventBusName ?? DEFAULT_BUS,
    state: spec.state ?? 'ENABLED',
    createdBy: accountId,
    targets: (spec.targets ?? []).map((t) => ({ ...t })),
  };
  if (spec.eventPattern !== undefined) rule.eventPattern = typeof spec.eventPattern === 'string' ? spec.eventPattern : JSON.stringify(spec.eventPattern);
  if (spec.scheduleExpression !== undefined) rule.scheduleExpression = spec.scheduleExpression;
  if (spec.description !== undefined) rule.description = spec.description;
  if (spec.roleArn !== undefined) rule.roleArn = spec.roleArn;
  if (spec.managedBy !== undefined) rule.managedBy = spec.managedBy;
  return rule;
}

/** The bus a request names (a name or its ARN; left out: the default bus). */
function requestedBus(ctx: RequestContext, region: RegionState, input: JsonObject, key: string): EventBusState {
  const raw = optString(input, key) ?? DEFAULT_BUS;
  if (!BUS_NAME_RE.test(raw)) {
    throw new ApiError('ValidationException', `1 validation error detected: Value '${raw}' at '${key === 'Name' ? 'name' : 'eventBusName'}' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:aws[\\w-]*:events:[a-z]{2}-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?[/\\.\\-_A-Za-z0-9]+`);
  }
  let name = raw;
  if (raw.startsWith('arn:')) {
    const prefix = busArn(ctx.region, ctx.accountId, '');
    // A bus of another account or region is not visible through this account's endpoint.
    if (!raw.startsWith(prefix)) throw new ApiError('ResourceNotFoundException', `Event bus ${raw} does not exist.`);
    name = raw.slice(prefix.length);
  }
  const bus = busOf(region, name, ctx.now.getTime());
  if (bus === undefined) throw new ApiError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
  return bus;
}

function limitOf(input: JsonObject): number {
  const limit = optInt(input, 'Limit');
  if (limit !== undefined && (limit < 1 || limit > MAX_LIMIT)) {
    throw new ApiError('ValidationException', `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and ${MAX_LIMIT}`);
  }
  return limit ?? MAX_LIMIT;
}

function page<T>(items: T[], input: JsonObject, fingerprint: string): { items: T[]; next?: string } {
  const limit = limitOf(input);
  const token = optString(input, 'NextToken');
  let offset = 0;
  if (token !== undefined) {
    const decoded = decodeToken(token, fingerprint);
    if (decoded === undefined) throw new ApiError('ValidationException', 'The NextToken provided is invalid.');
    offset = decoded;
  }
  const slice = items.slice(offset, offset + limit);
  const next = offset + slice.length;
  return next < items.length ? { items: slice, next: encodeToken(next, fingerprint) } : { items: slice };
}

function ruleJson(ctx: RequestContext, r: RuleState, withCreatedBy: boolean): JsonObject {
  const out: JsonObject = { Name: r.name, Arn: ruleArn(ctx.region, ctx.accountId, r) };
  if (r.eventPattern !== undefined) out.EventPattern = r.eventPattern;
  if (r.scheduleExpression !== undefined) out.ScheduleExpression = r.scheduleExpression;
  out.State = r.state;
  if (r.description !== undefined) out.Description = r.description;
  if (r.roleArn !== undefined) out.RoleArn = r.roleArn;
  if (r.managedBy !== undefined) out.ManagedBy = r.managedBy;
  out.EventBusName = r.eventBusName;
  // ListRules items have no CreatedBy; DescribeRule has it (recorded ListRules answer, model).
  if (withCreatedBy) out.CreatedBy = r.createdBy;
  return out;
}

function ruleNamed(bus: EventBusState, input: JsonObject, key: string): RuleState {
  const name = optString(input, key);
  if (name === undefined) {
    throw new ApiError('ValidationException', `1 validation error detected: Value null at '${key === 'Rule' ? 'rule' : 'name'}' failed to satisfy constraint: Member must not be null`);
  }
  const rule = bus.rules.get(name);
  if (rule === undefined) throw new ApiError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus.name}.`);
  return rule;
}

export function handleEvents(ctx: RequestContext, input: JsonObject, region: RegionState): JsonObject {
  switch (ctx.action) {
    case 'ListRules': {
      const bus = requestedBus(ctx, region, input, 'EventBusName');
      const prefix = optString(input, 'NamePrefix') ?? '';
      const rules = [...bus.rules.values()].filter((r) => r.name.startsWith(prefix)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const p = page(rules, input, `rules:${bus.name}:${prefix}`);
      const out: JsonObject = { Rules: p.items.map((r) => ruleJson(ctx, r, false)) };
      if (p.next !== undefined) out.NextToken = p.next;
      return out;
    }
    case 'DescribeRule': {
      const bus = requestedBus(ctx, region, input, 'EventBusName');
      return ruleJson(ctx, ruleNamed(bus, input, 'Name'), true);
    }
    case 'ListTargetsByRule': {
      const bus = requestedBus(ctx, region, input, 'EventBusName');
      const rule = ruleNamed(bus, input, 'Rule');
      const p = page(rule.targets, input, `targets:${bus.name}:${rule.name}`);
      const out: JsonObject = { Targets: p.items.map((t) => ({ ...t })) };
      if (p.next !== undefined) out.NextToken = p.next;
      return out;
    }
    case 'DescribeEventBus': {
      const bus = requestedBus(ctx, region, input, 'Name');
      const out: JsonObject = { Name: bus.name, Arn: busArn(ctx.region, ctx.accountId, bus.name) };
      if (bus.description !== undefined) out.Description = bus.description;
      // The default bus with no policy answers Name and Arn only (recorded DescribeEventBus_1).
      if (bus.policy !== undefined) out.Policy = bus.policy;
      if (bus.name !== DEFAULT_BUS || bus.policy !== undefined) {
        out.CreationTime = bus.creationTime / 1000;
        out.LastModifiedTime = bus.lastModifiedTime / 1000;
      }
      return out;
    }
    default:
      throw new ApiError('UnknownOperationException', `Operation ${ctx.action} is not supported by this stand-in.`);
  }
}
