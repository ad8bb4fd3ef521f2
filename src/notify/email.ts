/** The plain-text email, rendered from the message model. */
import type { MessageModel } from './model';
import { emailText } from './sanitize';
import { renderText, type Medium, type Text } from './values';

/** Every email line is shorter than 100 characters, except a URL on a line of its own. */
const EMAIL_WIDTH = 99;
const LABEL_WIDTH = 15;
const INDENT = '  ';

const EMAIL: Medium = {
  trusted: (v) => v.text,
  user: (v) => emailText(v.text, v.max.email) || (v.orElse ?? ''),
};

export const emailRender = (text: Text): string => renderText(text, EMAIL);

const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;
const isWord = (p: string | undefined): boolean => p !== undefined && WORD_CHAR.test(p);

/**
 * Where to cut a line that has no space to break at. User text is made link-free as one string,
 * and some of that rests on what stands before a token (`loginfile:x` is no link, `file:x` is;
 * `hxxp://localhost` is none, `//localhost` is). So the cut goes back to just after the last
 * character that is no letter, digit or mark, and never right before a `/`; only a chunk that
 * is one single word is cut where it is full.
 */
function safeCut(points: readonly string[], start: number, end: number): number {
  let cut = end;
  while (cut - start > 1 && (points[cut] === '/' || (isWord(points[cut]) && isWord(points[cut - 1])))) cut -= 1;
  return cut - start > 1 ? cut : end;
}

/** Word-wraps one line of text to `width` UTF-16 units, never splitting a surrogate pair. */
export function wrapLine(text: string, width: number): string[] {
  const points = Array.from(text);
  const lines: string[] = [];
  let start = 0;
  while (start < points.length) {
    let units = 0;
    let end = start;
    let lastSpace = -1;
    for (let p = points[end]; p !== undefined && units + p.length <= width; p = points[end]) {
      if (p === ' ') lastSpace = end;
      units += p.length;
      end += 1;
    }
    if (end === start) end = start + 1; // a code point wider than the width: emit it anyway
    let next: number;
    if (end < points.length && lastSpace > start && points[end] !== ' ') {
      end = lastSpace;
      next = lastSpace + 1;
    } else {
      end = safeCut(points, start, end);
      next = end;
    }
    lines.push(points.slice(start, end).join('').trimEnd());
    start = next;
    while (points[start] === ' ') start += 1;
  }
  return lines.length > 0 ? lines : [''];
}

function field(label: string, value: string): string[] {
  const pad = INDENT + ' '.repeat(LABEL_WIDTH);
  return wrapLine(value, EMAIL_WIDTH - pad.length).map((chunk, i) =>
    i === 0 ? `${INDENT}${label.padEnd(LABEL_WIDTH)}${chunk}`.trimEnd() : `${pad}${chunk}`,
  );
}

function paragraph(text: string, indent = ''): string[] {
  return wrapLine(text, EMAIL_WIDTH - indent.length).map((l) => indent + l);
}

function bullet(text: string): string[] {
  return wrapLine(text, EMAIL_WIDTH - 4).map((l, i) => (i === 0 ? `${INDENT}- ${l}` : `${INDENT}  ${l}`));
}

const WHY =
  'Connection logs are the only record of who connected to this VPN, when and from where; ' +
  'while logging is off, connections leave no trace.';

export function renderEmail(model: MessageModel): string {
  const lines: string[] = [];
  lines.push(...paragraph(model.headline), ...paragraph(WHY), '');

  for (const section of model.sections) {
    lines.push(section.title);
    for (const r of section.rows) lines.push(...field(r.label, emailRender(r.value)));
    lines.push('');
  }

  lines.push('What to do next');
  for (const step of model.nextSteps) lines.push(...bullet(emailRender(step)));
  lines.push('');

  if (model.links.length > 0) {
    lines.push('Console');
    // URLs stay whole on their own line (longer than 99 characters if need be) so they stay clickable.
    for (const link of model.links) lines.push(`${INDENT}${link.label}:`, `${INDENT}${link.url}`);
    lines.push('');
  }

  lines.push('--');
  lines.push(
    ...paragraph(`Sent by cvpn-log-guard. Outcome: ${model.action}. Mode: ${model.mode}. Severity: ${model.severity}.`),
  );
  return lines.join('\n');
}
