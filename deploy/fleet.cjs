'use strict';

// Organization-wide mode (stage parameter fleet: central): the resources and function settings
// the central stack adds, as a variable source for serverless.yml (`${file(./deploy/fleet.cjs):...}`).
//
// With fleet: off (the default) both exports are empty, so the single-account template is the
// one it always was: no bus, no stack set, no new IAM. Built here rather than in serverless.yml
// because CloudFormation conditions cannot leave a resource out of the template, and because the
// member template has to be inlined as a string (StackSet TemplateBody).
//
// Runs offline at packaging time, like deploy/vars.cjs. CommonJS for the same reason.

const { readFileSync } = require('node:fs');
const path = require('node:path');
const vars = require('./vars.cjs');

const MEMBER_TEMPLATE_FILE = path.join(__dirname, 'member-template.json');
// AWS::CloudFormation::StackSet TemplateBody: at most 51,200 bytes (CloudFormation quotas).
const TEMPLATE_BODY_LIMIT = 51_200;

// The same events the single-account rule matches (serverless.yml, functions.remediate.events):
// successful creations and modifications of Client VPN endpoints.
const EVENT_PATTERN = {
  source: ['aws.ec2'],
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: {
    eventSource: ['ec2.amazonaws.com'],
    eventName: ['CreateClientVpnEndpoint', 'ModifyClientVpnEndpoint'],
    errorCode: [{ exists: false }],
  },
};

class FleetError extends Error {}
const fail = (message) => {
  const error = new FleetError(message);
  error.stack = message; // osls prints the stack of a failed variable source
  throw error;
};

/** The member template as the StackSet's TemplateBody: minified, and refused when over the limit. */
const memberTemplateBody = () => {
  const body = JSON.stringify(JSON.parse(readFileSync(MEMBER_TEMPLATE_FILE, 'utf8')));
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes >= TEMPLATE_BODY_LIMIT) {
    fail(`deploy/member-template.json is ${bytes} bytes minified; a StackSet TemplateBody must stay under ${TEMPLATE_BODY_LIMIT}`);
  }
  return body;
};

const context = async (resolveVariable) => {
  const settings = await vars.fleetSettings({ resolveVariable });
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const { prefix } = vars.parseLogGroupTemplate(String(await resolveVariable('param:logGroup')).trim());
  const archiveRetentionDays = await vars.archiveRetentionDaysNumber({ resolveVariable });
  return { ...settings, name: `${service}-${stage}`, logGroupPrefix: prefix, archiveRetentionDays };
};

const FUNCTION = 'RemediateLambdaFunction';
const ROLE = 'IamRoleLambdaExecution';

function centralResources(c) {
  const busArn = { 'Fn::GetAtt': ['CentralEventBus', 'Arn'] };
  return {
    Resources: {
      // Member accounts forward their Client VPN events here, one hop, from every target region
      // (EventBridge never forwards an event a second time, so each member rule targets this bus
      // directly, across regions if need be).
      CentralEventBus: {
        Type: 'AWS::Events::EventBus',
        Properties: { Name: c.name },
      },
      // Any principal of the organization may put events; nobody else. The organization, not a
      // list of accounts: a bus policy is limited to 10,240 characters, which a few hundred
      // account IDs would exceed, and new accounts would each need a stack update.
      CentralEventBusPolicy: {
        Type: 'AWS::Events::EventBusPolicy',
        Properties: {
          EventBusName: { Ref: 'CentralEventBus' },
          StatementId: 'PutEventsFromTheOrganization',
          Statement: {
            Effect: 'Allow',
            Principal: '*',
            Action: 'events:PutEvents',
            Resource: busArn,
            Condition: { StringEquals: { 'aws:PrincipalOrgID': c.organizationId } },
          },
        },
      },
      // Straight to the function, no SQS queue in between. The function is invoked
      // asynchronously, exactly like the default-bus rule: Lambda's own event queue buffers a
      // burst, its EventInvokeConfig (retries, maximum event age) and the on-failure destination
      // (FailedEventsQueue, whose FailedEventsAlarm pages on one message) keep every member event
      // that still fails, and EventBridge retries a throttled invocation for 24 hours. An SQS
      // buffer with MaximumConcurrency would cap concurrency, but it would change the handler's
      // input (SQS batches instead of EventBridge events), move failures to a redrive queue with
      // a different record, and add polling latency to a path measured in seconds; Client VPN
      // changes are human-paced (a handful a minute across an organization), far below what
      // Lambda's unreserved concurrency absorbs.
      CentralRemediateRule: {
        Type: 'AWS::Events::Rule',
        // The function may be invoked only once it may assume the member roles.
        DependsOn: ['FleetPolicy'],
        Properties: {
          Name: `${c.name}-central`,
          Description: 'Client VPN endpoint creations and modifications forwarded by member accounts',
          EventBusName: { Ref: 'CentralEventBus' },
          State: 'ENABLED',
          EventPattern: EVENT_PATTERN,
          Targets: [{ Id: 'remediate', Arn: { 'Fn::GetAtt': [FUNCTION, 'Arn'] } }],
        },
      },
      CentralRemediatePermission: {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': [FUNCTION, 'Arn'] },
          Principal: 'events.amazonaws.com',
          SourceArn: { 'Fn::GetAtt': ['CentralRemediateRule', 'Arn'] },
        },
      },
      // The member events are replayable like the local ones when archiveRetentionDays is set.
      CentralEventsArchive: {
        Type: 'AWS::Events::Archive',
        Condition: 'HasArchive',
        Properties: {
          ArchiveName: `${c.name}-central`,
          Description: 'Client VPN create/modify events forwarded by member accounts',
          SourceArn: busArn,
          RetentionDays: c.archiveRetentionDays,
          EventPattern: EVENT_PATTERN,
        },
      },
      // What the function's role needs in central mode, and only then. Both functions (remediate,
      // sweep) run with this one role.
      FleetPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: `${c.name}-fleet`,
          Roles: [{ Ref: ROLE }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              // The member role, in any account, but only in accounts of this organization
              // (aws:ResourceOrgID: the organization of the account that owns the role). The
              // member role's own trust policy is the other half: it trusts this role only.
              // Unverified: that STS puts aws:ResourceOrgID in the AssumeRole request context (the
              // IAM User Guide lists it among the global keys; its list of actions without it was
              // not checked). If it did not, StringEquals on an absent key denies: every
              // AssumeRole would fail closed, with a failed alert naming the account and role.
              {
                Sid: 'AssumeMemberRoles',
                Effect: 'Allow',
                Action: 'sts:AssumeRole',
                Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:iam::*:role/${c.memberRoleName}` },
                Condition: { StringEquals: { 'aws:ResourceOrgID': c.organizationId } },
              },
              // Which accounts are ACTIVE members. The Service Authorization Reference lists no
              // resource type for ListAccounts, so "*" is the only possible resource.
              {
                Sid: 'ListOrganizationAccounts',
                Effect: 'Allow',
                Action: 'organizations:ListAccounts',
                Resource: '*',
              },
              // One account's name and state. DescribeAccount takes the account resource type
              // (arn:<partition>:organizations::<management account>:account/<organization>/<account>);
              // the management account is not known here, the organization is.
              {
                Sid: 'DescribeOrganizationAccounts',
                Effect: 'Allow',
                Action: 'organizations:DescribeAccount',
                Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:organizations::*:account/${c.organizationId}/*` },
              },
            ],
          },
        },
      },
      // The member template in every account of the target OUs and every listed region; new
      // accounts of those OUs get it automatically (new regions do not: add them to `regions`).
      // Service-managed StackSets never deploy to the management account: it is deployed by hand
      // (README). IAM is global, so the member role is created only in HomeRegion, the first
      // listed region (the member template's IsHomeRegion condition); keep it first.
      MemberStackSet: {
        Type: 'AWS::CloudFormation::StackSet',
        // Members start forwarding as soon as their instance exists: the bus must accept them.
        DependsOn: ['CentralEventBusPolicy', 'CentralRemediateRule'],
        Properties: {
          StackSetName: `${c.name}-member`,
          Description: 'cvpn-log-guard member accounts: forwarding rule to the central bus, member role',
          PermissionModel: 'SERVICE_MANAGED',
          AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
          CallAs: c.callAs,
          Capabilities: ['CAPABILITY_NAMED_IAM'],
          ManagedExecution: { Active: true },
          // Accounts in parallel (a few failing accounts must not hold up hundreds of others),
          // regions in parallel (only the home region creates IAM, so no ordering is needed).
          OperationPreferences: {
            RegionConcurrencyType: 'PARALLEL',
            MaxConcurrentPercentage: 25,
            FailureTolerancePercentage: 10,
            ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
          },
          StackInstancesGroup: [
            {
              DeploymentTargets: { OrganizationalUnitIds: c.targetOuIds },
              Regions: c.regions,
            },
          ],
          TemplateBody: memberTemplateBody(),
          Parameters: [
            { ParameterKey: 'CentralAccountId', ParameterValue: { Ref: 'AWS::AccountId' } },
            { ParameterKey: 'CentralEventBusArn', ParameterValue: busArn },
            { ParameterKey: 'CentralFunctionRoleArn', ParameterValue: { 'Fn::GetAtt': [ROLE, 'Arn'] } },
            { ParameterKey: 'HomeRegion', ParameterValue: c.regions[0] },
            { ParameterKey: 'MemberRoleName', ParameterValue: c.memberRoleName },
            { ParameterKey: 'OperatorRoleArns', ParameterValue: c.operatorRoleArns.join(',') },
            { ParameterKey: 'LogGroupPrefix', ParameterValue: c.logGroupPrefix },
          ],
        },
      },
    },
    Outputs: {
      CentralEventBusArn: {
        Description: 'Central bus the member accounts forward to (CentralEventBusArn of the member template)',
        Value: busArn,
      },
      CentralFunctionRoleArn: {
        Description: 'Role the member role trusts (CentralFunctionRoleArn of the member template)',
        Value: { 'Fn::GetAtt': [ROLE, 'Arn'] },
      },
      MemberStackSetName: {
        Description: 'Service-managed stack set rolling the member template out to the target OUs',
        Value: `${c.name}-member`,
      },
    },
  };
}

/** The central-mode resources, or nothing at all with fleet: off. */
const resources = async ({ resolveVariable }) => {
  const c = await context(resolveVariable);
  return c.mode === 'central' ? centralResources(c) : {};
};

/**
 * The central-mode function settings, merged into each function's environment (serverless.yml
 * sets CVPN_FLEET itself, for both modes). A CVPN_* shell variable wins, as with the other
 * settings, for `serverless invoke local`; packaging refuses to run with one set (envOverrideGuard).
 */
const environment = async ({ resolveVariable }) => {
  const c = await context(resolveVariable);
  if (c.mode !== 'central') return {};
  const fromShell = (name, value) => process.env[name] ?? value;
  return {
    CVPN_ORGANIZATION_ID: fromShell('CVPN_ORGANIZATION_ID', c.organizationId),
    CVPN_MEMBER_ROLE_NAME: fromShell('CVPN_MEMBER_ROLE_NAME', c.memberRoleName),
    CVPN_ACCOUNTS: fromShell('CVPN_ACCOUNTS', c.accounts.join(',')),
  };
};

module.exports = {
  resources,
  environment,
  // For the tests.
  memberTemplateBody,
  constants: { TEMPLATE_BODY_LIMIT, EVENT_PATTERN },
};
