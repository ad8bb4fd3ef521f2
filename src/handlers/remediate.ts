import { ConfigError } from '../lib/errors';
import { createLogger, createMetrics } from '../lib/observability';
import { createRuntime } from '../lib/pipeline';
import { parseSettings } from '../lib/config';
import { createRemediateHandler } from './create-remediate-handler';

// Parsed at cold start: a bad setting fails the container's init with a message naming it,
// before any event is touched.
const settings = parseSettings(process.env);
if (!settings.topicArn) {
  throw new ConfigError('Invalid configuration: CVPN_TOPIC_ARN is required (the SNS topic for alerts)');
}
const region = process.env.AWS_REGION;
if (!region) throw new ConfigError('Invalid configuration: AWS_REGION is not set');

export const handler = createRemediateHandler({
  runtime: createRuntime({ settings, homeRegion: region, ignoreOwnRole: true }),
  logger: createLogger(),
  metrics: createMetrics(),
});
