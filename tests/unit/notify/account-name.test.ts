// Central mode: alerts name the member account by its Organizations name as well as its ID.
import { describe, expect, it } from 'vitest';
import { buildNotification, snsPublishInput } from '../../../src/notify';
import { ACCOUNT, CTX, TOPIC, failed, remediated } from './outcomes';

describe('account name in alerts', () => {
  it('goes into the subject, the chat title and summary, the Account row and the accountName attribute', () => {
    const n = buildNotification({ ...remediated, accountName: 'Prod Payments' }, CTX);
    expect(n.subject).toMatch(/^\[cvpn-log-guard\] [^:]+ in Prod Payments: cvpn-endpoint-/);
    expect(n.chat.content.title).toContain('in Prod Payments');
    expect(n.email).toMatch(new RegExp(`Account\\s*:?\\s+${ACCOUNT} \\(Prod Payments\\)`));
    const input = snsPublishInput(TOPIC, n);
    expect(input.MessageAttributes.account).toEqual({ DataType: 'String', StringValue: ACCOUNT });
    expect(input.MessageAttributes.accountName).toEqual({ DataType: 'String', StringValue: 'Prod Payments' });
  });

  it('a name with markup characters is user text only: not in the subject, title or attributes', () => {
    const n = buildNotification({ ...failed, accountName: '<!here> *ops*' }, CTX);
    expect(n.subject).not.toContain('here');
    expect(n.chat.content.title).not.toContain('here');
    expect(n.attributes.accountName).toBeUndefined();
    expect(n.email).toContain('here');
  });

  it('without a name (single-account mode) nothing changes', () => {
    const n = buildNotification(remediated, CTX);
    expect(n.subject).not.toContain(' in ');
    expect(n.attributes.accountName).toBeUndefined();
  });
});
