import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEMO_ACCOUNT = '999999999999';
export const DEMO_REGION = 'ap-northeast-1';
export const DEMO_ENDPOINT = 'cvpn-endpoint-00979964d0389482a';

/**
 * The real console ModifyClientVpnEndpoint record from tests/fixtures, made successful (its error
 * fields removed; see tests/fixtures/README.md) and dated now, in the EventBridge envelope.
 */
export function demoEvent(now = new Date()): Record<string, unknown> {
  const path = join(import.meta.dirname, '..', 'tests', 'fixtures', 'cloudtrail-modify-clientvpn-failed-invalidparametervalue-assumedrole.json');
  const record = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  // As if the console edit happened a moment ago, so the time-to-fix figure means something.
  record.eventTime = new Date(now.getTime() - 1500).toISOString().replace(/\.\d{3}Z$/, 'Z');
  delete record.errorCode;
  delete record.errorMessage;
  record.responseElements = {
    ModifyClientVpnEndpointResponse: {
      xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
      requestId: record.requestID,
      return: true,
    },
  };
  return {
    version: '0',
    id: '7bf73129-1428-4cd3-a780-95db273d1602',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ec2',
    account: DEMO_ACCOUNT,
    time: record.eventTime,
    region: DEMO_REGION,
    resources: [],
    detail: record,
  };
}
