/**
 * `--what-if`: the remediate handler built from the current src with serverless.yml's
 * custom.esbuild options (bundle, minify, keepNames, cjs, node22, mainFields module,main), plus
 * the proposed build changes, to measure what they would buy before anyone edits serverless.yml.
 */
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';

const require = createRequire(import.meta.url);

/**
 * Cumulative variants: each adds one proposed build change to the previous one. None of them
 * needs a src change; zod/mini and dropping Powertools (also proposed) do, so they are not here.
 */
export async function buildWhatIfBundle(root: string): Promise<{ label: string; path: string; bytes: number }[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cvpn-bench-whatif-'));
  const schemaPlugins = require('../esbuild-sdk-schemas.cjs') as Plugin[];
  const envCredentials = { '@aws-sdk/credential-provider-node': path.join(root, 'bench', 'lambda-credentials.mjs') };
  const variants: { label: string; keepNames: boolean; plugins: Plugin[]; alias?: Record<string, string> }[] = [
    { label: '+ sdk-schema plugin', keepNames: true, plugins: schemaPlugins },
    { label: '+ keepNames off', keepNames: false, plugins: schemaPlugins },
    { label: '+ env-only credentials', keepNames: false, plugins: schemaPlugins, alias: envCredentials },
  ];
  const out: { label: string; path: string; bytes: number }[] = [];
  for (const v of variants) {
    const outfile = path.join(dir, `${v.label.replace(/\W+/g, '-')}.cjs`);
    const result = await build({
      entryPoints: [path.join(root, 'src/handlers/remediate.ts')],
      outfile,
      bundle: true,
      minify: true,
      keepNames: v.keepNames,
      sourcemap: false,
      legalComments: 'none',
      target: 'node22',
      platform: 'node',
      format: 'cjs',
      mainFields: ['module', 'main'],
      metafile: true,
      logLevel: 'warning',
      plugins: v.plugins,
      ...(v.alias ? { alias: v.alias } : {}),
    });
    const bytes = Object.values(result.metafile.outputs)[0]?.bytes ?? 0;
    out.push({ label: `${v.label} (${Math.round(bytes / 1024)} KiB)`, path: outfile, bytes });
  }
  return out;
}
