import { runCli } from './main';

const ERASE_LINE = '\r\x1b[K';
const terminal = process.stderr.isTTY;
// Whether a progress line is on screen: any other output first erases it, or the line's
// remains would run into what is printed after it.
let progressShown = false;

function clearProgress(): void {
  if (!progressShown) return;
  process.stderr.write(ERASE_LINE);
  progressShown = false;
}

if (terminal) {
  // Ctrl-C in the middle of a run: leave the prompt on a clean line, exit as a shell expects.
  process.once('SIGINT', () => {
    clearProgress();
    process.exit(130);
  });
}

runCli(process.argv.slice(2), {
  stdout: (line) => {
    clearProgress();
    process.stdout.write(`${line}\n`);
  },
  stderr: (line) => {
    clearProgress();
    process.stderr.write(`${line}\n`);
  },
  progress: terminal
    ? (text) => {
        process.stderr.write(text);
        progressShown = text !== ERASE_LINE;
      }
    : undefined,
  columns: () => process.stderr.columns,
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
