/**
 * deploy/vars.cjs (what `serverless package` accepts as stage parameters) against the one settings
 * schema the functions parse at cold start: a parameter the stack accepts must start the function,
 * and every CVPN_* variable the template sets is one the schema reads.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parseSettings, SettingsSchema } from '../../src/app/config';
import { KMS_KEY_ARN_PATTERN } from '../../src/domain/patterns';
import { ALLOWED_RETENTION_DAYS, LOG_GROUP_PLACEHOLDERS, MODES } from '../../src/domain/settings';

const require = createRequire(import.meta.url);
const { constants } = require('../../deploy/vars.cjs') as {
  constants: {
    PLACEHOLDERS: Set<string>;
    RETENTION_DAYS: Set<number>;
    MODES: Set<string>;
    KMS_KEY_ARN: RegExp;
    OVERRIDABLE_ENV: string[];
  };
};

describe('deploy/vars.cjs follows the settings schema', () => {
  it('accepts exactly the retention values, modes and placeholders the schema accepts', () => {
    expect([...constants.RETENTION_DAYS]).toEqual([...ALLOWED_RETENTION_DAYS]);
    expect([...constants.MODES]).toEqual([...MODES]);
    expect([...constants.PLACEHOLDERS]).toEqual([...LOG_GROUP_PLACEHOLDERS]);
  });

  it('checks KMS key ARNs with the same pattern', () => {
    expect(constants.KMS_KEY_ARN.source).toBe(KMS_KEY_ARN_PATTERN.source);
  });

  it('guards only variables the schema reads', () => {
    const read = Object.keys(SettingsSchema.shape);
    for (const name of constants.OVERRIDABLE_ENV) expect(read).toContain(name);
  });

  it('every retention and mode the stack accepts starts the function', () => {
    for (const days of constants.RETENTION_DAYS) expect(parseSettings({ CVPN_RETENTION_DAYS: String(days) }).retentionDays).toBe(days);
    for (const mode of constants.MODES) expect(parseSettings({ CVPN_MODE: mode }).mode).toBe(mode);
  });
});
