import { AwsCallError } from '../domain/errors';
import { coverage } from './coverage';
import { plainText } from '../util/plain-text';
import { closeContext, createContext, type CliContext } from './context';
import { explainMissingCredentials, isCredentialsError } from './credentials';
import { COMMAND_OPTIONS, parseFlags, settingsFromFlags, type CommandName } from './flags';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliIo } from './io';
import { redrive } from './redrive';
import { replayFile, replayHistory } from './replay';
import { scan } from './scan';
import { COMMAND_USAGE, USAGE } from './usage';
import { UsageError } from './usage-error';
import { VERSION } from './version';

export { COMMAND_USAGE, USAGE };

function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMAND_OPTIONS, name);
}

/** Flag combinations a command refuses, checked before anything reaches AWS. */
function checkCombination(command: CommandName, flags: CliContext['flags']): void {
  if (command !== 'replay') return;
  if (flags.file !== undefined && flags.since !== undefined) throw new UsageError('replay takes --file or --since, not both');
  if (flags.file !== undefined && (flags.regions !== undefined || flags.until !== undefined)) {
    throw new UsageError('--regions and --until go with --since, not --file');
  }
  if (flags.file === undefined && flags.since === undefined) {
    throw new UsageError('replay needs --file <path|-> (saved events) or --since <time> (CloudTrail history)');
  }
}

async function dispatch(command: CommandName, ctx: CliContext): Promise<number> {
  const { flags } = ctx;
  switch (command) {
    case 'replay':
      return flags.file !== undefined ? replayFile(ctx, flags.file) : replayHistory(ctx);
    case 'scan':
      return scan(ctx);
    case 'redrive':
      return redrive(ctx);
    case 'coverage':
      return coverage(ctx);
  }
}

/** Runs one CLI invocation and returns its exit code. Never throws; never prints a stack trace. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    const topic = rest[0];
    if (command === 'help' && topic !== undefined && isCommand(topic)) {
      io.stdout(COMMAND_USAGE[topic]);
      return EXIT_OK;
    }
    io.stdout(USAGE);
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (command === '--version' || command === '-V') {
    io.stdout(`cvpn-log-guard ${VERSION}`);
    return EXIT_OK;
  }
  if (isCommand(command) && (rest.includes('-h') || rest.includes('--help'))) {
    io.stdout(COMMAND_USAGE[command]);
    return EXIT_OK;
  }
  let ctx: CliContext | undefined;
  try {
    if (!isCommand(command)) throw new UsageError(`unknown command "${plainText(command, 40)}"; try --help`);
    const flags = parseFlags(command, rest);
    checkCombination(command, flags);
    ctx = createContext(flags, settingsFromFlags(flags, io.env), io);
    return await dispatch(command, ctx);
  } catch (error) {
    ctx?.progress.done();
    if (error instanceof UsageError) {
      io.stderr(`cvpn-log-guard: ${error.message}`);
      return EXIT_USAGE;
    }
    if (error instanceof AwsCallError && isCredentialsError(error.code, error.awsMessage)) {
      io.stderr(`cvpn-log-guard: ${plainText(explainMissingCredentials(ctx?.flags.profile, io.env, error.awsMessage), 500)}`);
      return EXIT_FAILED;
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
