// Runs the AWS stand-in for an offline demo:
//   npm run standin [-- --port N] [-- --seed demo|empty|<file.json>]
// Default seed `demo`: the account, region and endpoint of examples/modify-logging-off.json, with
// logging off, and an alert topic, so `serverless invoke local` with that event fixes something.
// Seed file keys (standin/seed.ts, README "Seed files"): accountId, callerArn, the default account's logGroups,
// endpoints, topics, cloudTrailEvents, roles, accessKeys, eventBuses, rules, trails; queues; other accounts under
// accounts [{id, ...the same keys}]; organization {id, managementAccountId, delegatedAdministrators, accountFields,
// accounts [{id, name, email, state}]}.
// Prints the environment to export; on Ctrl-C prints every SNS message published, then exits.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startStandin, type StandinOptions } from './index';
import { applySeed, isRecord, str, type Json } from './seed';

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
  const { lines, firstRegion, firstTopic } = applySeed(standin, seed);

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
