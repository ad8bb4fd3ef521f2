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
/**
 * AWS and Node error codes: `UnauthorizedOperation`, `Client.InvalidParameterValue`,
 * `InvalidClientVpnEndpointId.NotFound`, `ECONNRESET`. Each dotted part starts with a capital, so
 * a lower-case host name such as `www.evil.example` does not pass for a code.
 */
export const ERROR_CODE_PATTERN = /^(?=.{1,100}$)[A-Z][A-Za-z0-9_]*(?:\.[A-Z][A-Za-z0-9_]*)*$/;
export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
export const STEP_PATTERN = /^[a-z-]{1,40}$/;
/**
 * An IAM user or role, an STS assumed-role or federated-user session, or the root user. Stricter
 * than IAM (which allows any printable ASCII in paths): every segment is a name of IAM's
 * `[\w+=,.@-]` alphabet, so a value that matches holds no markup, space or scheme, and can be
 * shown verbatim. Such names may still look like a domain or an email address (`test001@test.com`
 * is a valid user name); they are set by whoever administers IAM in the account, not by event
 * text, and a reader needs the exact ARN to look the principal up.
 */
export const PRINCIPAL_ARN_PATTERN =
  /^(?=.{1,2048}$)arn:aws(?:-[a-z]+)*:(?:iam::\d{12}:(?:root|(?:user|role)(?:\/[\w+=,.@-]{1,64})+)|sts::\d{12}:(?:assumed-role|federated-user)(?:\/[\w+=,.@-]{1,64})+)$/;

/** The value, if it has the shape `pattern` gives it. */
export const trusted = (value: string | undefined, pattern: RegExp): string | undefined =>
  value !== undefined && pattern.test(value) ? value : undefined;

/** Trusted when `value` matches `pattern`, user text (cut to `max`) otherwise. */
export function checked(value: string | undefined, pattern: RegExp, max: number | Limits, code = true): Value {
  const ok = trusted(value, pattern);
  if (ok === undefined) {
    return typeof max === 'number' ? user(value ?? '', max) : user(value ?? '', max.email, max.chat);
  }
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
