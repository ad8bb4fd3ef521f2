/**
 * The layer rules of `.dependency-cruiser.cjs`, run as `npm run lint` runs them: on this tree
 * (clean), and on a copy of it with one file that crosses a boundary (each must fail). The copy
 * lives in a temporary folder, so the real src/ is never touched.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
let copy: string;

function depcruise(cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      join(ROOT, 'node_modules', '.bin', 'depcruise'),
      ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'],
      { cwd },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
      },
    );
  });
}

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'cvpn-layers-'));
  for (const f of ['src', '.dependency-cruiser.cjs', 'tsconfig.json', 'package.json']) cpSync(join(ROOT, f), join(copy, f), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
});
afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
});

describe('layer boundaries (npm run lint)', () => {
  it('pass on the tree as it is', async () => {
    const r = await depcruise(ROOT);
    expect(r.output).toContain('no dependency violations found');
    expect(r.code).toBe(0);
  }, 60_000);

  const violations: [string, string, string, RegExp][] = [
    ['a domain file imports the AWS SDK', 'src/domain/zz-sdk.ts', "import { EC2Client } from '@aws-sdk/client-ec2';\nexport const c = EC2Client;\n", /domain-no-aws-sdk/],
    ['a core file imports a handler', 'src/core/zz-handler.ts', "import { handler } from '../handlers/remediate';\nexport const h = handler;\n", /core-imports/],
    ['a notify file imports the AWS SDK', 'src/notify/zz-sdk.ts', "import { SNSClient } from '@aws-sdk/client-sns';\nexport const c = SNSClient;\n", /notify-no-aws-sdk/],
    ['the CLI reaches past app into core', 'src/cli/zz-core.ts', "import { plan } from '../core/plan';\nexport const p = plan;\n", /cli-imports/],
    [
      'two domain files import each other (type-only)',
      'src/domain/zz-cycle.ts',
      "import type { RemediationOutcome } from './outcome';\nexport type Z = RemediationOutcome;\n",
      /no-circular/,
    ],
  ];

  it.each(violations)('fail when %s', async (_what, file, text, rule) => {
    const path = join(copy, file);
    writeFileSync(path, text);
    // The cycle needs its other half: outcome.ts importing the new file back.
    const outcome = join(copy, 'src/domain/outcome.ts');
    const original = file.includes('cycle') ? readFileSync(outcome, 'utf8') : undefined;
    if (original !== undefined) writeFileSync(outcome, `import type { Z } from './zz-cycle';\nexport type ZZ = Z;\n${original}`);
    try {
      const r = await depcruise(copy);
      expect(r.code).not.toBe(0);
      expect(r.output).toMatch(rule);
    } finally {
      rmSync(path);
      if (original !== undefined) writeFileSync(outcome, original);
    }
  }, 60_000);
});
