/**
 * An outcome whose change was made with cvpn-log-guard's own execution role (not the echo of its
 * own fix): the alert says so, at severity high, in the subject, email and chat.
 */
import { describe, expect, it } from 'vitest';
import { ChatbotMessageSchema, buildNotification } from '../../../src/notify';
import { CTX, remediated } from './outcomes';

describe("alerts for a change made with the guard's own role", () => {
  const byRole = { ...remediated, byGuardRole: true };

  it('is high severity and says who did it, in subject, email and chat', () => {
    const n = buildNotification(byRole, CTX);
    expect(n.attributes.severity).toBe('high');
    expect(n.subject).toContain("guard's own role");
    expect(n.subject.length).toBeLessThan(100);
    expect(n.subject).toContain('(ap-northeast-1)');
    expect(n.email).toContain("cvpn-log-guard's own execution role");
    expect(n.email).toContain('iam:PassRole');
    const chat = ChatbotMessageSchema.parse(n.chat);
    expect(chat.content.title).toContain("guard's own role");
    expect(chat.content.nextSteps?.join(' ')).toContain('lambda:UpdateFunctionCode');
  });

  it('leaves an ordinary fix as it was', () => {
    const n = buildNotification(remediated, CTX);
    expect(n.attributes.severity).not.toBe('high');
    expect(n.email).not.toContain('own execution role');
  });
});
