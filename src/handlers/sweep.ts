import { parseLambdaEnv } from '../app/config';
import { createLogger, createMetrics } from '../app/observability';
import { createRuntime } from '../app/runtime';
import { createSweepHandler } from './create-sweep-handler';

const { settings, region } = parseLambdaEnv(process.env);

export const handler = createSweepHandler({
  runtime: createRuntime({ settings, homeRegion: region, ignoreOwnRole: true, repeatLookup: true }),
  region,
  logger: createLogger(),
  metrics: createMetrics(),
});
