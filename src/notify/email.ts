/** The plain-text email, rendered from the message model. */
import type { MessageModel } from './model';
import { emailText } from './sanitize';
import { renderText, type Medium, type Text } from './values';

/**
 * Every email line is shorter than 100 characters, except a URL or a token too long to fit (an
 * ARN, a log group name), each on a line of its own.
 */
const EMAIL_WIDTH = 99;
const LABEL_WIDTH = 15;
const INDENT = '  ';

/** Neutralising can't make a trusted value longer; it is bounded by its shape already. */
const TRUSTED_MAX = 4096;

/**
 * Trusted values as they are, so they can be copied, unless a link detector could make a link
 * of one (a session name `jane.doe@example.com`, see values.ts `verbatim`): that one is
 * neutralised like free text, and chat still shows it exactly, in a code span.
 */
const EMAIL: Medium = {
  trusted: (v) => (v.verbatim.email ? v.text : emailText(v.text, TRUSTED_MAX)),
  user: (v) => emailText(v.text, v.max.email) || (v.orElse ?? ''),
};

export const emailRender = (text: Text): string => renderText(text, EMAIL);

/**
 * Word-wraps one line of text to `width` UTF-16 units, breaking only at spaces. A token longer
 * than the width stands whole on a line of its own, longer than the rest: an ARN or a log group
 * name cut in two can't be copied, and a cut inside a word could also make a link of a piece of
 * user text that is link-free only as a whole (`loginfile:x` is no link, `file:x` is). Breaking
 * at a space keeps every token where it was, after white space, so a line break changes nothing
 * for a link detector.
 */
export function wrapLine(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (word === '') continue;
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  lines.push(line);
  return lines;
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

export function renderEmail(model: MessageModel): string {
  const lines: string[] = [];
  lines.push(...paragraph(emailRender(model.summary)));
  if (model.why) lines.push('', ...paragraph(model.why));
  lines.push('');

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
    ...paragraph(
      `Sent by cvpn-log-guard. Story: ${model.story}. Outcome: ${model.action}. Mode: ${model.mode}. Severity: ${model.severity}.`,
    ),
  );
  return lines.join('\n');
}
