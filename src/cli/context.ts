import type { Settings } from '../domain/settings';
import { createRuntime, type Runtime } from '../app/runtime';
import { checkCredentials } from '../app/services';
import { homeRegion, type Flags } from './flags';
import type { CliIo } from './io';
import { Progress } from './progress';

/** What every command works with, built once per run and torn down at the end. */
export interface CliContext {
  flags: Flags;
  settings: Settings;
  io: CliIo;
  runtime: Runtime;
  home: string | undefined;
  progress: Progress;
  /** Results and tables; nothing when --quiet (only the summary) or reserved for JSON. */
  out(line: string): void;
}

export function createContext(flags: Flags, settings: Settings, io: CliIo): CliContext {
  const home = homeRegion(flags, io.env);
  const clientOptions = { ...io.clientOptions, ...(flags.profile ? { profile: flags.profile } : {}) };
  const runtime = createRuntime({
    settings,
    homeRegion: home,
    clientOptions,
    // The operator's role is not the remediator's: its own changes are not echoes to skip.
    ignoreOwnRole: false,
    overrides: io.fastWaits ? { verifyDelaysMs: [0, 0], propagationDelaysMs: [0, 0], sleep: async () => {} } : {},
  });
  const showProgress = !flags.json && !flags.quiet && !flags['no-progress'] && io.progress !== undefined;
  return {
    flags,
    settings,
    io,
    runtime,
    home,
    progress: new Progress(showProgress ? io.progress : undefined, { columns: io.columns }),
    out: (line) => {
      if (!flags.quiet) io.stdout(line);
    },
  };
}

/**
 * Every command calls AWS: without credentials, it says so once, before the first call, instead of
 * once per region or event. Called after the command's own input checks, so usage errors come first.
 */
export async function ensureCredentials(ctx: CliContext): Promise<void> {
  await checkCredentials(ctx.runtime, ctx.home ?? 'us-east-1');
}

export function closeContext(ctx: CliContext): void {
  ctx.progress.done();
  ctx.runtime.close();
}
