/**
 * The one module that talks to DynamoDB: the state table behind the core's StateStore and the
 * handler's EventStore. Single table, `pk`/`sk` strings, every item with the TTL attribute
 * `expiresAt` (epoch seconds). Built only on conditional Put/Update, Get and Query, which real
 * DynamoDB and dynalite (the tests' implementation) both honour.
 *
 *   lease#<account>/<region>/<endpoint>   -              owner, leaseUntil (ms), releasedAt (ms)
 *   fix#<account>/<region>/<endpoint>     <at>#<eventId> at, eventId, actorArn, logGroup, confirmed
 *   event#<account>/<region>/<endpoint>/<eventId>  -            st, owner, runUntil, outcome, announced, ...
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { EVENT_RECORD_DAYS, FIX_HISTORY_DAYS, type EventRecord, type FixRecord, type LeaseGrant } from '../domain/state';
import { toAwsCallError } from './errors';

export { DynamoDBClient };

type Item = Record<string, AttributeValue>;

const S = (v: string): AttributeValue => ({ S: v });
const N = (v: number): AttributeValue => ({ N: String(Math.round(v)) });
const B = (v: boolean): AttributeValue => ({ BOOL: v });
const str = (item: Item | undefined, k: string): string | undefined => {
  const v = item?.[k];
  return v && 'S' in v && typeof v.S === 'string' ? v.S : undefined;
};
const num = (item: Item | undefined, k: string): number | undefined => {
  const v = item?.[k];
  return v && 'N' in v && typeof v.N === 'string' ? Number(v.N) : undefined;
};
const bool = (item: Item | undefined, k: string): boolean => {
  const v = item?.[k];
  return v !== undefined && 'BOOL' in v && v.BOOL === true;
};
const ttl = (fromMs: number, days: number): AttributeValue => N(fromMs / 1000 + days * 86_400);
/** The lease item itself is kept a day after use: it carries the last release time. */
const LEASE_ITEM_DAYS = 1;
const NO_SK = S('-');

/** A conditional write that did not apply: the normal "someone else got there" answer. */
function conditionFailed(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error instanceof Error && error.name === 'ConditionalCheckFailedException');
}

/** Satisfies the core's StateStore and EventStore ports (src/core/state.ts) structurally. */
export class DynamoStateTable {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {}

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toAwsCallError(operation, error);
    }
  }

  /** Runs a conditional write; false when its condition did not hold. */
  private async conditional(operation: string, run: () => Promise<unknown>): Promise<boolean> {
    try {
      await run();
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw toAwsCallError(operation, error);
    }
  }

  async tryLease(key: string, owner: string, nowMs: number, leaseMs: number): Promise<LeaseGrant> {
    try {
      const out = await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: S(`lease#${key}`), sk: NO_SK, owner: S(owner), leaseUntil: N(nowMs + leaseMs), expiresAt: ttl(nowMs, LEASE_ITEM_DAYS) },
          ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :now',
          ExpressionAttributeValues: { ':now': N(nowMs) },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return { acquired: true, releasedAtMs: num(out.Attributes, 'releasedAt') };
    } catch (error) {
      if (conditionFailed(error)) return { acquired: false };
      throw toAwsCallError('PutItem', error);
    }
  }

  async releaseLease(key: string, owner: string, nowMs: number): Promise<void> {
    // Kept, not deleted: the release time tells a process that read before it to read again.
    await this.conditional('UpdateItem', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: S(`lease#${key}`), sk: NO_SK },
          UpdateExpression: 'SET leaseUntil = :zero, releasedAt = :now',
          ConditionExpression: '#owner = :me',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':zero': N(0), ':now': N(nowMs), ':me': S(owner) },
        }),
      ),
    );
  }

  async putFix(key: string, fix: FixRecord): Promise<void> {
    const at = Date.parse(fix.at);
    const item: Item = {
      pk: S(`fix#${key}`),
      sk: S(`${fix.at}#${fix.eventId}`),
      at: S(fix.at),
      eventId: S(fix.eventId),
      logGroup: S(fix.logGroup),
      confirmed: B(fix.confirmed),
      expiresAt: ttl(Number.isNaN(at) ? Date.now() : at, FIX_HISTORY_DAYS),
    };
    if (fix.actorArn) item.actorArn = S(fix.actorArn);
    await this.call('PutItem', () => this.client.send(new PutItemCommand({ TableName: this.tableName, Item: item })));
  }

  async fixesSince(key: string, since: Date): Promise<FixRecord[]> {
    const out = await this.call('Query', () =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk >= :since',
          ExpressionAttributeValues: { ':pk': S(`fix#${key}`), ':since': S(since.toISOString()) },
          ConsistentRead: true,
        }),
      ),
    );
    const fixes: FixRecord[] = [];
    for (const item of out.Items ?? []) {
      const at = str(item, 'at');
      const eventId = str(item, 'eventId');
      const logGroup = str(item, 'logGroup');
      if (!at || !eventId || !logGroup) continue;
      fixes.push({ at, eventId, logGroup, actorArn: str(item, 'actorArn'), confirmed: bool(item, 'confirmed') });
    }
    return fixes;
  }

  async beginEvent(
    key: string,
    owner: string,
    nowMs: number,
    runMs: number,
  ): Promise<{ started: true; failureAnnounced: boolean } | { started: false; record?: EventRecord }> {
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: S(`event#${key}`), sk: NO_SK },
          UpdateExpression: 'SET st = :running, #owner = :me, runUntil = :until, expiresAt = :ttl',
          ConditionExpression: 'attribute_not_exists(pk) OR st = :open OR (st = :running AND runUntil < :now)',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: {
            ':running': S('running'),
            ':open': S('open'),
            ':me': S(owner),
            ':until': N(nowMs + runMs),
            ':now': N(nowMs),
            ':ttl': ttl(nowMs, EVENT_RECORD_DAYS),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { started: true, failureAnnounced: bool(out.Attributes, 'failureAnnounced') };
    } catch (error) {
      if (!conditionFailed(error)) throw toAwsCallError('UpdateItem', error);
      return { started: false, record: await this.getEvent(key) };
    }
  }

  async getEvent(key: string): Promise<EventRecord | undefined> {
    const out = await this.call('GetItem', () =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { pk: S(`event#${key}`), sk: NO_SK }, ConsistentRead: true })),
    );
    const item = out.Item;
    const status = str(item, 'st');
    if (!item || (status !== 'running' && status !== 'open' && status !== 'done')) return undefined;
    return {
      status,
      outcome: str(item, 'outcome'),
      announced: bool(item, 'announced'),
      failureAnnounced: bool(item, 'failureAnnounced'),
      runUntilMs: num(item, 'runUntil'),
    };
  }

  async finishEvent(
    key: string,
    owner: string,
    end: { status: 'done'; outcome: string; announced: boolean } | { status: 'open' },
  ): Promise<void> {
    const values: Item = { ':me': S(owner), ':st': S(end.status) };
    let update = 'SET st = :st REMOVE #owner, runUntil';
    if (end.status === 'done') {
      update = 'SET st = :st, outcome = :outcome, announced = :announced REMOVE #owner, runUntil';
      values[':outcome'] = S(end.outcome);
      values[':announced'] = B(end.announced);
    }
    // A condition miss means our time ran out and another attempt owns the event now: it decides.
    await this.conditional('UpdateItem', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: S(`event#${key}`), sk: NO_SK },
          UpdateExpression: update,
          ConditionExpression: '#owner = :me',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  claimAnnouncement(key: string, owner: string, nowMs: number, claimMs: number): Promise<boolean> {
    return this.conditional('UpdateItem', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: S(`event#${key}`), sk: NO_SK },
          UpdateExpression: 'SET announcer = :me, announceUntil = :until',
          ConditionExpression: 'st = :done AND announced = :no AND (attribute_not_exists(announceUntil) OR announceUntil < :now)',
          ExpressionAttributeValues: { ':me': S(owner), ':until': N(nowMs + claimMs), ':done': S('done'), ':no': B(false), ':now': N(nowMs) },
        }),
      ),
    );
  }

  async releaseAnnouncement(key: string, owner: string): Promise<void> {
    await this.conditional('UpdateItem', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: S(`event#${key}`), sk: NO_SK },
          UpdateExpression: 'REMOVE announcer, announceUntil',
          ConditionExpression: 'announcer = :me',
          ExpressionAttributeValues: { ':me': S(owner) },
        }),
      ),
    );
  }

  async markAnnounced(key: string, which: 'outcome' | 'failure'): Promise<void> {
    const update = which === 'outcome' ? 'SET announced = :yes REMOVE announcer, announceUntil' : 'SET failureAnnounced = :yes';
    await this.call('UpdateItem', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: S(`event#${key}`), sk: NO_SK },
          UpdateExpression: update,
          ExpressionAttributeValues: { ':yes': B(true) },
        }),
      ),
    );
  }
}
