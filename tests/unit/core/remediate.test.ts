import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeClientVpnEndpointsCommand,
  EC2Client,
  ModifyClientVpnEndpointCommand,
  type ClientVpnEndpoint,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseSettings } from '../../../src/app/config';
import { regionApi } from '../../../src/app/region-api';
import type { Settings } from '../../../src/domain/settings';
import { ForeignAccountError } from '../../../src/domain/errors';
import { parseTriggerEvent } from '../../../src/domain/event';
import type { CallerIdentity } from '../../../src/domain/identity';
import { remediateEndpoint, type CoreDeps } from '../../../src/core/remediate';
import { KeyedSerializer } from '../../../src/util/serialize';
import { asOwnFixRequest, createRecord, envelope, fixture, modifyRecord } from '../../helpers/events';

const ec2Mock = mockClient(EC2Client);
const logsMock = mockClient(CloudWatchLogsClient);

const ACCOUNT = '999999999999';
const REGION = 'ap-northeast-1';
const ENDPOINT = 'cvpn-endpoint-00979964d0389482a';
const LAMBDA_IDENTITY: CallerIdentity = {
  account: ACCOUNT,
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/cvpn-log-guard-prod-lambdaRole/cvpn-log-guard-prod-remediate`,
  roleName: 'cvpn-log-guard-prod-lambdaRole',
};

/** The AWS CLI doc's describe output (logging off), pointed at the fixture records' endpoint. */
function endpointFromDoc(overrides: Partial<ClientVpnEndpoint> = {}): ClientVpnEndpoint {
  const doc = fixture('ec2-describe-client-vpn-endpoints-awscli-logging-disabled.json');
  return { ...doc.ClientVpnEndpoints[0], ClientVpnEndpointId: ENDPOINT, ...overrides };
}

function enabledEndpointFromDoc(group: string): ClientVpnEndpoint {
  const doc = fixture('ec2-describe-client-vpn-endpoints-awscli-logging-enabled.json');
  return {
    ...doc.ClientVpnEndpoints[0],
    ClientVpnEndpointId: ENDPOINT,
    ConnectionLogOptions: { Enabled: true, CloudwatchLogGroup: group, CloudwatchLogStream: 's' },
  };
}

function deps(settingsEnv: Record<string, string> = {}, identity = LAMBDA_IDENTITY): CoreDeps {
  const settings: Settings = parseSettings(settingsEnv);
  const ec2 = new EC2Client({ region: REGION });
  const logs = new CloudWatchLogsClient({ region: REGION });
  return {
    settings,
    // The real adapter over mocked SDK clients: the core's calls are checked as AWS sees them.
    api: () => regionApi(ec2, logs),
    identity: async (_region: string) => identity,
    now: () => new Date('2026-11-26T12:00:00Z'),
    sleep: async () => {},
    verifyDelaysMs: [0, 0],
    propagationDelaysMs: [0, 0],
  };
}

/** First Describe shows `before`, later ones `after` (as AWS would after the Modify). */
function describeSequence(before: ClientVpnEndpoint, after?: ClientVpnEndpoint): void {
  const d = ec2Mock.on(DescribeClientVpnEndpointsCommand);
  d.resolvesOnce({ ClientVpnEndpoints: [before] });
  d.resolves({ ClientVpnEndpoints: [after ?? before] });
}

const modifyEvent = () => parseTriggerEvent(envelope(modifyRecord()));
const createEvent = () => parseTriggerEvent(envelope(createRecord()));

beforeEach(() => {
  ec2Mock.reset();
  logsMock.reset();
  ec2Mock.on(ModifyClientVpnEndpointCommand).resolves({ Return: true });
  logsMock.on(CreateLogGroupCommand).resolves({});
  logsMock.on(PutRetentionPolicyCommand).resolves({});
});

describe('parseTriggerEvent on the real CloudTrail records', () => {
  it('takes the endpoint ID of a Create from responseElements', () => {
    const t = createEvent();
    expect(t).toMatchObject({
      eventName: 'CreateClientVpnEndpoint',
      endpointId: ENDPOINT,
      region: REGION,
      account: ACCOUNT,
      eventId: 'daa11b60-20df-48d9-a406-aeae3c339e9b',
      tool: 'console',
      actor: { type: 'IAMUser', arn: 'arn:aws:iam::999999999999:user/test001@test.com' },
    });
  });

  it('takes the endpoint ID of a Modify from requestParameters and the role behind the session', () => {
    const t = modifyEvent();
    expect(t.endpointId).toBe(ENDPOINT);
    expect(t.actor).toEqual({
      type: 'AssumedRole',
      arn: 'arn:aws:iam::999999999999:role/KTOU_SwitchRole',
      sessionArn: 'arn:aws:sts::999999999999:assumed-role/KTOU_SwitchRole/ktou',
      sessionName: 'ktou',
    });
  });

  it('drops the real failed Modify as irrelevant: a failed call changed nothing', () => {
    const failed = fixture('cloudtrail-modify-clientvpn-failed-invalidparametervalue-assumedrole.json');
    expect(() => parseTriggerEvent(envelope(failed))).toThrow(/failed \("?Client\.InvalidParameterValue"?\)/);
    try {
      parseTriggerEvent(envelope(failed));
    } catch (e) {
      expect(e).toMatchObject({ name: 'InvalidEventError', irrelevant: true });
    }
  });

  it('ignores the real DeleteClientVpnEndpoint record', () => {
    const del = fixture('cloudtrail-delete-clientvpn-iamuser.json');
    expect(() => parseTriggerEvent(envelope(del))).toThrow(/does not change connection logging/);
  });

  it('rejects a malformed endpoint ID with the path that holds it', () => {
    const r = modifyRecord();
    r.requestParameters.ModifyClientVpnEndpointRequest.ClientVpnEndpointId = 'cvpn-endpoint-XYZ';
    expect(() => parseTriggerEvent(envelope(r))).toThrow(
      /requestParameters\.ModifyClientVpnEndpointRequest\.ClientVpnEndpointId is not a Client VPN endpoint ID/,
    );
  });

  it('names the bad field of a broken envelope', () => {
    expect(() => parseTriggerEvent(envelope(createRecord(), { account: 'nope' }))).toThrow(
      /account: must be a 12-digit AWS account ID/,
    );
    expect(() => parseTriggerEvent({})).toThrow(/Not a Client VPN CloudTrail event/);
    expect(() => parseTriggerEvent(null)).toThrow(/Not a Client VPN CloudTrail event/);
  });

  it('rejects an envelope whose region disagrees with its record', () => {
    expect(() => parseTriggerEvent(envelope(createRecord(), { region: 'us-east-1' }))).toThrow(/region/);
  });

  it('accepts fields AWS may add later', () => {
    const r = createRecord();
    r.someNewField = { nested: true };
    r.userIdentity.newIdentityField = 'x';
    expect(parseTriggerEvent(envelope(r, { 'new-envelope-field': 1 })).endpointId).toBe(ENDPOINT);
  });
});

describe('what an investigator needs first', () => {
  it('the trigger carries the CloudTrail sourceIPAddress; the outcome carries it and the endpoint\'s Name tag', async () => {
    expect(modifyEvent().sourceIp).toBe('165.225.111.47');
    expect(createEvent().sourceIp).toBe('165.225.110.166');
    describeSequence(endpointFromDoc({ Tags: [{ Key: 'Name', Value: 'finance-vpn' }] }), enabledEndpointFromDoc(`/aws/clientvpn/${ENDPOINT}`));
    const outcome = await remediateEndpoint(deps(), modifyEvent());
    expect(outcome).toMatchObject({ action: 'remediated', sourceIp: '165.225.111.47', endpointName: 'finance-vpn' });
  });

  it('the log line leaves both out (personal data and user-written text)', async () => {
    const { loggableOutcome } = await import('../../../src/app/process');
    describeSequence(endpointFromDoc({ Tags: [{ Key: 'Name', Value: 'finance-vpn' }] }), enabledEndpointFromDoc(`/aws/clientvpn/${ENDPOINT}`));
    const line = JSON.stringify(loggableOutcome(await remediateEndpoint(deps(), modifyEvent())));
    expect(line).toContain('"action":"remediated"');
    expect(line).not.toContain('165.225.111.47');
    expect(line).not.toContain('finance-vpn');
  });

  it('the outcome keeps the caller\'s session ARN as CloudTrail records it; the log line keeps only the role', async () => {
    describeSequence(endpointFromDoc(), enabledEndpointFromDoc(`/aws/clientvpn/${ENDPOINT}`));
    const outcome = await remediateEndpoint(deps(), modifyEvent());
    expect(outcome.actor).toMatchObject({
      arn: 'arn:aws:iam::999999999999:role/KTOU_SwitchRole',
      sessionArn: 'arn:aws:sts::999999999999:assumed-role/KTOU_SwitchRole/ktou',
      sessionName: 'ktou',
    });
    const { loggableOutcome } = await import('../../../src/app/process');
    const line = JSON.stringify(loggableOutcome(outcome));
    expect(line).toContain('arn:aws:iam::999999999999:role/KTOU_SwitchRole');
    expect(line).not.toContain('assumed-role');
    expect(line).not.toContain('ktou"');
  });
});

describe('remediateEndpoint: describe, decide, act, verify', () => {
  it('re-enables logging on a disabled endpoint, creating the log group first', async () => {
    const group = `/aws/clientvpn/${ENDPOINT}`;
    describeSequence(endpointFromDoc(), enabledEndpointFromDoc(group));
    const outcome = await remediateEndpoint(deps(), modifyEvent());

    expect(outcome).toMatchObject({
      action: 'remediated',
      verification: 'verified',
      logGroup: group,
      logGroupCreated: true,
      retentionDays: 365,
      loggingBefore: { enabled: false },
      loggingAfter: { enabled: true, logGroup: group },
      tool: 'console',
    });
    expect(outcome.latencyMs).toBeGreaterThan(0);
    expect(logsMock.commandCalls(CreateLogGroupCommand)[0]?.args[0].input).toEqual({
      logGroupName: group,
      tags: { 'managed-by': 'cvpn-log-guard' },
    });
    expect(logsMock.commandCalls(PutRetentionPolicyCommand)[0]?.args[0].input).toEqual({
      logGroupName: group,
      retentionInDays: 365,
    });
  });

  it('sends nothing but the endpoint ID and ConnectionLogOptions, though the console event carried DNS servers', async () => {
    describeSequence(endpointFromDoc(), enabledEndpointFromDoc(`/aws/clientvpn/${ENDPOINT}`));
    await remediateEndpoint(deps(), modifyEvent());
    const calls = ec2Mock.commandCalls(ModifyClientVpnEndpointCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toStrictEqual({
      ClientVpnEndpointId: ENDPOINT,
      ConnectionLogOptions: { Enabled: true, CloudwatchLogGroup: `/aws/clientvpn/${ENDPOINT}` },
    });
  });

  it('passes the configured stream, KMS key and template (region and account placeholders)', async () => {
    const group = `/org/${REGION}/${ACCOUNT}/vpn`;
    describeSequence(endpointFromDoc(), enabledEndpointFromDoc(group));
    const kms = 'arn:aws:kms:ap-northeast-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const outcome = await remediateEndpoint(
      deps({
        CVPN_LOG_GROUP: '/org/{region}/{accountId}/vpn',
        CVPN_LOG_STREAM: 'connections',
        CVPN_KMS_KEY_ARN: kms,
        CVPN_RETENTION_DAYS: '90',
      }),
      modifyEvent(),
    );
    expect(outcome.action).toBe('remediated');
    expect(logsMock.commandCalls(CreateLogGroupCommand)[0]?.args[0].input).toMatchObject({
      logGroupName: group,
      kmsKeyId: kms,
    });
    expect(logsMock.commandCalls(PutRetentionPolicyCommand)[0]?.args[0].input.retentionInDays).toBe(90);
    expect(ec2Mock.commandCalls(ModifyClientVpnEndpointCommand)[0]?.args[0].input.ConnectionLogOptions).toEqual({
      Enabled: true,
      CloudwatchLogGroup: group,
      CloudwatchLogStream: 'connections',
    });
  });

  it('treats an existing log group as success and leaves its retention alone', async () => {
    logsMock
      .on(CreateLogGroupCommand)
      .rejects(new ResourceAlreadyExistsException({ message: 'exists', $metadata: {} }));
    describeSequence(endpointFromDoc(), enabledEndpointFromDoc(`/aws/clientvpn/${ENDPOINT}`));
    const outcome = await remediateEndpoint(deps(), modifyEvent());
    expect(outcome).toMatchObject({ action: 'remediated', logGroupCreated: false });
    expect(logsMock.commandCalls(PutRetentionPolicyCommand)).toHaveLength(0);
  });

  it('turns logging on even when the retention of the new group cannot be set, and says so', async () => {
    const group = `/aws/clientvpn/${ENDPOINT}`;
    const denied = Object.assign(new Error('not authorized to perform logs:PutRetentionPolicy'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    logsMock.on(PutRetentionPolicyCommand).rejects(denied);
    describeSequence(endpointFromDoc(), enabledEndpointFromDoc(group));
    const outcome = await remediateEndpoint(deps(), modifyEvent());
    expect(outcome).toMatchObject({ action: 'remediated', logGroupCreated: true, verification: 'verified' });
    expect(outcome.reason).toMatch(/retention could not be set \(AccessDeniedException\)/);
    expect(ec2Mock.commandCalls(ModifyClientVpnEndpointCommand)).toHaveLength(1);
  });

  it('decides from Describe, not from requestParameters: logging already on means no write', async () => {
    // The console event says ConnectionLogOptions {Enabled:false}; AWS says it is on.
    describeSequence(enabledEndpointFromDoc('existing-group'));
    const outcome = await remediateEndpoint(deps(), modifyEvent());
    expect(outcome).toMatchObject({ action: 'already-compliant', logGroup: 'existing-group' });
    expect(ec2Mock.commandCalls(ModifyClientVpnEndpointCommand)).toHaveLength(0);
    // Only the read of the group's retention (the requirement applies with logging on); no write.
    expect(logsMock.calls().map((c) => c.args[0].constructor.name)).toEqual(['DescribeLogGroupsCommand']);
  });

  it.each(['deleting', 'deleted'])('skips an endpoint whose status is %s', async (code) => {
    describeSequence(endpointFromDoc({ Status: { Code: code as 'deleting' } }));
    const outcome = await remediateEndpoint(deps(), modifyEvent());
    expect(outcome.action).toBe('skipped-deleted');
    expect(ec2Mock.commandCalls(ModifyClientVpnEndpointCommand)).toHaveLength(0);
  });

  it('reports not-found for InvalidClientVpnEndpointId.NotFound', async () => {
    const notFound = Object.assign(new Error('The Client VPN endpoint ID does not exist'), {
      name: 'InvalidClientVpnEndpointId.NotFound',
      $metadata: { httpStatusCode: 400 },
    });
    ec2Mock.on(DescribeClientVpnEndpointsCommand).rejects(notFound);
    const outcome = await remediateEndpoint(deps(), createEvent());
    expect(outcome.action).toBe('not-found');
    expect(ec2Mock.commandCalls(ModifyClientVpnEndpointCommand)).toHaveLength(0);
  });

  it('leaves an endpoint with a current exemption alone and says why', async () => {
    describeSequence(
      endpointFromDoc({ Tags: [{ Key: 'cvpn-log-guard:exempt', Value: 'load test INC-42 until=2026-12-31' }] }),
    );
    const outcome = await remediateEndpoint(deps(), modifyEvent());
    expect(outcome).toMatchObject({
      action: 'exempt',
      exemption: { reason: 'load test INC-42', until: '2026-12-31', expired: false },
    });
    expect(ec2Mock.commandCalls(ModifyClientVpnEndpointCommand)).toHaveLength(0);
    expect(logsMock.calls()).toHaveLength(0);
  });

  it('honours a custom exemption tag key', async () => {
    describeSequence(endpointFromDoc({ Tags: [{ Key: 'sec:skip', Value: '' }] }));
    const outcome = await remediateEndpoint(deps({ CVPN_EXEMPT_TAG: 'sec:skip' }), modifyEvent());
    expect(outcome.action).toBe('exempt');
  });

  it.each([
    ['an expired exemption', 'until=2026-11-25', /expired on 2026-11-25/],
    ['an unreadable expiry', 'until=2026-02-31', /not a date/],
  ])('remediates despite %s', async (_label, value, why) => {
    describeSequence(
      endpointFromDoc({ Tags: [{ Key: 'cvpn-log-guard:exempt', Value: value }] }),
      enabledEndpointFromDoc(`/aws/clientvpn/${ENDPOINT}`),
    );
    const outcome = await remediateEndpoint(deps(), modifyEvent());
    expect(outcome.action).toBe('remediated');
    expect(outcome.reason).toMatch(why);
  });

  it('in notify-only mode reports what it would do and writes nothing', async () => {
    describeSequence(endpointFromDoc());
    const outcome = await remediateEndpoint(deps({ CVPN_MODE: 'notify-only' }), modifyEvent());
    expect(outcome).toMatchObject({
      action: 'would-remediate',
      mode: 'notify-only',
      logGroup: `/aws/clientvpn/${ENDPOINT}`,
    });
    expect(ec2Mock.commandCalls(ModifyClientVpnEndpointCommand)).toHaveLength(0);
    expect(logsMock.calls()).toHaveLength(0);
  });

  it('reports requested, not verified, when Describe keeps showing logging off', async () => {
    describeSequence(endpointFromDoc());
    const outcome = await remediateEndpoint(deps(), modifyEvent());
    expect(outcome).toMatchObject({ action: 'remediated', verification: 'requested' });
    // One read to decide, then the initial verification read plus two bounded re-checks.
    expect(ec2Mock.commandCalls(DescribeClientVpnEndpointsCommand)).toHaveLength(4);
  });

  it('verifies after a stale read once AWS catches up', async () => {
    const d = ec2Mock.on(DescribeClientVpnEndpointsCommand);
    d.resolvesOnce({ ClientVpnEndpoints: [endpointFromDoc()] });
    d.resolvesOnce({ ClientVpnEndpoints: [endpointFromDoc()] });
    d.resolves({ ClientVpnEndpoints: [enabledEndpointFromDoc(`/aws/clientvpn/${ENDPOINT}`)] });
    const outcome = await remediateEndpoint(deps(), modifyEvent());
    expect(outcome.verification).toBe('verified');
  });

  const byOwnRole = (record: any): any => {
    record.userIdentity.arn = `arn:aws:sts::${ACCOUNT}:assumed-role/cvpn-log-guard-prod-lambdaRole/cvpn-log-guard-prod-remediate`;
    record.userIdentity.sessionContext.sessionIssuer.arn = `arn:aws:iam::${ACCOUNT}:role/cvpn-log-guard-prod-lambdaRole`;
    return record;
  };

  it('ignores the echo of its own fix (its role turning logging on) without writing', async () => {
    const r = byOwnRole(asOwnFixRequest(modifyRecord(), `/aws/clientvpn/${ENDPOINT}`));
    describeSequence(endpointFromDoc());
    const outcome = await remediateEndpoint(deps(), parseTriggerEvent(envelope(r)));
    expect(outcome.action).toBe('ignored-self');
    expect(outcome.byGuardRole).toBeUndefined();
    expect(ec2Mock.commandCalls(ModifyClientVpnEndpointCommand)).toHaveLength(0);
  });

  it('reverts its own role switching logging off, and marks the change as made by that role', async () => {
    // The console-shaped request (logging off, every field re-sent) made with the guard's role.
    const r = byOwnRole(modifyRecord());
    describeSequence(endpointFromDoc(), enabledEndpointFromDoc(`/aws/clientvpn/${ENDPOINT}`));
    const outcome = await remediateEndpoint(deps(), parseTriggerEvent(envelope(r)));
    expect(outcome).toMatchObject({ action: 'remediated', byGuardRole: true, verification: 'verified' });
    expect(ec2Mock.commandCalls(ModifyClientVpnEndpointCommand)).toHaveLength(1);
  });

  it.each([
    ['turns logging on and changes DNS in the same call', { DnsServers: { CustomDnsServers: ['10.0.0.2'], Enabled: true } }],
    ['sends logging on as anything but true', { ConnectionLogOptions: { Enabled: false } }],
  ])('is not an echo when its role %s', async (_what, extra) => {
    const r = byOwnRole(asOwnFixRequest(modifyRecord(), `/aws/clientvpn/${ENDPOINT}`));
    Object.assign(r.requestParameters.ModifyClientVpnEndpointRequest, extra);
    expect(parseTriggerEvent(envelope(r)).onlyEnablesLogging).toBe(false);
    describeSequence(endpointFromDoc(), enabledEndpointFromDoc(`/aws/clientvpn/${ENDPOINT}`));
    const outcome = await remediateEndpoint(deps(), parseTriggerEvent(envelope(r)));
    expect(outcome).toMatchObject({ action: 'remediated', byGuardRole: true });
  });

  it('does not mistake another role with the same session name for itself', async () => {
    const r = modifyRecord();
    r.userIdentity.arn = `arn:aws:sts::${ACCOUNT}:assumed-role/Attacker/cvpn-log-guard-prod-remediate`;
    r.userIdentity.sessionContext.sessionIssuer.arn = `arn:aws:iam::${ACCOUNT}:role/Attacker`;
    describeSequence(endpointFromDoc(), enabledEndpointFromDoc(`/aws/clientvpn/${ENDPOINT}`));
    const outcome = await remediateEndpoint(deps(), parseTriggerEvent(envelope(r)));
    expect(outcome.action).toBe('remediated');
  });

  it('refuses an event from another account before any write', async () => {
    describeSequence(endpointFromDoc());
    const other = { ...LAMBDA_IDENTITY, account: '111122223333' };
    await expect(remediateEndpoint(deps({}, other), modifyEvent())).rejects.toBeInstanceOf(ForeignAccountError);
    await expect(remediateEndpoint(deps({}, other), modifyEvent())).rejects.toThrow(
      /from account 999999999999, but this deployment guards account 111122223333/,
    );
    expect(ec2Mock.commandCalls(ModifyClientVpnEndpointCommand)).toHaveLength(0);
  });

  it('turns a permission error into a failed, non-retryable outcome naming the step', async () => {
    describeSequence(endpointFromDoc());
    ec2Mock.on(ModifyClientVpnEndpointCommand).rejects(
      Object.assign(new Error('You are not authorized to perform this operation.'), {
        name: 'UnauthorizedOperation',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const outcome = await remediateEndpoint(deps(), modifyEvent());
    expect(outcome).toMatchObject({
      action: 'failed',
      logGroup: `/aws/clientvpn/${ENDPOINT}`,
      logGroupCreated: true,
      error: { code: 'UnauthorizedOperation', retryable: false, step: 'modify' },
    });
  });

  it('marks throttling and 5xx as retryable', async () => {
    ec2Mock.on(DescribeClientVpnEndpointsCommand).rejects(
      Object.assign(new Error('Request limit exceeded.'), {
        name: 'RequestLimitExceeded',
        $metadata: { httpStatusCode: 503 },
      }),
    );
    const outcome = await remediateEndpoint(deps(), modifyEvent());
    expect(outcome).toMatchObject({
      action: 'failed',
      error: { code: 'RequestLimitExceeded', retryable: true, step: 'describe' },
    });
  });

  it('marks a KMS problem on log-group creation as needing a person', async () => {
    describeSequence(endpointFromDoc());
    logsMock.on(CreateLogGroupCommand).rejects(
      Object.assign(new Error('The specified KMS key does not exist or is not allowed to be used'), {
        name: 'InvalidParameterException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const outcome = await remediateEndpoint(deps(), modifyEvent());
    expect(outcome).toMatchObject({
      action: 'failed',
      error: { code: 'InvalidParameterException', retryable: false, step: 'ensure-log-group' },
    });
    expect(ec2Mock.commandCalls(ModifyClientVpnEndpointCommand)).toHaveLength(0);
  });

  it('re-sends the Modify when a group it just created is not visible to Client VPN yet', async () => {
    describeSequence(endpointFromDoc(), enabledEndpointFromDoc(`/aws/clientvpn/${ENDPOINT}`));
    const modify = ec2Mock.on(ModifyClientVpnEndpointCommand);
    modify.rejectsOnce(
      Object.assign(new Error('log group does not exist'), {
        name: 'InvalidParameterValue',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    modify.resolves({ Return: true });
    const outcome = await remediateEndpoint(deps(), modifyEvent());
    expect(outcome.action).toBe('remediated');
    expect(ec2Mock.commandCalls(ModifyClientVpnEndpointCommand)).toHaveLength(2);
  });
});

describe('two events for one endpoint at once', () => {
  it('cause one write: the second reads the first one\'s result', async () => {
    const group = `/aws/clientvpn/${ENDPOINT}`;
    let enabled = false;
    ec2Mock.on(DescribeClientVpnEndpointsCommand).callsFake(() => ({
      ClientVpnEndpoints: [enabled ? enabledEndpointFromDoc(group) : endpointFromDoc()],
    }));
    ec2Mock.on(ModifyClientVpnEndpointCommand).callsFake(async () => {
      await new Promise((r) => setTimeout(r, 5));
      enabled = true;
      return { Return: true };
    });
    const d = { ...deps(), serializer: new KeyedSerializer() };
    const outcomes = await Promise.all([remediateEndpoint(d, modifyEvent()), remediateEndpoint(d, createEvent())]);
    expect(outcomes.map((o) => o.action).sort()).toEqual(['already-compliant', 'remediated']);
    expect(ec2Mock.commandCalls(ModifyClientVpnEndpointCommand)).toHaveLength(1);
  });
});

describe('an endpoint deleted mid-flight', () => {
  it.each([
    ['InvalidClientVpnEndpointId.NotFound', undefined, 'not-found'],
    ['IncorrectState', 'deleting', 'skipped-deleted'],
  ] as const)('Modify answering %s ends as %s, not failed', async (code, status, action) => {
    const d = ec2Mock.on(DescribeClientVpnEndpointsCommand);
    d.resolvesOnce({ ClientVpnEndpoints: [endpointFromDoc()] });
    d.resolves({ ClientVpnEndpoints: status ? [endpointFromDoc({ Status: { Code: status } })] : [] });
    ec2Mock.on(ModifyClientVpnEndpointCommand).rejects(
      Object.assign(new Error('gone'), { name: code, $metadata: { httpStatusCode: 400 } }),
    );
    const outcome = await remediateEndpoint(deps(), modifyEvent());
    expect(outcome.action).toBe(action);
  });

  it('a failed read-back after an acknowledged write is still remediated (requested), not failed', async () => {
    const d = ec2Mock.on(DescribeClientVpnEndpointsCommand);
    d.resolvesOnce({ ClientVpnEndpoints: [endpointFromDoc()] });
    d.rejects(Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503 } }));
    const outcome = await remediateEndpoint(deps(), modifyEvent());
    expect(outcome).toMatchObject({ action: 'remediated', verification: 'requested' });
    expect(ec2Mock.commandCalls(ModifyClientVpnEndpointCommand)).toHaveLength(1);
  });
});
