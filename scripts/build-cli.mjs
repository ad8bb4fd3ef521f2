// Bundles the CLI into one CommonJS file so it runs from a clone right after `npm ci` and from a
// packed tarball without TypeScript or any build tool.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new globalThis.URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['src/cli/bin.ts'],
  outfile: 'dist/cli.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // The SDK's ES module builds tree-shake far better than its CommonJS ones.
  mainFields: ['module', 'main'],
  minify: true,
  legalComments: 'none',
  // `cvpn-log-guard --version` answers from the bundle, with no package.json read at run time.
  define: { CVPN_LOG_GUARD_VERSION: JSON.stringify(version) },
  logLevel: 'warning',
});
