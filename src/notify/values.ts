/**
 * The pieces a message model is made of, each marked with how far it can be trusted. This is the
 * one place that decides "identifier or free text"; the renderers only read the marks.
 * - trusted: an identifier that matched the shape AWS gives its kind (ARN, account, endpoint ID,
 *   event ID, log group, role or session name, ... see {@link IdKind}), a timestamp of known
 *   shape, or our own literal (a setting, a command). Shown exactly as it is wherever the medium
 *   allows ({@link TrustedValue.verbatim}): chat puts identifiers in an inline code span (`code`),
 *   where Slack makes no link, mention or format, so they copy and paste as they are; the email
 *   shows them as they are unless a link detector could make a link of them. An IAM session
 *   name may legally be `jane.doe@example.com`: verbatim in chat, neutralised in the email.
 * - user: free text a person could have typed (descriptions, tag values, AWS error messages) and
 *   any value that failed its shape; every renderer neutralises it for its medium.
 * Plain strings inside a {@link Text} are our own words.
 */
import {
  ACCOUNT_ID_PATTERN,
  DAY_PATTERN,
  ENDPOINT_ID_PATTERN,
  ERROR_CODE_PATTERN,
  EVENT_ID_PATTERN,
  EVENT_NAME_PATTERN,
  ISO_TIME_PATTERN,
  KMS_KEY_ARN_PATTERN,
  LOG_GROUP_NAME_PATTERN,
  PRINCIPAL_ARN_PATTERN,
  REGION_PATTERN,
  ROLE_NAME_PATTERN,
  ROLE_SESSION_NAME_PATTERN,
  SERVICE_PRINCIPAL_PATTERN,
  SOURCE_IP_PATTERN,
  STEP_PATTERN,
} from '../domain/patterns';
import { chatPlainSafe, codeSpanSafe, linkFree } from './sanitize';

/** How many code points of a user value each medium shows. */
export interface Limits {
  email: number;
  chat: number;
}

export interface TrustedValue {
  readonly trust: 'trusted';
  readonly text: string;
  /** An identifier or literal (a code span in chat), rather than prose such as a timestamp. */
  readonly code: boolean;
  /**
   * Whether each medium can show `text` exactly, decided once from the text: the email when no
   * link detector finds a link in it, chat when it fits a code span (or, for prose, holds no
   * markup). Where false, the renderer neutralises it as it does free text.
   */
  readonly verbatim: { readonly email: boolean; readonly chat: boolean };
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

const trustedValue = (text: string, code: boolean): TrustedValue => ({
  trust: 'trusted',
  text,
  code,
  verbatim: { email: linkFree(text), chat: code ? codeSpanSafe(text) : chatPlainSafe(text) },
});

/** An identifier or literal of our own (a setting, a command): a code span in chat. */
export const id = (text: string): TrustedValue => trustedValue(text, true);

/**
 * A command or name of our own, built only from checked parts (`aws iam create-service-linked-role
 * --aws-service-name clientvpn.amazonaws.com`): shown exactly in the email too, even where a mail
 * client may link an AWS host name in it, because a command that can't be pasted is useless and
 * nothing in it came from a person.
 */
export const ours = (text: string): TrustedValue => ({ ...trustedValue(text, true), verbatim: { email: true, chat: codeSpanSafe(text) } });

/** Trusted, but prose rather than an identifier (a timestamp): never code-formatted. */
export const known = (text: string): TrustedValue => trustedValue(text, false);

export const user = (text: string, email: number, chat = email, orElse?: string): UserValue => ({
  trust: 'user',
  text,
  max: { email, chat },
  orElse,
});

/** The kinds of value a notification shows as trusted once they match their shape. */
export type IdKind =
  | 'endpoint-id'
  | 'region'
  | 'account'
  | 'principal-arn'
  | 'kms-key-arn'
  | 'service-principal'
  | 'role-name'
  | 'session-name'
  | 'source-ip'
  | 'event-id'
  | 'event-name'
  | 'event-time'
  | 'log-group'
  | 'error-code'
  | 'step'
  | 'day';

/** Each kind's shape (domain/patterns.ts), and whether it is prose rather than an identifier. */
const KINDS: Readonly<Record<IdKind, { pattern: RegExp; prose?: true }>> = {
  'endpoint-id': { pattern: ENDPOINT_ID_PATTERN },
  region: { pattern: REGION_PATTERN },
  account: { pattern: ACCOUNT_ID_PATTERN },
  'principal-arn': { pattern: PRINCIPAL_ARN_PATTERN },
  'kms-key-arn': { pattern: KMS_KEY_ARN_PATTERN },
  'service-principal': { pattern: SERVICE_PRINCIPAL_PATTERN },
  'role-name': { pattern: ROLE_NAME_PATTERN },
  'session-name': { pattern: ROLE_SESSION_NAME_PATTERN },
  // An IPv4 address is something link detectors link (`http://165.225.111.47`): the email
  // neutralises it (verbatim.email is false), chat shows it exactly in a code span.
  'source-ip': { pattern: SOURCE_IP_PATTERN },
  'event-id': { pattern: EVENT_ID_PATTERN },
  'event-name': { pattern: EVENT_NAME_PATTERN },
  'event-time': { pattern: ISO_TIME_PATTERN, prose: true },
  'log-group': { pattern: LOG_GROUP_NAME_PATTERN },
  'error-code': { pattern: ERROR_CODE_PATTERN },
  step: { pattern: STEP_PATTERN },
  day: { pattern: DAY_PATTERN },
};

/** The value, if it has the shape of its kind. */
export const trusted = (value: string | undefined, kind: IdKind): string | undefined =>
  value !== undefined && KINDS[kind].pattern.test(value) ? value : undefined;

/** Trusted when `value` has the shape of its kind; user text (cut to `max`) otherwise. */
export function identifier(kind: IdKind, value: string | undefined, max: number | Limits): Value {
  const ok = trusted(value, kind);
  if (ok === undefined) {
    return typeof max === 'number' ? user(value ?? '', max) : user(value ?? '', max.email, max.chat);
  }
  return KINDS[kind].prose ? known(ok) : id(ok);
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
