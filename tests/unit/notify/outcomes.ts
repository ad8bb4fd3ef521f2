/** The outcomes and expected values the notify tests share (shapes as in tests/fixtures/cloudtrail-*.json). */
import type { RemediationOutcome } from '../../../src/domain/outcome';

export const ENDPOINT = 'cvpn-endpoint-00979964d0389482a';
export const REGION = 'ap-northeast-1';
export const ACCOUNT = '999999999999';
export const LOG_GROUP = `/aws/clientvpn/${ENDPOINT}`;
export const ENDPOINT_URL =
  'https://ap-northeast-1.console.aws.amazon.com/vpc/home?region=ap-northeast-1' +
  `#ClientVPNEndpointDetails:clientVpnEndpointId=${ENDPOINT}`;
export const LOG_GROUP_URL =
  'https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1' +
  `#logsV2:log-groups/log-group/$252Faws$252Fclientvpn$252F${ENDPOINT}`;
export const CTX = { retentionDays: 365, exemptTagKey: 'cvpn-log-guard:exempt' };
export const TOPIC = 'arn:aws:sns:ap-northeast-1:999999999999:cvpn-log-guard-alerts';

// Actors as the real CloudTrail fixtures have them (tests/fixtures/cloudtrail-*.json).
export const IAM_USER = { type: 'IAMUser', arn: 'arn:aws:iam::999999999999:user/test001@test.com' };
export const SWITCH_ROLE = { type: 'AssumedRole', arn: 'arn:aws:iam::999999999999:role/KTOU_SwitchRole', sessionName: 'ktou' };

export const remediated: RemediationOutcome = {
  endpointId: ENDPOINT,
  region: REGION,
  account: ACCOUNT,
  action: 'remediated',
  mode: 'remediate',
  actor: IAM_USER,
  tool: 'console',
  eventId: 'daa11b60-20df-48d9-a406-aeae3c339e9b',
  eventName: 'CreateClientVpnEndpoint',
  eventTime: '2021-03-02T08:53:18Z',
  description: 'Tokyo office VPN',
  loggingBefore: { enabled: false },
  loggingAfter: { enabled: true, logGroup: LOG_GROUP },
  logGroup: LOG_GROUP,
  logGroupCreated: true,
  retentionDays: 365,
  verification: 'verified',
  latencyMs: 8_400,
  reason: `Connection logging re-enabled to ${LOG_GROUP} and read back`,
};

export const failed: RemediationOutcome = {
  endpointId: ENDPOINT,
  region: REGION,
  account: ACCOUNT,
  action: 'failed',
  mode: 'remediate',
  actor: SWITCH_ROLE,
  tool: 'console',
  eventId: '9a81b7a0-2519-4d68-b9ca-0a35ee377151',
  eventName: 'ModifyClientVpnEndpoint',
  eventTime: '2021-04-01T08:38:42Z',
  loggingBefore: { enabled: false },
  logGroup: LOG_GROUP,
  logGroupCreated: false,
  retentionDays: 365,
  error: {
    code: 'UnauthorizedOperation',
    message: 'You are not authorized to perform this operation.',
    retryable: false,
    step: 'modify',
  },
  reason: 'ModifyClientVpnEndpoint was denied',
};

export const exempt: RemediationOutcome = {
  endpointId: ENDPOINT,
  region: REGION,
  account: ACCOUNT,
  action: 'exempt',
  mode: 'remediate',
  actor: SWITCH_ROLE,
  tool: 'terraform',
  eventId: '3f0c8a52-6f9e-4a43-9d55-2b1d0c7e8a11',
  eventName: 'ModifyClientVpnEndpoint',
  eventTime: '2026-05-10T01:02:03Z',
  loggingBefore: { enabled: false },
  loggingAfter: { enabled: false },
  logGroup: LOG_GROUP,
  exemption: { reason: 'load test INC-42', until: '2026-12-31', expired: false },
  reason: 'The endpoint carries the exemption tag cvpn-log-guard:exempt',
};

export const wouldRemediate: RemediationOutcome = {
  endpointId: ENDPOINT,
  region: REGION,
  account: ACCOUNT,
  action: 'would-remediate',
  mode: 'notify-only',
  actor: IAM_USER,
  tool: 'aws-cli',
  eventId: '6b0f3a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
  eventName: 'ModifyClientVpnEndpoint',
  eventTime: '2026-05-10T01:02:03Z',
  loggingBefore: { enabled: false },
  loggingAfter: { enabled: false },
  logGroup: LOG_GROUP,
  retentionDays: 365,
  reason: 'Connection logging is off; notify-only mode changed nothing',
};

export const BY_ACTION = { remediated, failed, exempt, 'would-remediate': wouldRemediate } as const;
export const CASES = Object.entries(BY_ACTION) as Array<[keyof typeof BY_ACTION, RemediationOutcome]>;
