import { parseArgs } from 'node:util';
import * as z from 'zod';
import { parseSettings, REGION_PATTERN, type Settings } from '../lib/config';
import { ConfigError } from '../lib/errors';
import { plainText } from '../lib/sanitize';
import { formatIssues } from '../lib/zod-format';
import { runReplayFile } from './replay';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliIo } from './io';
import { UsageError } from './usage-error';

export const USAGE = `Usage: cvpn-log-guard <command> [options]

Commands:
  replay --file <path|->   Run saved CloudTrail events (EventBridge envelopes or bare records;
                           one JSON object, an array, JSON lines, a trail's S3 file or
                           'aws cloudtrail lookup-events' output) through the remediator.

Options:
  --json                   One JSON result per line, nothing else on stdout
  --dry-run                Change nothing and publish nothing; report what would be done
  --region <region>        Region for the identity lookup (events run in their own region)
  --profile <name>         AWS named profile
  --topic-arn <arn>        SNS topic for alerts (overrides CVPN_TOPIC_ARN; none = no alerts)
  --log-group <template>   Log group name template (overrides CVPN_LOG_GROUP)
  --retention-days <n>     Retention for log groups it creates (overrides CVPN_RETENTION_DAYS)
  -h, --help               Show this help

Exit codes: 0 every event handled, 1 any event failed or was invalid, 2 usage error.`;

const FlagsSchema = z.object({
  file: z.string().min(1, '--file needs a path, or - for standard input'),
  json: z.boolean().default(false),
  'dry-run': z.boolean().default(false),
  region: z.string().regex(REGION_PATTERN, 'must be a region name such as eu-west-1').optional(),
  profile: z.string().min(1).max(128).optional(),
  'topic-arn': z.string().optional(),
  'log-group': z.string().optional(),
  'retention-days': z.string().optional(),
});
export type ReplayFlags = z.infer<typeof FlagsSchema>;

function parseReplayFlags(args: string[]): ReplayFlags {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        file: { type: 'string', short: 'f' },
        json: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        region: { type: 'string' },
        profile: { type: 'string' },
        'topic-arn': { type: 'string' },
        'log-group': { type: 'string' },
        'retention-days': { type: 'string' },
      },
    }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.file === undefined) throw new UsageError('replay needs --file <path|-> (a file of saved events)');
  const parsed = FlagsSchema.safeParse(values);
  if (!parsed.success) throw new UsageError(formatIssues(parsed.error));
  return parsed.data;
}

/** Flags override the `CVPN_*` environment; both go through the one settings schema. */
export function settingsFromFlags(flags: ReplayFlags, env: CliIo['env']): Settings {
  const merged = {
    ...env,
    ...(flags['topic-arn'] !== undefined ? { CVPN_TOPIC_ARN: flags['topic-arn'] } : {}),
    ...(flags['log-group'] !== undefined ? { CVPN_LOG_GROUP: flags['log-group'] } : {}),
    ...(flags['retention-days'] !== undefined ? { CVPN_RETENTION_DAYS: flags['retention-days'] } : {}),
    ...(flags['dry-run'] ? { CVPN_MODE: 'notify-only' } : {}),
  };
  const flagNames: Record<string, string> = {
    CVPN_TOPIC_ARN: '--topic-arn',
    CVPN_LOG_GROUP: '--log-group',
    CVPN_RETENTION_DAYS: '--retention-days',
  };
  try {
    return parseSettings(merged);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    let message = error.message;
    for (const [variable, flag] of Object.entries(flagNames)) {
      message = message.replace(variable, `${variable} (${flag})`);
    }
    throw new UsageError(message);
  }
}

/** Runs one CLI invocation and returns its exit code. Never throws; never prints a stack trace. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      io.stdout(USAGE);
      return command === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (rest.includes('-h') || rest.includes('--help')) {
      io.stdout(USAGE);
      return EXIT_OK;
    }
    if (command === 'replay') {
      const flags = parseReplayFlags(rest);
      const settings = settingsFromFlags(flags, io.env);
      return await runReplayFile(flags, settings, io);
    }
    throw new UsageError(`unknown command "${plainText(command, 40)}"; try --help`);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`cvpn-log-guard: ${error.message}`);
      return EXIT_USAGE;
    }
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    io.stderr(`cvpn-log-guard: unexpected error: ${plainText(message, 500)}`);
    return EXIT_FAILED;
  }
}
