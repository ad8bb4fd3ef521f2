import { parseArgs } from 'node:util';
import * as z from 'zod';
import { parseSettings } from '../app/config';
import { ACCOUNT_ID_PATTERN, EVENT_BUS_ARN_PATTERN, REGION_PATTERN, ROLE_NAME_PATTERN, RULE_NAME_PATTERN } from '../domain/patterns';
import type { Settings } from '../domain/settings';
import { ConfigError } from '../domain/errors';
import { formatIssues } from '../util/zod-format';
import { UsageError } from './usage-error';

export const EVENT_BUS_ARN_MESSAGE = 'must be an event bus ARN (arn:aws:events:<region>:<account>:event-bus/<name>)';

type OptionSpec = { type: 'string' | 'boolean'; short?: string };

/** Flags every command takes: where to act and how (they override the CVPN_* variables). */
const COMMON_OPTIONS = {
  region: { type: 'string' },
  profile: { type: 'string' },
  'topic-arn': { type: 'string' },
  'log-group': { type: 'string' },
  'retention-days': { type: 'string' },
  'min-retention-days': { type: 'string' },
  'raise-retention': { type: 'boolean' },
  'kms-key-arn': { type: 'string' },
  'require-kms': { type: 'boolean' },
  'state-table': { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
} as const satisfies Record<string, OptionSpec>;

export const COMMAND_OPTIONS = {
  replay: {
    ...COMMON_OPTIONS,
    file: { type: 'string', short: 'f' },
    since: { type: 'string' },
    until: { type: 'string' },
    regions: { type: 'string' },
    invoke: { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  scan: {
    ...COMMON_OPTIONS,
    regions: { type: 'string' },
    apply: { type: 'boolean' },
    'no-delivery-check': { type: 'boolean' },
    org: { type: 'boolean' },
    accounts: { type: 'string' },
    'role-name': { type: 'string' },
  },
  redrive: { ...COMMON_OPTIONS, 'queue-url': { type: 'string' }, stage: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  coverage: {
    ...COMMON_OPTIONS,
    org: { type: 'boolean' },
    accounts: { type: 'string' },
    'role-name': { type: 'string' },
    regions: { type: 'string' },
    'central-bus-arn': { type: 'string' },
    'rule-name': { type: 'string' },
  },
} as const satisfies Record<string, Record<string, OptionSpec>>;

export type CommandName = keyof typeof COMMAND_OPTIONS;

const FlagsSchema = z.object({
  file: z.string().min(1, '--file needs a path, or - for standard input').optional(),
  since: z.string().min(1).optional(),
  until: z.string().min(1).optional(),
  regions: z.string().min(1, '--regions needs a list such as eu-west-1,us-east-1, or all').optional(),
  invoke: z
    .string()
    .regex(
      /^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$/,
      'must be a Lambda function name or ARN',
    )
    .optional(),
  'queue-url': z.url({ error: 'must be an SQS queue URL' }).optional(),
  stage: z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'must be a stage name such as prod').optional(),
  json: z.boolean().default(false),
  quiet: z.boolean().default(false),
  'no-progress': z.boolean().default(false),
  apply: z.boolean().default(false),
  'no-delivery-check': z.boolean().default(false),
  'dry-run': z.boolean().default(false),
  org: z.boolean().default(false),
  accounts: z
    .string()
    .transform((v) => [...new Set(v.split(',').map((a) => a.trim()).filter((a) => a !== ''))])
    .refine((list) => list.length > 0, '--accounts needs a list such as 111111111111,222222222222')
    .refine((list) => list.every((a) => ACCOUNT_ID_PATTERN.test(a)), 'must be comma-separated 12-digit account IDs')
    .optional(),
  'role-name': z.string().regex(ROLE_NAME_PATTERN, 'must be an IAM role name without a path (1-64 of A-Z a-z 0-9 + = , . @ _ -)').optional(),
  region: z.string().regex(REGION_PATTERN, 'must be a region name such as eu-west-1').optional(),
  profile: z.string().min(1).max(128).optional(),
  'topic-arn': z.string().optional(),
  'log-group': z.string().optional(),
  'retention-days': z.string().optional(),
  'min-retention-days': z.string().optional(),
  'raise-retention': z.boolean().default(false),
  'kms-key-arn': z.string().optional(),
  'require-kms': z.boolean().default(false),
  'state-table': z.string().optional(),
  'central-bus-arn': z.string().regex(EVENT_BUS_ARN_PATTERN, EVENT_BUS_ARN_MESSAGE).optional(),
  'rule-name': z.string().regex(RULE_NAME_PATTERN, 'must be an EventBridge rule name (1-64 of A-Z a-z 0-9 . - _)').optional(),
});
export type Flags = z.infer<typeof FlagsSchema>;

export function parseFlags(command: CommandName, args: string[]): Flags {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args, strict: true, allowPositionals: false, options: COMMAND_OPTIONS[command] }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const parsed = FlagsSchema.safeParse(values);
  if (!parsed.success) throw new UsageError(formatIssues(parsed.error));
  if (parsed.data.json && parsed.data.quiet) throw new UsageError('--json and --quiet exclude each other');
  if (parsed.data.org && parsed.data.accounts) throw new UsageError('--org and --accounts exclude each other');
  if (parsed.data['role-name'] !== undefined && !parsed.data.org && !parsed.data.accounts) {
    throw new UsageError('--role-name goes with --org or --accounts');
  }
  return parsed.data;
}

const FLAG_FOR_VARIABLE: Record<string, string> = {
  CVPN_TOPIC_ARN: '--topic-arn',
  CVPN_LOG_GROUP: '--log-group',
  CVPN_RETENTION_DAYS: '--retention-days',
  CVPN_MIN_RETENTION_DAYS: '--min-retention-days',
  CVPN_KMS_KEY_ARN: '--kms-key-arn',
  CVPN_STATE_TABLE: '--state-table',
};

/** Flags override the `CVPN_*` environment; both go through the one settings schema. */
export function settingsFromFlags(flags: Flags, env: Record<string, string | undefined>): Settings {
  const merged = {
    ...env,
    ...(flags['topic-arn'] !== undefined ? { CVPN_TOPIC_ARN: flags['topic-arn'] } : {}),
    ...(flags['log-group'] !== undefined ? { CVPN_LOG_GROUP: flags['log-group'] } : {}),
    ...(flags['retention-days'] !== undefined ? { CVPN_RETENTION_DAYS: flags['retention-days'] } : {}),
    ...(flags['min-retention-days'] !== undefined ? { CVPN_MIN_RETENTION_DAYS: flags['min-retention-days'] } : {}),
    // Boolean flags can only switch a requirement on: a missing flag leaves the variable as it is.
    ...(flags['raise-retention'] ? { CVPN_RAISE_RETENTION: 'true' } : {}),
    ...(flags['kms-key-arn'] !== undefined ? { CVPN_KMS_KEY_ARN: flags['kms-key-arn'] } : {}),
    ...(flags['require-kms'] ? { CVPN_REQUIRE_KMS: 'true' } : {}),
    ...(flags['state-table'] !== undefined ? { CVPN_STATE_TABLE: flags['state-table'] } : {}),
    ...(flags['dry-run'] ? { CVPN_MODE: 'notify-only' } : {}),
  };
  try {
    return parseSettings(merged);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    let message = error.message;
    // Word-bounded so CVPN_RETENTION_DAYS does not also match inside CVPN_MIN_RETENTION_DAYS.
    for (const [variable, flag] of Object.entries(FLAG_FOR_VARIABLE)) {
      message = message.replace(new RegExp(`(?<![A-Z_])${variable}(?![A-Z_])`, 'g'), `${variable} (${flag})`);
    }
    throw new UsageError(message);
  }
}

export function homeRegion(flags: Flags, env: Record<string, string | undefined>): string | undefined {
  return flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
}
