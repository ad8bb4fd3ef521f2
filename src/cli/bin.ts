import { runCli } from './main';

// The SDK warns once per process on Node < 22 (releases after January 2027 need 22). That is the
// SDK's roadmap, not something the person running a scan can act on, and its 9 lines bury the
// results; the product's own warnings are unaffected. The SDK reads this when a client is built.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

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
