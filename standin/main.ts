// Runs the AWS stand-in for an offline demo:
//   npm run standin [-- --port N] [-- --seed demo|empty|<file.json>]
// Default seed `demo`: the account, region and endpoint of examples/modify-logging-off.json, with
// logging off, and an alert topic, so `serverless invoke local` with that event fixes something.
// Seed file keys: accountId, callerArn, logGroups, endpoints, topics, queues [{region, name}],
// cloudTrailEvents [{region, record}] (record: the CloudTrail record object).
// Prints the environment to export; on Ctrl-C prints every SNS message published, then exits.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startStandin, type ConnectionLogging, type EndpointSpec, type StandinOptions } from './index';

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Json, key: string, where: string, required: true): string;
function str(o: Json, key: string, where: string, required?: false): string | undefined;
function str(o: Json, key: string, where: string, required = false): string | undefined {
  const v = o[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string') throw new Error(`seed: ${where}.${key} must be a string`);
  return v;
}

function records(o: Json, key: string): Json[] {
  const v = o[key] ?? [];
  if (!Array.isArray(v) || !v.every(isRecord)) throw new Error(`seed: ${key} must be a list of objects`);
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

/** The example event's world: account, region and endpoint from the real fixture it is built from. */
const DEMO_SEED: Json = {
  accountId: '999999999999',
  // The dev stack's function role: not the console role in the event, so the event is not an echo.
  callerArn: 'arn:aws:sts::999999999999:assumed-role/cvpn-log-guard-dev-ap-northeast-1-lambdaRole/cvpn-log-guard-dev-remediate',
  endpoints: [
    {
      region: 'ap-northeast-1',
      id: 'cvpn-endpoint-00979964d0389482a',
      description: 'onecloud-lawson',
      logging: { enabled: false },
      tags: { Name: 'onecloud-lawson' },
    },
  ],
  topics: [{ region: 'ap-northeast-1', name: 'cvpn-log-guard-dev-alerts' }],
};
const EXAMPLE_EVENT = 'examples/modify-logging-off.json';

function loadSeed(name: string | undefined): Json {
  if (name === undefined || name === 'demo') return DEMO_SEED;
  if (name === 'empty') return {};
  let text: string;
  try {
    text = readFileSync(name, 'utf8');
  } catch (error) {
    throw new Error(`seed: cannot read ${name} (${(error as { code?: string }).code ?? String(error)}); use demo, empty or a JSON file`, { cause: error });
  }
  let seed: unknown;
  try {
    seed = JSON.parse(text);
  } catch (error) {
    throw new Error(`seed: ${name} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!isRecord(seed)) throw new Error('seed: the file must hold a JSON object');
  return seed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' }, seed: { type: 'string' } } });
  const seed = loadSeed(values.seed);
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, not "${values.port ?? ''}"`);

  const opts: StandinOptions = { port };
  const accountId = str(seed, 'accountId', 'seed');
  if (accountId !== undefined) opts.accountId = accountId;
  const callerArn = str(seed, 'callerArn', 'seed');
  if (callerArn !== undefined) opts.callerArn = callerArn;

  const standin = await startStandin(opts);
  let firstRegion: string | undefined;
  let firstTopic: string | undefined;
  const lines: string[] = [];
  for (const [i, g] of records(seed, 'logGroups').entries()) {
    const region = str(g, 'region', `logGroups[${i}]`, true);
    const retention = g.retentionInDays;
    standin.addLogGroup(region, str(g, 'name', `logGroups[${i}]`, true), typeof retention === 'number' ? { retentionInDays: retention } : {});
  }
  for (const [i, e] of records(seed, 'endpoints').entries()) {
    const region = str(e, 'region', `endpoints[${i}]`, true);
    firstRegion ??= region;
    const id = standin.addEndpoint(region, endpointSpec(e, `endpoints[${i}]`));
    const ep = standin.getEndpoint(region, id);
    lines.push(`  endpoint ${region} ${id} logging=${ep?.logging.enabled ? `on -> ${ep.logging.logGroup ?? ''}` : 'off'}`);
  }
  for (const [i, t] of records(seed, 'topics').entries()) {
    const region = str(t, 'region', `topics[${i}]`, true);
    const arn = standin.createTopic(region, str(t, 'name', `topics[${i}]`, true));
    firstTopic ??= arn;
    lines.push(`  topic    ${arn}`);
  }
  for (const [i, q] of records(seed, 'queues').entries()) {
    const region = str(q, 'region', `queues[${i}]`, true);
    lines.push(`  queue    ${standin.createQueue(region, str(q, 'name', `queues[${i}]`, true))}`);
  }
  for (const [i, c] of records(seed, 'cloudTrailEvents').entries()) {
    const region = str(c, 'region', `cloudTrailEvents[${i}]`, true);
    const record = c.record;
    if (!isRecord(record)) throw new Error(`seed: cloudTrailEvents[${i}].record must be an object`);
    lines.push(`  trail    ${region} ${String(record.eventName)} ${standin.addCloudTrailEvent(region, record)}`);
  }

  const region = firstRegion ?? 'us-east-1';
  console.log(`AWS stand-in listening on ${standin.url} (account ${standin.accountId})`);
  if (lines.length > 0) console.log(`Seeded${seed === DEMO_SEED ? ` (demo: the endpoint of ${EXAMPLE_EVENT})` : ''}:\n${lines.join('\n')}`);
  // Pasted into another shell as they are: every line a complete command. CVPN_STATE_TABLE is
  // set empty (in-process state): the stand-in has no DynamoDB, and `invoke local` can resolve
  // neither the template's reference to the table nor the Fn::If around it.
  console.log(`\nPaste into the shell that runs the function or the CLI:\n
export AWS_ENDPOINT_URL=${standin.url}
export AWS_ACCESS_KEY_ID=test
export AWS_SECRET_ACCESS_KEY=test
export AWS_EC2_METADATA_DISABLED=true
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
export AWS_REGION=${region}${firstTopic ? `\nexport CVPN_TOPIC_ARN=${firstTopic}` : ''}
export CVPN_STATE_TABLE=`);
  if (seed === DEMO_SEED) {
    console.log(`\nThen: npx serverless invoke local -f remediate --path ${EXAMPLE_EVENT} --region ${region}`);
  }
  console.log('\nCtrl-C prints the published SNS messages and stops.');

  process.once('SIGINT', () => {
    const published = standin.published();
    console.log(`\n${published.length} SNS message(s) published:`);
    for (const m of published) console.log(JSON.stringify(m, null, 2));
    console.log(`${standin.calls.length} request(s) served.`);
    void standin.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  // A bad seed or port is the operator's input: one line, no stack trace.
  console.error(`standin: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
});
