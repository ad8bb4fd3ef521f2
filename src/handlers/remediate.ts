import { parseLambdaEnv } from '../app/config';
import { createLogger, createMetrics } from '../app/observability';
import { createRuntime } from '../app/runtime';
import { createRemediateHandler } from './create-remediate-handler';

const { settings, region } = parseLambdaEnv(process.env);

export const handler = createRemediateHandler({
  runtime: createRuntime({ settings, homeRegion: region, ignoreOwnRole: true, repeatLookup: true }),
  logger: createLogger(),
  metrics: createMetrics(),
});
