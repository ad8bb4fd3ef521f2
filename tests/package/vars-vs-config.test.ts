/**
 * deploy/vars.cjs (what `serverless package` accepts as stage parameters) against the one settings
 * schema the functions parse at cold start: a parameter the stack accepts must start the function,
 * and every CVPN_* variable the template sets is one the schema reads.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parseSettings, SettingsSchema } from '../../src/app/config';
import {
  ACCOUNT_ID_PATTERN,
  KMS_KEY_ARN_PATTERN,
  ORGANIZATION_ID_PATTERN,
  REGION_PATTERN,
  ROLE_NAME_PATTERN,
} from '../../src/domain/patterns';
import { ALLOWED_RETENTION_DAYS, DEFAULT_MEMBER_ROLE_NAME, FLEET_MODES, LOG_GROUP_PLACEHOLDERS, MODES } from '../../src/domain/settings';

const require = createRequire(import.meta.url);
const { constants } = require('../../deploy/vars.cjs') as {
  constants: {
    PLACEHOLDERS: Set<string>;
    RETENTION_DAYS: Set<number>;
    MODES: Set<string>;
    KMS_KEY_ARN: RegExp;
    OVERRIDABLE_ENV: string[];
    FLEET_MODES: Set<string>;
    ORGANIZATION_ID: RegExp;
    ROLE_NAME: RegExp;
    ACCOUNT_ID: RegExp;
    REGION: RegExp;
  };
};
type Resolve = (name: string) => Promise<unknown>;
const fleet = require('../../deploy/fleet.cjs') as {
  environment(ctx: { resolveVariable: Resolve }): Promise<Record<string, string>>;
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

  it('accepts exactly the fleet modes, and checks organization, role, account and region values with the same patterns', () => {
    expect([...constants.FLEET_MODES]).toEqual([...FLEET_MODES]);
    expect(constants.ORGANIZATION_ID.source).toBe(ORGANIZATION_ID_PATTERN.source);
    expect(constants.ROLE_NAME.source).toBe(ROLE_NAME_PATTERN.source);
    expect(constants.ACCOUNT_ID.source).toBe(ACCOUNT_ID_PATTERN.source);
    expect(constants.REGION.source).toBe(REGION_PATTERN.source);
  });

  it('every fleet mode the stack accepts starts the function, and the central settings it sets are ones the schema reads', async () => {
    for (const mode of constants.FLEET_MODES) expect(parseSettings({ CVPN_FLEET: mode }).fleet).toBe(mode);
    const params: Record<string, string> = {
      fleet: 'central', organizationId: 'o-a1b2c3d4e5', targetOuIds: 'r-ab12', regions: 'eu-west-1', callAs: 'SELF',
      memberRoleName: 'cvpn-member', operatorRoleArns: '', accounts: '111111111111', logGroup: '/aws/clientvpn/{endpointId}',
      archiveRetentionDays: '',
    };
    const resolveVariable = async (name: string) =>
      name === 'self:service' ? 'cvpn-log-guard' : name === 'sls:stage' ? 'test' : params[name.replace(/^param:/, '')];
    const env = await fleet.environment({ resolveVariable });
    const read = Object.keys(SettingsSchema.shape);
    expect(Object.keys(env).length).toBeGreaterThan(0);
    for (const name of Object.keys(env)) expect(read).toContain(name);
    expect(parseSettings({ ...env, CVPN_FLEET: 'central' })).toMatchObject({
      fleet: 'central', organizationId: 'o-a1b2c3d4e5', memberRoleName: 'cvpn-member', accounts: ['111111111111'],
    });
  });
});

describe('organization-wide settings', () => {
  it('default to fleet off, the standard member role, no organization and no account list', () => {
    expect(parseSettings({})).toMatchObject({ fleet: 'off', memberRoleName: DEFAULT_MEMBER_ROLE_NAME, organizationId: undefined, accounts: undefined });
    expect(parseSettings({ CVPN_FLEET: '', CVPN_ORGANIZATION_ID: '', CVPN_MEMBER_ROLE_NAME: '', CVPN_ACCOUNTS: ' ' })).toMatchObject({
      fleet: 'off', memberRoleName: DEFAULT_MEMBER_ROLE_NAME, organizationId: undefined, accounts: undefined,
    });
  });

  it('reads the account list trimmed and without repeats', () => {
    expect(parseSettings({ CVPN_ACCOUNTS: ' 111111111111, 222222222222,111111111111' }).accounts).toEqual(['111111111111', '222222222222']);
  });

  it.each([
    [{ CVPN_FLEET: 'org' }, 'CVPN_FLEET'],
    [{ CVPN_ORGANIZATION_ID: 'o-short' }, 'CVPN_ORGANIZATION_ID'],
    [{ CVPN_ORGANIZATION_ID: '123456789012' }, 'CVPN_ORGANIZATION_ID'],
    [{ CVPN_MEMBER_ROLE_NAME: 'path/role' }, 'CVPN_MEMBER_ROLE_NAME'],
    [{ CVPN_MEMBER_ROLE_NAME: 'r'.repeat(65) }, 'CVPN_MEMBER_ROLE_NAME'],
    [{ CVPN_ACCOUNTS: '111111111111,22222222222' }, 'CVPN_ACCOUNTS'],
  ])('refuses %j, naming the variable', (env, name) => {
    expect(() => parseSettings(env)).toThrow(name);
  });
});
