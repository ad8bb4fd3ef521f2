import { parseLambdaEnv } from '../lib/config';
import { createLogger, createMetrics } from '../lib/observability';
import { createRuntime } from '../lib/pipeline';
import { createRemediateHandler } from './create-remediate-handler';

const { settings, region } = parseLambdaEnv(process.env);

export const handler = createRemediateHandler({
  runtime: createRuntime({ settings, homeRegion: region, ignoreOwnRole: true, repeatLookup: true }),
  logger: createLogger(),
  metrics: createMetrics(),
});
