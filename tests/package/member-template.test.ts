/**
 * The flat member template (deploy/member-template.json) that a service-managed StackSet rolls out
 * to every member account and region of an organization: what a stack instance creates in the
 * home region and in any other, checked as CloudFormation would resolve it.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  created as createdIn,
  instanceParameters,
  MEMBER_TEMPLATE_FILE as FILE,
  memberTemplate,
  type Instance,
} from '../helpers/member-template';

const template = memberTemplate();

const CENTRAL = '111111111111';
const MEMBER = '222222222222';
const FUNCTION_ROLE = `arn:aws:iam::${CENTRAL}:role/cvpn-log-guard-prod-eu-west-1-lambdaRole`;
const OPERATOR = `arn:aws:iam::${CENTRAL}:role/secops`;
const BUS = `arn:aws:events:eu-west-1:${CENTRAL}:event-bus/cvpn-log-guard-prod`;

function instance(region: string, overrides: Record<string, string> = {}): Instance {
  const parameters = instanceParameters(template, {
    CentralAccountId: CENTRAL,
    CentralEventBusArn: BUS,
    CentralFunctionRoleArn: FUNCTION_ROLE,
    HomeRegion: 'eu-west-1',
    ...overrides,
  });
  return { account: MEMBER, region, parameters };
}

const created = (at: Instance) => createdIn(template, at);

describe('member template', () => {
  it('fits a StackSet TemplateBody and holds no nested stack, no Lambda and no KMS key', () => {
    expect(statSync(FILE).size).toBeLessThan(51_200);
    const types = Object.values(template.Resources).map((r) => r.Type);
    for (const banned of ['AWS::CloudFormation::Stack', 'AWS::Lambda::Function', 'AWS::KMS::Key', 'AWS::Serverless::Function']) {
      expect(types).not.toContain(banned);
    }
  });

  it('creates each named IAM role once per account when instantiated in two regions', () => {
    const regions = ['eu-west-1', 'us-east-1'];
    const namedRoles = regions.flatMap((region) =>
      created(instance(region))
        .filter((r) => r.type === 'AWS::IAM::Role' && r.properties.RoleName !== undefined)
        .map((r) => String(r.properties.RoleName)),
    );
    expect(namedRoles).toEqual(['cvpn-log-guard-member']);
    // Every region forwards: one rule each, with a role of its own (no fixed name, no clash).
    for (const region of regions) {
      const resources = created(instance(region));
      expect(resources.filter((r) => r.type === 'AWS::Events::Rule')).toHaveLength(1);
      const forwarder = resources.find((r) => r.id === 'ForwarderRole');
      expect(forwarder?.properties.RoleName).toBeUndefined();
    }
  });

  it('forwards the same events as the central rule, straight to the central bus, with a role that may only put events there', () => {
    const resources = created(instance('ap-northeast-1'));
    const rule = resources.find((r) => r.type === 'AWS::Events::Rule')?.properties;
    expect(rule?.EventBusName).toBe('default');
    expect(rule?.EventPattern).toEqual({
      source: ['aws.ec2'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['ec2.amazonaws.com'],
        eventName: ['CreateClientVpnEndpoint', 'ModifyClientVpnEndpoint'],
        errorCode: [{ exists: false }],
      },
    });
    expect(rule?.Targets).toEqual([{ Id: 'central-bus', Arn: BUS, RoleArn: 'getatt:ForwarderRole.Arn' }]);
    const forwarder = resources.find((r) => r.id === 'ForwarderRole')?.properties;
    expect(forwarder?.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'events.amazonaws.com' });
    expect(forwarder?.Policies).toEqual([
      { PolicyName: 'put-events-on-central-bus', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS }] } },
    ]);
  });

  it('lets only the central function role (and named operator roles) assume the member role', () => {
    const trustOf = (at: Instance) =>
      created(at).find((r) => r.id === 'MemberRole')?.properties.AssumeRolePolicyDocument.Statement as any[];
    const [plain] = trustOf(instance('eu-west-1'));
    expect(plain.Principal).toEqual({ AWS: `arn:aws:iam::${CENTRAL}:root` });
    expect(plain.Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': [FUNCTION_ROLE] } });
    const [withOperators] = trustOf(instance('eu-west-1', { OperatorRoleArns: OPERATOR }));
    expect(withOperators.Condition).toEqual({ ArnEquals: { 'aws:PrincipalArn': [FUNCTION_ROLE, OPERATOR] } });
  });

  it('gives the member role the single-account permissions, account-scoped, and no wildcard action', () => {
    const role = created(instance('eu-west-1')).find((r) => r.id === 'MemberRole')?.properties;
    const statements = role?.Policies[0].PolicyDocument.Statement as { Sid: string; Action: string | string[]; Resource: string | string[]; Condition?: unknown }[];
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions.every((a) => !a.includes('*'))).toBe(true);
    const modify = statements.find((s) => s.Sid === 'ModifyClientVpnEndpoints');
    expect(modify?.Resource).toBe(`arn:aws:ec2:*:${MEMBER}:client-vpn-endpoint/*`);
    const retention = statements.find((s) => s.Sid === 'SetRetentionOnOwnLogGroups');
    expect(retention?.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/managed-by': 'cvpn-log-guard' } });
    // Resource "*" only for reads that have no resource-level permission.
    for (const s of statements.filter((st) => st.Resource === '*')) {
      const list = Array.isArray(s.Action) ? s.Action : [s.Action];
      expect(list.every((a) => /:(Describe|Get|List)/.test(a)), s.Sid).toBe(true);
    }
  });

  const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!cfnLint)('passes cfn-lint with no finding (CI installs cfn-lint; skipped where it is missing)', () => {
    const r = spawnSync('cfn-lint', [FILE], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
