import { parseLambdaEnv } from '../lib/config';
import { createLogger, createMetrics } from '../lib/observability';
import { createRuntime } from '../lib/pipeline';
import { createSweepHandler } from './create-sweep-handler';

const { settings, region } = parseLambdaEnv(process.env);

export const handler = createSweepHandler({
  runtime: createRuntime({ settings, homeRegion: region, ignoreOwnRole: true, repeatLookup: true }),
  region,
  logger: createLogger(),
  metrics: createMetrics(),
});
