/**
 * One "container" in its own process, for the two-process state-table tests: builds the runtime
 * and handler like production against the stand-in (AWS) and dynalite (DynamoDB), prints
 * "ready", waits for a line on stdin so two processes start together, runs one event, prints
 * the result as one JSON line and exits.
 *
 *   env: STANDIN_URL, DYNAMODB_URL, CVPN_STATE_TABLE, CVPN_TOPIC_ARN, EVENT_FILE
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseSettings } from '../../src/app/config';
import { createRuntime } from '../../src/app/runtime';
import { createRemediateHandler } from '../../src/handlers/create-remediate-handler';
import { lambdaContext, REGION } from './standin-runtime';

const env = process.env;
const runtime = createRuntime({
  settings: parseSettings(env),
  homeRegion: REGION,
  clientOptions: {
    endpoint: env.STANDIN_URL,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    retryStrategy: new ConfiguredRetryStrategy(3, 5),
  },
  stateEndpoint: env.DYNAMODB_URL,
  ignoreOwnRole: true,
  overrides: { verifyDelaysMs: [0, 0], propagationDelaysMs: [0, 0], sleep: async () => {} },
});
const handler = createRemediateHandler({
  runtime,
  logger: new Logger({ serviceName: 'cvpn-log-guard', logLevel: 'SILENT' }),
  metrics: new Metrics({ namespace: 'CvpnLogGuardTest', serviceName: 'cvpn-log-guard' }),
});
const event: unknown = JSON.parse(readFileSync(env.EVENT_FILE ?? '', 'utf8'));

const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
lines.once('line', () => {
  lines.close();
  handler(event, lambdaContext()).then(
    (value) => {
      process.stdout.write(`${JSON.stringify({ ok: true, value })}\n`);
      runtime.close();
    },
    (error: unknown) => {
      process.stdout.write(`${JSON.stringify({ ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) })}\n`);
      runtime.close();
    },
  );
});
