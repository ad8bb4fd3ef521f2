import { describe, expect, it } from 'vitest';
import {
  clientVpnEndpointConsoleUrl,
  cloudTrailEndpointHistoryUrl,
  cloudTrailEventConsoleUrl,
  consoleFragmentEncode,
  logGroupArn,
  logGroupConsoleUrl,
} from '../../../src/notify/console-links';
import { partitionForRegion } from '../../../src/domain/patterns';
import { ACCOUNT, ENDPOINT, ENDPOINT_URL, LOG_GROUP, LOG_GROUP_URL, REGION } from './outcomes';

describe('console links', () => {
  it('builds endpoint and log group pages per partition', () => {
    expect(clientVpnEndpointConsoleUrl(REGION, ENDPOINT)).toBe(ENDPOINT_URL);
    expect(logGroupConsoleUrl(REGION, LOG_GROUP)).toBe(LOG_GROUP_URL);
    expect(clientVpnEndpointConsoleUrl('cn-north-1', ENDPOINT)).toBe(
      `https://cn-north-1.console.amazonaws.cn/vpc/home?region=cn-north-1#ClientVPNEndpointDetails:clientVpnEndpointId=${ENDPOINT}`,
    );
    expect(logGroupConsoleUrl('us-gov-west-1', '/a/b')).toBe(
      'https://us-gov-west-1.console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#logsV2:log-groups/log-group/$252Fa$252Fb',
    );
    expect(clientVpnEndpointConsoleUrl('us-iso-east-1', ENDPOINT)).toBeUndefined();
  });

  it('encodes log group names the way the CloudWatch console does', () => {
    expect(consoleFragmentEncode('/aws/clientvpn/x')).toBe('$252Faws$252Fclientvpn$252Fx');
    expect(consoleFragmentEncode('a#b')).toBe('a$2523b');
    expect(consoleFragmentEncode('a.b-c_d')).toBe('a.b-c_d');
  });

  it('refuses parts that are not what AWS would give', () => {
    expect(clientVpnEndpointConsoleUrl(REGION, 'cvpn-endpoint-x<!channel>')).toBeUndefined();
    expect(clientVpnEndpointConsoleUrl('evil.example/', ENDPOINT)).toBeUndefined();
    expect(logGroupConsoleUrl(REGION, 'bad name with spaces')).toBeUndefined();
    expect(logGroupArn('aws', REGION, 'nope', LOG_GROUP)).toBeUndefined();
  });

  it('builds log group ARNs per partition', () => {
    expect(logGroupArn(partitionForRegion(REGION), REGION, ACCOUNT, LOG_GROUP)).toBe(
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${LOG_GROUP}`,
    );
    expect(logGroupArn(partitionForRegion('cn-northwest-1'), 'cn-northwest-1', ACCOUNT, '/x')).toBe(
      `arn:aws-cn:logs:cn-northwest-1:${ACCOUNT}:log-group:/x`,
    );
    expect(partitionForRegion('us-gov-east-1')).toBe('aws-us-gov');
  });

  it('links a CloudTrail event by its ID, and the endpoint\'s CloudTrail history, only from checked parts', () => {
    const id = '9a81b7a0-2519-4d68-b9ca-0a35ee377151';
    expect(cloudTrailEventConsoleUrl(REGION, id)).toBe(
      `https://${REGION}.console.aws.amazon.com/cloudtrailv2/home?region=${REGION}#/events/${id}`,
    );
    expect(cloudTrailEventConsoleUrl('cn-north-1', id)).toBe(
      `https://cn-north-1.console.amazonaws.cn/cloudtrailv2/home?region=cn-north-1#/events/${id}`,
    );
    // A scan's own ID is no CloudTrail event; nor is anything else that is not a UUID.
    expect(cloudTrailEventConsoleUrl(REGION, `scan-20260601120000-${ENDPOINT}`)).toBeUndefined();
    expect(cloudTrailEventConsoleUrl(REGION, `${id}/../x`)).toBeUndefined();
    expect(cloudTrailEventConsoleUrl('us-east-1 @here', id)).toBeUndefined();
    expect(cloudTrailEndpointHistoryUrl(REGION, ENDPOINT)).toBe(
      `https://${REGION}.console.aws.amazon.com/cloudtrailv2/home?region=${REGION}#/events?ResourceName=${ENDPOINT}`,
    );
    expect(cloudTrailEndpointHistoryUrl(REGION, 'cvpn-endpoint-x&ResourceName=y')).toBeUndefined();
  });
});
