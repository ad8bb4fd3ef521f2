/**
 * Link detectors for the "no link from user text" tests, configured to find more than their
 * defaults: linkify-it (what markdown-it uses) with fuzzy links, fuzzy emails and fuzzy IPs on,
 * and any top-level domain accepted. By default it links schemeless hosts only under a known
 * TLD list, so `evil.example/login` would pass unnoticed; real mail clients and chat apps are
 * less picky, and a TLD can be registered tomorrow.
 */
import { LinkifyIt } from 'linkify-it';
import MarkdownIt from 'markdown-it';

function configure(linkify: LinkifyIt): LinkifyIt {
  linkify.set({ fuzzyLink: true, fuzzyEmail: true, fuzzyIP: true });
  // linkify-it joins the TLD list into its host regex unescaped, so one entry can be a pattern:
  // two or more of its own "pseudo letters" (no space, punctuation or control), not all digits,
  // so that version numbers like 1.23 stay text.
  const letter = linkify.re.get_pseudo_letter().source;
  linkify.tlds([`(?![0-9]+(?![^0-9]))(?:${letter}){2,63}`]);
  // Schemes some mail clients link or hand to another program, with anything after the colon.
  const rest = { validate: (text: string, pos: number): number => /^\S*/.exec(text.slice(pos))?.[0].length ?? 0 };
  for (const scheme of ['file:', 'javascript:', 'vbscript:', 'data:', 'tel:', 'sms:', 'smb:', 'news:']) {
    linkify.add(scheme, rest);
  }
  return linkify;
}

const linkify = configure(new LinkifyIt());

/** linkify-it as markdown-it ships it, to show what the defaults miss. */
export const defaultLinkify = new LinkifyIt();

const markdown = new MarkdownIt({ linkify: true });
configure(markdown.linkify);

/** The links linkify-it finds in plain text (the email body). */
export function linksIn(text: string): string[] {
  return (linkify.match(text) ?? []).map((m) => m.raw);
}

/**
 * The links markdown-it (with linkify) makes of chat text: autolinks, `[x](y)` links and fuzzy
 * links alike. Code spans are not linked, as in Slack.
 */
export function markdownLinksIn(text: string): string[] {
  const links: string[] = [];
  for (const block of markdown.parse(text, {})) {
    for (const token of block.children ?? []) {
      if (token.type === 'link_open') links.push(String(token.attrGet('href') ?? ''));
    }
  }
  return links;
}
