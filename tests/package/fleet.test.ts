/**
 * Organization-wide mode, infrastructure: the template packaged with fleet=central (central bus,
 * its organization-only policy, the rule to the function, the member StackSet, the fleet IAM) and
 * with the default fleet=off (none of it). Each variant is packaged once for the whole file.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings } from '../../src/app/config';
import {
  created,
  instanceParameters,
  MEMBER_TEMPLATE_FILE,
  memberTemplate,
  type MemberTemplate,
} from '../helpers/member-template';
import {
  asArray,
  packageService,
  resourcesOfType,
  roleStatements,
  runServerless,
  type CfnResource,
  type CfnTemplate,
  type PackagedService,
} from '../helpers/serverless-package';

const require = createRequire(import.meta.url);
type Resolve = (name: string) => Promise<unknown>;
const vars = require('../../deploy/vars.cjs') as {
  fleetSettings(ctx: { resolveVariable: Resolve }): Promise<Record<string, unknown>>;
};
const fleet = require('../../deploy/fleet.cjs') as {
  environment(ctx: { resolveVariable: Resolve }): Promise<Record<string, string>>;
  constants: { TEMPLATE_BODY_LIMIT: number };
};

const STAGE = 'orgtest';
const REGION = 'eu-west-1';
const ROLE = 'IamRoleLambdaExecution';
const FUNCTION = 'RemediateLambdaFunction';
const ORG = 'o-a1b2c3d4e5';
const OUS = ['ou-ab12-cdefgh34', 'ou-ab12-ijklmn56'];
// The home region (first) is not the central stack's region, on purpose.
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const OPERATOR = 'arn:aws:iam::123456789012:role/secops-operator';
const ACCOUNTS = ['111111111111', '222222222222'];

const CENTRAL = [
  '--param', 'fleet=central',
  '--param', `organizationId=${ORG}`,
  '--param', `targetOuIds=${OUS.join(', ')}`,
  '--param', `regions=${REGIONS.join(',')}`,
  '--param', 'callAs=DELEGATED_ADMIN',
  '--param', `operatorRoleArns=${OPERATOR}`,
  '--param', `accounts=${ACCOUNTS.join(',')}`,
];

// What central mode adds, by logical ID; nothing else may differ (but the function settings).
const CENTRAL_ONLY = [
  'CentralEventBus',
  'CentralEventBusPolicy',
  'CentralRemediateRule',
  'CentralRemediatePermission',
  'CentralEventsArchive',
  'FleetPolicy',
  'MemberStackSet',
];

let off: PackagedService;
let central: PackagedService;

beforeAll(async () => {
  // One after the other: both builds use the service's .esbuild directory.
  off = await packageService(['--stage', STAGE, '--region', REGION]);
  central = await packageService(['--stage', STAGE, '--region', REGION, ...CENTRAL]);
}, 120_000);

afterAll(() => {
  off?.cleanup();
  central?.cleanup();
});

const resource = (template: CfnTemplate, id: string): CfnResource => {
  const r = template.Resources[id];
  if (!r) throw new Error(`no resource ${id}`);
  return r;
};
const props = (template: CfnTemplate, id: string): Record<string, any> => resource(template, id).Properties ?? {};
const templateFile = (p: PackagedService) => path.join(p.dir, 'cloudformation-template-update-stack.json');
const BUS_ARN = { 'Fn::GetAtt': ['CentralEventBus', 'Arn'] };

describe('fleet=off (the default)', () => {
  it('has no central bus, no stack set and no fleet IAM', () => {
    for (const id of CENTRAL_ONLY) expect(off.template.Resources[id], id).toBeUndefined();
    for (const type of ['AWS::Events::EventBus', 'AWS::Events::EventBusPolicy', 'AWS::CloudFormation::StackSet']) {
      expect(resourcesOfType(off.template, type), type).toEqual([]);
    }
    const actions = roleStatements(off.template, ROLE).flatMap((s) => asArray(s.Action));
    expect(actions.filter((a) => a.startsWith('sts:') || a.startsWith('organizations:'))).toEqual([]);
  });

  it('tells the function it is off, and gives it no organization settings', () => {
    for (const fn of [FUNCTION, 'SweepLambdaFunction']) {
      const env = props(off.template, fn).Environment.Variables as Record<string, unknown>;
      expect(env.CVPN_FLEET).toBe('off');
      expect(Object.keys(env).filter((k) => /ORGANIZATION|MEMBER|ACCOUNTS/.test(k))).toEqual([]);
    }
  });
});

describe('fleet=central', () => {
  /** A resource as compared across the two variants: code location and function settings aside. */
  const comparable = (r: CfnResource): unknown => {
    const { Code: _code, Environment: _env, ...rest } = r.Properties ?? {};
    return { ...r, Properties: rest };
  };

  it('is the fleet=off template plus the central resources, nothing else changed', () => {
    const offIds = Object.keys(off.template.Resources).sort();
    const centralIds = Object.keys(central.template.Resources).sort();
    expect(centralIds).toEqual([...offIds, ...CENTRAL_ONLY].sort());
    for (const id of offIds) {
      if (id.startsWith('ServerlessDeploymentBucket')) continue;
      expect(comparable(resource(central.template, id)), id).toEqual(comparable(resource(off.template, id)));
    }
    const t = (p: PackagedService) => p.template as CfnTemplate & { Parameters?: unknown };
    expect(t(central).Parameters).toEqual(t(off).Parameters);
    expect(central.template.Conditions).toEqual(off.template.Conditions);
    expect(Object.keys(central.template.Outputs ?? {}).sort()).toEqual(
      [...Object.keys(off.template.Outputs ?? {}), 'CentralEventBusArn', 'CentralFunctionRoleArn', 'MemberStackSetName'].sort(),
    );
  });

  it('gives both functions the organization settings, which the settings schema accepts', () => {
    for (const fn of [FUNCTION, 'SweepLambdaFunction']) {
      const env = props(central.template, fn).Environment.Variables as Record<string, unknown>;
      expect(env).toMatchObject({
        CVPN_FLEET: 'central',
        CVPN_ORGANIZATION_ID: ORG,
        CVPN_MEMBER_ROLE_NAME: 'cvpn-log-guard-member',
        CVPN_ACCOUNTS: ACCOUNTS.join(','),
      });
      const literal = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
      expect(parseSettings(literal)).toMatchObject({ fleet: 'central', organizationId: ORG, memberRoleName: 'cvpn-log-guard-member', accounts: ACCOUNTS });
    }
  });

  it('creates the bus cvpn-log-guard-<stage>, open to PutEvents from the organization only', () => {
    expect(props(central.template, 'CentralEventBus')).toEqual({ Name: `cvpn-log-guard-${STAGE}` });
    const policy = props(central.template, 'CentralEventBusPolicy');
    expect(policy.EventBusName).toEqual({ Ref: 'CentralEventBus' });
    expect(policy.Statement).toEqual({
      Effect: 'Allow',
      Principal: '*',
      Action: 'events:PutEvents',
      Resource: BUS_ARN,
      Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
    });
    // The statement AWS documents for granting an organization (the CloudFormation User Guide
    // example), with this bus and this organization.
    const fixture = JSON.parse(
      readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'eventbridge-event-bus-policy-org-putevents-awsdoc-cfn.json'), 'utf8'),
    ).SampleEventBusPolicy.Properties.Statement;
    expect(Object.keys(policy.Statement).sort()).toEqual(Object.keys(fixture).sort());
    expect({ ...policy.Statement, Resource: fixture.Resource, Condition: fixture.Condition }).toEqual(fixture);
    expect(Object.keys(policy.Statement.Condition.StringEquals)).toEqual(Object.keys(fixture.Condition.StringEquals));
  });

  it('feeds the remediate function from the bus, with the pattern of the default-bus rule', () => {
    const defaultRule = resourcesOfType(central.template, 'AWS::Events::Rule').find(
      ([id, r]) => id !== 'CentralRemediateRule' && r.Properties?.EventPattern,
    )?.[1];
    const rule = props(central.template, 'CentralRemediateRule');
    expect(rule.EventBusName).toEqual({ Ref: 'CentralEventBus' });
    expect(rule.State).toBe('ENABLED');
    expect(rule.EventPattern).toEqual(defaultRule?.Properties?.EventPattern);
    expect(rule.EventPattern.detail.errorCode).toEqual([{ exists: false }]);
    expect(rule.Targets).toEqual([{ Id: 'remediate', Arn: { 'Fn::GetAtt': [FUNCTION, 'Arn'] } }]);
    expect(props(central.template, 'CentralRemediatePermission')).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [FUNCTION, 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': ['CentralRemediateRule', 'Arn'] },
    });
    // Only once the function may assume member roles.
    expect(resource(central.template, 'CentralRemediateRule').DependsOn).toEqual(['FleetPolicy']);
  });

  it('keeps the no-event-lost path for member events: async invoke, retries, on-failure queue, alarm', () => {
    // No SQS buffer: the rule invokes the function asynchronously, like the default-bus rule, so
    // the function's one EventInvokeConfig applies to member events too.
    expect(resourcesOfType(central.template, 'AWS::Lambda::EventSourceMapping')).toEqual([]);
    const config = resourcesOfType(central.template, 'AWS::Lambda::EventInvokeConfig')
      .map(([, c]) => c.Properties ?? {})
      .find((c) => JSON.stringify(c.FunctionName) === JSON.stringify({ Ref: FUNCTION }));
    expect(config).toMatchObject({
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['FailedEventsQueue', 'Arn'] } } },
    });
    expect(props(central.template, 'FailedEventsAlarm')).toMatchObject({
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['FailedEventsQueue', 'QueueName'] } }],
      Threshold: 1,
      AlarmActions: [{ Ref: 'AlertTopic' }],
    });
  });

  it('archives member events on the central bus when an archive is asked for', () => {
    const archive = resource(central.template, 'CentralEventsArchive');
    expect(archive.Condition).toBe('HasArchive');
    expect(archive.Properties?.SourceArn).toEqual(BUS_ARN);
    expect(archive.Properties?.EventPattern).toEqual(props(central.template, 'CentralRemediateRule').EventPattern);
  });

  it('lets the function role assume only the member role, in accounts of the organization, and read the account list', () => {
    const policy = props(central.template, 'FleetPolicy');
    expect(policy.Roles).toEqual([{ Ref: ROLE }]);
    expect(policy.PolicyDocument.Statement).toEqual([
      {
        Sid: 'AssumeMemberRoles',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/cvpn-log-guard-member' },
        Condition: { StringEquals: { 'aws:ResourceOrgID': ORG } },
      },
      { Sid: 'ListOrganizationAccounts', Effect: 'Allow', Action: 'organizations:ListAccounts', Resource: '*' },
      {
        Sid: 'DescribeOrganizationAccounts',
        Effect: 'Allow',
        Action: 'organizations:DescribeAccount',
        Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:organizations::*:account/${ORG}/*` },
      },
    ]);
    // The fleet statements are the only new ones on the role.
    const added = roleStatements(central.template, ROLE).length - roleStatements(off.template, ROLE).length;
    expect(added).toBe(3);
  });
});

describe('member StackSet', () => {
  const stackSet = () => props(central.template, 'MemberStackSet');
  const parameters = (): Record<string, unknown> =>
    Object.fromEntries((stackSet().Parameters as { ParameterKey: string; ParameterValue: unknown }[]).map((p) => [p.ParameterKey, p.ParameterValue]));

  it('is service-managed, deploys automatically to the target OUs and regions, as the given caller', () => {
    expect(stackSet()).toMatchObject({
      StackSetName: `cvpn-log-guard-${STAGE}-member`,
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      CallAs: 'DELEGATED_ADMIN',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: OUS }, Regions: REGIONS }],
    });
    expect(resource(central.template, 'MemberStackSet').DependsOn).toEqual(['CentralEventBusPolicy', 'CentralRemediateRule']);
  });

  it('inlines deploy/member-template.json as its TemplateBody, under 51,200 bytes', () => {
    const body = stackSet().TemplateBody as string;
    expect(typeof body).toBe('string');
    expect(JSON.parse(body)).toEqual(JSON.parse(readFileSync(MEMBER_TEMPLATE_FILE, 'utf8')));
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThan(fleet.constants.TEMPLATE_BODY_LIMIT);
    expect(fleet.constants.TEMPLATE_BODY_LIMIT).toBe(51_200);
  });

  it('passes the central account, bus, function role, home region, member role name and operators', () => {
    expect(parameters()).toEqual({
      CentralAccountId: { Ref: 'AWS::AccountId' },
      CentralEventBusArn: BUS_ARN,
      CentralFunctionRoleArn: { 'Fn::GetAtt': [ROLE, 'Arn'] },
      HomeRegion: REGIONS[0],
      MemberRoleName: 'cvpn-log-guard-member',
      OperatorRoleArns: OPERATOR,
      LogGroupPrefix: '/aws/clientvpn/',
    });
  });

  it('instantiated in every listed region of one account, creates the member role once, in the home region', () => {
    const body: MemberTemplate = JSON.parse(stackSet().TemplateBody as string);
    const CENTRAL_ACCOUNT = '123456789012';
    const passed = Object.fromEntries(
      Object.entries(parameters()).map(([k, v]): [string, string] => {
        // What CloudFormation resolves the central stack's references to.
        if (k === 'CentralAccountId') return [k, CENTRAL_ACCOUNT];
        if (k === 'CentralEventBusArn') return [k, `arn:aws:events:${REGION}:${CENTRAL_ACCOUNT}:event-bus/cvpn-log-guard-${STAGE}`];
        if (k === 'CentralFunctionRoleArn') return [k, `arn:aws:iam::${CENTRAL_ACCOUNT}:role/cvpn-log-guard-${STAGE}-${REGION}-lambdaRole`];
        return [k, String(v)];
      }),
    );
    const instances = REGIONS.map((region) => ({
      region,
      resources: created(body, { account: '222222222222', region, parameters: instanceParameters(body, passed) }),
    }));
    const roles = instances.flatMap(({ region, resources }) =>
      resources.filter((r) => r.type === 'AWS::IAM::Role' && r.properties.RoleName !== undefined).map((r) => `${region}:${r.properties.RoleName}`),
    );
    expect(roles).toEqual([`${REGIONS[0]}:cvpn-log-guard-member`]);
    for (const { resources } of instances) {
      expect(resources.filter((r) => r.type === 'AWS::Events::Rule').map((r) => r.properties.Targets[0].Arn)).toEqual([passed.CentralEventBusArn]);
    }
    const member = instances[0]?.resources.find((r) => r.id === 'MemberRole');
    expect(member?.properties.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({
      ArnEquals: { 'aws:PrincipalArn': [passed.CentralFunctionRoleArn, OPERATOR] },
    });
    // The same source as the repository's file (the member template test covers it in depth).
    expect(body).toEqual(memberTemplate());
  });
});

// Preinstalled on developer machines of this kind; CI installs it (scripts/cfn-lint.sh).
const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;
describe('cfn-lint', () => {
  it.skipIf(!cfnLint)('reports nothing on the fleet=central template and the member template (skipped where cfn-lint is missing)', () => {
    const run = spawnSync('cfn-lint', ['--format', 'parseable', '--', templateFile(central), MEMBER_TEMPLATE_FILE], { encoding: 'utf8' });
    expect(run.error).toBeUndefined();
    expect(`${run.stdout}${run.stderr}`).toBe('');
    expect(run.status).toBe(0);
  }, 60_000);
});

describe('refused fleet parameters', () => {
  const DEFAULTS: Record<string, string> = {
    fleet: 'off',
    organizationId: '',
    targetOuIds: '',
    regions: '',
    callAs: 'SELF',
    memberRoleName: 'cvpn-log-guard-member',
    operatorRoleArns: '',
    accounts: '',
  };
  const check = (params: Record<string, string>) =>
    vars.fleetSettings({
      resolveVariable: async (name: string) => ({ ...DEFAULTS, ...params })[name.replace(/^param:/, '')],
    });

  it('accepts the defaults (fleet off) and a complete central configuration', async () => {
    await expect(check({})).resolves.toMatchObject({ mode: 'off', targetOuIds: [], regions: [] });
    await expect(
      check({ fleet: 'central', organizationId: ORG, targetOuIds: ` ${OUS[0]} ,r-ab12`, regions: 'eu-west-1, eu-west-1 ,us-east-1' }),
    ).resolves.toMatchObject({ mode: 'central', targetOuIds: [OUS[0], 'r-ab12'], regions: ['eu-west-1', 'us-east-1'] });
  });

  it.each([
    [{ fleet: 'org' }, 'stage parameter "fleet" must be "off" or "central", got "org"'],
    [{ fleet: 'central' }, 'fleet=central needs the stage parameter(s) "organizationId", "targetOuIds", "regions"'],
    [{ organizationId: 'o-SHOUTING12' }, 'stage parameter "organizationId" must be an organization ID'],
    [{ targetOuIds: 'ou-ab12-cdefgh34,123456789012' }, 'stage parameter "targetOuIds" must be comma-separated organizational unit IDs (ou-xxxx-xxxxxxxx) or the root ID (r-xxxx), got "123456789012"'],
    [{ regions: 'eu-west-1,Europe' }, 'stage parameter "regions" must be comma-separated region names (eu-west-1,us-east-1), got "Europe"'],
    [{ callAs: 'ADMIN' }, 'stage parameter "callAs" must be "SELF" or "DELEGATED_ADMIN", got "ADMIN"'],
    [{ memberRoleName: 'ops/cvpn' }, 'stage parameter "memberRoleName" must be an IAM role name without a path'],
    [{ operatorRoleArns: 'arn:aws:sts::123456789012:assumed-role/ops/me' }, 'stage parameter "operatorRoleArns" must be empty or comma-separated IAM role ARNs'],
    [{ accounts: '111111111111,12345' }, 'stage parameter "accounts" must be empty or comma-separated 12-digit account IDs, got "12345"'],
    [{ accounts: Array.from({ length: 240 }, (_, i) => String(100000000000 + i)).join(',') }, 'stage parameter "accounts" lists 240 accounts, more than fit'],
  ])('%j', async (params, message) => {
    await expect(check(params)).rejects.toThrow(message);
  });

  it('fails packaging with the message, before any build', async () => {
    const run = await runServerless(['print', '--stage', STAGE, '--param', 'fleet=central', '--param', `organizationId=${ORG}`]);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('fleet=central needs the stage parameter(s) "targetOuIds", "regions"');
  }, 30_000);

  it('takes a CVPN_* shell override for invoke local, like the other settings', async () => {
    const resolveVariable = async (name: string) =>
      ({ ...DEFAULTS, fleet: 'central', organizationId: ORG, targetOuIds: OUS[0], regions: 'eu-west-1', logGroup: '/aws/clientvpn/{endpointId}', archiveRetentionDays: '' })[
        name.replace(/^param:/, '')
      ] ?? (name === 'self:service' ? 'cvpn-log-guard' : name === 'sls:stage' ? STAGE : undefined);
    const saved = process.env.CVPN_MEMBER_ROLE_NAME;
    process.env.CVPN_MEMBER_ROLE_NAME = 'local-member';
    try {
      await expect(fleet.environment({ resolveVariable })).resolves.toMatchObject({ CVPN_MEMBER_ROLE_NAME: 'local-member', CVPN_ORGANIZATION_ID: ORG });
    } finally {
      if (saved === undefined) delete process.env.CVPN_MEMBER_ROLE_NAME;
      else process.env.CVPN_MEMBER_ROLE_NAME = saved;
    }
  });
});
