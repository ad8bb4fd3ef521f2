/**
 * Golden files: every story's email (with its subject) and chat message, exactly as sent, in
 * tests/golden/<name>.email.txt and <name>.chat.json, so a wording change shows up in review.
 *
 * After a deliberate change, regenerate them and read the diff:
 *
 *   UPDATE_GOLDEN=1 npx vitest run tests/unit/notify/golden.test.ts
 *
 * The outcomes are in stories.ts (built on the real CloudTrail fixtures). The README's alert
 * examples (marked `<!-- golden: <file> -->`) are copies, checked here and rewritten by the same
 * command.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildNotification } from '../../../src/notify';
import { buildModel } from '../../../src/notify/model';
import { STORY_KEYS } from '../../../src/notify/story';
import { CTX } from './outcomes';
import { STORIES } from './stories';

const GOLDEN = join(import.meta.dirname, '..', '..', 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function compare(file: string, actual: string): void {
  const path = join(GOLDEN, file);
  if (UPDATE) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  expect(existsSync(path), `${file} is missing: run UPDATE_GOLDEN=1 npx vitest run tests/unit/notify/golden.test.ts`).toBe(true);
  expect(actual, `${file} differs (UPDATE_GOLDEN=1 regenerates it)`).toBe(readFileSync(path, 'utf8'));
}

export const emailFile = (subject: string, email: string): string => `Subject: ${subject}\n\n${email}\n`;

describe('golden files', () => {
  it('cover every story', () => {
    const told = new Set(STORIES.map(([, story]) => story));
    expect([...STORY_KEYS].filter((k) => k !== 'other' && !told.has(k))).toEqual([]);
  });

  it.each(STORIES.map(([name, story, outcome]) => [name, story, outcome] as const))('%s tells the story %s', (_name, story, outcome) => {
    expect(buildModel(outcome, CTX).story).toBe(story);
  });

  it.each(STORIES.map(([name, , outcome]) => [name, outcome] as const))('%s: email and chat as in tests/golden', (name, outcome) => {
    const n = buildNotification(outcome, CTX);
    compare(`${name}.email.txt`, emailFile(n.subject, n.email));
    compare(`${name}.chat.json`, `${JSON.stringify(n.chat, null, 2)}\n`);
  });

  it('every subject fits SNS with the longest region name', () => {
    for (const [name, , outcome] of STORIES) {
      const subject = buildNotification({ ...outcome, region: 'ap-southeast-5' }, CTX).subject;
      expect(subject.length, name).toBeLessThan(100);
      expect(subject, name).not.toContain('…');
    }
  });
});

describe('README examples', () => {
  it('are copies of the golden files', () => {
    const path = join(import.meta.dirname, '..', '..', '..', 'README.md');
    if (UPDATE) {
      const fresh = readFileSync(path, 'utf8').replace(
        /(<!-- golden: (\S+) -->\n```\w*\n)[\s\S]*?\n```/g,
        (_all, head: string, file: string) => `${head}${readFileSync(join(GOLDEN, file), 'utf8').replace(/\n$/, '')}\n\`\`\``,
      );
      writeFileSync(path, fresh);
    }
    const readme = readFileSync(path, 'utf8');
    const examples = [...readme.matchAll(/<!-- golden: (\S+) -->\n```\w*\n([\s\S]*?)\n```/g)];
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const [, file, body] of examples) {
      expect(`${body ?? ''}\n`, `README example ${file ?? ''}`).toBe(readFileSync(join(GOLDEN, file ?? ''), 'utf8'));
    }
  });
});
