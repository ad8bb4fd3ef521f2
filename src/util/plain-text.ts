/**
 * The base neutraliser for text a person could have typed: one line of well-formed, visible
 * text. Used for terminal output by the CLI and, under the chat and email escaping, by
 * notifications. Imports nothing of ours, so any layer may use it.
 */

export const ELLIPSIS = '\u2026';

/** Lone (unpaired) UTF-16 surrogates: not encodable as UTF-8, so they become U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Invisible format characters (Unicode category Cf). This covers
 * the bidi embeddings/overrides/isolates (U+202A-U+202E,
 * U+2066-U+2069) and marks (U+200E, U+200F, U+061C), the zero-width space/joiners (U+200B-U+200D),
 * the word joiner and invisible operators (U+2060-U+2064), the BOM (U+FEFF), the soft hyphen, and
 * the tag characters (U+E0000 block) used to smuggle hidden ASCII. Dropping the zero-width joiner
 * splits composite emoji (family, profession) into their parts: still readable.
 * The whole tag block is listed too: U+E0000 and U+E0002-U+E001F are unassigned (not Cf) yet
 * just as invisible, so a hidden message could otherwise be spelled with them.
 */
const FORMAT_CHARS = /[\p{Cf}\u{E0000}-\u{E007F}]/gu;

/**
 * Invisible characters that are not format characters, so FORMAT_CHARS misses them: variation
 * selectors (U+FE00-U+FE0F and the supplement U+E0100-U+E01EF, marks of category Mn that render
 * as nothing, used to pad or watermark text and to slip between the letters of a domain), the
 * Hangul fillers (U+115F, U+1160, U+3164, U+FFA0: letters of category Lo that render blank, the
 * classic "invisible name"), and the Braille pattern blank U+2800 (a symbol that renders as a
 * space but is no whitespace). Dropping a variation selector turns an emoji such as a red heart
 * into its text form: still readable.
 */
const INVISIBLE_CHARS = /[\uFE00-\uFE0F\u{E0100}-\u{E01EF}\u115F\u1160\u3164\uFFA0\u2800]/gu;

/**
 * Combining marks past the second on one base ("Zalgo" text), which pile up over the lines
 * around them. Two per base keep every common script readable (Vietnamese stacks two).
 */
const EXCESS_MARKS = /(\p{M}{2})\p{M}+/gu;

/** Line breaks (incl. U+2028/U+2029), tabs and every Unicode space; JS `\s` lacks NEL (U+0085). */
const WHITESPACE = /[\s\u0085]+/gu;

/** C0 controls, DEL and C1 controls (category Cc) left after whitespace became spaces. */
const CONTROL_CHARS = /\p{Cc}/gu;

/**
 * Cuts `s` to at most `max` code points, replacing the tail with "…" when anything was cut.
 * Works on code points, so a surrogate pair is never split.
 */
function truncateCodePoints(s: string, max: number): string {
  if (max <= 0) return '';
  // Cheap exit: a string of at most `max` UTF-16 units has at most `max` code points.
  if (s.length <= max) return s;
  const points = Array.from(s);
  if (points.length <= max) return s;
  return points.slice(0, max - 1).join('').trimEnd() + ELLIPSIS;
}

/**
 * One line of plain text, safe to put in an email body or print:
 * lone surrogates become U+FFFD; format characters (bidi controls, zero-width characters, BOM, tag
 * characters) and other invisible characters (variation selectors, Hangul fillers, the Braille
 * blank) are dropped, and so are combining marks past the second on one letter; line breaks (including U+2028/U+2029 and NEL), tabs and runs of any
 * whitespace become one space; remaining C0/C1 control characters are dropped; the result is
 * trimmed and cut to `max` code points, ending with "…" when cut.
 */
export function plainText(s: string, max: number): string {
  const oneLine = s
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(FORMAT_CHARS, '')
    .replace(INVISIBLE_CHARS, '')
    .replace(EXCESS_MARKS, '$1')
    .replace(WHITESPACE, ' ')
    .replace(CONTROL_CHARS, '')
    // Dropping a control between two spaces can leave a double space behind.
    .replace(/ {2,}/g, ' ')
    .trim();
  return truncateCodePoints(oneLine, max);
}
