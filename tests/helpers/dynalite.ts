/**
 * dynalite (a real implementation of the DynamoDB API) on loopback for the state-table tests,
 * with tables created from the packaged template's StateTable definition, so the tests and the
 * stack cannot drift apart.
 */
import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { packageService } from './serverless-package';

const require = createRequire(import.meta.url);

export interface Dynalite {
  url: string;
  /** A fresh, empty table shaped like the stack's; returns its name. */
  createTable(name?: string): Promise<string>;
  close(): Promise<void>;
}

let definition: Promise<Omit<CreateTableCommandInput, 'TableName'>> | undefined;

/** The StateTable's key schema and billing mode as `serverless package` emits them (packaged once per process). */
export function stateTableDefinition(): Promise<Omit<CreateTableCommandInput, 'TableName'>> {
  definition ??= (async () => {
    const packaged = await packageService(['--stage', 'test', '--region', 'eu-west-1']);
    try {
      const table = packaged.template.Resources.StateTable;
      if (table?.Type !== 'AWS::DynamoDB::Table' || !table.Properties) throw new Error('the packaged template has no StateTable');
      const p = table.Properties as Pick<CreateTableCommandInput, 'AttributeDefinitions' | 'KeySchema' | 'BillingMode'>;
      return { AttributeDefinitions: p.AttributeDefinitions, KeySchema: p.KeySchema, BillingMode: p.BillingMode };
    } finally {
      packaged.cleanup();
    }
  })();
  return definition;
}

let tables = 0;

export async function startDynalite(): Promise<Dynalite> {
  const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ region: 'eu-west-1', endpoint: url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const shape = await stateTableDefinition();
  return {
    url,
    async createTable(name = `cvpn-state-${process.pid}-${++tables}`) {
      await client.send(new CreateTableCommand({ ...shape, TableName: name }));
      return name;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    },
  };
}
