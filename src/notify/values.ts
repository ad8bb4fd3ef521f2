/**
 * The pieces a message model is made of, each marked with how far it can be trusted:
 * - trusted: it matched the shape AWS gives it (endpoint ID, region, account, event ID, log
 *   group, ...) or is one of our own enumerations, so it is shown verbatim (`code`: an
 *   identifier, code-formatted in chat);
 * - user: free text a person could have typed; every renderer neutralises it for its medium.
 * Plain strings inside a {@link Text} are our own words.
 */

/** How many code points of a user value each medium shows. */
export interface Limits {
  email: number;
  chat: number;
}

export interface TrustedValue {
  readonly trust: 'trusted';
  readonly text: string;
  readonly code: boolean;
}

export interface UserValue {
  readonly trust: 'user';
  readonly text: string;
  readonly max: Limits;
  /** Shown when neutralising leaves nothing. */
  readonly orElse?: string;
}

export type Value = TrustedValue | UserValue;

/** Our own words (strings) and values, rendered in order. */
export type Text = ReadonlyArray<string | Value>;

/** A trusted identifier. */
export const id = (text: string): TrustedValue => ({ trust: 'trusted', text, code: true });

/** Trusted, but prose rather than an identifier (a timestamp): never code-formatted. */
export const known = (text: string): TrustedValue => ({ trust: 'trusted', text, code: false });

export const user = (text: string, email: number, chat = email, orElse?: string): UserValue => ({
  trust: 'user',
  text,
  max: { email, chat },
  orElse,
});

// Shapes of the trusted values that console-links.ts does not cover.
export const EVENT_ID_PATTERN = /^[A-Za-z0-9-]{1,128}$/;
export const EVENT_NAME_PATTERN = /^[A-Za-z]{1,64}$/;
export const ISO_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
export const ERROR_CODE_PATTERN = /^[A-Za-z0-9.]{1,100}$/;
export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
export const STEP_PATTERN = /^[a-z-]{1,40}$/;

/** The value, if it has the shape `pattern` gives it. */
export const trusted = (value: string | undefined, pattern: RegExp): string | undefined =>
  value !== undefined && pattern.test(value) ? value : undefined;

/** Trusted when `value` matches `pattern`, user text otherwise. */
export function checked(value: string | undefined, pattern: RegExp, max: number, code = true): Value {
  const ok = trusted(value, pattern);
  if (ok === undefined) return user(value ?? '', max);
  return code ? id(ok) : known(ok);
}

const isText = (part: string | Value | Text): part is Text => Array.isArray(part);

/** A tagged template that builds a {@link Text}: `t\`Change it to ${id(setting)}.\``. */
export function t(strings: TemplateStringsArray, ...parts: Array<string | Value | Text>): Text {
  const out: Array<string | Value> = [];
  strings.forEach((s, i) => {
    if (s !== '') out.push(s);
    const part = parts[i];
    if (part === undefined) return;
    if (isText(part)) out.push(...part);
    else out.push(part);
  });
  return out;
}

/** One Text from several, so that long sentences can be written over several lines. */
export const join = (...parts: Text[]): Text => parts.flat();

/** How a renderer shows each kind of value. */
export interface Medium {
  trusted(value: TrustedValue): string;
  user(value: UserValue): string;
}

export function renderText(text: Text, m: Medium): string {
  return text
    .map((part) => {
      if (typeof part === 'string') return part;
      return part.trust === 'trusted' ? m.trusted(part) : m.user(part);
    })
    .join('');
}
