/**
 * Neutralises user-controlled text (endpoint descriptions, tag values, AWS error messages, and any
 * identifier that fails its AWS shape) before it is shown to people in an email or a chat channel,
 * and decides where an identifier can be shown exactly ({@link linkFree}, {@link codeSpanSafe}).
 *
 * Three levels, each built on the one before:
 * - {@link plainText}: one line of well-formed, visible text (email bodies, CLI output).
 * - {@link slackText}: plainText that no chat renderer can turn into a mention, link or format.
 * - {@link subjectText}: plainText that SNS accepts as a `Subject`.
 * {@link emailText} and {@link chatText} are what the renderers apply to user values.
 */

import { ELLIPSIS, plainText } from '../util/plain-text';

export { plainText };

/**
 * How {@link slackText} makes text inert. Decided per character, so that it holds whatever the
 * renderer in between does:
 *
 * - Amazon Q Developer renders `client-markdown` "in the target chat platform's markdown" (Slack
 *   mrkdwn for Slack, another dialect for Teams and Chime), and AWS's own sample passes Slack's
 *   `<url|text>` syntax straight through. So Slack control sequences in our text reach Slack.
 * - Slack's documented escape is exactly `&` -> `&amp;`, `<` -> `&lt;`, `>` -> `&gt;`; every
 *   control sequence (`<!channel>`, `<!here|here>`, `<@U123>`, `<#C123>`, `<!subteam^...>`,
 *   `<https://x|y>`, `<!date^...>`) starts with `<`, so escaping it defuses them all, and Slack
 *   shows the reader the original characters.
 * - Slack mrkdwn has no backslash escape, and the Teams/CommonMark one is different, so instead of
 *   escaping the other markdown characters we swap them for look-alikes that no dialect treats as
 *   syntax (full-width or mathematical forms). A person still reads `*`, `_`, `(`; no renderer
 *   sees them. Plain `@here`/`@channel`/`@name` (resolved when a poster asks Slack to link names)
 *   get a full-width `＠`.
 * - Autolinks: a URL in user text must not become a clickable link in a message that our own
 *   tool sends (phishing with our credibility). `http`/`https` are defanged to `hxxp`/`hxxps`,
 *   the convention security teams recognise on sight as "a link, deliberately broken"; any other
 *   `scheme://` loses its colon to a look-alike (`∶`); and every `.` becomes a one-dot leader
 *   (`․`, U+2024), which looks the same but is no domain separator, so `www.`, bare domains
 *   (`evil.example`) and email addresses cannot be linkified either.
 *
 * Considered and rejected as the defence for free text: wrapping each value in an inline code
 * span. Slack still parses `<...>` control sequences inside code spans, a value can end with a
 * backslash that CommonMark would use to break out, and how Amazon Q maps code spans per platform
 * is not documented. The per-character approach needs none of those to hold.
 *
 * The cost: free text shown in chat no longer copy-pastes byte for byte. Identifiers don't pay
 * it: one that matches its AWS shape holds none of `<>&\` or a backtick, so it goes verbatim into
 * a code span ({@link codeSpanSafe}), and copies as it is (values.ts decides which is which).
 */
const SLACK_REPLACEMENTS: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '@': '\uFF20', // ＠ FULLWIDTH COMMERCIAL AT
  '*': '\u2217', // ∗ ASTERISK OPERATOR
  _: '\uFF3F', // ＿ FULLWIDTH LOW LINE
  '~': '\u223C', // ∼ TILDE OPERATOR
  '`': '\u02CB', // ˋ MODIFIER LETTER GRAVE ACCENT
  '[': '\uFF3B', // ［
  ']': '\uFF3D', // ］
  '(': '\uFF08', // （
  ')': '\uFF09', // ）
  '|': '\u2223', // ∣ DIVIDES
  '#': '\uFF03', // ＃ (headings in Teams/CommonMark, channel-like tokens)
  '\\': '\u2216', // ∖ SET MINUS (a trailing backslash could escape our own markup in CommonMark)
  '.': '\u2024', // ․ ONE DOT LEADER (no domain, no `www.`, no email autolink)
};

const SLACK_SPECIAL = /[&<>@*_~`[\]()|#\\.]/g;

/**
 * Text that Slack (and Amazon Q's other targets) will show as-is: plainText, then {@link unlink},
 * HTML-escaped `&<>`, and markdown/mention characters replaced by look-alikes (see
 * {@link SLACK_REPLACEMENTS} for why). `max` counts the visible code points before escaping.
 */
export function slackText(s: string, max: number): string {
  return (
    unlink(plainText(s, max))
      // Any other scheme: the colon of `://` becomes a look-alike.
      .replace(/:(?=\/\/)/g, '\u2236')
      .replace(SLACK_SPECIAL, (c) => SLACK_REPLACEMENTS[c] ?? c)
  );
}

/**
 * The visible defang of web links, keeping the writer's case: `https://` -> `hxxps://`,
 * `HTTP://` -> `HXXP://`, and the same for `http:\\` (browsers read a backslash as a slash) and
 * `http:host`. Mail clients and chat apps don't linkify the result, and a reader still sees what
 * it was.
 */
export function defangUrls(s: string): string {
  return s.replace(/(?<![\p{L}\p{N}])([hH])([tT])[tT]([pP][sS]?)(?=:[^\s])/gu, (_m, h: string, t: string, rest: string) =>
    `${h}${t === 'T' ? 'XX' : 'xx'}${rest}`,
  );
}

/**
 * Schemes that mail clients and chat apps turn into links (or hand to another program) without
 * any slashes. `arn:` is deliberately not one: ARNs must stay readable.
 */
const BARE_SCHEMES =
  'mailto|file|ftps?|sftp|javascript|vbscript|data|tel|sms|news|nntp|ircs?|ssh|telnet|ldaps?|smb|webcal|feed|' +
  'callto|skype|sips?|xmpp|magnet|git|svn|gopher|wss?|slack|msteams|zoommtg|facetime';

/** `scheme:` of a URL: any scheme before a slash or backslash, the bare ones before anything. */
// Not `\b`: an underscore is a word character, yet detectors start a scheme right after one.
// Inside a word a scheme is no link; email.ts never cuts a line inside a word.
const SCHEME_COLON = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:(?!hxxps?:)[a-z][a-z0-9+.-]{1,31}:(?=[/\\\\])|(?:${BARE_SCHEMES}):(?=\\S))`,
  'giu',
);

/** Full-width and ideographic full stops, which browsers map to "." in a host name. */
const LOOKALIKE_DOT = /(?<=[A-Za-z0-9])[\uFF0E\u3002\uFF61]|[\uFF0E\u3002\uFF61](?=[A-Za-z0-9])/g;

/**
 * A dot with something other than a space on both sides: the separator of a domain, a `www.`, an
 * email host or an IP. As wide as that because detectors disagree on what a label may hold:
 * linkify-it's Unicode tables predate some punctuation (U+10B39) and count symbols (`|`, emoji)
 * as letters. A dot that ends a sentence is left alone, and so is a run of dots ("...").
 */
const DOMAIN_DOT = /(?<=[^\s\p{Cc}.])\.(?=[^\s\p{Cc}.])/gu;

/** ONE DOT LEADER: looks like "." but separates no domain. */
const DOT_LEADER = '\u2024';

/**
 * User text that no common link detector (linkify-it and markdown-it, mail clients, chat apps)
 * can turn into a link, still readable by a person:
 * - `http(s)` is defanged to `hxxp(s)`; the colon of any other scheme before a slash or
 *   backslash (`ftp://`, `file:///`), and of schemes that need none (`mailto:`, `file:`,
 *   `javascript:`), becomes a look-alike (`∶`, U+2236);
 * - every backslash becomes `∖` (U+2216), so no UNC path (`\\host\share`, which some mail
 *   clients open on click and so leak the reader's NTLM credentials) and no `http:\\` remains;
 *   a `//` that starts a scheme-relative link becomes `/∕`;
 * - every `@` becomes `＠` (no `user@host`), and full-width and ideographic full stops next to a
 *   letter or digit, then every dot inside a word (see DOMAIN_DOT), become a one-dot leader (no
 *   bare domain, `www.`, email host or dotted IP).
 * The host of a defanged URL loses its dots too (`hxxps://evil․example`): a host left whole is
 * safe only while nothing stands right before it, which holds only as long as no renderer ever
 * cuts or reorders the text (the email wraps at spaces only, but the chat size guard cuts).
 */
export function unlink(s: string): string {
  return defangUrls(s)
    .replace(SCHEME_COLON, (m) => `${m.slice(0, -1)}\u2236`)
    .replace(/\\/g, '\u2216')
    .replace(/(?<![:/\u2236])\/\//g, '/\u2215')
    .replace(/@/g, '\uFF20')
    .replace(LOOKALIKE_DOT, DOT_LEADER)
    .replace(DOMAIN_DOT, DOT_LEADER);
}

/** Characters after which no link detector starts a link or an address (linkify-it's own rule). */
const LINK_JOINER = /[A-Za-z0-9.:/_@-]/;
/** Characters after which a detector may start a scheme (`tel:`, `mailto:`). */
const WORD = /[A-Za-z0-9_]/;
const KNOWN_SCHEME = new RegExp(`^(?:https?|${BARE_SCHEMES})$`, 'i');
/** A host from here: a label (symbols count as letters for linkify-it), then a dot. */
const HOST_AHEAD = /^[A-Za-z0-9_=+$^|~`-]*\./;
/**
 * An email address from here: a local part, then `@`. Detectors disagree on the local part's
 * alphabet: linkify-it 5 took `;:&=+$,.` and no slash, its current rewrite takes RFC 5322's
 * atext (slash included, colon not); either one is enough to count.
 */
const ADDRESS_AHEAD = [/^[-;:&=+$,."A-Za-z0-9_]*@/, /^[-!#$%&'*+/=?^_`{|}~A-Za-z0-9.]*@/];
const SCHEME_AHEAD = /^([A-Za-z][A-Za-z0-9+.-]*):(.?)/;

/**
 * Whether no link detector can make a link of any part of `s`, shown as is among plain words:
 * the test for showing an identifier verbatim in the email. Conservative, modelled on
 * linkify-it (which mail clients and chat apps roughly agree with): a link or address can only
 * start at the beginning or right after a character other than a letter, digit or `.:/_@-`, so
 * `arn:aws:sts::…:assumed-role/R/jane.doe@example.com` is link-free (everything after the
 * slash is glued to the ARN) while `jane.doe@example.com` alone, or `…user/x,www.evil.example`,
 * is not. False on anything that is not printable ASCII, on any backslash or `//`, on any
 * scheme before a slash, and on a scheme of {@link BARE_SCHEMES}. Where it says false, the
 * renderer neutralises the value as it does free text (`unlink`).
 */
export function linkFree(s: string): boolean {
  if (!/^[\x20-\x7E]*$/.test(s) || s.includes('\\') || s.includes('//')) return false;
  for (let p = 0; p < s.length; p++) {
    const before = p === 0 ? ' ' : (s[p - 1] ?? ' ');
    const rest = s.slice(p);
    if (!WORD.test(before)) {
      const scheme = SCHEME_AHEAD.exec(rest);
      if (scheme && (KNOWN_SCHEME.test(scheme[1] ?? '') || scheme[2] === '/')) return false;
    }
    if (!LINK_JOINER.test(before) && (HOST_AHEAD.test(rest) || ADDRESS_AHEAD.some((re) => re.test(rest)))) return false;
  }
  return true;
}

/**
 * Whether `s` may stand inside an inline code span in chat: Slack shows a code span's text as
 * is (no links, no formatting, no mentions), but still reads `<...>` control sequences and
 * `&` entities in it, so those, a mention-like `@` (`@here`), line breaks and anything that is not
 * printable ASCII keep the value out of one. Backticks don't count: {@link codeSpan} drops them
 * (a valid identifier has none).
 */
export function codeSpanSafe(s: string): boolean {
  const inner = s.replace(/`/g, '');
  return /^[\x20-\x7E]+$/.test(inner) && !/[<>&\\]/.test(inner) && !/(?<![A-Za-z0-9_])@/.test(inner) && inner.trim() !== '';
}

/** The characters {@link slackText} replaces, less the dot (which {@link linkFree} judges). */
const SLACK_MARKUP = /[&<>@*_~`[\]()|#\\]/;

/** Whether `s` may stand in chat as plain text: link-free and holding no markup or mention character. */
export const chatPlainSafe = (s: string): boolean => linkFree(s) && !SLACK_MARKUP.test(s);

/** An identifier as a chat code span; backticks (never in a valid identifier) would end it early. */
export const codeSpan = (s: string): string => `\`${s.replace(/`/g, '')}\``;

/** SNS: "Subjects must be UTF-8 text with no line breaks or control characters, and must be less than 100 characters long." */
const SNS_SUBJECT_LIMIT = 99;

/**
 * A valid SNS `Subject`: plainText (no line breaks, no control or invisible characters, no lone
 * surrogates), at most `max` (capped at 99) characters counted as UTF-16 units, which is never
 * fewer than code points, so the limit holds however SNS counts; never empty.
 */
export function subjectText(s: string, max = SNS_SUBJECT_LIMIT): string {
  const wanted = Number.isFinite(max) ? Math.floor(max) : SNS_SUBJECT_LIMIT;
  const limit = Math.max(1, Math.min(wanted, SNS_SUBJECT_LIMIT));
  let text = plainText(s, limit);
  if (text.length > limit) {
    // plainText counted code points; astral characters (emoji) take two UTF-16 units each.
    let kept = '';
    for (const point of text) {
      if (kept.length + point.length + ELLIPSIS.length > limit) break;
      kept += point;
    }
    text = kept.trimEnd() + ELLIPSIS;
  }
  return text === '' ? 'cvpn-log-guard notification'.slice(0, limit) : text;
}

/** A user value in the plain-text email. */
export function emailText(value: string, max: number): string {
  return unlink(plainText(value, max));
}

/**
 * A user value in chat. slackText bounds visible characters; escaping can make the text longer
 * (`&` -> `&amp;`). This keeps the escaped result within `max` UTF-16 units too, so the chat
 * description stays inside what Slack shows (3,000 characters per text block).
 */
export function chatText(value: string, max: number): string {
  let visible = max;
  let out = slackText(value, visible);
  while (out.length > max && visible > 1) {
    visible = Math.max(1, Math.min(visible - 1, Math.floor((visible * max) / out.length)));
    out = slackText(value, visible);
  }
  return out;
}
