/**
 * One fixed outcome per story, for the golden files (golden.test.ts) and the README examples.
 * Who, when, how and from where come from the real CloudTrail records in tests/fixtures (parsed
 * by the real event parser); what cvpn-log-guard found and did is written out here, as the core
 * would have produced it.
 */
import { scanTrigger } from '../../../src/core/scan';
import { parseTriggerEvent, type TriggerEvent } from '../../../src/domain/event';
import type { RemediationOutcome } from '../../../src/domain/outcome';
import type { NotifiedOutcome } from '../../../src/notify';
import type { StoryKey } from '../../../src/notify/story';
import { createRecord, envelope, modifyRecord } from '../../helpers/events';
import { ACCOUNT, ENDPOINT, LOG_GROUP, REGION } from './outcomes';

/** The user agent Terraform's AWS provider sends (its `APN/1.0 HashiCorp/1.0 Terraform/...` prefix). */
const TERRAFORM_UA =
  'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 ' +
  '(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.6 os/linux lang/go#1.23.3';
const GUARD_ROLE = `cvpn-log-guard-prod-${REGION}-lambdaRole`;

const fromEvent = (record: unknown): TriggerEvent => parseTriggerEvent(envelope(record));
const created = (): TriggerEvent => fromEvent(createRecord());
const modified = (edit: (r: any) => void = () => undefined): TriggerEvent => {
  const r = modifyRecord();
  edit(r);
  return fromEvent(r);
};
const scanned = (): TriggerEvent => scanTrigger(REGION, ACCOUNT, ENDPOINT, new Date('2026-06-01T12:00:00.000Z'), '20260601120000');

/** What remediate.ts's baseOutcome takes from the trigger. */
function outcome(trigger: TriggerEvent, rest: Partial<RemediationOutcome> & Pick<RemediationOutcome, 'action' | 'reason'>): NotifiedOutcome {
  return {
    endpointId: trigger.endpointId,
    region: trigger.region,
    account: trigger.account,
    mode: 'remediate',
    actor: trigger.actor,
    tool: trigger.tool,
    eventId: trigger.eventId,
    eventName: trigger.eventName,
    eventTime: trigger.eventTime,
    ...(trigger.sourceIp ? { sourceIp: trigger.sourceIp } : {}),
    ...rest,
  };
}

const fixed = {
  loggingBefore: { enabled: false },
  loggingAfter: { enabled: true, logGroup: LOG_GROUP },
  logGroup: LOG_GROUP,
  logGroupCreated: false,
  retentionDays: 365,
  verification: 'verified' as const,
  latencyMs: 7_300,
  reason: `Connection logging re-enabled to ${LOG_GROUP} and read back`,
};
const off = { loggingBefore: { enabled: false }, loggingAfter: { enabled: false }, logGroup: LOG_GROUP, retentionDays: 365 };
const scanOn = {
  endpointName: 'finance-vpn',
  logGroup: LOG_GROUP,
  loggingBefore: { enabled: true, logGroup: LOG_GROUP },
  loggingAfter: { enabled: true, logGroup: LOG_GROUP },
  requiredRetentionDays: 365,
};
const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OTHER_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0987dcba-09fe-87dc-65ba-ab0987654321`;

/** Every story, under the name of its golden files; a few variants besides. */
export const STORIES: ReadonlyArray<readonly [name: string, story: StoryKey, outcome: NotifiedOutcome]> = [
  [
    'created-without-logging',
    'created-without-logging',
    outcome(created(), { action: 'remediated', ...fixed, description: 'Tokyo office VPN', logGroupCreated: true, latencyMs: 8_400 }),
  ],
  ['switched-off', 'switched-off', outcome(modified(), { action: 'remediated', ...fixed, endpointName: 'finance-vpn' })],
  [
    'switched-off-unconfirmed',
    'switched-off',
    outcome(modified(), { action: 'remediated', ...fixed, endpointName: 'finance-vpn', verification: 'requested', latencyMs: 31_000 }),
  ],
  [
    'switched-off-again',
    'switched-off-again',
    outcome(modified(), {
      action: 'remediated',
      ...fixed,
      endpointName: 'finance-vpn',
      repeat: {
        previousEnableAt: '2021-04-01T08:26:11.000Z',
        previousByRemediator: true,
        afterMs: 751_000,
        enablesInWindow: 3,
        windowMs: 86_400_000,
        source: 'state',
      },
    }),
  ],
  [
    'switched-off-by-iac',
    'switched-off-by-iac',
    outcome(modified((r) => (r.userAgent = TERRAFORM_UA)), { action: 'remediated', ...fixed, endpointName: 'finance-vpn' }),
  ],
  [
    'switched-off-by-cloudformation',
    'switched-off-by-iac',
    outcome(modified((r) => (r.userAgent = 'cloudformation.amazonaws.com')), { action: 'remediated', ...fixed }),
  ],
  [
    'switched-off-by-pulumi',
    'switched-off-by-iac',
    outcome(
      modified((r) => (r.userAgent = 'APN/1.0 Pulumi/1.0 Pulumi-Aws/6.66.2 (+https://www.pulumi.com) aws-sdk-go-v2/1.32.6 os/linux lang/go#1.23.3')),
      { action: 'remediated', ...fixed },
    ),
  ],
  [
    'log-group-missing',
    'log-group-missing',
    outcome(scanned(), {
      action: 'remediated',
      ...scanOn,
      logGroupMissing: true,
      logGroupCreated: true,
      retentionDays: 365,
      verification: 'verified',
      latencyMs: 100,
      reason: `Connection logging re-enabled to ${LOG_GROUP} and read back; logging was on but its log group ${LOG_GROUP} no longer existed`,
    }),
  ],
  [
    'log-group-missing-not-fixed',
    'failed-needs-person',
    outcome(scanned(), {
      action: 'failed',
      ...scanOn,
      logGroupMissing: true,
      logGroupCreated: false,
      loggingAfter: undefined,
      retentionDays: 365,
      error: {
        code: 'AccessDeniedException',
        message: 'User is not authorized to perform: logs:CreateLogGroup',
        retryable: false,
        step: 'ensure-log-group',
      },
      reason: 'CreateLogGroup was denied',
    }),
  ],
  [
    'found-by-scan',
    'found-by-scan',
    outcome(scanned(), { action: 'remediated', ...fixed, endpointName: 'finance-vpn', latencyMs: 100 }),
  ],
  [
    'exempt',
    'exempt',
    outcome(modified(), {
      action: 'exempt',
      ...off,
      endpointName: 'finance-vpn',
      exemption: { reason: 'load test INC-42', until: '2026-12-31', expired: false },
      reason: 'The endpoint carries the exemption tag cvpn-log-guard:exempt',
    }),
  ],
  [
    'would-remediate',
    'would-remediate',
    outcome(modified(), { action: 'would-remediate', mode: 'notify-only', ...off, reason: 'Connection logging is off; notify-only mode changed nothing' }),
  ],
  [
    'would-remediate-created',
    'would-remediate',
    outcome(created(), { action: 'would-remediate', mode: 'notify-only', ...off, reason: 'Connection logging is off; notify-only mode changed nothing' }),
  ],
  [
    'failed-retryable',
    'failed-retryable',
    outcome(modified(), {
      action: 'failed',
      ...off,
      loggingAfter: undefined,
      logGroupCreated: false,
      error: { code: 'RequestLimitExceeded', message: 'Request limit exceeded.', retryable: true, step: 'modify' },
      reason: 'ModifyClientVpnEndpoint was throttled',
    }),
  ],
  [
    'failed-needs-person',
    'failed-needs-person',
    outcome(modified(), {
      action: 'failed',
      ...off,
      loggingAfter: undefined,
      logGroupCreated: false,
      error: {
        code: 'UnauthorizedOperation',
        message: 'You are not authorized to perform this operation. User: arn:aws:sts::999999999999:assumed-role/x/y is not authorized',
        retryable: false,
        step: 'modify',
      },
      reason: 'ModifyClientVpnEndpoint was denied',
    }),
  ],
  [
    'guard-role',
    'guard-role',
    outcome(
      modified((r) => {
        r.userIdentity.arn = `arn:aws:sts::${ACCOUNT}:assumed-role/${GUARD_ROLE}/cvpn-log-guard-prod-remediate`;
        r.userIdentity.sessionContext.sessionIssuer.arn = `arn:aws:iam::${ACCOUNT}:role/${GUARD_ROLE}`;
        r.userIdentity.sessionContext.sessionIssuer.userName = GUARD_ROLE;
        r.userAgent = 'aws-sdk-js/3.936.0 ua/2.1 os/linux lang/js md/nodejs#22.11.0 api/ec2#3.936.0 exec-env/AWS_Lambda_nodejs22.x';
        r.sourceIPAddress = '3.112.23.5';
      }),
      { action: 'remediated', ...fixed, byGuardRole: true },
    ),
  ],
  [
    'retention-short',
    'retention-short',
    outcome(scanned(), {
      action: 'retention-short',
      ...scanOn,
      retentionShort: { logGroup: LOG_GROUP, retentionDays: 30, requiredDays: 365 },
      reason: `Connection logging is on, but its log group ${LOG_GROUP} keeps records for 30 days; the requirement is 365`,
    }),
  ],
  [
    'retention-raised',
    'retention-raised',
    outcome(scanned(), {
      action: 'retention-raised',
      ...scanOn,
      retentionRaised: { logGroup: LOG_GROUP, from: 30, to: 365 },
      reason: `Raised the retention of ${LOG_GROUP} from 30 to 365 days`,
    }),
  ],
  [
    'key-mismatch',
    'key-mismatch',
    outcome(scanned(), {
      action: 'key-mismatch',
      ...scanOn,
      keyRequirement: { kind: 'other-key', keyArn: OTHER_KEY, expectedKeyArn: KEY },
      reason: 'The log group is not encrypted with the required key',
    }),
  ],
  [
    'cannot-write',
    'cannot-write',
    outcome(scanned(), {
      action: 'cannot-write',
      ...scanOn,
      key: { keyArn: KEY, usable: 'no', why: 'disabled', detail: `the KMS key ${KEY} is Disabled` },
      reason: 'Connection logging is on, but its log group cannot be written',
    }),
  ],
  [
    'not-delivering',
    'not-delivering',
    outcome(scanned(), {
      action: 'not-delivering',
      ...scanOn,
      delivery: {
        status: 'not-delivering',
        reason: `no log stream ${ENDPOINT}- in the group although logging has been on since 2026-05-30T09:00:00.000Z`,
        likelyCauses: [
          {
            cause: 'group-recreated',
            confirmed: false,
            detail:
              'the group was deleted and re-created after logging was turned on: turn logging off and on again so Client VPN writes to the new group',
          },
        ],
      },
      reason: 'Connection logging is on, but no records arrive',
    }),
  ],
  [
    'service-role-missing',
    'service-role-missing',
    outcome(scanTrigger(REGION, ACCOUNT, '', new Date('2026-06-01T12:00:00.000Z'), '20260601120000'), {
      action: 'service-role-missing',
      endpointId: '',
      eventId: 'scan-20260601120000-service-role',
      affectedEndpoints: [ENDPOINT, 'cvpn-endpoint-0a1b2c3d4e5f60718'],
      reason: 'The service-linked role AWSServiceRoleForClientVPN does not exist in this account',
    }),
  ],
];
