import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What the SDK's default chain says when every provider came up empty, and nothing more. */
const NOTHING_FOUND = /could not load credentials from any providers/i;

export function isCredentialsError(code: string | undefined, message: string): boolean {
  return code === 'CredentialsProviderError' || NOTHING_FOUND.test(message);
}

interface SharedFile {
  /** As the person would write it: `~/.aws/config` unless moved by AWS_CONFIG_FILE. */
  shown: string;
  exists: boolean;
  profiles: Set<string>;
}

// `[profile name]` in the config file, `[name]` in both (and `[default]`); sso-session and
// services sections are not profiles.
const SECTION = /^\s*\[\s*(?:profile\s+)?([^\]\s]+)\s*\]\s*$/;

function readShared(path: string, shown: string): SharedFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { shown, exists: false, profiles: new Set() };
  }
  const profiles = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*\[\s*(sso-session|services)\s/.test(line)) continue;
    const name = SECTION.exec(line)?.[1];
    if (name !== undefined) profiles.add(name);
  }
  return { shown, exists: true, profiles };
}

/** The two files the SDK reads profiles from, where it looks for them. */
function sharedFiles(env: Record<string, string | undefined>): SharedFile[] {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  const config = env.AWS_CONFIG_FILE;
  const credentials = env.AWS_SHARED_CREDENTIALS_FILE;
  return [
    readShared(config ?? join(home, '.aws', 'config'), config ?? '~/.aws/config'),
    readShared(credentials ?? join(home, '.aws', 'credentials'), credentials ?? '~/.aws/credentials'),
  ];
}

function holding(files: SharedFile[], profile: string): SharedFile[] {
  return files.filter((f) => f.profiles.has(profile));
}

/**
 * One line saying why no credentials were found, from what the SDK's default chain looks at:
 * with a profile (`--profile` or AWS_PROFILE) only that profile, otherwise the key variables, then
 * the `default` profile. The SDK itself only says that every provider came up empty.
 */
export function explainMissingCredentials(profileFlag: string | undefined, env: Record<string, string | undefined>, sdkMessage: string): string {
  const files = sharedFiles(env);
  const both = files.map((f) => f.shown).join(' or ');
  const profile = profileFlag ?? env.AWS_PROFILE;
  const from = profileFlag !== undefined ? '--profile' : 'AWS_PROFILE';
  if (profile !== undefined && profile !== '') {
    const found = holding(files, profile);
    if (found.length === 0) {
      const none = files.every((f) => !f.exists) ? ' (neither file exists)' : '';
      return `no AWS credentials: profile "${profile}" (${from}) not found in ${both}${none}`;
    }
    if (!NOTHING_FOUND.test(sdkMessage)) return `no AWS credentials from profile "${profile}" (${from}): ${sdkMessage}`;
    return `no AWS credentials: profile "${profile}" (${from}, in ${found.map((f) => f.shown).join(' and ')}) gives none the AWS SDK can use (keys, SSO, role or credential_process)`;
  }
  const key = Boolean(env.AWS_ACCESS_KEY_ID);
  const secret = Boolean(env.AWS_SECRET_ACCESS_KEY);
  if (key !== secret) {
    return `no AWS credentials: ${key ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID'} is not set (${key ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY'} is)`;
  }
  if (!NOTHING_FOUND.test(sdkMessage)) return `no AWS credentials: ${sdkMessage}`;
  const defaults = holding(files, 'default');
  const defaultNote =
    defaults.length === 0
      ? `no "default" profile in ${both}`
      : `the "default" profile in ${defaults.map((f) => f.shown).join(' and ')} gives none the AWS SDK can use`;
  return `no AWS credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set, no AWS_PROFILE or --profile, and ${defaultNote}`;
}
