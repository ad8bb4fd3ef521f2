// Seed files for the demo stand-in (standin/main.ts): the default account's state at the top level, other accounts
// under `accounts`, the organization under `organization`. Every problem names where it is (`accounts[1].rules[0]`).

import type { AccountControl, RoleSpec } from './account-control';
import type { RuleSpec, RuleStateName, RuleTarget } from './eventbridge';
import type { Standin } from './index';
import { ACCOUNT_STATES, type AccountFieldMode, type AccountStateName, type OrgAccountSpec, type OrganizationSpec } from './organizations';
import type { ConnectionLogging, EndpointSpec } from './state';
import type { TrailSpec } from './trails';

export type Json = Record<string, unknown>;

export function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(o: Json, key: string, where: string, required: true): string;
export function str(o: Json, key: string, where: string, required?: false): string | undefined;
export function str(o: Json, key: string, where: string, required = false): string | undefined {
  const v = o[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string') throw new Error(`seed: ${where}.${key} must be a string`);
  return v;
}

function bool(o: Json, key: string, where: string): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new Error(`seed: ${where}.${key} must be true or false`);
  return v;
}

function strings(o: Json, key: string, where: string): string[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Error(`seed: ${where}.${key} must be a list of strings`);
  return v;
}

function records(o: Json, key: string, where: string): Json[] {
  const v = o[key] ?? [];
  if (!Array.isArray(v) || !v.every(isRecord)) throw new Error(`seed: ${where === '' ? '' : `${where}.`}${key} must be a list of objects`);
  return v;
}

function stringMap(v: unknown, where: string): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v) || !Object.values(v).every((x) => typeof x === 'string')) throw new Error(`seed: ${where} must map strings to strings`);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

function endpointSpec(e: Json, where: string): EndpointSpec {
  const spec: EndpointSpec = {};
  const id = str(e, 'id', where);
  if (id !== undefined) spec.id = id;
  const description = str(e, 'description', where);
  if (description !== undefined) spec.description = description;
  const status = str(e, 'status', where);
  if (status !== undefined) spec.status = status;
  const transport = str(e, 'transportProtocol', where);
  if (transport !== undefined) spec.transportProtocol = transport;
  const tags = stringMap(e.tags, `${where}.tags`);
  if (tags !== undefined) spec.tags = tags;
  const logging = e.logging;
  if (logging !== undefined) {
    if (!isRecord(logging) || typeof logging.enabled !== 'boolean') throw new Error(`seed: ${where}.logging.enabled must be a boolean`);
    const l: ConnectionLogging = { enabled: logging.enabled };
    const group = str(logging, 'logGroup', `${where}.logging`);
    if (group !== undefined) l.logGroup = group;
    const stream = str(logging, 'logStream', `${where}.logging`);
    if (stream !== undefined) l.logStream = stream;
    spec.logging = l;
  }
  return spec;
}

const RULE_STATES: readonly string[] = ['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'];

function targets(r: Json, where: string): RuleTarget[] {
  return records(r, 'targets', where).map((t, i) => {
    const at = `${where}.targets[${i}]`;
    const target: RuleTarget = { Id: str(t, 'Id', at, true), Arn: str(t, 'Arn', at, true) };
    const role = str(t, 'RoleArn', at);
    if (role !== undefined) target.RoleArn = role;
    return target;
  });
}

/** Runs a control call, prefixing its error with where in the seed it came from. */
function at<T>(where: string, f: () => T): T {
  try {
    return f();
  } catch (error) {
    throw new Error(`seed: ${where}: ${error instanceof Error ? error.message.replace(/^standin: /, '') : String(error)}`, { cause: error });
  }
}

export interface SeedSummary {
  lines: string[];
  firstRegion?: string;
  firstTopic?: string;
}

/** The per-account sections (top level for the default account, `accounts[i]` for the others). */
function seedAccount(control: AccountControl, section: Json, prefix: string, summary: SeedSummary): void {
  const w = (key: string, i: number): string => `${prefix}${key}[${i}]`;
  const label = control.accountId;
  for (const [i, g] of records(section, 'logGroups', prefix.slice(0, -1)).entries()) {
    const region = str(g, 'region', w('logGroups', i), true);
    const retention = g.retentionInDays;
    at(w('logGroups', i), () => control.addLogGroup(region, str(g, 'name', w('logGroups', i), true), typeof retention === 'number' ? { retentionInDays: retention } : {}));
  }
  for (const [i, e] of records(section, 'endpoints', prefix.slice(0, -1)).entries()) {
    const region = str(e, 'region', w('endpoints', i), true);
    summary.firstRegion ??= region;
    const id = at(w('endpoints', i), () => control.addEndpoint(region, endpointSpec(e, w('endpoints', i))));
    const ep = control.getEndpoint(region, id);
    summary.lines.push(`  endpoint ${label} ${region} ${id} logging=${ep?.logging.enabled ? `on -> ${ep.logging.logGroup ?? ''}` : 'off'}`);
  }
  for (const [i, t] of records(section, 'topics', prefix.slice(0, -1)).entries()) {
    const region = str(t, 'region', w('topics', i), true);
    const arn = at(w('topics', i), () => control.createTopic(region, str(t, 'name', w('topics', i), true)));
    summary.firstTopic ??= arn;
    summary.lines.push(`  topic    ${arn}`);
  }
  for (const [i, c] of records(section, 'cloudTrailEvents', prefix.slice(0, -1)).entries()) {
    const region = str(c, 'region', w('cloudTrailEvents', i), true);
    const record = c.record;
    if (!isRecord(record)) throw new Error(`seed: ${w('cloudTrailEvents', i)}.record must be an object`);
    const id = at(w('cloudTrailEvents', i), () => control.addCloudTrailEvent(region, record));
    summary.lines.push(`  trail event ${label} ${region} ${String(record.eventName)} ${id}`);
  }
  for (const [i, r] of records(section, 'roles', prefix.slice(0, -1)).entries()) {
    const where = w('roles', i);
    const max = r.maxSessionDuration;
    if (max !== undefined && typeof max !== 'number') throw new Error(`seed: ${where}.maxSessionDuration must be a number`);
    const spec: RoleSpec = { trustedPrincipals: strings(r, 'trustedPrincipals', where) ?? [] };
    const path = str(r, 'path', where);
    if (path !== undefined) spec.path = path;
    const externalId = str(r, 'externalId', where);
    if (externalId !== undefined) spec.externalId = externalId;
    if (typeof max === 'number') spec.maxSessionDuration = max;
    summary.lines.push(`  role     ${at(where, () => control.addRole(str(r, 'name', where, true), spec))}`);
  }
  for (const [i, k] of records(section, 'accessKeys', prefix.slice(0, -1)).entries()) {
    const where = w('accessKeys', i);
    const key = str(k, 'accessKeyId', where, true);
    const arn = str(k, 'arn', where);
    at(where, () => { control.addAccessKey(key, arn); });
    summary.lines.push(`  key      ${label} ${key}`);
  }
  for (const [i, b] of records(section, 'eventBuses', prefix.slice(0, -1)).entries()) {
    const where = w('eventBuses', i);
    const policy = b.policy;
    if (policy !== undefined && typeof policy !== 'string' && !isRecord(policy)) throw new Error(`seed: ${where}.policy must be an object or a JSON string`);
    const region = str(b, 'region', where, true);
    summary.lines.push(`  bus      ${at(where, () => control.addEventBus(region, str(b, 'name', where, true), policy === undefined ? {} : { policy }))}`);
  }
  for (const [i, r] of records(section, 'rules', prefix.slice(0, -1)).entries()) {
    const where = w('rules', i);
    const region = str(r, 'region', where, true);
    const name = str(r, 'name', where, true);
    const pattern = r.eventPattern;
    if (pattern !== undefined && typeof pattern !== 'string' && !isRecord(pattern)) throw new Error(`seed: ${where}.eventPattern must be an object or a JSON string`);
    const state = str(r, 'state', where);
    if (state !== undefined && !RULE_STATES.includes(state)) throw new Error(`seed: ${where}.state must be one of ${RULE_STATES.join(', ')}`);
    const spec: RuleSpec = { name, targets: targets(r, where) };
    if (pattern !== undefined) spec.eventPattern = pattern;
    const bus = str(r, 'eventBusName', where);
    if (bus !== undefined) spec.eventBusName = bus;
    const schedule = str(r, 'scheduleExpression', where);
    if (schedule !== undefined) spec.scheduleExpression = schedule;
    if (state !== undefined) spec.state = state as RuleStateName;
    const description = str(r, 'description', where);
    if (description !== undefined) spec.description = description;
    at(where, () => { control.addRule(region, spec); });
    summary.lines.push(`  rule     ${label} ${region} ${bus ?? 'default'}/${name} ${state ?? 'ENABLED'}`);
  }
  for (const [i, t] of records(section, 'trails', prefix.slice(0, -1)).entries()) {
    const where = w('trails', i);
    const home = str(t, 'homeRegion', where, true);
    const spec: TrailSpec = { name: str(t, 'name', where, true) };
    const multi = bool(t, 'isMultiRegionTrail', where);
    if (multi !== undefined) spec.isMultiRegionTrail = multi;
    const org = bool(t, 'isOrganizationTrail', where);
    if (org !== undefined) spec.isOrganizationTrail = org;
    const logging = bool(t, 'isLogging', where);
    if (logging !== undefined) spec.isLogging = logging;
    const bucket = str(t, 's3BucketName', where);
    if (bucket !== undefined) spec.s3BucketName = bucket;
    summary.lines.push(`  trail    ${at(where, () => control.addTrail(home, spec))} logging=${logging === false ? 'off' : 'on'}`);
  }
}

const FIELD_MODES: readonly string[] = ['state', 'both', 'status'];

function seedOrganization(standin: Standin, o: Json, summary: SeedSummary): void {
  const spec: OrganizationSpec = {};
  const id = str(o, 'id', 'organization');
  if (id !== undefined) spec.id = id;
  const management = str(o, 'managementAccountId', 'organization');
  if (management !== undefined) spec.managementAccountId = management;
  const delegated = strings(o, 'delegatedAdministrators', 'organization');
  if (delegated !== undefined) spec.delegatedAdministrators = delegated;
  const fields = str(o, 'accountFields', 'organization');
  if (fields !== undefined && !FIELD_MODES.includes(fields)) throw new Error(`seed: organization.accountFields must be one of ${FIELD_MODES.join(', ')}`);
  if (fields !== undefined) spec.accountFields = fields as AccountFieldMode;
  at('organization', () => { standin.setOrganization(spec); });
  for (const [i, a] of records(o, 'accounts', 'organization').entries()) {
    const where = `organization.accounts[${i}]`;
    const accountId = str(a, 'id', where, true);
    const state = str(a, 'state', where);
    if (state !== undefined && !(ACCOUNT_STATES as readonly string[]).includes(state)) {
      throw new Error(`seed: ${where}.state must be one of ${ACCOUNT_STATES.join(', ')}`);
    }
    const accountSpec: OrgAccountSpec = {};
    const name = str(a, 'name', where);
    if (name !== undefined) accountSpec.name = name;
    const email = str(a, 'email', where);
    if (email !== undefined) accountSpec.email = email;
    if (state !== undefined) accountSpec.state = state as AccountStateName;
    at(where, () => { standin.addOrganizationAccount(accountId, accountSpec); });
  }
  for (const a of standin.organizationAccounts()) summary.lines.push(`  org      ${a.id} ${a.state} ${a.name}`);
}

/** Applies a parsed seed to a running stand-in; returns what it seeded, one line each. */
export function applySeed(standin: Standin, seed: Json): SeedSummary {
  const summary: SeedSummary = { lines: [] };
  seedAccount(standin, seed, '', summary);
  for (const [i, q] of records(seed, 'queues', '').entries()) {
    const region = str(q, 'region', `queues[${i}]`, true);
    summary.lines.push(`  queue    ${at(`queues[${i}]`, () => standin.createQueue(region, str(q, 'name', `queues[${i}]`, true)))}`);
  }
  for (const [i, a] of records(seed, 'accounts', '').entries()) {
    const id = str(a, 'id', `accounts[${i}]`, true);
    seedAccount(at(`accounts[${i}]`, () => standin.account(id)), a, `accounts[${i}].`, summary);
  }
  const org = seed.organization;
  if (org !== undefined) {
    if (!isRecord(org)) throw new Error('seed: organization must be an object');
    seedOrganization(standin, org, summary);
  }
  return summary;
}
