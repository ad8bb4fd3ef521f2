// `npm run pack:cli`: the CLI's tarball, self-contained. dist/cli.cjs already carries every
// dependency, so the packed package.json declares none (an install needs no registry and pulls
// nothing) and no scripts (npm has no `prepare` to warn about). The project's own package.json
// keeps its dependencies for the Lambda bundles and the tests; a staged copy is packed instead.
//
//   node scripts/pack.mjs [--out <dir>]      writes <dir>/cvpn-log-guard-<version>.tgz (default: .)
//   node scripts/pack.mjs --refuse           what `npm pack` in the project runs (prepack): it stops
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { out: { type: 'string' }, refuse: { type: 'boolean' } } });

if (values.refuse) {
  process.stderr.write(
    'cvpn-log-guard: `npm pack` here would ship the project manifest (dependencies, scripts); run `npm run pack:cli` for the CLI tarball\n',
  );
  process.exit(1);
}

const project = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const FIELDS = ['name', 'version', 'description', 'license', 'engines', 'bin', 'files', 'repository', 'homepage', 'keywords', 'author'];
const manifest = Object.fromEntries(FIELDS.filter((k) => project[k] !== undefined).map((k) => [k, project[k]]));

execFileSync(process.execPath, [join(root, 'scripts', 'build-cli.mjs')], { cwd: root, stdio: 'inherit' });

const stage = mkdtempSync(join(tmpdir(), 'cvpn-pack-'));
try {
  for (const entry of [...manifest.files, 'README.md']) {
    cpSync(join(root, entry), join(stage, entry), { recursive: true });
  }
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const out = resolve(values.out ?? root);
  mkdirSync(out, { recursive: true });
  const packed = JSON.parse(
    execFileSync('npm', ['pack', stage, '--json', '--pack-destination', out], { cwd: stage, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  process.stdout.write(`${join(out, packed[0].filename)}\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
