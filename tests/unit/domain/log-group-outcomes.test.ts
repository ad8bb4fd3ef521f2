// The new actions are announced (NOTIFIABLE_ACTIONS, SCAN_POLICY) before notify words them: each must
// still build a notification that fits SNS, for an endpoint and for the account-level report.
import { describe, expect, it } from 'vitest';
import { SCAN_POLICY } from '../../../src/app/announce';
import { LOG_GROUP_ACTIONS, NOTIFIABLE_ACTIONS, type RemediationOutcome } from '../../../src/domain/outcome';
import { buildNotification, snsPublishInput } from '../../../src/notify';

const base: RemediationOutcome = {
  endpointId: 'cvpn-endpoint-00979964d0389482a',
  region: 'ap-northeast-1',
  account: '999999999999',
  action: 'retention-short',
  mode: 'remediate',
  actor: { type: 'cvpn-log-guard scan' },
  tool: 'other',
  eventId: 'scan-20260601120000-cvpn-endpoint-00979964d0389482a',
  eventName: 'Scan',
  eventTime: '2026-06-01T12:00:00.000Z',
  logGroup: '/aws/clientvpn/x',
  loggingAfter: { enabled: true, logGroup: '/aws/clientvpn/x' },
  requiredRetentionDays: 365,
  retentionShort: { logGroup: '/aws/clientvpn/x', retentionDays: 7, requiredDays: 365 },
  key: { keyArn: 'arn:aws:kms:ap-northeast-1:999999999999:key/1111', usable: 'no', why: 'disabled', detail: 'the KMS key is Disabled' },
  delivery: { status: 'not-delivering', reason: 'no log stream', likelyCauses: [{ cause: 'group-recreated', confirmed: false, detail: 'x' }] },
  reason: 'Connection logging is on, but the group falls short',
};

describe('log-group actions', () => {
  it('are notifiable and alerted by the scan and the sweep', () => {
    for (const action of [...LOG_GROUP_ACTIONS, 'service-role-missing'] as const) {
      expect(NOTIFIABLE_ACTIONS.has(action)).toBe(true);
      expect(SCAN_POLICY.alerts.has(action)).toBe(true);
    }
  });

  it.each([...LOG_GROUP_ACTIONS, 'service-role-missing' as const])('%s builds a notification that SNS accepts', (action) => {
    const outcome: RemediationOutcome =
      action === 'service-role-missing'
        ? { ...base, action, endpointId: '', affectedEndpoints: [base.endpointId], reason: 'The service-linked role is missing' }
        : action === 'retention-raised'
          ? { ...base, action, retentionShort: undefined, retentionRaised: { logGroup: '/aws/clientvpn/x', from: 7, to: 365 } }
          : { ...base, action };
    const n = buildNotification(outcome, { retentionDays: 365, exemptTagKey: 'cvpn-log-guard:exempt' });
    const input = snsPublishInput('arn:aws:sns:ap-northeast-1:999999999999:alerts', n);
    expect((input.Subject ?? '').length).toBeLessThan(100);
    expect(input.MessageAttributes?.outcome?.StringValue).toBe(action);
    expect(JSON.parse(input.Message ?? '{}').default.length).toBeGreaterThan(0);
  });
});
