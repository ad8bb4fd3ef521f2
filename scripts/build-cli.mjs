// Bundles the CLI into one CommonJS file so it runs from a clone right after `npm ci` and from a
// packed tarball without TypeScript, any build tool or any installed dependency.
import { readFileSync } from 'node:fs';
import { URL } from 'node:url';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

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
  logLevel: 'warning',
  // `--version` without reading package.json at run time (src/cli/version.ts).
  define: { CVPN_LOG_GUARD_VERSION: JSON.stringify(version) },
});
