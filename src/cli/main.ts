import { AwsCallError } from '../domain/errors';
import { plainText } from '../util/plain-text';
import { closeContext, createContext, type CliContext } from './context';
import { COMMAND_OPTIONS, parseFlags, settingsFromFlags, type CommandName } from './flags';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliIo } from './io';
import { redrive } from './redrive';
import { replayFile, replayHistory } from './replay';
import { scan } from './scan';
import { UsageError } from './usage-error';

export const USAGE = `Usage: cvpn-log-guard <command> [options]

Commands:
  replay --file <path|->   Run saved CloudTrail events (EventBridge envelopes or bare records;
                           one JSON object, an array, JSON lines, a trail's S3 file or
                           'aws cloudtrail lookup-events' output) through the remediator.
  replay --since <time> [--until <time>] [--regions <list>|all] [--invoke <function>]
                           Replay what CloudTrail's event history holds (last 90 days) for
                           CreateClientVpnEndpoint and ModifyClientVpnEndpoint. Time: ISO 8601
                           or a duration back from now (90m, 24h, 7d). --invoke sends each event
                           to the deployed function instead of running it here.
  scan [--regions <list>|all] [--apply]
                           Show every endpoint's logging, log group and exemption; --apply
                           fixes the non-compliant ones. Exit 0 all compliant (or fixed), 1 not.
  redrive [--queue-url <url> | --stage <stage>]
                           Re-process the events in the remediate function's on-failure queue;
                           delete those that now succeed, keep and explain the rest.

Options:
  --json                   Machine-readable results only (one JSON object per line)
  --quiet                  Only the summary
  --dry-run                replay/redrive: change nothing, publish nothing, delete nothing
  --region <region>        Home region (identity lookup, --regions all, default region)
  --profile <name>         AWS named profile
  --topic-arn <arn>        SNS topic for alerts (overrides CVPN_TOPIC_ARN; none = no alerts)
  --state-table <name>     DynamoDB state table: respect the Lambda's leases (overrides CVPN_STATE_TABLE)
  --log-group <template>   Log group name template (overrides CVPN_LOG_GROUP)
  --retention-days <n>     Retention for log groups it creates (overrides CVPN_RETENTION_DAYS)
  -h, --help               Show this help
  -V, --version            Show the version

Exit codes: 0 done, 1 something failed or stays non-compliant, 2 usage error.`;

function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMAND_OPTIONS, name);
}

async function dispatch(command: CommandName, ctx: CliContext): Promise<number> {
  const { flags } = ctx;
  switch (command) {
    case 'replay':
      if (flags.file !== undefined && flags.since !== undefined) throw new UsageError('replay takes --file or --since, not both');
      if (flags.file !== undefined) {
        if (flags.regions !== undefined || flags.until !== undefined) throw new UsageError('--regions and --until go with --since, not --file');
        return replayFile(ctx, flags.file);
      }
      if (flags.since !== undefined) return replayHistory(ctx);
      throw new UsageError('replay needs --file <path|-> (saved events) or --since <time> (CloudTrail history)');
    case 'scan':
      return scan(ctx);
    case 'redrive':
      return redrive(ctx);
  }
}

declare const CVPN_LOG_GUARD_VERSION: string | undefined;
/** Set by the bundle build (scripts/build-cli.mjs); absent when run from source. */
const VERSION = typeof CVPN_LOG_GUARD_VERSION === 'string' ? CVPN_LOG_GUARD_VERSION : 'development build';

/** Runs one CLI invocation and returns its exit code. Never throws; never prints a stack trace. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-V') {
    io.stdout(`cvpn-log-guard ${VERSION}`);
    return EXIT_OK;
  }
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.stdout(USAGE);
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  let ctx: CliContext | undefined;
  try {
    if (!isCommand(command)) throw new UsageError(`unknown command "${plainText(command, 40)}"; try --help`);
    const flags = parseFlags(command, rest);
    ctx = createContext(flags, settingsFromFlags(flags, io.env), io);
    return await dispatch(command, ctx);
  } catch (error) {
    ctx?.progress.done();
    if (error instanceof UsageError) {
      io.stderr(`cvpn-log-guard: ${error.message}`);
      return EXIT_USAGE;
    }
    if (error instanceof AwsCallError) {
      io.stderr(`cvpn-log-guard: ${plainText(error.message, 500)}`);
      return EXIT_FAILED;
    }
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    io.stderr(`cvpn-log-guard: unexpected error: ${plainText(message, 500)}`);
    return EXIT_FAILED;
  } finally {
    if (ctx) closeContext(ctx);
  }
}
