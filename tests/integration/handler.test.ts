import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { RemediationFailedError } from '../../src/domain/errors';
import type { Standin } from '../../standin/index';
import { asOwnFixRequest, createRecord, envelope, modifyRecord, retarget } from '../helpers/events';
import {
  ACCOUNT,
  ENDPOINT,
  handlerFor,
  lambdaContext,
  LAMBDA_ROLE,
  REGION,
  runtimeFor,
  standinForAccount,
} from '../helpers/standin-runtime';

let standin: Standin;
let topicArn: string;

beforeAll(async () => {
  standin = await standinForAccount();
});
afterAll(async () => {
  await standin.close();
});
beforeEach(() => {
  standin.reset();
  topicArn = standin.createTopic(REGION, 'alerts');
});

function setup(env: Record<string, string> = {}) {
  return handlerFor(runtimeFor(standin, { CVPN_TOPIC_ARN: topicArn, ...env }));
}

const modifyEvent = () => envelope(modifyRecord());
const writes = () =>
  standin.calls.filter((c) =>
    ['ModifyClientVpnEndpoint', 'CreateLogGroup', 'PutRetentionPolicy', 'Publish'].includes(c.action),
  );

describe('remediate handler against the stand-in (real SDK, real wire protocols)', () => {
  it('re-enables logging on a disabled endpoint and sends one alert', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, description: 'onecloud-lawson', logging: { enabled: false } });
    const { handler } = setup();

    const result = await handler(modifyEvent(), lambdaContext());

    expect(result).toMatchObject({ status: 'processed', action: 'remediated' });
    const endpoint = standin.getEndpoint(REGION, ENDPOINT);
    expect(endpoint?.logging).toMatchObject({ enabled: true, logGroup: `/aws/clientvpn/${ENDPOINT}` });
    const group = standin.getLogGroup(REGION, `/aws/clientvpn/${ENDPOINT}`);
    expect(group).toMatchObject({ retentionInDays: 365, tags: { 'managed-by': 'cvpn-log-guard' } });

    const modify = standin.callsTo('ModifyClientVpnEndpoint');
    expect(modify).toHaveLength(1);
    expect(modify[0]?.params).toStrictEqual({
      ClientVpnEndpointId: ENDPOINT,
      'ConnectionLogOptions.Enabled': 'true',
      'ConnectionLogOptions.CloudwatchLogGroup': `/aws/clientvpn/${ENDPOINT}`,
    });

    const published = standin.published(topicArn);
    expect(published).toHaveLength(1);
    const message = published[0];
    expect(message?.messageStructure).toBe('json');
    expect(Object.keys(message?.bodies ?? {}).sort()).toEqual(['default', 'email', 'https']);
    expect(message?.subject).toContain(ENDPOINT);
    expect(message?.attributes.outcome).toMatchObject({ dataType: 'String', stringValue: 'remediated' });
    expect(message?.attributes.region).toMatchObject({ stringValue: REGION });
    expect(message?.attributes.account).toMatchObject({ stringValue: ACCOUNT });
    expect(message?.attributes.severity).toBeDefined();
    const chat = JSON.parse(message?.bodies?.default ?? '{}');
    expect(chat).toMatchObject({ version: '1.0', source: 'custom', metadata: { threadId: ENDPOINT } });
  });

  it('carries the caller\'s source IP and the endpoint\'s Name tag to the alert', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, tags: { Name: 'finance-vpn' }, logging: { enabled: false } });
    const { handler } = setup();
    await handler(modifyEvent(), lambdaContext());
    const [alert] = standin.published();
    expect(alert?.message).toContain('165.225.111.47');
    expect(alert?.message).toContain('finance-vpn');
  });

  it('leaves an enabled endpoint alone: no write, no alert', async () => {
    standin.addEndpoint(REGION, {
      id: ENDPOINT,
      logging: { enabled: true, logGroup: 'team-logs', logStream: 's1' },
    });
    standin.addLogGroup(REGION, 'team-logs');
    const { handler } = setup();
    const result = await handler(modifyEvent(), lambdaContext());
    expect(result).toMatchObject({ status: 'processed', action: 'already-compliant' });
    expect(writes()).toHaveLength(0);
  });

  it('leaves an exempt endpoint alone but says so', async () => {
    standin.addEndpoint(REGION, {
      id: ENDPOINT,
      logging: { enabled: false },
      tags: { 'cvpn-log-guard:exempt': 'lab endpoint until=2099-01-01' },
    });
    const { handler } = setup();
    const result = await handler(modifyEvent(), lambdaContext());
    expect(result).toMatchObject({ action: 'exempt' });
    expect(standin.callsTo('ModifyClientVpnEndpoint')).toHaveLength(0);
    expect(standin.published(topicArn)[0]?.attributes.outcome?.stringValue).toBe('exempt');
  });

  it('skips a deleted endpoint silently', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    standin.deleteEndpoint(REGION, ENDPOINT);
    const { handler } = setup();
    expect(await handler(modifyEvent(), lambdaContext())).toMatchObject({ action: 'skipped-deleted' });
    expect(writes()).toHaveLength(0);
  });

  it('reports not-found for an endpoint that never existed', async () => {
    const { handler } = setup();
    expect(await handler(envelope(createRecord()), lambdaContext())).toMatchObject({ action: 'not-found' });
    expect(writes()).toHaveLength(0);
  });

  it('in notify-only mode alerts and changes nothing', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    const { handler } = setup({ CVPN_MODE: 'notify-only' });
    expect(await handler(modifyEvent(), lambdaContext())).toMatchObject({ action: 'would-remediate' });
    expect(standin.getEndpoint(REGION, ENDPOINT)?.logging.enabled).toBe(false);
    expect(standin.listLogGroups(REGION)).toHaveLength(0);
    expect(standin.published(topicArn)).toHaveLength(1);
  });

  it('drops an invalid event with a clear reason and makes no AWS call at all', async () => {
    const { handler, lines } = setup();
    const bad = modifyEvent();
    bad.detail.requestParameters.ModifyClientVpnEndpointRequest.ClientVpnEndpointId = 'vpn-123';
    const result = await handler(bad, lambdaContext());
    expect(result).toMatchObject({ status: 'dropped' });
    expect(lines.find((l) => l.level === 'warn')?.attributes).toMatchObject({
      reason: expect.stringMatching(/not a Client VPN endpoint ID/),
    });
    expect(standin.calls).toHaveLength(0);
  });

  it('drops an event from another account without writing', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    const { handler } = setup();
    const foreign = envelope(retarget(modifyRecord(), { account: '111122223333' }));
    const result = await handler(foreign, lambdaContext());
    expect(result).toMatchObject({
      status: 'dropped',
      reason: expect.stringMatching(/from account 111122223333, but this deployment guards account 999999999999/),
    });
    expect(writes()).toHaveLength(0);
  });

  it('ignores the echo of its own Modify', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    const own = asOwnFixRequest(modifyRecord(), `/aws/clientvpn/${ENDPOINT}`);
    own.userIdentity.arn = `arn:aws:sts::${ACCOUNT}:assumed-role/${LAMBDA_ROLE}/cvpn-log-guard-test-remediate`;
    own.userIdentity.sessionContext.sessionIssuer.arn = `arn:aws:iam::${ACCOUNT}:role/${LAMBDA_ROLE}`;
    own.userAgent = 'aws-sdk-js/3.1169.0';
    const { handler } = setup();
    expect(await handler(envelope(own), lambdaContext())).toMatchObject({ action: 'ignored-self' });
    expect(writes()).toHaveLength(0);
  });

  it('writes once when EventBridge delivers the same event twice', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    const { handler } = setup();
    const first = await handler(modifyEvent(), lambdaContext());
    const second = await handler(modifyEvent(), lambdaContext());
    expect(first).toMatchObject({ action: 'remediated' });
    expect(second).toMatchObject({ action: 'already-compliant' });
    expect(standin.callsTo('ModifyClientVpnEndpoint')).toHaveLength(1);
    expect(standin.published(topicArn)).toHaveLength(1);
  });

  it('announces a permission failure once, with the AWS code, and fails the invocation so the event is kept', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    standin.injectFault({
      action: 'ModifyClientVpnEndpoint',
      code: 'UnauthorizedOperation',
      status: 403,
      message: 'You are not authorized to perform this operation.',
      times: Infinity,
    });
    const { handler } = setup();

    const first = handler(modifyEvent(), lambdaContext());
    await expect(first).rejects.toBeInstanceOf(RemediationFailedError);
    await expect(handler(modifyEvent(), lambdaContext())).rejects.toMatchObject({ retryable: false });

    const published = standin.published(topicArn);
    expect(published).toHaveLength(1); // the retry on the same container does not alert again
    expect(published[0]?.attributes.outcome?.stringValue).toBe('failed');
    expect(published[0]?.bodies?.email).toContain('UnauthorizedOperation');
    expect(published[0]?.bodies?.email).toContain('You are not authorized to');
  });

  it('announces a KMS problem on log-group creation', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    standin.injectFault({
      action: 'CreateLogGroup',
      code: 'AccessDeniedException',
      status: 400,
      message: 'The specified KMS key does not exist or is not allowed to be used with LogGroup',
    });
    const { handler } = setup();
    await expect(handler(modifyEvent(), lambdaContext())).rejects.toMatchObject({ retryable: false });
    expect(standin.callsTo('ModifyClientVpnEndpoint')).toHaveLength(0);
    expect(standin.published(topicArn)[0]?.bodies?.email).toContain('AccessDeniedException');
  });

  it('fails a throttled invocation for Lambda to retry, without alerting', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    standin.injectFault({
      action: 'DescribeClientVpnEndpoints',
      code: 'RequestLimitExceeded',
      status: 503,
      message: 'Request limit exceeded.',
      times: Infinity,
    });
    const { handler } = setup();
    await expect(handler(modifyEvent(), lambdaContext())).rejects.toMatchObject({
      name: 'RemediationFailedError',
      retryable: true,
    });
    // The SDK's own retries ran first (3 attempts).
    expect(standin.callsTo('DescribeClientVpnEndpoints')).toHaveLength(3);
    expect(standin.published(topicArn)).toHaveLength(0);
    expect(standin.callsTo('ModifyClientVpnEndpoint')).toHaveLength(0);
  });

  it('survives one throttled call thanks to the SDK retry', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    standin.injectFault({ action: 'ModifyClientVpnEndpoint', code: 'RequestLimitExceeded', status: 503 });
    const { handler } = setup();
    expect(await handler(modifyEvent(), lambdaContext())).toMatchObject({ action: 'remediated' });
  });

  it('writes one outcome line per event with no session name, access key, source IP or Name tag', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, description: 'secret project', tags: { Name: 'finance-vpn' }, logging: { enabled: false } });
    const { handler, lines } = setup();
    await handler(modifyEvent(), lambdaContext());
    const outcomeLines = lines.filter((l) => l.message === 'Remediation outcome');
    expect(outcomeLines).toHaveLength(1);
    const text = JSON.stringify(outcomeLines[0]?.attributes);
    expect(text).toContain('"action":"remediated"');
    expect(text).toContain('arn:aws:iam::999999999999:role/KTOU_SwitchRole');
    expect(text).not.toContain('ktou"');
    expect(text).not.toContain('ASIA2KEX3JLI5U75PLSS');
    expect(text).not.toContain('165.225.111.47');
    expect(text).not.toContain('secret project');
    expect(text).not.toContain('finance-vpn');
  });

  it('emits a metric per outcome and the remediation latency', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    const { handler, metrics } = setup();
    const added = vi.spyOn(metrics, 'addMetric');
    await handler(modifyEvent(), lambdaContext());
    const names = added.mock.calls.map((c) => c[0]);
    expect(names).toContain('Remediated');
    expect(names).toContain('RemediationLatency');
  });
});

describe('the deployed entry point', () => {
  it('fails at cold start with a message naming the bad setting', async () => {
    vi.resetModules();
    vi.stubEnv('AWS_REGION', REGION);
    vi.stubEnv('CVPN_TOPIC_ARN', 'arn:aws:sns:ap-northeast-1:999999999999:alerts');
    vi.stubEnv('CVPN_RETENTION_DAYS', '42');
    await expect(import('../../src/handlers/remediate')).rejects.toThrow(
      /CVPN_RETENTION_DAYS: 42 is not a retention CloudWatch Logs accepts/,
    );
    vi.unstubAllEnvs();
  });

  it('requires the topic ARN', async () => {
    vi.resetModules();
    vi.stubEnv('AWS_REGION', REGION);
    vi.stubEnv('CVPN_TOPIC_ARN', '');
    await expect(import('../../src/handlers/remediate')).rejects.toThrow(/CVPN_TOPIC_ARN is required/);
    vi.unstubAllEnvs();
  });
});

describe('alerts are not lost', () => {
  it('a fix whose alert failed to publish is announced by the retry', async () => {
    standin.addEndpoint(REGION, { id: ENDPOINT, logging: { enabled: false } });
    standin.injectFault({ action: 'Publish', code: 'InternalError', status: 500, message: 'boom', times: 3 });
    const { handler } = setup();
    await expect(handler(modifyEvent(), lambdaContext())).rejects.toMatchObject({ retryable: true });
    expect(standin.getEndpoint(REGION, ENDPOINT)?.logging.enabled).toBe(true);
    expect(standin.published(topicArn)).toHaveLength(0);

    // Lambda's retry: logging is on now, but the remembered fix is announced.
    expect(await handler(modifyEvent(), lambdaContext())).toMatchObject({ action: 'already-compliant' });
    const published = standin.published(topicArn);
    expect(published).toHaveLength(1);
    expect(published[0]?.attributes.outcome?.stringValue).toBe('remediated');
    expect(standin.callsTo('ModifyClientVpnEndpoint')).toHaveLength(1);
  });
});
