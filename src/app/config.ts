import * as z from 'zod/mini';
import { ConfigError } from '../domain/errors';
import {
  ACCOUNT_ID_PATTERN,
  KMS_KEY_ARN_PATTERN,
  LOG_GROUP_CHARS,
  ORGANIZATION_ID_PATTERN,
  REGION_PATTERN,
  ROLE_NAME_PATTERN,
  TOPIC_ARN_PATTERN,
} from '../domain/patterns';
import {
  ALLOWED_RETENTION_DAYS,
  DEFAULT_EXEMPT_TAG,
  DEFAULT_LOG_GROUP_TEMPLATE,
  DEFAULT_MEMBER_ROLE_NAME,
  DEFAULT_MODIFY_BUCKET,
  DEFAULT_RETENTION_DAYS,
  FLEET_MODES,
  LOG_GROUP_PLACEHOLDERS,
  MODES,
  type Settings,
} from '../domain/settings';
import { formatIssues } from '../util/zod-format';

// Serverless passes unset stage params through as empty strings: treat them as absent.
// zod/mini: the same schemas in zod's functional, tree-shakable form (a fifth of the code to load).
const optionalText = z.pipe(
  z.optional(z.string().check(z.trim())),
  z.transform((v: string | undefined) => (v === undefined || v === '' ? undefined : v)),
);

const logGroupTemplate = z.pipe(
  z.string().check(z.trim()),
  z.transform((v: string) => (v === '' ? DEFAULT_LOG_GROUP_TEMPLATE : v)),
).check(
  z.superRefine((template: string, ctx) => {
    const unknown = [...template.matchAll(/\{([^}]*)\}/g)]
      .map((m) => m[1] ?? '')
      .filter((name) => !(LOG_GROUP_PLACEHOLDERS as readonly string[]).includes(name));
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown placeholder {${unknown.join('}, {')}}; use {endpointId}, {region} or {accountId}`,
      });
      return;
    }
    const literal = template.replace(/\{(endpointId|region|accountId)\}/g, 'x');
    if (!LOG_GROUP_CHARS.test(literal)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${template}" has characters CloudWatch Logs does not allow in a log group name (allowed: letters, digits, . - _ / #)`,
      });
    }
    // Longest expansion: a 31-character endpoint ID, a 12-digit account, a ~20-character region.
    if (literal.length + 64 > 512) {
      ctx.addIssue({ code: 'custom', message: 'expands to more than 512 characters' });
    }
    if (template.startsWith('{')) {
      ctx.addIssue({
        code: 'custom',
        message: 'must start with a fixed prefix (e.g. /aws/clientvpn/) so IAM can scope log-group writes to it',
      });
    }
  }),
);

/** Users often ask for a round figure (300, 1000): point at the value that meets it. */
function nextLonger(n: number): string {
  if (!Number.isFinite(n)) return '';
  const longer = ALLOWED_RETENTION_DAYS.find((days) => days > n);
  return longer === undefined ? '' : ` (the next longer one is ${longer})`;
}

/** A retention CloudWatch Logs accepts; absent or empty gives `fallback` (undefined: left for later). */
const retentionValue = <T extends number | undefined>(fallback: T) => z.pipe(
  z.optional(z.union([z.string(), z.number()])),
  z.transform((v: string | number | undefined, ctx): number | T => {
    if (v === undefined || (typeof v === 'string' && v.trim() === '')) return fallback;
    const n = typeof v === 'number' ? v : Number(v.trim());
    if (!(ALLOWED_RETENTION_DAYS as readonly number[]).includes(n)) {
      ctx.issues.push({
        code: 'custom',
        input: v,
        message:
          `${String(v)} is not a retention CloudWatch Logs accepts; use one of ${ALLOWED_RETENTION_DAYS.join(', ')}` +
          nextLonger(n),
      });
      return z.NEVER;
    }
    return n;
  }),
);

const retentionDays = retentionValue(DEFAULT_RETENTION_DAYS);

/** `true` / `false` (any case); absent or empty is false. */
const flag = z.pipe(
  optionalText,
  z.transform((v: string | undefined, ctx) => {
    if (v === undefined) return false;
    const lower = v.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    ctx.issues.push({ code: 'custom', input: v, message: `must be true or false, got "${v}"` });
    return z.NEVER;
  }),
);

/** Comma-separated 12-digit account IDs (spaces allowed around them); empty or absent is none. */
const accountList = z.pipe(
  optionalText,
  z.transform((v: string | undefined, ctx): string[] | undefined => {
    if (v === undefined) return undefined;
    const ids = v.split(',').map((id) => id.trim());
    const bad = ids.filter((id) => !ACCOUNT_ID_PATTERN.test(id));
    if (bad.length > 0) {
      ctx.issues.push({
        code: 'custom',
        input: v,
        message: `must be comma-separated 12-digit account IDs; not one: ${bad.map((id) => `"${id}"`).join(', ')}`,
      });
      return z.NEVER;
    }
    return [...new Set(ids)];
  }),
);

/** The settings every driver shares, whatever their source (environment, CLI flags). */
export const SettingsSchema = z.object({
  CVPN_TOPIC_ARN: z.pipe(
    optionalText,
    z.optional(z.string().check(z.regex(TOPIC_ARN_PATTERN, 'must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)'))),
  ),
  CVPN_LOG_GROUP: z.pipe(z._default(z.optional(z.string()), ''), logGroupTemplate),
  CVPN_LOG_STREAM: z.pipe(
    optionalText,
    z.optional(z.string().check(z.maxLength(512), z.regex(/^[^:*]+$/, 'must not contain ":" or "*"'))),
  ),
  CVPN_RETENTION_DAYS: retentionDays,
  CVPN_MIN_RETENTION_DAYS: retentionValue(undefined),
  CVPN_RAISE_RETENTION: flag,
  CVPN_REQUIRE_KMS: flag,
  CVPN_KMS_KEY_ARN: z.pipe(
    optionalText,
    z.optional(z.string().check(z.regex(KMS_KEY_ARN_PATTERN, 'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)'))),
  ),
  CVPN_MODE: z.pipe(optionalText, z._default(z.enum(MODES, { error: `must be one of: ${MODES.join(', ')}` }), 'remediate')),
  CVPN_MODIFY_BUCKET: z.pipe(
    optionalText,
    z.optional(
      z.string().check(z.regex(/^\d+:\d+(\.\d+)?$/, 'must be <capacity>:<refill per second>, e.g. 50:5 (EC2\'s default for mutating calls)')),
    ),
  ),
  CVPN_STATE_TABLE: z.pipe(
    optionalText,
    z.optional(z.string().check(z.regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)'))),
  ),
  CVPN_EXEMPT_TAG: z.pipe(
    optionalText,
    z._default(z.string().check(z.maxLength(128, 'a tag key has at most 128 characters')), DEFAULT_EXEMPT_TAG),
  ),
  // Organization-wide mode. Parsed and checked here; what central mode does with them is the runtime's.
  CVPN_FLEET: z.pipe(optionalText, z._default(z.enum(FLEET_MODES, { error: `must be one of: ${FLEET_MODES.join(', ')}` }), 'off')),
  CVPN_ORGANIZATION_ID: z.pipe(
    optionalText,
    z.optional(z.string().check(z.regex(ORGANIZATION_ID_PATTERN, 'must be an organization ID (o- and 10-32 lowercase letters or digits)'))),
  ),
  CVPN_MEMBER_ROLE_NAME: z.pipe(
    optionalText,
    z._default(
      z.string().check(z.regex(ROLE_NAME_PATTERN, 'must be an IAM role name without a path (1-64 of A-Z a-z 0-9 + = , . @ _ -)')),
      DEFAULT_MEMBER_ROLE_NAME,
    ),
  ),
  CVPN_ACCOUNTS: accountList,
});

/** Parses settings from an environment-like record; throws {@link ConfigError} naming every bad variable. */
export function parseSettings(env: Record<string, string | undefined>): Settings {
  const parsed = SettingsSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration: ${formatIssues(parsed.error)}`);
  }
  const s = parsed.data;
  const minRetentionDays = s.CVPN_MIN_RETENTION_DAYS ?? s.CVPN_RETENTION_DAYS;
  // Groups it creates would be reported as too short the moment they exist.
  if (s.CVPN_RETENTION_DAYS < minRetentionDays) {
    throw new ConfigError(
      `Invalid configuration: CVPN_RETENTION_DAYS (${s.CVPN_RETENTION_DAYS}) is below CVPN_MIN_RETENTION_DAYS (${minRetentionDays}): ` +
        'groups it creates would not meet the retention requirement',
    );
  }
  return {
    topicArn: s.CVPN_TOPIC_ARN,
    logGroupTemplate: s.CVPN_LOG_GROUP,
    logStream: s.CVPN_LOG_STREAM,
    retentionDays: s.CVPN_RETENTION_DAYS,
    minRetentionDays,
    raiseRetention: s.CVPN_RAISE_RETENTION,
    kmsKeyArn: s.CVPN_KMS_KEY_ARN,
    requireKms: s.CVPN_REQUIRE_KMS,
    mode: s.CVPN_MODE,
    exemptTagKey: s.CVPN_EXEMPT_TAG,
    modifyBucket: parseBucket(s.CVPN_MODIFY_BUCKET),
    stateTable: s.CVPN_STATE_TABLE,
    fleet: s.CVPN_FLEET,
    organizationId: s.CVPN_ORGANIZATION_ID,
    memberRoleName: s.CVPN_MEMBER_ROLE_NAME,
    accounts: s.CVPN_ACCOUNTS,
  };
}

function parseBucket(text: string | undefined): { capacity: number; refillPerSecond: number } {
  if (!text) return { ...DEFAULT_MODIFY_BUCKET };
  const [capacity, refill] = text.split(':').map(Number);
  return capacity && refill ? { capacity, refillPerSecond: refill } : { ...DEFAULT_MODIFY_BUCKET };
}

/**
 * The Lambda functions' environment, parsed at cold start: a bad setting fails the container's
 * init with a message naming it, before any event is touched.
 */
export function parseLambdaEnv(env: Record<string, string | undefined>): { settings: Settings; region: string } {
  const settings = parseSettings(env);
  if (!settings.topicArn) {
    throw new ConfigError('Invalid configuration: CVPN_TOPIC_ARN is required (the SNS topic for alerts)');
  }
  const region = env.AWS_REGION;
  if (!region || !REGION_PATTERN.test(region)) {
    throw new ConfigError('Invalid configuration: AWS_REGION is not set to a region name');
  }
  return { settings, region };
}
