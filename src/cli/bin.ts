import { runCli } from './main';

runCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  progress: process.stderr.isTTY ? (text) => process.stderr.write(text) : undefined,
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
