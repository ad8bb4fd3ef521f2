/**
 * Packages the service offline (no AWS credentials) and checks the CloudFormation it would
 * deploy: the trigger, the failure path, encryption, and that the function's IAM stays
 * least-privilege. Also checks the function zip is one self-contained CommonJS bundle.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire, isBuiltin } from 'node:module';
import { MANAGED_BY_TAG } from '../../src/domain/endpoint';
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
  type CfnResource,
  type CfnTemplate,
  type IamStatement,
  type PackagedService,
} from '../helpers/serverless-package';

const require = createRequire(import.meta.url);
const vars = require('../../deploy/vars.cjs') as {
  parseLogGroupTemplate(template: string): { prefix: string; hasPlaceholders: boolean };
  subscriberArns(ctx: { resolveVariable: (name: string) => Promise<string> }): Promise<string>;
  publisherArns(ctx: { resolveVariable: (name: string) => Promise<string> }): Promise<string>;
};

const STAGE = 'test';
const REGION = 'eu-west-1';
const ROLE = 'IamRoleLambdaExecution';
const FUNCTION = 'RemediateLambdaFunction';

const ACCOUNT_ROOT = { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' };
const THIS_ACCOUNT = { Ref: 'AWS::AccountId' };
const ARN_HEAD = (service: string) => `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:`;

// Every optional stage parameter set (the template's other branch of each condition).
const KEY_A = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const KEY_B = 'arn:aws:kms:eu-west-1:123456789012:key/66666666-7777-8888-9999-000000000000';
const OPS_ROLE = 'arn:aws:iam::123456789012:role/ops';
const OUTSIDE_USER = 'arn:aws:iam::210987654321:user/alice';
const OPERATOR_ROLE = 'arn:aws:iam::123456789012:role/secops-operator';
const EVERY_PARAMETER = [
  '--param', 'alertEmail=ops@example.com',
  '--param', `subscriberArns=${OPS_ROLE}, ${OUTSIDE_USER}`,
  '--param', `publisherArns=${OPERATOR_ROLE}`,
  '--param', `kmsKeyArn=${KEY_A}`,
  '--param', `topicKmsKeyArn=${KEY_B}`,
  '--param', 'archiveRetentionDays=30',
  '--param', 'logStream=cvpn',
  '--param', 'mode=notify-only',
  '--param', 'minRetentionDays=365',
  '--param', 'raiseRetention=true',
  '--param', 'requireKms=true',
  '--param', 'stateTable=off',
];

let standard: PackagedService;
let orgPrefix: PackagedService;
let everything: PackagedService;

beforeAll(async () => {
  // One after the other: both builds use the service's .esbuild directory.
  standard = await packageService(['--stage', STAGE, '--region', REGION]);
  orgPrefix = await packageService([
    '--stage', STAGE,
    '--region', REGION,
    '--param', 'logGroup=/org/{region}/vpn/{endpointId}',
  ]);
  everything = await packageService(['--stage', STAGE, '--region', REGION, ...EVERY_PARAMETER]);
}, 120_000);

afterAll(() => {
  standard?.cleanup();
  orgPrefix?.cleanup();
  everything?.cleanup();
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

const ALERT_KEY = { 'Fn::If': ['CreateAlertKey', { 'Fn::GetAtt': ['AlertKey', 'Arn'] }, { Ref: 'TopicKmsKeyArn' }] };

interface CfnParameter {
  Type: string;
  Default?: string;
  AllowedPattern?: string;
}
const parametersOf = (template: CfnTemplate): Record<string, CfnParameter | undefined> =>
  (template as CfnTemplate & { Parameters?: Record<string, CfnParameter> }).Parameters ?? {};

// A small resolver for the intrinsics the template uses, so that policies can be evaluated for
// given parameter values: Ref (parameters, pseudo parameters, AWS::NoValue), Fn::If, Fn::Sub,
// Fn::Split, Fn::GetAtt (the function role only), and the conditions.
const ACCOUNT = '123456789012';
const FUNCTION_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/cvpn-log-guard-${STAGE}-${REGION}-lambdaRole`;
const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/deployer`;
const NO_VALUE = Symbol('AWS::NoValue');

interface Resolution {
  template: CfnTemplate;
  parameters: Record<string, string>;
  conditions: Record<string, boolean>;
}

const pseudo = (name: string, r: Resolution): string => {
  const fixed: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT };
  const value = fixed[name] ?? r.parameters[name] ?? (r.template.Resources[name] ? `ref:${name}` : undefined);
  if (value === undefined) throw new Error(`cannot resolve Ref ${name}`);
  return value;
};

function resolveValue(value: unknown, r: Resolution): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, r)).filter((v) => v !== NO_VALUE);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [key, arg] = entries[0] ?? [];
  if (entries.length === 1 && key === 'Ref') {
    return arg === 'AWS::NoValue' ? NO_VALUE : pseudo(String(arg), r);
  }
  if (entries.length === 1 && key === 'Fn::If') {
    const [name, yes, no] = arg as [string, unknown, unknown];
    const known = r.conditions[name];
    if (known === undefined) throw new Error(`unknown condition ${name}`);
    return resolveValue(known ? yes : no, r);
  }
  if (entries.length === 1 && key === 'Fn::Sub') {
    return String(arg).replace(/\$\{([^}]+)\}/g, (_, name: string) => pseudo(name, r));
  }
  if (entries.length === 1 && key === 'Fn::Split') {
    const [separator, source] = arg as [string, unknown];
    return String(resolveValue(source, r)).split(separator);
  }
  if (entries.length === 1 && key === 'Fn::Join') {
    const [separator, parts] = arg as [string, unknown[]];
    return (resolveValue(parts, r) as unknown[]).map(String).join(separator);
  }
  if (entries.length === 1 && key === 'Fn::GetAtt') {
    if (JSON.stringify(arg) === JSON.stringify([ROLE, 'Arn'])) return FUNCTION_ROLE_ARN;
    return `getatt:${JSON.stringify(arg)}`;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    const resolved = resolveValue(v, r);
    if (resolved !== NO_VALUE) out[k] = resolved;
  }
  return out;
}

/** The template's conditions for its parameter defaults, or for the given overrides. */
function resolveConditions(template: CfnTemplate, overrides: Record<string, string> = {}): Record<string, boolean> {
  const parameters: Record<string, string> = {};
  for (const [name, p] of Object.entries(parametersOf(template))) parameters[name] = p?.Default ?? '';
  Object.assign(parameters, overrides);
  const conditions: Record<string, boolean> = {};
  const r: Resolution = { template, parameters, conditions };
  const evaluate = (c: unknown): boolean => {
    const [op, arg] = Object.entries(c as Record<string, unknown>)[0] ?? [];
    const args = arg as unknown[];
    if (op === 'Fn::Equals') return resolveValue(args[0], r) === resolveValue(args[1], r);
    if (op === 'Fn::Not') return !evaluate(args[0]);
    if (op === 'Fn::Or') return args.some(evaluate);
    if (op === 'Fn::And') return args.every(evaluate);
    if (op === 'Condition') return named(String(arg));
    throw new Error(`unsupported condition ${JSON.stringify(c)}`);
  };
  const named = (name: string): boolean => {
    conditions[name] ??= evaluate(template.Conditions?.[name]);
    return conditions[name];
  };
  for (const name of Object.keys(template.Conditions ?? {})) named(name);
  return conditions;
}

interface TopicRequest {
  action: 'sns:Publish' | 'sns:Subscribe';
  principalArn?: string;
  serviceName?: string;
  sourceAccount?: string;
  sourceArn?: string;
  endpoint?: string;
  secure?: boolean;
}
type Decision = 'allow' | 'deny' | 'no-allow';

const ALARM_PUBLISH: TopicRequest = {
  action: 'sns:Publish',
  serviceName: 'cloudwatch.amazonaws.com',
  sourceAccount: ACCOUNT,
  sourceArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:cvpn-log-guard-${STAGE}-failed-events`,
};

const glob = (pattern: string, value: string): boolean =>
  new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);

/**
 * The topic policy evaluated the way IAM does for one request (explicit Deny wins, then any
 * Allow; a negated operator on a key missing from the request is true, any other operator
 * false). 'no-allow' means the topic policy neither allows nor denies it: within the account
 * the caller's identity policy then decides. Every statement names only the topic.
 */
function topicPolicyOf(template: CfnTemplate, overrides: Record<string, string> = {}) {
  const parameters: Record<string, string> = {};
  for (const [name, p] of Object.entries(parametersOf(template))) parameters[name] = p?.Default ?? '';
  Object.assign(parameters, overrides);
  const r: Resolution = { template, parameters, conditions: resolveConditions(template, overrides) };
  const document = resolveValue(propsOf(template, 'AWS::SNS::TopicPolicy').PolicyDocument, r) as {
    Statement: IamStatement[];
  };
  const principalMatches = (principal: unknown, req: TopicRequest): boolean => {
    if (principal === '*') return true;
    const { AWS, Service } = principal as { AWS?: string | string[]; Service?: string | string[] };
    if (Service !== undefined) return req.serviceName !== undefined && asArray(Service).includes(req.serviceName);
    return (
      req.principalArn !== undefined &&
      asArray(AWS).some((arn) => arn === req.principalArn || (arn.endsWith(':root') && req.principalArn?.startsWith(arn.slice(0, -'root'.length))))
    );
  };
  const contextOf = (req: TopicRequest): Record<string, string | undefined> => ({
    'aws:PrincipalArn': req.principalArn,
    'aws:PrincipalServiceName': req.serviceName,
    'aws:SourceAccount': req.sourceAccount,
    'aws:SourceArn': req.sourceArn,
    'aws:SecureTransport': String(req.secure ?? true),
    'sns:Endpoint': req.endpoint,
  });
  const conditionHolds = (condition: IamStatement['Condition'], req: TopicRequest): boolean =>
    Object.entries(condition ?? {}).every(([operator, keys]) =>
      Object.entries(keys).every(([key, expected]) => {
        const wanted = asArray(expected as string | string[]);
        const actual = contextOf(req)[key];
        const lower = (v: string): string => v.toLowerCase();
        switch (operator) {
          case 'StringEquals':
          case 'Bool':
          case 'ArnEquals':
            return actual !== undefined && wanted.includes(actual);
          case 'ArnLike':
            return actual !== undefined && wanted.some((w) => glob(w, actual));
          case 'StringNotEquals':
          case 'ArnNotEquals':
            return actual === undefined || !wanted.includes(actual);
          case 'StringNotEqualsIgnoreCase':
            return actual === undefined || !wanted.map(lower).includes(lower(actual));
          default:
            throw new Error(`operator ${operator} not modelled`);
        }
      }),
    );
  const applies = (st: IamStatement, req: TopicRequest): boolean =>
    actionsOf(st).includes(req.action) && principalMatches(st.Principal, req) && conditionHolds(st.Condition, req);
  return {
    statements: document.Statement,
    decide(req: TopicRequest): Decision {
      const matching = document.Statement.filter((st) => applies(st, req));
      if (matching.some((st) => st.Effect === 'Deny')) return 'deny';
      return matching.some((st) => st.Effect === 'Allow') ? 'allow' : 'no-allow';
    },
  };
}

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
        CVPN_MIN_RETENTION_DAYS: '',
        CVPN_RAISE_RETENTION: 'false',
        CVPN_REQUIRE_KMS: 'false',
        CVPN_KMS_KEY_ARN: '',
        CVPN_MODE: 'remediate',
        CVPN_EXEMPT_TAG: 'cvpn-log-guard:exempt',
        CVPN_STATE_TABLE: { 'Fn::If': ['HasStateTable', { Ref: 'StateTable' }, { Ref: 'AWS::NoValue' }] },
        CVPN_FLEET: 'off',
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
    expect(standard.template.Conditions?.HasArchive).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ArchiveRetentionDays' }, ''] }] });
    expect(parametersOf(standard.template).ArchiveRetentionDays?.Default).toBe('');
    expect(parametersOf(everything.template).ArchiveRetentionDays?.Default).toBe('30');
    expect(everything.template.Resources.RemediateEventsArchive?.Properties?.RetentionDays).toBe(30);
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
    expect(props.KmsMasterKeyId).toEqual(ALERT_KEY);

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

  it('lets the failure alarm publish to the encrypted topic (topic policy and key policy)', () => {
    // A topic policy replaces SNS's default one, and a CMK's policy must name the
    // service: without both, the alarm fires but its notification is silently dropped.
    const alarmName = propsOf(standard.template, 'AWS::CloudWatch::Alarm').AlarmName;
    expect(alarmName).toBe(`cvpn-log-guard-${STAGE}-failed-events`);
    const topicPolicy = statementsOf(propsOf(standard.template, 'AWS::SNS::TopicPolicy').PolicyDocument);
    expect(topicPolicy).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: {
          StringEquals: { 'aws:SourceAccount': THIS_ACCOUNT },
          ArnLike: { 'aws:SourceArn': { 'Fn::Sub': `${ARN_HEAD('cloudwatch')}alarm:cvpn-log-guard-${STAGE}-failed-events` } },
        },
      }),
    );
  });

  it('has the key policy statement AWS documents for CloudWatch alarms publishing to an encrypted topic', () => {
    // SNS Developer Guide, "Enable compatibility between event sources from AWS services and
    // encrypted topics": cloudwatch.amazonaws.com, kms:Decrypt and kms:GenerateDataKey*, on "*".
    const keyPolicy = statementsOf(propsOf(standard.template, 'AWS::KMS::Key').KeyPolicy);
    const cloudwatch = keyPolicy.filter((st) => JSON.stringify(st.Principal).includes('cloudwatch.amazonaws.com'));
    expect(cloudwatch).toEqual([
      {
        Sid: 'CloudWatchAlarmsPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
      },
    ]);
  });
});

describe('alert topic', () => {
  it('is encrypted with the stack key unless topicKmsKeyArn names one', () => {
    expect(propsOf(standard.template, 'AWS::SNS::Topic').KmsMasterKeyId).toEqual(ALERT_KEY);
    expect(standard.template.Conditions?.CreateAlertKey).toEqual({ 'Fn::Equals': [{ Ref: 'TopicKmsKeyArn' }, ''] });
    expect(parametersOf(standard.template).TopicKmsKeyArn?.Default).toBe('');
    expect(parametersOf(everything.template).TopicKmsKeyArn?.Default).toBe(KEY_B);
    // The stack's own key only when none is given.
    expect(resolveConditions(standard.template).CreateAlertKey).toBe(true);
    expect(resolveConditions(everything.template).CreateAlertKey).toBe(false);
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
      } else if (principal.Service === 'cloudwatch.amazonaws.com') {
        // AWS's documented form has no source condition (see the test above); the service
        // only uses the key, and the topic policy decides which alarms may publish.
        expect(actionsOf(s).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
      } else {
        expect(principal.Service).toBe('sns.amazonaws.com');
        expect(s.Condition?.StringEquals?.['aws:SourceAccount']).toEqual(THIS_ACCOUNT);
        expect(actionsOf(s).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      }
    }
  });

  it('allows Publish only to the function role, the failure alarm and publisherArns, and never Subscribe to the whole account', () => {
    const topic = logicalIdOf(standard.template, 'AWS::SNS::Topic');
    for (const [template, operators] of [[standard.template, []], [everything.template, [OPERATOR_ROLE]]] as const) {
      const policy = propsOf(template, 'AWS::SNS::TopicPolicy');
      expect(policy.Topics).toEqual([{ Ref: topic }]);
      // The policy as CloudFormation resolves it for the packaged parameters.
      const allows = topicPolicyOf(template).statements.filter((st) => st.Effect === 'Allow');
      for (const st of allows) expect(resourcesOf(st)).toEqual([`ref:${topic}`]);
      const publish = allows.filter((st) => actionsOf(st).includes('sns:Publish'));
      expect(publish.map((st) => st.Principal)).toEqual([
        { AWS: FUNCTION_ROLE_ARN },
        { Service: 'cloudwatch.amazonaws.com' },
        ...(operators.length > 0 ? [{ AWS: [...operators] }] : []),
      ]);
      expect(publish[1]?.Condition?.StringEquals?.['aws:SourceAccount']).toEqual(ACCOUNT);
      // Nothing is opened to the account or to everyone.
      for (const st of allows) {
        expect(JSON.stringify(st.Principal)).not.toContain(':root');
        expect(st.Principal).not.toBe('*');
        expect(actionsOf(st).every((a) => a === 'sns:Publish' || a === 'sns:Subscribe'), st.Sid).toBe(true);
      }
    }
  });

  it('denies Publish explicitly to every other principal, keyed so the role, the alarm and publisherArns are spared', () => {
    // An allow-only topic policy would not stop an IAM principal of this account whose own
    // policy grants sns:Publish: only an explicit Deny does.
    for (const [template, spared] of [[standard.template, [FUNCTION_ROLE_ARN]], [everything.template, [FUNCTION_ROLE_ARN, OPERATOR_ROLE]]] as const) {
      const resolved = topicPolicyOf(template).statements;
      expect(resolved).toContainEqual({
        Sid: 'DenyPublishFromOthers',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: `ref:${logicalIdOf(template, 'AWS::SNS::Topic')}`,
        Condition: {
          ArnNotEquals: { 'aws:PrincipalArn': [...spared] },
          StringNotEquals: { 'aws:PrincipalServiceName': 'cloudwatch.amazonaws.com' },
        },
      });
    }
    const statements = statementsOf(propsOf(standard.template, 'AWS::SNS::TopicPolicy').PolicyDocument);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: expect.arrayContaining(['sns:Publish', 'sns:Subscribe']),
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('decides publish requests as intended (policy evaluated for sample callers)', () => {
    const topic = topicPolicyOf(standard.template);
    expect(topic.decide({ action: 'sns:Publish', principalArn: FUNCTION_ROLE_ARN })).toBe('allow');
    expect(topic.decide({ action: 'sns:Publish', principalArn: FUNCTION_ROLE_ARN, secure: false })).toBe('deny');
    expect(topic.decide(ALARM_PUBLISH)).toBe('allow');
    // Someone's alarm in another account, and other services: not allowed.
    expect(topic.decide({ ...ALARM_PUBLISH, sourceAccount: '210987654321' })).toBe('no-allow');
    expect(topic.decide({ action: 'sns:Publish', serviceName: 'events.amazonaws.com', sourceAccount: ACCOUNT })).toBe('deny');
    // Any other principal of this account (even with sns:Publish in its own policy), the root
    // user, and principals of other accounts: explicitly denied.
    for (const principalArn of [`arn:aws:iam::${ACCOUNT}:role/admin`, `arn:aws:iam::${ACCOUNT}:user/bob`, `arn:aws:iam::${ACCOUNT}:root`, OUTSIDE_USER]) {
      expect(topic.decide({ action: 'sns:Publish', principalArn }), principalArn).toBe('deny');
    }
  });

  it('lets the publisherArns operators publish (the CLI with the stack topic), and nobody else besides the stack', () => {
    const topic = topicPolicyOf(everything.template);
    expect(parametersOf(everything.template).PublisherArns?.Default).toBe(OPERATOR_ROLE);
    expect(topic.decide({ action: 'sns:Publish', principalArn: OPERATOR_ROLE })).toBe('allow');
    expect(topic.decide({ action: 'sns:Publish', principalArn: FUNCTION_ROLE_ARN })).toBe('allow');
    expect(topic.decide(ALARM_PUBLISH)).toBe('allow');
    for (const principalArn of [OPS_ROLE, DEPLOYER, `arn:aws:iam::${ACCOUNT}:root`]) {
      expect(topic.decide({ action: 'sns:Publish', principalArn }), principalArn).toBe('deny');
    }
    // Without the parameter, the same operator is denied.
    expect(topicPolicyOf(standard.template).decide({ action: 'sns:Publish', principalArn: OPERATOR_ROLE })).toBe('deny');
  });

  it('denies Subscribe to everyone by default, the function role included', () => {
    const topic = topicPolicyOf(standard.template);
    for (const principalArn of [FUNCTION_ROLE_ARN, DEPLOYER, `arn:aws:iam::${ACCOUNT}:root`, OPS_ROLE]) {
      expect(topic.decide({ action: 'sns:Subscribe', principalArn, endpoint: 'someone@example.org' }), principalArn).toBe('deny');
    }
    expect(parametersOf(standard.template).SubscriberArns?.Default).toBe('');
  });

  it('allows Subscribe to the subscriberArns principals, in any account, and to nobody else', () => {
    const topic = topicPolicyOf(everything.template);
    expect(parametersOf(everything.template).SubscriberArns?.Default).toBe(`${OPS_ROLE},${OUTSIDE_USER}`);
    expect(topic.decide({ action: 'sns:Subscribe', principalArn: OPS_ROLE, endpoint: 'https://chat.example.org/hook' })).toBe('allow');
    expect(topic.decide({ action: 'sns:Subscribe', principalArn: OUTSIDE_USER, endpoint: 'alice@example.org' })).toBe('allow');
    expect(topic.decide({ action: 'sns:Subscribe', principalArn: DEPLOYER, endpoint: 'someone@example.org' })).toBe('deny');
    expect(topic.decide({ action: 'sns:Subscribe', principalArn: FUNCTION_ROLE_ARN, endpoint: 'someone@example.org' })).toBe('deny');
  });

  it('lets the deployer (CloudFormation) create the alertEmail subscription, and that address only', () => {
    // AWS::SNS::Subscription is created with the deploying principal's credentials, which the
    // policy cannot name: the Deny spares the alertEmail endpoint instead.
    for (const template of [everything.template]) {
      const topic = topicPolicyOf(template);
      expect(topic.decide({ action: 'sns:Subscribe', principalArn: DEPLOYER, endpoint: 'ops@example.com' })).toBe('no-allow');
      expect(topic.decide({ action: 'sns:Subscribe', principalArn: DEPLOYER, endpoint: 'OPS@example.com' })).toBe('no-allow');
      expect(topic.decide({ action: 'sns:Subscribe', principalArn: DEPLOYER, endpoint: 'ops@example.com.evil.test' })).toBe('deny');
    }
    // The two mixed cases, by overriding the template parameters of the default template.
    const emailOnly = topicPolicyOf(standard.template, { AlertEmail: 'ops@example.com' });
    expect(emailOnly.decide({ action: 'sns:Subscribe', principalArn: DEPLOYER, endpoint: 'ops@example.com' })).toBe('no-allow');
    expect(emailOnly.decide({ action: 'sns:Subscribe', principalArn: OPS_ROLE, endpoint: 'x@example.org' })).toBe('deny');
    const subscribersOnly = topicPolicyOf(standard.template, { SubscriberArns: OPS_ROLE });
    expect(subscribersOnly.decide({ action: 'sns:Subscribe', principalArn: OPS_ROLE, endpoint: 'x@example.org' })).toBe('allow');
    expect(subscribersOnly.decide({ action: 'sns:Subscribe', principalArn: DEPLOYER, endpoint: 'ops@example.com' })).toBe('deny');
  });

  it('subscribes an e-mail address only when alertEmail is set', () => {
    const [, subscription] = onlyResourceOfType(standard.template, 'AWS::SNS::Subscription');
    expect(subscription.Condition).toBe('HasAlertEmail');
    expect(standard.template.Conditions?.HasAlertEmail).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlertEmail' }, ''] }] });
    expect(resolveConditions(standard.template).HasAlertEmail).toBe(false);
    expect(resolveConditions(everything.template).HasAlertEmail).toBe(true);
    expect(propsOf(everything.template, 'AWS::SNS::Subscription')).toMatchObject({
      Protocol: 'email',
      Endpoint: { Ref: 'AlertEmail' },
    });
    expect(parametersOf(everything.template).AlertEmail?.Default).toBe('ops@example.com');
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

describe('retained resources', () => {
  const policies = (template: CfnTemplate, id: string) => {
    const r: (CfnResource & { DeletionPolicy?: string; UpdateReplacePolicy?: string }) | undefined = template.Resources[id];
    return { deletion: r?.DeletionPolicy, replace: r?.UpdateReplacePolicy };
  };

  it('keeps the failure queue and its key when the stack is deleted or they are replaced', () => {
    // The queue holds the only record of changes that could not be fixed; its messages are
    // encrypted under the key, so the key has to outlive it.
    for (const template of [standard.template, everything.template]) {
      expect(policies(template, logicalIdOf(template, 'AWS::SQS::Queue'))).toEqual({ deletion: 'Retain', replace: 'Retain' });
    }
    expect(policies(standard.template, 'AlertKey')).toEqual({ deletion: 'Retain', replace: 'Retain' });
  });

  it('does not retain the alias, whose name would block a redeployment', () => {
    expect(policies(standard.template, 'AlertKeyAlias')).toEqual({ deletion: undefined, replace: undefined });
  });
});

describe('template hygiene', () => {
  /** Every Fn::If in the template, with its path. */
  const fnIfs = (value: unknown, path = ''): [string, unknown[]][] => {
    if (typeof value !== 'object' || value === null) return [];
    const found: [string, unknown[]][] = [];
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'Fn::If' && Array.isArray(child)) found.push([path, child]);
      found.push(...fnIfs(child, `${path}/${key}`));
    }
    return found;
  };

  it("leaves no '' in an Fn::If branch (the unused side of an optional value is AWS::NoValue or a parameter)", () => {
    for (const template of [standard.template, everything.template]) {
      const ifs = fnIfs(template.Resources);
      expect(ifs.length).toBeGreaterThan(5);
      for (const [path, [, yes, no]] of ifs) {
        expect(yes, path).not.toBe('');
        expect(no, path).not.toBe('');
      }
    }
  });

  it('compares template parameters in its conditions, not packaged constants', () => {
    const parameters = parametersOf(standard.template);
    for (const [name, condition] of Object.entries(standard.template.Conditions ?? {})) {
      const text = JSON.stringify(condition);
      expect(text, name).not.toContain('["",""]');
      const refs = [...text.matchAll(/"Ref":"([^"]+)"/g)].map((m) => m[1] ?? '');
      for (const ref of refs) expect(parameters[ref], `${name} -> ${ref}`).toBeDefined();
    }
    expect(Object.keys(parameters).sort()).toEqual(
      ['AlertEmail', 'ArchiveRetentionDays', 'LogGroupKmsKeyArn', 'PublisherArns', 'RaiseRetention', 'StateTableMode', 'SubscriberArns', 'TopicKmsKeyArn'],
    );
    // The parameters' own patterns accept what deploy/vars.cjs let through.
    for (const template of [standard.template, everything.template]) {
      for (const [name, p] of Object.entries(parametersOf(template))) {
        if (p?.AllowedPattern) expect(new RegExp(p.AllowedPattern).test(p.Default ?? ''), name).toBe(true);
      }
    }
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
    // Create, retention on tagged groups, and the raiseRetention-only statement (both branches of its Fn::If).
    const prefixed = onClientVpnGroups(granting(statements(), 'logs:CreateLogGroup', 'logs:PutRetentionPolicy'));
    expect(prefixed).toHaveLength(3);
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
    const found = granting(statements(), 'logs:PutRetentionPolicy').filter((st) => st.Sid !== 'RaiseRetentionUnderPrefix');
    expect(found).toHaveLength(1);
    const [s] = found as [IamStatement];
    expect(actionsOf(s)).toEqual(['logs:PutRetentionPolicy']);
    expect(s.Condition).toEqual(MANAGED_BY);
    // The tag the condition trusts is the one the code writes at creation.
    expect(MANAGED_BY).toEqual({ StringEquals: { [`aws:ResourceTag/${MANAGED_BY_TAG.key}`]: MANAGED_BY_TAG.value } });
    // The same condition for the second configuration's prefix.
    const org = granting(roleStatements(orgPrefix.template, ROLE), 'logs:PutRetentionPolicy').filter((st) => st.Sid !== 'RaiseRetentionUnderPrefix');
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
    // The DynamoDB statement on the same key is checked under "state table".
    const found = granting(statements(), 'kms:GenerateDataKey', 'kms:Decrypt').filter(
      (s) => resourcesOf(s).some((r) => JSON.stringify(r).includes('AlertKey')) && s.Sid !== 'UseStackKeyThroughDynamoDb',
    );
    expect(found).toHaveLength(1);
    const [s] = found as [IamStatement];
    expect(actionsOf(s).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    // The stack's key, or the topicKmsKeyArn one (never '' in the unused branch).
    expect(resourcesOf(s)).toEqual([{ 'Fn::GetAtt': ['AlertKey', 'Arn'] }, { Ref: 'TopicKmsKeyArn' }]);
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
    expect(standard.template.Conditions?.HasLogGroupKey).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'LogGroupKmsKeyArn' }, ''] }] });
    expect(resolveConditions(everything.template).HasLogGroupKey).toBe(true);
    const withKey = roleStatements(everything.template, ROLE).filter((s) => s.Sid?.endsWith('KeyThroughLogs'));
    expect(withKey.flatMap(resourcesOf)).toEqual([{ Ref: 'LogGroupKmsKeyArn' }, { Ref: 'LogGroupKmsKeyArn' }]);
    expect(parametersOf(everything.template).LogGroupKmsKeyArn?.Default).toBe(KEY_A);
    const kms = statements().filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    const viaLogs = kms.filter((s) => JSON.stringify(s.Condition ?? {}).includes('logs.${AWS::Region}'));
    expect(viaLogs.map((s) => s.Sid).sort()).toEqual(['DescribeLogGroupKeyThroughLogs', 'UseLogGroupKeyThroughLogs']);
    // Every KMS permission is conditioned on the service calling KMS on the function's behalf,
    // except the read-only key check the scan and sweep make themselves (ReadLogGroupKeys).
    for (const s of kms.filter((st) => st.Sid !== 'ReadLogGroupKeys')) expect(s.Condition?.StringEquals?.['kms:ViaService'], s.Sid).toBeDefined();
    // No grants: CloudWatch Logs does not need them.
    expect(kms.flatMap(actionsOf)).not.toContain('kms:CreateGrant');
  });
});

describe('log group requirements and delivery (IAM)', () => {
  const statements = (): IamStatement[] => roleStatements(standard.template, ROLE);

  it('reads log streams, keys and the service-linked role, and nothing more, each scoped', () => {
    expect(granting(statements(), 'logs:DescribeLogStreams').map((st) => [st.Sid, actionsOf(st), resourcesOf(st).map(resourceText)])).toEqual([
      ['ReadLogStreams', ['logs:DescribeLogStreams'], [`${ARN_HEAD('logs')}log-group:*`]],
    ]);
    const keyReads = granting(statements(), 'kms:DescribeKey', 'kms:GetKeyPolicy').filter((st) => st.Sid === 'ReadLogGroupKeys');
    expect(keyReads.map((st) => [actionsOf(st).sort(), resourcesOf(st).map(resourceText), st.Condition])).toEqual([
      [['kms:DescribeKey', 'kms:GetKeyPolicy'], [`${ARN_HEAD('kms')}key/*`], undefined],
    ]);
    expect(granting(statements(), 'iam:GetRole').map((st) => resourcesOf(st).map(resourceText))).toEqual([
      ['arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/clientvpn.amazonaws.com/AWSServiceRoleForClientVPN'],
    ]);
    // Every IAM action the role has is a read of that one role.
    expect(statements().flatMap(actionsOf).filter((a) => a.startsWith('iam:'))).toEqual(['iam:GetRole']);
  });

  it('raises retention on untagged groups under the prefix only when raiseRetention is true', () => {
    const policy = standard.template.Resources.RaiseRetentionPolicy;
    // On the resource, not a Fn::If inside it: IAM refuses a policy whose statement list is empty.
    expect(policy?.Condition).toBe('HasRaiseRetention');
    const raw = (policy?.Properties?.PolicyDocument as { Statement: IamStatement[] }).Statement;
    expect(raw).toHaveLength(1);
    const [raise] = raw as [IamStatement];
    expect(actionsOf(raise)).toEqual(['logs:PutRetentionPolicy']);
    expect(raise.Condition).toBeUndefined();
    expect(resourcesOf(raise).map(resourceText)).toEqual([
      `${ARN_HEAD('logs')}log-group:/aws/clientvpn/*`,
      `${ARN_HEAD('logs')}log-group:/aws/clientvpn/*:*`,
    ]);
    expect(resolveConditions(standard.template).HasRaiseRetention).toBe(false);
    expect(resolveConditions(everything.template).HasRaiseRetention).toBe(true);
  });

  it('never leaves an IAM policy resource with an empty statement list', () => {
    for (const template of [standard.template, everything.template]) {
      for (const [name, policy] of resourcesOfType(template, 'AWS::IAM::Policy')) {
        const raw = (policy.Properties?.PolicyDocument as { Statement: unknown[] }).Statement;
        // A statement-level Fn::If with AWS::NoValue could leave nothing when its condition is false.
        const unconditional = raw.filter((st) => !(typeof st === 'object' && st !== null && 'Fn::If' in st));
        expect(unconditional.length, `${name} has no statement that is always there`).toBeGreaterThan(0);
      }
    }
  });

  it('passes the requirement settings to both functions', () => {
    const envOf = (t: CfnTemplate, fn: string) => (t.Resources[fn]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    for (const fn of [FUNCTION, 'SweepLambdaFunction']) {
      expect(envOf(standard.template, fn)).toMatchObject({ CVPN_MIN_RETENTION_DAYS: '', CVPN_RAISE_RETENTION: 'false', CVPN_REQUIRE_KMS: 'false' });
      expect(envOf(everything.template, fn)).toMatchObject({ CVPN_MIN_RETENTION_DAYS: '365', CVPN_RAISE_RETENTION: 'true', CVPN_REQUIRE_KMS: 'true' });
    }
  });

  it('keeps the KMS and IAM clients out of the remediate bundle (cold start); the sweep carries them', () => {
    const code = (fn: string): string => {
      const zip = readFileSync(standard.zipPath(fn));
      const [entry] = readZipEntries(zip);
      if (!entry) throw new Error('empty zip');
      return readZipEntry(zip, entry).toString('utf8');
    };
    // KMS's JSON target prefix and IAM's model namespace exist only in those clients.
    const remediate = code('remediate');
    expect(remediate).not.toContain('TrentService');
    expect(remediate).not.toContain('com.amazonaws.iam');
    expect(remediate).not.toContain('DescribeLogStreams');
    const sweepCode = code('sweep');
    expect(sweepCode).toContain('TrentService');
    expect(sweepCode).toContain('com.amazonaws.iam');
  });
});

describe('logGroup parameter', () => {
  it('moves the log-group write permission to the literal prefix of the template', () => {
    const statements = roleStatements(orgPrefix.template, ROLE);
    // The tagged-groups statement and the raiseRetention-only one: both on the prefix.
    const found = granting(statements, 'logs:PutRetentionPolicy');
    expect(found).toHaveLength(2);
    for (const st of found) {
      expect(resourcesOf(st).map(resourceText)).toEqual([`${ARN_HEAD('logs')}log-group:/org/*`, `${ARN_HEAD('logs')}log-group:/org/*:*`]);
    }
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

describe('subscriberArns parameter', () => {
  const check = (value: string) => vars.subscriberArns({ resolveVariable: async () => value });

  it('takes comma-separated IAM user, role and account-root ARNs, trimmed and deduplicated', async () => {
    await expect(check('')).resolves.toBe('');
    await expect(check(` ${OPS_ROLE} ,${OUTSIDE_USER},${OPS_ROLE}`)).resolves.toBe(`${OPS_ROLE},${OUTSIDE_USER}`);
    await expect(check('arn:aws:iam::123456789012:role/path/to/ops')).resolves.toBe('arn:aws:iam::123456789012:role/path/to/ops');
    await expect(check('arn:aws-us-gov:iam::123456789012:root')).resolves.toBe('arn:aws-us-gov:iam::123456789012:root');
  });

  it('refuses session ARNs, wildcards, other services and empty items', async () => {
    for (const bad of [
      'arn:aws:sts::123456789012:assumed-role/ops/session',
      'arn:aws:iam::123456789012:role/*',
      '*',
      'arn:aws:sns:eu-west-1:123456789012:topic',
      `${OPS_ROLE},`,
      'arn:aws:iam::12345:role/ops',
    ]) {
      await expect(check(bad), bad).rejects.toThrow(/stage parameter "subscriberArns"/);
    }
  });

  it('checks publisherArns the same way, naming that parameter', async () => {
    const publishers = (value: string) => vars.publisherArns({ resolveVariable: async () => value });
    await expect(publishers(` ${OPERATOR_ROLE} `)).resolves.toBe(OPERATOR_ROLE);
    await expect(publishers('arn:aws:sts::123456789012:assumed-role/ops/session')).rejects.toThrow(/stage parameter "publisherArns"/);
  });
});

// cfn-lint on the packaged templates. Preinstalled on developer machines of this kind; CI
// installs it (scripts/cfn-lint.sh, from .ci/run) and makes it findable, so it runs there.
const cfnLintVersion = ((): string | undefined => {
  const probe = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
})();

describe('cfn-lint', () => {
  const name = 'reports nothing on the templates packaged with default and with every parameter';
  it.skipIf(cfnLintVersion === undefined)(
    cfnLintVersion === undefined ? `${name} (SKIPPED: cfn-lint is not on PATH; .ci/run installs it)` : `${name} (${cfnLintVersion})`,
    () => {
      const templates = [standard, everything].map((p) => path.join(p.dir, 'cloudformation-template-update-stack.json'));
      const run = spawnSync('cfn-lint', ['--format', 'parseable', '--', ...templates], { encoding: 'utf8' });
      expect(run.error).toBeUndefined();
      expect(`${run.stdout}${run.stderr}`).toBe('');
      expect(run.status).toBe(0);
    },
    60_000,
  );
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
    // What the Refs become at deploy time: the topic's ARN, the table's name.
    for (const [key, value] of Object.entries(variables)) {
      if (typeof value === 'string') env[key] = value;
      else env[key] = key === 'CVPN_STATE_TABLE' ? `cvpn-log-guard-${STAGE}-StateTable-1ABC` : `arn:aws:sns:${REGION}:123456789012:cvpn-log-guard-${STAGE}-alerts`;
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

describe('state table', () => {
  type WithPolicies = CfnResource & { DeletionPolicy?: string; UpdateReplacePolicy?: string };
  const table = (template: CfnTemplate): WithPolicies => {
    const r: WithPolicies | undefined = template.Resources.StateTable;
    if (!r) throw new Error('no StateTable');
    return r;
  };

  it('is on-demand, with point-in-time recovery, TTL on expiresAt, and a deliberate Delete policy', () => {
    for (const template of [standard.template, everything.template]) {
      const r = table(template);
      expect(r.Type).toBe('AWS::DynamoDB::Table');
      expect(r.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      });
      expect(r.Properties?.TableName).toBeUndefined();
      expect({ deletion: r.DeletionPolicy, replace: r.UpdateReplacePolicy }).toEqual({ deletion: 'Delete', replace: 'Delete' });
    }
  });

  it('is encrypted with the stack key (or topicKmsKeyArn)', () => {
    expect(table(standard.template).Properties?.SSESpecification).toEqual({
      SSEEnabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: { 'Fn::If': ['CreateAlertKey', { 'Fn::GetAtt': ['AlertKey', 'Arn'] }, { Ref: 'TopicKmsKeyArn' }] },
    });
  });

  it('is named to the function by reference in CVPN_STATE_TABLE', () => {
    const fn = standard.template.Resources[FUNCTION];
    const env = (fn?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    expect(env?.CVPN_STATE_TABLE).toEqual({ 'Fn::If': ['HasStateTable', { Ref: 'StateTable' }, { Ref: 'AWS::NoValue' }] });
  });

  it('is left out, with its IAM, by stateTable: off (the function then keeps state in process)', () => {
    expect(resolveConditions(standard.template).HasStateTable).toBe(true);
    expect(resolveConditions(everything.template).HasStateTable).toBe(false);
    for (const template of [standard.template, everything.template]) {
      expect(template.Resources.StateTable?.Condition).toBe('HasStateTable');
      const dynamoPolicies = resourcesOfType(template, 'AWS::IAM::Policy').filter(([, p]) =>
        JSON.stringify(p.Properties?.PolicyDocument).includes('dynamodb'),
      );
      expect(dynamoPolicies.map(([name, p]) => [name, p.Condition])).toEqual([['StateTablePolicy', 'HasStateTable']]);
      // Nothing else may name the table: a Ref to a resource whose condition is false fails the deployment.
      const refs = Object.entries(template.Resources).filter(
        ([name, r]) => name !== 'StateTablePolicy' && name !== 'StateTable' && JSON.stringify(r).includes('"StateTable"'),
      );
      for (const [name, r] of refs) {
        expect(JSON.stringify(r), name).toContain('{"Fn::If":["HasStateTable",{"Ref":"StateTable"},{"Ref":"AWS::NoValue"}]}');
      }
    }
  });

  it('grants only item-level actions, on the table only, and its key only through DynamoDB', () => {
    const all = roleStatements(standard.template, ROLE);
    const dynamo = all.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toHaveLength(1);
    const [st] = dynamo;
    expect(actionsOf(st ?? { Effect: 'Allow' }).sort()).toEqual(
      ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'].sort(),
    );
    expect(st?.Resource).toEqual([{ 'Fn::GetAtt': ['StateTable', 'Arn'] }]);
    const viaDynamo = all.filter((s) => JSON.stringify(s.Condition ?? {}).includes('dynamodb.${AWS::Region}.amazonaws.com'));
    expect(viaDynamo.map((s) => s.Sid)).toEqual(['UseStackKeyThroughDynamoDb']);
  });
});
