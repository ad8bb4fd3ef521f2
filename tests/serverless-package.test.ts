/**
 * Packages the service offline (no AWS credentials) and checks the CloudFormation it would
 * deploy: the trigger, the failure path, encryption, and that the function's IAM stays
 * least-privilege. Also checks the function zip is one self-contained CommonJS bundle.
 */
import { readFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asArray,
  loadBundle,
  offlineEnv,
  onlyResourceOfType,
  packageService,
  readZipEntries,
  readZipEntry,
  resourceText,
  resourcesOf,
  resourcesOfType,
  roleStatements,
  runServerless,
  statementsOf,
  type CfnTemplate,
  type IamStatement,
  type PackagedService,
} from './helpers/serverless-package';

const require = createRequire(import.meta.url);
const vars = require('../deploy/vars.cjs') as {
  parseLogGroupTemplate(template: string): { prefix: string; hasPlaceholders: boolean };
};

const STAGE = 'test';
const REGION = 'eu-west-1';
const ROLE = 'IamRoleLambdaExecution';
const FUNCTION = 'RemediateLambdaFunction';

const ACCOUNT_ROOT = { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' };
const THIS_ACCOUNT = { Ref: 'AWS::AccountId' };
const ARN_HEAD = (service: string) => `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:`;

let standard: PackagedService;
let orgPrefix: PackagedService;

beforeAll(async () => {
  // One after the other: both builds use the service's .esbuild directory.
  standard = await packageService(['--stage', STAGE, '--region', REGION]);
  orgPrefix = await packageService([
    '--stage', STAGE,
    '--region', REGION,
    '--param', 'logGroup=/org/{region}/vpn/{endpointId}',
  ]);
}, 120_000);

afterAll(() => {
  standard?.cleanup();
  orgPrefix?.cleanup();
});

const logicalIdOf = (template: CfnTemplate, type: string): string => onlyResourceOfType(template, type)[0];
const propsOf = (template: CfnTemplate, type: string): Record<string, unknown> =>
  onlyResourceOfType(template, type)[1].Properties ?? {};

const actionsOf = (s: IamStatement): string[] => asArray(s.Action);
// Read-only by name; LookupEvents is CloudTrail's read of its own event history.
const isReadOnly = (action: string): boolean =>
  /^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]*$/.test(action) || action === 'cloudtrail:LookupEvents';

/** The statements of the function role that grant one of the given actions. */
const granting = (statements: IamStatement[], ...actions: string[]): IamStatement[] =>
  statements.filter((s) => s.Effect === 'Allow' && actionsOf(s).some((a) => actions.includes(a)));

describe('trigger', () => {
  it('matches successful Create/ModifyClientVpnEndpoint calls only, on the default bus', () => {
    const rules = resourcesOfType(standard.template, 'AWS::Events::Rule').filter(([, r]) => r.Properties?.EventPattern);
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0] ?? ['', { Type: '' }];
    expect(rule.Properties?.EventPattern).toEqual({
      source: ['aws.ec2'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['ec2.amazonaws.com'],
        eventName: ['CreateClientVpnEndpoint', 'ModifyClientVpnEndpoint'],
        errorCode: [{ exists: false }],
      },
    });
    expect(rule.Properties?.EventBusName ?? 'default').toBe('default');
    expect(rule.Properties?.State).toBe('ENABLED');
    expect(rule.Properties?.Targets).toEqual([
      expect.objectContaining({ Arn: { 'Fn::GetAtt': [FUNCTION, 'Arn'] } }),
    ]);
  });
});

describe('function', () => {
  it('runs the bundled handler on nodejs22.x / arm64', () => {
    const props = standard.template.Resources[FUNCTION]?.Properties ?? {};
    expect(props).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'src/handlers/remediate.handler',
      MemorySize: 256,
      Timeout: 150,
    });
    expect(props).not.toHaveProperty('ReservedConcurrentExecutions');
    expect(props).not.toHaveProperty('TracingConfig');
  });

  it('gets its settings from the stage parameters, and the topic by reference', () => {
    expect(standard.template.Resources[FUNCTION]?.Properties?.Environment).toEqual({
      Variables: {
        CVPN_TOPIC_ARN: { Ref: logicalIdOf(standard.template, 'AWS::SNS::Topic') },
        CVPN_LOG_GROUP: '/aws/clientvpn/{endpointId}',
        CVPN_LOG_STREAM: '',
        CVPN_RETENTION_DAYS: '365',
        CVPN_KMS_KEY_ARN: '',
        CVPN_MODE: 'remediate',
        CVPN_EXEMPT_TAG: 'cvpn-log-guard:exempt',
        POWERTOOLS_SERVICE_NAME: 'cvpn-log-guard',
        POWERTOOLS_METRICS_NAMESPACE: 'CvpnLogGuard',
      },
    });
  });

  it('keeps its own logs for a bounded time', () => {
    const groups = resourcesOfType(standard.template, 'AWS::Logs::LogGroup').map(([, g]) => g.Properties);
    expect(groups).toEqual([
      expect.objectContaining({ LogGroupName: `/aws/lambda/cvpn-log-guard-${STAGE}-remediate`, RetentionInDays: 90 }),
      expect.objectContaining({ LogGroupName: `/aws/lambda/cvpn-log-guard-${STAGE}-sweep`, RetentionInDays: 90 }),
    ]);
  });
});

describe('sweep', () => {
  it('runs hourly in its own region, without async retries (the next run is the retry)', () => {
    const sweep = standard.template.Resources.SweepLambdaFunction?.Properties ?? {};
    expect(sweep).toMatchObject({ Handler: expect.stringMatching(/sweep\.handler$/), Runtime: 'nodejs22.x', Timeout: 300 });
    const schedule = resourcesOfType(standard.template, 'AWS::Events::Rule').find(([, r]) => r.Properties?.ScheduleExpression);
    expect(schedule?.[1].Properties?.ScheduleExpression).toBe('rate(1 hour)');
    const config = resourcesOfType(standard.template, 'AWS::Lambda::EventInvokeConfig')
      .map(([, c]) => c.Properties)
      .find((c) => JSON.stringify(c?.FunctionName) === JSON.stringify({ Ref: 'SweepLambdaFunction' }));
    expect(config?.MaximumRetryAttempts).toBe(0);
  });

  it('has no EventBridge archive unless asked (archives are billed)', () => {
    const archive = standard.template.Resources.RemediateEventsArchive;
    expect(archive?.Condition).toBe('HasArchive');
    expect(standard.template.Conditions?.HasArchive).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
    const rule = resourcesOfType(standard.template, 'AWS::Events::Rule').find(([, r]) => r.Properties?.EventPattern);
    expect(archive?.Properties?.EventPattern).toEqual(rule?.[1].Properties?.EventPattern);
  });
});

describe('failure path', () => {
  it('retries, then sends the event to the failure queue', () => {
    const queue = logicalIdOf(standard.template, 'AWS::SQS::Queue');
    const configs = resourcesOfType(standard.template, 'AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties);
    expect(configs.find((c) => JSON.stringify(c?.FunctionName) === JSON.stringify({ Ref: FUNCTION }))).toEqual({
      FunctionName: { Ref: FUNCTION },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
    });
  });

  it('keeps failed events 14 days in a KMS-encrypted queue reachable over TLS only', () => {
    const queue = logicalIdOf(standard.template, 'AWS::SQS::Queue');
    const props = propsOf(standard.template, 'AWS::SQS::Queue');
    expect(props.MessageRetentionPeriod).toBe(1209600);
    expect(props.KmsMasterKeyId).toEqual({
      'Fn::If': ['CreateAlertKey', { 'Fn::GetAtt': ['AlertKey', 'Arn'] }, ''],
    });

    const policy = propsOf(standard.template, 'AWS::SQS::QueuePolicy');
    expect(policy.Queues).toEqual([{ Ref: queue }]);
    const statements = statementsOf(policy.PolicyDocument);
    expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([]);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: expect.arrayContaining(['sqs:SendMessage', 'sqs:ReceiveMessage']),
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('raises an alarm on the topic as soon as one event is in the queue', () => {
    const queue = logicalIdOf(standard.template, 'AWS::SQS::Queue');
    const topic = logicalIdOf(standard.template, 'AWS::SNS::Topic');
    expect(propsOf(standard.template, 'AWS::CloudWatch::Alarm')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topic }],
    });
  });

  it('lets CloudWatch alarms publish to the encrypted topic (topic policy and key policy)', () => {
    // A topic policy replaces SNS's default one, and a CMK's policy must name the
    // service: without both, the alarm fires but its notification is silently dropped.
    const alarmSource = {
      StringEquals: { 'aws:SourceAccount': THIS_ACCOUNT },
      ArnLike: { 'aws:SourceArn': { 'Fn::Sub': `${ARN_HEAD('cloudwatch')}alarm:*` } },
    };
    const topicPolicy = statementsOf(propsOf(standard.template, 'AWS::SNS::TopicPolicy').PolicyDocument);
    expect(topicPolicy).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: alarmSource,
      }),
    );
    const keyPolicy = statementsOf(propsOf(standard.template, 'AWS::KMS::Key').KeyPolicy);
    expect(keyPolicy).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Condition: alarmSource,
      }),
    );
  });
});

describe('alert topic', () => {
  it('is encrypted with the stack key unless topicKmsKeyArn names one', () => {
    expect(propsOf(standard.template, 'AWS::SNS::Topic').KmsMasterKeyId).toEqual({
      'Fn::If': ['CreateAlertKey', { 'Fn::GetAtt': ['AlertKey', 'Arn'] }, ''],
    });
    expect(standard.template.Conditions?.CreateAlertKey).toEqual({ 'Fn::Equals': ['', ''] });
    const [, key] = onlyResourceOfType(standard.template, 'AWS::KMS::Key');
    expect(key.Condition).toBe('CreateAlertKey');
    expect(key.Properties?.EnableKeyRotation).toBe(true);
  });

  it('has a key policy that gives no principal outside this account anything', () => {
    for (const s of statementsOf(propsOf(standard.template, 'AWS::KMS::Key').KeyPolicy)) {
      expect(s.Effect).toBe('Allow');
      const principal = s.Principal as { AWS?: unknown; Service?: unknown };
      if (principal.AWS !== undefined) {
        expect(principal.AWS).toEqual(ACCOUNT_ROOT);
      } else {
        expect(['cloudwatch.amazonaws.com', 'sns.amazonaws.com']).toContain(principal.Service);
        expect(s.Condition?.StringEquals?.['aws:SourceAccount']).toEqual(THIS_ACCOUNT);
        expect(actionsOf(s).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      }
    }
  });

  it('accepts publishing from this account only, over TLS only', () => {
    const topic = logicalIdOf(standard.template, 'AWS::SNS::Topic');
    const policy = propsOf(standard.template, 'AWS::SNS::TopicPolicy');
    expect(policy.Topics).toEqual([{ Ref: topic }]);
    const statements = statementsOf(policy.PolicyDocument);
    for (const s of statements.filter((st) => st.Effect === 'Allow')) {
      expect(resourcesOf(s)).toEqual([{ Ref: topic }]);
      const principal = s.Principal as { AWS?: unknown; Service?: unknown };
      if (principal.AWS !== undefined) {
        expect(principal.AWS).toEqual(ACCOUNT_ROOT);
      } else {
        expect(principal.Service).toBe('cloudwatch.amazonaws.com');
        expect(s.Condition?.StringEquals?.['aws:SourceAccount']).toEqual(THIS_ACCOUNT);
      }
    }
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: expect.arrayContaining(['sns:Publish']),
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('subscribes an e-mail address only when alertEmail is set', () => {
    const [, subscription] = onlyResourceOfType(standard.template, 'AWS::SNS::Subscription');
    expect(subscription.Condition).toBe('HasAlertEmail');
    expect(standard.template.Conditions?.HasAlertEmail).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
  });

  it('outputs the topic and the failure queue', () => {
    const topic = logicalIdOf(standard.template, 'AWS::SNS::Topic');
    const queue = logicalIdOf(standard.template, 'AWS::SQS::Queue');
    expect(standard.template.Outputs).toMatchObject({
      TopicArn: { Value: { Ref: topic } },
      FailureQueueUrl: { Value: { Ref: queue } },
      FailureQueueArn: { Value: { 'Fn::GetAtt': [queue, 'Arn'] } },
    });
  });
});

describe('function IAM (least privilege)', () => {
  const LOG_WRITES = ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:TagResource', 'logs:TagLogGroup'];
  const MANAGED_BY = { StringEquals: { 'aws:ResourceTag/managed-by': 'cvpn-log-guard' } };
  const CLIENT_VPN_GROUPS = `${ARN_HEAD('logs')}log-group:/aws/clientvpn/`;
  /** Statements on the Client VPN log groups (not Serverless's own one for the function logs). */
  const onClientVpnGroups = (found: IamStatement[]): IamStatement[] =>
    found.filter((s) => resourcesOf(s).some((r) => resourceText(r).startsWith(CLIENT_VPN_GROUPS)));
  const OWN_LOGS = `${ARN_HEAD('logs')}log-group:/aws/lambda/cvpn-log-guard-${STAGE}`;

  const statements = (): IamStatement[] => roleStatements(standard.template, ROLE);

  it('has statements to check (the KMS policy is attached to the role)', () => {
    expect(statements().length).toBeGreaterThanOrEqual(7);
    expect(standard.template.Resources[FUNCTION]?.DependsOn).toContain('RemediateKmsPolicy');
  });

  it('uses no wildcard actions, NotAction or NotResource, and allows only', () => {
    for (const s of statements()) {
      expect(s.Effect).toBe('Allow');
      expect(s).not.toHaveProperty('NotAction');
      expect(s).not.toHaveProperty('NotResource');
      for (const action of actionsOf(s)) expect(action, JSON.stringify(s)).not.toContain('*');
    }
  });

  it('uses Resource "*" only for read-only actions', () => {
    for (const s of statements()) {
      if (resourcesOf(s).some((r) => resourceText(r) === '*')) {
        expect(actionsOf(s).every(isReadOnly), JSON.stringify(s)).toBe(true);
      }
    }
    // ...and only for the reads AWS offers no resource-level permission for.
    const star = statements().filter((s) => resourcesOf(s).some((r) => resourceText(r) === '*'));
    expect(star.flatMap(actionsOf).sort()).toEqual(['cloudtrail:LookupEvents', 'ec2:DescribeClientVpnEndpoints', 'logs:DescribeLogGroups']);
  });

  it('modifies only Client VPN endpoints of this account and region', () => {
    const found = granting(statements(), 'ec2:ModifyClientVpnEndpoint');
    expect(found).toHaveLength(1);
    for (const s of found) {
      expect(actionsOf(s)).toEqual(['ec2:ModifyClientVpnEndpoint']);
      expect(resourcesOf(s).map(resourceText)).toEqual([`${ARN_HEAD('ec2')}client-vpn-endpoint/*`]);
    }
  });

  it('writes log groups only under the logGroup prefix (besides its own log group)', () => {
    const found = granting(statements(), ...LOG_WRITES, 'logs:CreateLogStream', 'logs:PutLogEvents');
    expect(found.length).toBeGreaterThan(0);
    for (const s of found) {
      for (const r of resourcesOf(s).map(resourceText)) {
        const underPrefix = r.startsWith(`${ARN_HEAD('logs')}log-group:/aws/clientvpn/`);
        const ownLogs = r.startsWith(OWN_LOGS);
        expect(underPrefix || ownLogs, `${r} in ${JSON.stringify(s)}`).toBe(true);
        if (ownLogs) {
          expect(actionsOf(s)).not.toContain('logs:PutRetentionPolicy');
          expect(actionsOf(s)).not.toContain('logs:TagLogGroup');
        }
      }
    }
    const prefixed = onClientVpnGroups(granting(statements(), 'logs:CreateLogGroup', 'logs:PutRetentionPolicy'));
    expect(prefixed).toHaveLength(2);
    for (const s of prefixed) {
      expect(resourcesOf(s).map(resourceText)).toEqual([
        `${ARN_HEAD('logs')}log-group:/aws/clientvpn/*`,
        `${ARN_HEAD('logs')}log-group:/aws/clientvpn/*:*`,
      ]);
    }
  });

  it('creates log groups with their tag, granting only TagResource for it (not the deprecated TagLogGroup)', () => {
    // CreateLogGroup API reference: tags at creation need logs:TagResource or logs:TagLogGroup.
    const found = onClientVpnGroups(granting(statements(), 'logs:CreateLogGroup'));
    expect(found).toHaveLength(1);
    expect(actionsOf(found[0] as IamStatement).sort()).toEqual(['logs:CreateLogGroup', 'logs:TagResource']);
    expect(found[0]?.Condition).toBeUndefined();
    expect(granting(statements(), 'logs:TagLogGroup')).toEqual([]);
  });

  it('sets retention only on log groups tagged managed-by: cvpn-log-guard', () => {
    // A shorter retention on a group someone else created would delete connection records.
    const found = granting(statements(), 'logs:PutRetentionPolicy');
    expect(found).toHaveLength(1);
    const [s] = found as [IamStatement];
    expect(actionsOf(s)).toEqual(['logs:PutRetentionPolicy']);
    expect(s.Condition).toEqual(MANAGED_BY);
    // The tag the condition trusts is the one the code writes at creation.
    const source = readFileSync(new URL('../src/lib/log-group.ts', import.meta.url), 'utf8');
    expect(source).toContain("MANAGED_BY_TAG = { key: 'managed-by', value: 'cvpn-log-guard' }");
    // The same condition for the second configuration's prefix.
    const org = granting(roleStatements(orgPrefix.template, ROLE), 'logs:PutRetentionPolicy');
    expect(org.map((st) => st.Condition)).toEqual([MANAGED_BY]);
  });

  it('publishes only to the alert topic', () => {
    const topic = logicalIdOf(standard.template, 'AWS::SNS::Topic');
    const found = granting(statements(), 'sns:Publish');
    expect(found).toHaveLength(1);
    expect(found.flatMap(resourcesOf)).toEqual([{ Ref: topic }]);
  });

  it('sends only to the failure queue', () => {
    const queue = logicalIdOf(standard.template, 'AWS::SQS::Queue');
    expect(granting(statements(), 'sqs:SendMessage').flatMap(resourcesOf)).toEqual([
      { 'Fn::GetAtt': [queue, 'Arn'] },
    ]);
  });

  it('uses the topic key only through SNS and SQS', () => {
    const found = granting(statements(), 'kms:GenerateDataKey', 'kms:Decrypt').filter((s) =>
      resourcesOf(s).some((r) => JSON.stringify(r).includes('AlertKey')),
    );
    expect(found).toHaveLength(1);
    const [s] = found as [IamStatement];
    expect(actionsOf(s).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(resourcesOf(s)).toEqual([{ 'Fn::GetAtt': ['AlertKey', 'Arn'] }]);
    expect(s.Condition).toEqual({
      StringEquals: {
        'kms:ViaService': [
          { 'Fn::Sub': 'sns.${AWS::Region}.amazonaws.com' },
          { 'Fn::Sub': 'sqs.${AWS::Region}.amazonaws.com' },
        ],
      },
    });
  });

  it('grants the log-group key only when kmsKeyArn is set, and only through CloudWatch Logs', () => {
    expect(standard.template.Conditions?.HasLogGroupKey).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
    const kms = statements().filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    const viaLogs = kms.filter((s) => JSON.stringify(s.Condition).includes('logs.${AWS::Region}'));
    expect(viaLogs.map((s) => s.Sid).sort()).toEqual(['DescribeLogGroupKeyThroughLogs', 'UseLogGroupKeyThroughLogs']);
    // Every KMS permission is conditioned on the service calling KMS on the function's behalf.
    for (const s of kms) expect(s.Condition?.StringEquals?.['kms:ViaService'], s.Sid).toBeDefined();
    // No grants: CloudWatch Logs does not need them.
    expect(kms.flatMap(actionsOf)).not.toContain('kms:CreateGrant');
  });
});

describe('logGroup parameter', () => {
  it('moves the log-group write permission to the literal prefix of the template', () => {
    const statements = roleStatements(orgPrefix.template, ROLE);
    const found = granting(statements, 'logs:PutRetentionPolicy');
    expect(found.flatMap(resourcesOf).map(resourceText)).toEqual([
      `${ARN_HEAD('logs')}log-group:/org/*`,
      `${ARN_HEAD('logs')}log-group:/org/*:*`,
    ]);
    const env = orgPrefix.template.Resources[FUNCTION]?.Properties?.Environment as {
      Variables: Record<string, unknown>;
    };
    expect(env.Variables.CVPN_LOG_GROUP).toBe('/org/{region}/vpn/{endpointId}');
    const logKey = statements.find((s) => s.Sid === 'UseLogGroupKeyThroughLogs');
    expect(logKey?.Condition?.ArnLike?.['kms:EncryptionContext:aws:logs:arn']).toEqual({
      'Fn::Sub': `${ARN_HEAD('logs')}log-group:/org/*`,
    });
  });

  it('is split into prefix and placeholders the same way at packaging time', () => {
    expect(vars.parseLogGroupTemplate('/aws/clientvpn/{endpointId}')).toEqual({
      prefix: '/aws/clientvpn/',
      hasPlaceholders: true,
    });
    expect(vars.parseLogGroupTemplate('/org/{region}/vpn/{endpointId}').prefix).toBe('/org/');
    expect(vars.parseLogGroupTemplate('/org/all-client-vpn')).toEqual({
      prefix: '/org/all-client-vpn',
      hasPlaceholders: false,
    });
    expect(() => vars.parseLogGroupTemplate('{endpointId}')).toThrow(/starts with a placeholder/);
    expect(() => vars.parseLogGroupTemplate('/x/{endpoint}')).toThrow(/unknown placeholder/);
    expect(() => vars.parseLogGroupTemplate('/x/*/{endpointId}')).toThrow(/not allowed/);
    expect(() => vars.parseLogGroupTemplate('/x/{endpointId')).toThrow(/unbalanced/);
  });
});

describe('refused configurations', () => {
  // These fail while serverless.yml is resolved, before any build.
  it('a logGroup template that starts with a placeholder', async () => {
    const run = await runServerless(['print', '--stage', STAGE, '--param', 'logGroup={endpointId}/logs']);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('stage parameter "logGroup" ("{endpointId}/logs") starts with a placeholder');
  }, 30_000);

  it('packaging while a CVPN_* override is set in the shell', async () => {
    const run = await runServerless(['package', '--stage', STAGE, '--package', '/nonexistent/never-written'], {
      env: offlineEnv({ CVPN_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:local' }),
    });
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('CVPN_TOPIC_ARN is set in the environment');
  }, 30_000);
});

describe('function package', () => {
  it('is a single CommonJS bundle and no node_modules', () => {
    const entries = readZipEntries(readFileSync(standard.zipPath('remediate')));
    expect(entries.map((e) => e.name)).toEqual(['src/handlers/remediate.cjs']);
  });

  it('loads with the environment the template gives it, needing nothing but Node built-ins', () => {
    // The SDK (@aws-sdk/*) must be inside the bundle: the deployed SDK is the tested one.
    const zip = readFileSync(standard.zipPath('remediate'));
    const [entry] = readZipEntries(zip);
    if (!entry) throw new Error('empty zip');
    const code = readZipEntry(zip, entry).toString('utf8');
    expect(code.length).toBe(entry.size);

    const variables = (standard.template.Resources[FUNCTION]?.Properties?.Environment as {
      Variables: Record<string, unknown>;
    }).Variables;
    const env: NodeJS.ProcessEnv = {
      // What Lambda adds; the topic Ref becomes an ARN at deploy time.
      AWS_REGION: REGION,
      AWS_LAMBDA_FUNCTION_NAME: `cvpn-log-guard-${STAGE}-remediate`,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_EC2_METADATA_DISABLED: 'true',
      POWERTOOLS_METRICS_DISABLED: 'true',
    };
    for (const [key, value] of Object.entries(variables)) {
      env[key] = typeof value === 'string' ? value : `arn:aws:sns:${REGION}:123456789012:cvpn-log-guard-${STAGE}-alerts`;
    }
    const loaded = loadBundle(code, `/var/task/${entry.name}`, env);
    expect(typeof loaded.exports.handler).toBe('function');
    expect(loaded.requested.filter((id) => !isBuiltin(id))).toEqual([]);
  });

  it('is the same for the second configuration', () => {
    const entries = readZipEntries(readFileSync(orgPrefix.zipPath('remediate')));
    expect(entries.map((e) => e.name)).toEqual(['src/handlers/remediate.cjs']);
    expect(entries.some((e) => e.name.includes('node_modules'))).toBe(false);
  });
});
