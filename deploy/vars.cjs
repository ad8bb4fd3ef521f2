'use strict';

// Variable source for serverless.yml: `${file(./deploy/vars.cjs):<name>}`.
//
// Each export is an async function that osls calls with { options, resolveVariable };
// it reads one stage parameter, checks it and returns the value serverless.yml needs.
// Everything here runs offline at packaging time: no AWS call, no credentials.
//
// CommonJS on purpose: package.json is "type": "module", and osls loads this file with require().

const PLACEHOLDERS = new Set(['endpointId', 'region', 'accountId']);

// This file runs inside osls at packaging time, where the TypeScript sources can't be loaded, so
// the few rules below mirror src/domain/settings.ts and src/app/config.ts; the packaging tests
// fail if any of them drifts from those (tests/package/vars-vs-config.test.ts).

// Values accepted by CloudWatch Logs PutRetentionPolicy.
const RETENTION_DAYS = new Set([
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
  3288, 3653,
]);

const MODES = new Set(['remediate', 'notify-only']);

// A KMS key ARN (not an alias: IAM policies match keys by key ARN).
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

// Shell variables the function reads. `${env:X, param:y}` in serverless.yml lets
// `serverless invoke local` pick them up; they must never leak into a deployment.
const OVERRIDABLE_ENV = [
  'CVPN_TOPIC_ARN',
  'CVPN_LOG_GROUP',
  'CVPN_LOG_STREAM',
  'CVPN_RETENTION_DAYS',
  'CVPN_MIN_RETENTION_DAYS',
  'CVPN_RAISE_RETENTION',
  'CVPN_REQUIRE_KMS',
  'CVPN_KMS_KEY_ARN',
  'CVPN_MODE',
  'CVPN_EXEMPT_TAG',
  'CVPN_STATE_TABLE',
  'CVPN_FLEET',
  'CVPN_ORGANIZATION_ID',
  'CVPN_MEMBER_ROLE_NAME',
  'CVPN_ACCOUNTS',
];

// Organization-wide mode (fleet: central). Mirrors src/domain/settings.ts FLEET_MODES and the
// patterns in src/domain/patterns.ts (checked by tests/package/vars-vs-config.test.ts).
const FLEET_MODES = new Set(['off', 'central']);
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
const ROLE_NAME = /^[A-Za-z0-9+=,.@_-]{1,64}$/;
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
// StackSets DeploymentTargets.OrganizationalUnitIds: OU IDs, or the root ID (every account).
const OU_ID = /^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$/;
const CALL_AS = new Set(['SELF', 'DELEGATED_ADMIN']);
// Role ARNs only: the member role's trust matches them against aws:PrincipalArn, which for a
// role session is the role's ARN (a session ARN or a user would never match).
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_\/-]{1,512}$/;
// Lambda allows 4 KB for all of a function's environment variables together; the other
// settings take well under 1 KB, so a hand-kept account list gets the rest (about 230 accounts).
const MAX_ACCOUNTS_CHARS = 3000;

class ParamError extends Error {}

const fail = (message) => {
  const error = new ParamError(message);
  // osls prints the stack of a failed variable source; the message alone is what helps.
  error.stack = message;
  throw error;
};

const param = async (resolveVariable, name) => {
  const value = await resolveVariable(`param:${name}`);
  if (value === null || value === undefined) fail(`stage parameter "${name}" is not set`);
  return typeof value === 'string' ? value.trim() : String(value);
};

const integerParam = async (resolveVariable, name, min, max) => {
  const raw = await param(resolveVariable, name);
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    fail(`stage parameter "${name}" must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
};

const optionalKeyArn = async (resolveVariable, name) => {
  const value = await param(resolveVariable, name);
  if (value !== '' && !KMS_KEY_ARN.test(value)) {
    fail(
      `stage parameter "${name}" must be empty or a KMS key ARN ` +
        `(arn:<partition>:kms:<region>:<account>:key/<id>), got "${value}"`
    );
  }
  return value;
};

/**
 * Splits a log-group name template into its literal prefix (the text before the first
 * "{") and checks it. Exported for the tests.
 */
const parseLogGroupTemplate = (template) => {
  if (template === '') fail('stage parameter "logGroup" is empty');
  if (template.length > 512) fail('stage parameter "logGroup" is longer than 512 characters');
  if (template.startsWith('{')) {
    fail(
      `stage parameter "logGroup" ("${template}") starts with a placeholder. ` +
        'It needs a literal prefix such as "/aws/clientvpn/{endpointId}": ' +
        'the IAM policy limits log-group writes to names under that prefix.'
    );
  }
  const names = [];
  const literal = template.replace(/\{([^{}]*)\}/g, (_, name) => {
    names.push(name);
    return '';
  });
  if (/[{}]/.test(literal)) fail(`stage parameter "logGroup" ("${template}") has an unbalanced brace`);
  const unknown = names.filter((name) => !PLACEHOLDERS.has(name));
  if (unknown.length > 0) {
    fail(
      `stage parameter "logGroup" uses unknown placeholder(s) ${unknown.map((n) => `{${n}}`).join(', ')}; ` +
        `known: ${[...PLACEHOLDERS].map((n) => `{${n}}`).join(', ')}`
    );
  }
  // Log-group names allow letters, digits and _ - / . # (no IAM wildcards * or ?).
  if (!/^[A-Za-z0-9_\-/.#]+$/.test(literal)) {
    fail(
      `stage parameter "logGroup" ("${template}") contains characters not allowed in a log-group name`
    );
  }
  const brace = template.indexOf('{');
  return brace === -1
    ? { prefix: template, hasPlaceholders: false }
    : { prefix: template.slice(0, brace), hasPlaceholders: true };
};

/**
 * The log-group part of the IAM resource ARNs the function may write to:
 * "<prefix>*" for a template ("/aws/clientvpn/{endpointId}" -> "/aws/clientvpn/*"),
 * or the exact name when the template has no placeholder (one shared log group).
 */
const logGroupNamePattern = async ({ resolveVariable }) => {
  const { prefix, hasPlaceholders } = parseLogGroupTemplate(await param(resolveVariable, 'logGroup'));
  return hasPlaceholders ? `${prefix}*` : prefix;
};

const logGroup = async ({ resolveVariable }) => {
  const template = await param(resolveVariable, 'logGroup');
  parseLogGroupTemplate(template);
  return template;
};

const logStream = async ({ resolveVariable }) => {
  const value = await param(resolveVariable, 'logStream');
  if (value.length > 512 || /[:*]/.test(value)) {
    fail(`stage parameter "logStream" must be at most 512 characters without ":" or "*", got "${value}"`);
  }
  return value;
};

const retentionDays = async ({ resolveVariable }) => {
  const raw = await param(resolveVariable, 'retentionDays');
  if (!RETENTION_DAYS.has(Number(raw)) || !/^\d+$/.test(raw)) {
    fail(
      `stage parameter "retentionDays" must be one of ${[...RETENTION_DAYS].join(', ')}; got "${raw}"`
    );
  }
  return raw; // a string: it goes into an environment variable
};

// Empty: the retentionDays value. Never above retentionDays: groups the function creates must meet it.
const minRetentionDays = async ({ resolveVariable }) => {
  const raw = await param(resolveVariable, 'minRetentionDays');
  if (raw === '') return '';
  if (!RETENTION_DAYS.has(Number(raw)) || !/^\d+$/.test(raw)) {
    fail(`stage parameter "minRetentionDays" must be empty or one of ${[...RETENTION_DAYS].join(', ')}; got "${raw}"`);
  }
  const created = Number(await param(resolveVariable, 'retentionDays'));
  if (created < Number(raw)) {
    fail(`stage parameter "retentionDays" (${created}) is below "minRetentionDays" (${raw}): groups it creates would not meet it`);
  }
  return raw;
};

const booleanParam = async (resolveVariable, name) => {
  const value = (await param(resolveVariable, name)).toLowerCase();
  if (value !== 'true' && value !== 'false') fail(`stage parameter "${name}" must be true or false, got "${value}"`);
  return value;
};
const raiseRetention = async ({ resolveVariable }) => booleanParam(resolveVariable, 'raiseRetention');
const requireKms = async ({ resolveVariable }) => booleanParam(resolveVariable, 'requireKms');

const stateTable = async ({ resolveVariable }) => {
  const value = (await param(resolveVariable, 'stateTable')).toLowerCase();
  if (value !== 'on' && value !== 'off') fail(`stage parameter "stateTable" must be on or off, got "${value}"`);
  return value;
};

const mode = async ({ resolveVariable }) => {
  const value = await param(resolveVariable, 'mode');
  if (!MODES.has(value)) fail(`stage parameter "mode" must be "remediate" or "notify-only", got "${value}"`);
  return value;
};

const exemptTag = async ({ resolveVariable }) => {
  const value = await param(resolveVariable, 'exemptTag');
  if (value === '' || value.length > 128) fail('stage parameter "exemptTag" must be a tag key of 1-128 characters');
  return value;
};

const kmsKeyArn = async ({ resolveVariable }) => optionalKeyArn(resolveVariable, 'kmsKeyArn');
const topicKmsKeyArn = async ({ resolveVariable }) => optionalKeyArn(resolveVariable, 'topicKmsKeyArn');

const alertEmail = async ({ resolveVariable }) => {
  const value = await param(resolveVariable, 'alertEmail');
  if (value !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
    fail(`stage parameter "alertEmail" must be empty or an e-mail address, got "${value}"`);
  }
  return value;
};

// Lambda's limits for asynchronous invocation.
const maxEventAgeSeconds = async ({ resolveVariable }) =>
  integerParam(resolveVariable, 'maxEventAgeSeconds', 60, 21600);
const retryAttempts = async ({ resolveVariable }) =>
  integerParam(resolveVariable, 'retryAttempts', 0, 2);

/**
 * Refuses to package or deploy while CVPN_* variables are set in the shell: serverless.yml
 * reads them (for `invoke local`) ahead of the stage parameters, so they would otherwise be
 * baked into the deployed function. Other commands (print, invoke local) pass.
 */
const envOverrideGuard = async () => {
  // osls hands variable sources the CLI options but not the command, so read it from argv.
  const words = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const building =
    !words.includes('invoke') && (words.includes('package') || words.includes('deploy'));
  const set = OVERRIDABLE_ENV.filter((name) => process.env[name] !== undefined);
  if (building && set.length > 0) {
    fail(
      `${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set in the environment. ` +
        'These override the stage parameters for `serverless invoke local` only; ' +
        `unset ${set.length === 1 ? 'it' : 'them'} before packaging or deploying ` +
        '(use --param key=value to change a parameter).'
    );
  }
  return 'checked';
};

const sweepSchedule = async ({ resolveVariable }) => {
  const value = await param(resolveVariable, 'sweepSchedule');
  if (!/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^()]+\))$/.test(value)) {
    fail(`stage parameter "sweepSchedule" must be rate(...) or cron(...), got "${value}"`);
  }
  return value;
};

// Empty: no archive. AWS reads RetentionDays 0 as "forever", so 0 is refused.
const archiveRetentionDays = async ({ resolveVariable }) => {
  const raw = await param(resolveVariable, 'archiveRetentionDays');
  if (raw === '') return '';
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 3650) {
    fail(`stage parameter "archiveRetentionDays" must be empty (no archive) or 1-3650 days, got "${raw}"`);
  }
  return raw;
};
// IAM principals named in the alert topic's policy: `subscriberArns` may subscribe, and
// `publisherArns` may publish (operators running `cvpn-log-guard scan --apply` or `replay` from a
// workstation against the stack's topic); the policy denies everyone else both. Users and roles by
// ARN, or an account root; the topic policy matches them against aws:PrincipalArn, which for an
// assumed role is the role's ARN (not the session's), so session ARNs
// (arn:...:sts::...:assumed-role/...) and wildcards are refused. Names with a comma can't be
// listed (the comma separates them). Returned comma-joined without spaces: it becomes the default
// of a template parameter, which the topic policy splits.
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|(user|role)\/[A-Za-z0-9+=.@_\/-]{1,512})$/;
const principalArnList = (name) => async ({ resolveVariable }) => {
  const raw = await param(resolveVariable, name);
  if (raw === '') return '';
  const arns = raw.split(',').map((arn) => arn.trim());
  const bad = arns.filter((arn) => !PRINCIPAL_ARN.test(arn));
  if (bad.length > 0) {
    fail(
      `stage parameter "${name}" must be empty or comma-separated IAM user, role or account-root ARNs ` +
        `(arn:<partition>:iam::<account>:role/<name>), got ${bad.map((arn) => `"${arn}"`).join(', ')}`
    );
  }
  return [...new Set(arns)].join(',');
};
const subscriberArns = principalArnList('subscriberArns');
const publisherArns = principalArnList('publisherArns');

const fleet = async ({ resolveVariable }) => {
  const value = await param(resolveVariable, 'fleet');
  if (!FLEET_MODES.has(value)) fail(`stage parameter "fleet" must be "off" or "central", got "${value}"`);
  return value;
};

/** Comma-separated values, trimmed and deduplicated in order; '' is none. */
const commaList = (raw) =>
  raw === '' ? [] : [...new Set(raw.split(',').map((item) => item.trim()))];

const listParam = async (resolveVariable, name, pattern, what) => {
  const items = commaList(await param(resolveVariable, name));
  const bad = items.filter((item) => !pattern.test(item));
  if (bad.length > 0) {
    fail(`stage parameter "${name}" must be ${what}, got ${bad.map((item) => `"${item}"`).join(', ')}`);
  }
  return items;
};

/**
 * Every organization-wide parameter, checked. The values are checked in both modes (a typo
 * should not wait for the day central mode is switched on); the ones central mode cannot do
 * without are required only there.
 */
const fleetSettings = async ({ resolveVariable }) => {
  const mode = await fleet({ resolveVariable });
  const organizationId = await param(resolveVariable, 'organizationId');
  if (organizationId !== '' && !ORGANIZATION_ID.test(organizationId)) {
    fail(`stage parameter "organizationId" must be an organization ID (o- and 10-32 lowercase letters or digits), got "${organizationId}"`);
  }
  const targetOuIds = await listParam(
    resolveVariable, 'targetOuIds', OU_ID,
    'comma-separated organizational unit IDs (ou-xxxx-xxxxxxxx) or the root ID (r-xxxx)'
  );
  const regions = await listParam(resolveVariable, 'regions', REGION, 'comma-separated region names (eu-west-1,us-east-1)');
  const callAs = await param(resolveVariable, 'callAs');
  if (!CALL_AS.has(callAs)) fail(`stage parameter "callAs" must be "SELF" or "DELEGATED_ADMIN", got "${callAs}"`);
  const memberRoleName = await param(resolveVariable, 'memberRoleName');
  if (!ROLE_NAME.test(memberRoleName)) {
    fail(`stage parameter "memberRoleName" must be an IAM role name without a path (1-64 of A-Z a-z 0-9 + = , . @ _ -), got "${memberRoleName}"`);
  }
  const operatorRoleArns = await listParam(
    resolveVariable, 'operatorRoleArns', ROLE_ARN,
    'empty or comma-separated IAM role ARNs (arn:<partition>:iam::<account>:role/<name>)'
  );
  const accounts = await listParam(resolveVariable, 'accounts', ACCOUNT_ID, 'empty or comma-separated 12-digit account IDs');
  if (accounts.join(',').length > MAX_ACCOUNTS_CHARS) {
    fail(
      `stage parameter "accounts" lists ${accounts.length} accounts, more than fit in the function's ` +
        "environment (Lambda's 4 KB); leave it empty and let the function list them from Organizations"
    );
  }
  if (mode === 'central') {
    const missing = [
      ['organizationId', organizationId === ''],
      ['targetOuIds', targetOuIds.length === 0],
      ['regions', regions.length === 0],
    ].filter(([, absent]) => absent).map(([name]) => `"${name}"`);
    if (missing.length > 0) {
      fail(`fleet=central needs the stage parameter(s) ${missing.join(', ')} (see README, "Organization-wide (central mode)")`);
    }
  }
  return { mode, organizationId, targetOuIds, regions, callAs, memberRoleName, operatorRoleArns, accounts };
};

// The archive resource only exists when the parameter is set; this keeps its property valid.
const archiveRetentionDaysNumber = async (ctx) => Number((await archiveRetentionDays(ctx)) || '1');

module.exports = {
  sweepSchedule,
  archiveRetentionDays,
  archiveRetentionDaysNumber,
  logGroup,
  logGroupNamePattern,
  logStream,
  retentionDays,
  minRetentionDays,
  raiseRetention,
  stateTable,
  requireKms,
  mode,
  exemptTag,
  kmsKeyArn,
  topicKmsKeyArn,
  alertEmail,
  subscriberArns,
  publisherArns,
  maxEventAgeSeconds,
  retryAttempts,
  envOverrideGuard,
  fleet,
  fleetSettings,
  // Not meant as variables; exported for the tests, which check them against the one settings
  // schema (src/app/config.ts) so the two can never drift apart.
  parseLogGroupTemplate,
  constants: {
    PLACEHOLDERS, RETENTION_DAYS, MODES, KMS_KEY_ARN, OVERRIDABLE_ENV,
    FLEET_MODES, ORGANIZATION_ID, ROLE_NAME, ACCOUNT_ID, REGION, OU_ID, CALL_AS, ROLE_ARN,
  },
};
