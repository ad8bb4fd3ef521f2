/**
 * The deployed artifact: `serverless package` offline (osls + serverless-esbuild with
 * serverless.yml's custom.esbuild), then the remediate handler read out of its zip.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageService, readZipEntries, readZipEntry } from '../../tests/helpers/serverless-package';

export interface PackagedBundle {
  /** The handler file, extracted next to the zip (as Lambda would unpack it). */
  bundlePath: string;
  zipPath: string;
  zipBytes: number;
  bundleBytes: number;
  packageMs: number;
  cleanup(): void;
}

export async function packageRemediate(): Promise<PackagedBundle> {
  const started = performance.now();
  const packaged = await packageService([]);
  const packageMs = performance.now() - started;
  const zipPath = packaged.zipPath('remediate');
  const zip = readFileSync(zipPath);
  const entry = readZipEntries(zip).find((e) => /^src\/handlers\/remediate\.c?js$/.test(e.name));
  if (!entry) throw new Error(`no remediate handler in ${zipPath}`);
  const unpacked = path.join(packaged.dir, 'remediate');
  const bundlePath = path.join(unpacked, entry.name);
  mkdirSync(path.dirname(bundlePath), { recursive: true });
  const code = readZipEntry(zip, entry);
  writeFileSync(bundlePath, code);
  return {
    bundlePath,
    zipPath,
    zipBytes: statSync(zipPath).size,
    bundleBytes: code.length,
    packageMs,
    cleanup: () => {
      packaged.cleanup();
    },
  };
}
