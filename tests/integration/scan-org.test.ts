// `scan --org` / `scan --accounts`: the CLI's scan in every account of the organization through the member role,
// against the stand-in (calls counted there).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Standin } from '../../standin/index';
import { ACCOUNT, LAMBDA_ROLE, REGION, runCliAgainst, standinForAccount } from '../helpers/standin-runtime';

const ORG = 'o-exampleorgid';
const PROD = '222222222222';
const DEV = '777777777777';
const NO_ROLE = '333333333333';
const SUSPENDED = '444444444444';
const ROLE = 'cvpn-log-guard-member';
const OTHER = 'eu-west-1';
const endpoint = (account: string, n: number): string => `cvpn-endpoint-0${account.slice(0, 1).repeat(15)}${n}`;
const ENV = { AWS_REGION: REGION };

let standin: Standin;
beforeAll(async () => {
  standin = await standinForAccount();
});
afterAll(async () => {
  await standin.close();
});
beforeEach(() => {
  standin.reset();
  standin.setRegions([REGION, OTHER]);
  standin.setOrganization({ id: ORG });
  standin.addOrganizationAccount(PROD, { name: 'Prod' });
  standin.addOrganizationAccount(DEV, { name: 'Dev' });
  standin.addOrganizationAccount(NO_ROLE, { name: 'Sandbox' });
  standin.addOrganizationAccount(SUSPENDED, { name: 'Old' });
  standin.setOrganizationAccountState(SUSPENDED, 'SUSPENDED');
  for (const id of [PROD, DEV, SUSPENDED]) standin.account(id).addRole(ROLE, { trustedPrincipals: [`arn:aws:iam::${ACCOUNT}:role/${LAMBDA_ROLE}`] });
  for (const id of [PROD, DEV, NO_ROLE, SUSPENDED]) {
    standin.account(id).addEndpoint(REGION, { id: endpoint(id, 1), logging: { enabled: false } });
    standin.account(id).addEndpoint(OTHER, { id: endpoint(id, 2), logging: { enabled: false } });
  }
  standin.addEndpoint(REGION, { id: endpoint(ACCOUNT, 1), logging: { enabled: false } });
});

const assumedFor = (account: string) => standin.callsTo('AssumeRole').filter((c) => c.params.RoleArn === `arn:aws:iam::${account}:role/${ROLE}`);

describe('scan --org', () => {
  it("--apply fixes every member's endpoints with exactly one AssumeRole per account; an account without the role is reported and sets exit 1", async () => {
    const run = await runCliAgainst(standin, ['scan', '--org', '--apply', '--regions', `${REGION},${OTHER}`], ENV);
    expect(run.code, run.out + run.err).toBe(1);
    for (const id of [PROD, DEV]) {
      expect(assumedFor(id)).toHaveLength(1);
      for (const [region, n] of [[REGION, 1], [OTHER, 2]] as const) {
        expect(standin.account(id).getEndpoint(region, endpoint(id, n))?.logging.enabled).toBe(true);
      }
    }
    expect(assumedFor(NO_ROLE)).toHaveLength(1);
    expect(assumedFor(SUSPENDED)).toHaveLength(0);
    expect(standin.calls.filter((c) => c.account === SUSPENDED)).toHaveLength(0);
    expect(standin.account(NO_ROLE).getEndpoint(REGION, endpoint(NO_ROLE, 1))?.logging.enabled).toBe(false);
    // The central account itself is scanned with its own credentials.
    expect(standin.getEndpoint(REGION, endpoint(ACCOUNT, 1))?.logging.enabled).toBe(true);
    expect(run.out).toContain(`${PROD} (Prod) ${REGION}`);
    expect(run.out).toContain(`${DEV} (Dev) ${OTHER}`);
    expect(run.out.replace(/\s+/g, ' ')).toContain(
      `error in account ${NO_ROLE} (Sandbox): could not assume arn:aws:iam::${NO_ROLE}:role/${ROLE}: AccessDenied (the role is missing`,
    );
    expect(run.out.replace(/\s+/g, ' ')).toContain('5 endpoints in 6 regions of 4 accounts (1 could not be entered): 5 compliant (5 fixed now)');
    for (const line of run.out.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('--accounts scans only those, with --role-name', async () => {
    standin.account(DEV).addRole('ops-audit', { trustedPrincipals: [`arn:aws:iam::${ACCOUNT}:role/${LAMBDA_ROLE}`] });
    const run = await runCliAgainst(standin, ['scan', '--accounts', DEV, '--role-name', 'ops-audit', '--json'], ENV);
    expect(run.code, run.err).toBe(1);
    expect(standin.callsTo('AssumeRole').map((c) => c.params.RoleArn)).toEqual([`arn:aws:iam::${DEV}:role/ops-audit`]);
    const rows = run.stdout.map((l) => JSON.parse(l) as { kind: string; account: string; accountName?: string; endpointId: string; compliant: boolean });
    expect(rows.map((r) => [r.kind, r.account, r.accountName, r.endpointId, r.compliant])).toEqual([['endpoint', DEV, 'Dev', endpoint(DEV, 1), false]]);
    expect(standin.account(DEV).getEndpoint(REGION, endpoint(DEV, 1))?.logging.enabled).toBe(false);
  });

  it('refuses --org with --accounts, and --role-name alone', async () => {
    expect((await runCliAgainst(standin, ['scan', '--org', '--accounts', PROD], ENV)).code).toBe(2);
    const alone = await runCliAgainst(standin, ['scan', '--role-name', 'x'], ENV);
    expect(alone.code).toBe(2);
    expect(alone.err).toContain('--role-name goes with --org or --accounts');
    const bad = await runCliAgainst(standin, ['scan', '--accounts', '12345'], ENV);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('12-digit');
    expect(standin.callsTo('AssumeRole')).toHaveLength(0);
  });
});
