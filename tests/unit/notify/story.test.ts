/**
 * The story each situation tells, chosen once in the model: the sentences a reader must (and must
 * never) see, beyond the golden files' exact text.
 */
import { describe, expect, it } from 'vitest';
import { buildNotification, type NotifiedOutcome } from '../../../src/notify';
import { CTX, ENDPOINT, REGION } from './outcomes';
import { STORIES } from './stories';

const story = (name: string): NotifiedOutcome => {
  const found = STORIES.find(([n]) => n === name);
  if (!found) throw new Error(`no story ${name}`);
  return found[2];
};
/** Email and chat, line wrapping undone, so phrases match whole. */
const everything = (o: NotifiedOutcome, ctx = CTX): string => {
  const n = buildNotification(o, ctx);
  return [n.subject, n.email, n.chat.content.description, ...(n.chat.content.nextSteps ?? [])].join('\n').replace(/\s+/g, ' ');
};
const EVENT_LINK = `https://${REGION}.console.aws.amazon.com/cloudtrailv2/home?region=${REGION}#/events/`;
const HISTORY_LINK = `https://${REGION}.console.aws.amazon.com/cloudtrailv2/home?region=${REGION}#/events?ResourceName=${ENDPOINT}`;

describe('stories', () => {
  it('created without logging: never "re-enabled", never "find out why it was turned off"', () => {
    const text = everything(story('created-without-logging'));
    expect(text).toContain('without connection logging: it was never on');
    expect(text).not.toMatch(/re-enabled|turned back on|why logging was turned off|switched (it )?off/i);
  });

  it('log group missing: records since the deletion are lost, the time is unknown; no time to fix, no API call, no on → on', () => {
    const text = everything(story('log-group-missing'));
    expect(text).toContain('Records since the group was deleted are lost, and when that happened is unknown');
    expect(text).not.toMatch(/Time to fix|API call|`Scan`|on → on|0\.1 s/);
    expect(text).toContain(HISTORY_LINK);
  });

  it('found by a scan: says no event reached the guard and links the endpoint\'s CloudTrail history, not an event', () => {
    const text = everything(story('found-by-scan'));
    expect(text).toContain('No CloudTrail event about the change reached cvpn-log-guard');
    expect(text).toContain(HISTORY_LINK);
    expect(text).not.toContain(EVENT_LINK);
    expect(text).not.toMatch(/Time to fix|0\.1 s/);
  });

  it('a CloudTrail event is linked by its ID beside the endpoint and log group links', () => {
    const o = story('switched-off');
    const n = buildNotification(o, CTX);
    expect(n.email).toContain(`${EVENT_LINK}${o.eventId}`);
    expect(n.chat.content.description).toContain(`*CloudTrail event:* ${EVENT_LINK}${o.eventId}`);
  });

  it('switched off by IaC: the next apply switches it off again; fix the code', () => {
    const text = everything(story('switched-off-by-iac'));
    expect(text).toContain('the next apply will switch it off again until the configuration is changed');
    expect(text).toContain('Fix the code, not the endpoint');
    expect(everything(story('switched-off-by-cloudformation'))).toContain('With the AWS CDK');
  });

  it('failed, retryable: Lambda retries, then the on-failure queue and redrive, and the sweep', () => {
    const text = everything(story('failed-retryable'));
    expect(text).toContain('Lambda retries the event automatically; if it still fails, the event lands in the on-failure queue');
    expect(text).toContain(`cvpn-log-guard redrive --region ${REGION} --stage STAGE`);
    expect(text).toContain('The hourly sweep also retries');
  });

  it('failed, needs a person: says what to fix, then redrive; never "wait for the automatic retry"', () => {
    const text = everything(story('failed-needs-person'));
    expect(text).toContain("give cvpn-log-guard's role ec2:ModifyClientVpnEndpoint");
    expect(text).toContain(`Then run cvpn-log-guard redrive --region ${REGION} --stage STAGE`);
    expect(text).not.toMatch(/wait for the automatic retry|retried automatically|Lambda retries/i);
  });

  it('names the exemption tag key as configured, never the variable', () => {
    const ctx = { ...CTX, exemptTagKey: 'security:logging-exempt' };
    for (const name of ['switched-off', 'exempt']) {
      const text = everything(story(name), ctx);
      expect(text).toContain('security:logging-exempt');
      expect(text).not.toContain('CVPN_EXEMPT_TAG');
    }
  });

  it('who: the session ARN as CloudTrail records it, the role behind it, the source IP and the Name tag', () => {
    const n = buildNotification(story('switched-off'), CTX);
    expect(n.email).toMatch(/Caller\s+arn:aws:sts::999999999999:assumed-role\/KTOU_SwitchRole\/ktou\n/);
    expect(n.email).toMatch(/Role\s+arn:aws:iam::999999999999:role\/KTOU_SwitchRole\n/);
    expect(n.email).toMatch(/Name tag\s+finance-vpn\n/);
    // Some link detectors link a dotted IPv4 address: neutralised in the email, exact in a code span in chat.
    expect(n.email).toMatch(/Source IP\s+165\u2024225\u2024111\u202447\n/);
    expect(n.chat.content.description).toContain('from `165.225.111.47`');
    expect(n.chat.content.description).toContain('(finance-vpn)');
  });
});
