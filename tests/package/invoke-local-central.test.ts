/**
 * Central mode through `serverless invoke local` (osls + the serverless-esbuild bundle), configured only from the
 * shell (`invoke local` can't resolve the CloudFormation refs): a member account's switch-off event is fixed in that
 * member account through its role, and the alert, published in the central account, names the account.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Standin } from '../../standin/index';
import { envelope, modifyRecord, retarget } from '../helpers/events';
import { ACCOUNT, LAMBDA_ROLE, REGION, standinForAccount } from '../helpers/standin-runtime';

const ORG = 'o-exampleorgid';
const MEMBER = '222222222222';
const NO_ROLE = '333333333333';
const MEMBER_ENDPOINT = 'cvpn-endpoint-02222222222222222';
const NO_ROLE_ENDPOINT = 'cvpn-endpoint-03333333333333333';

let standin: Standin;
let dir: string;
let topicArn: string;

beforeAll(async () => {
  standin = await standinForAccount();
  topicArn = standin.createTopic(REGION, 'alerts');
  standin.setOrganization({ id: ORG });
  standin.addOrganizationAccount(MEMBER, { name: 'Prod' });
  standin.addOrganizationAccount(NO_ROLE, { name: 'Sandbox' });
  standin.account(MEMBER).addRole('cvpn-log-guard-member', { trustedPrincipals: [`arn:aws:iam::${ACCOUNT}:role/${LAMBDA_ROLE}`] });
  standin.account(MEMBER).addEndpoint(REGION, { id: MEMBER_ENDPOINT, logging: { enabled: false } });
  standin.account(NO_ROLE).addEndpoint(REGION, { id: NO_ROLE_ENDPOINT, logging: { enabled: false } });
  dir = mkdtempSync(join(tmpdir(), 'cvpn-invoke-central-'));
}, 60_000);
afterAll(async () => {
  await standin.close();
  rmSync(dir, { recursive: true, force: true });
});

// Asynchronous on purpose: the stand-in runs in this process and must keep answering.
function invokeLocal(account: string, endpointId: string): Promise<{ status: number | null; output: string }> {
  const path = join(dir, `${endpointId}.json`);
  writeFileSync(path, JSON.stringify(envelope(retarget(modifyRecord(), { account, endpointId }))));
  const args = ['serverless', 'invoke', 'local', '-f', 'remediate', '--path', path, '--region', REGION];
  const options = {
    encoding: 'utf8' as const,
    timeout: 120_000,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ENDPOINT_URL: standin.url,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: REGION,
      AWS_EC2_METADATA_DISABLED: 'true',
      CVPN_TOPIC_ARN: topicArn,
      CVPN_STATE_TABLE: '',
      CVPN_FLEET: 'central',
      CVPN_ORGANIZATION_ID: ORG,
      POWERTOOLS_METRICS_DISABLED: 'true',
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
    },
  };
  return new Promise((resolve) => {
    execFile('npx', args, options, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ status, output: `${stdout}${stderr}` });
    });
  });
}

describe('serverless invoke local -f remediate in central mode', () => {
  it("fixes a member's endpoint through its role; a member without the role gets a failed alert naming it", async () => {
    const fixed = await invokeLocal(MEMBER, MEMBER_ENDPOINT);
    expect(fixed.status, fixed.output).toBe(0);
    expect(fixed.output).toContain('"action": "remediated"');
    expect(standin.account(MEMBER).getEndpoint(REGION, MEMBER_ENDPOINT)?.logging).toMatchObject({
      enabled: true,
      logGroup: `/aws/clientvpn/${MEMBER_ENDPOINT}`,
    });
    const writes = standin.callsTo('ModifyClientVpnEndpoint');
    expect(writes.map((c) => c.account)).toEqual([MEMBER]);
    expect(standin.callsTo('AssumeRole').map((c) => c.params.RoleArn)).toEqual([`arn:aws:iam::${MEMBER}:role/cvpn-log-guard-member`]);
    const [alert] = standin.published(topicArn);
    expect(alert?.attributes.account?.stringValue).toBe(MEMBER);
    expect(alert?.attributes.accountName?.stringValue).toBe('Prod');
    expect(standin.callsTo('Publish').map((c) => c.account)).toEqual([ACCOUNT]);

    const refused = await invokeLocal(NO_ROLE, NO_ROLE_ENDPOINT);
    expect(refused.status, refused.output).not.toBe(0);
    expect(refused.output).toContain('RemediationFailedError');
    expect(standin.account(NO_ROLE).getEndpoint(REGION, NO_ROLE_ENDPOINT)?.logging.enabled).toBe(false);
    const failed = standin.published(topicArn)[1];
    expect(failed?.attributes.outcome?.stringValue).toBe('failed');
    expect(failed?.attributes.account?.stringValue).toBe(NO_ROLE);
    expect(failed?.bodies?.email).toContain(`arn:aws:iam::${NO_ROLE}:role/cvpn-log-guard-member`);
  }, 240_000);
});
