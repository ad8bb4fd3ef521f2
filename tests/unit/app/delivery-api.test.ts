import { describe, expect, it } from 'vitest';
import { IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { AwsClientFactory } from '../../../src/aws/clients';
import { accountChecksFrom } from '../../../src/app/delivery-api';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('service-linked role check: once per account per run', () => {
  it('reads once, reports to the first caller only, and reads again after the TTL', async () => {
    const iam = mockClient(IAMClient);
    iam.on(GetRoleCommand).rejects(Object.assign(new Error('The role with name AWSServiceRoleForClientVPN cannot be found.'), { name: 'NoSuchEntityException', $metadata: { httpStatusCode: 404 } }));
    let now = 0;
    const checks = accountChecksFrom(new AwsClientFactory({ credentials }), () => 'eu-west-1', () => now, 1000);
    const answers = await Promise.all([checks.serviceLinkedRole('111111111111'), checks.serviceLinkedRole('111111111111')]);
    expect(answers).toEqual([
      { state: 'missing', firstReport: true },
      { state: 'missing', firstReport: false },
    ]);
    expect(iam.commandCalls(GetRoleCommand)).toHaveLength(1);
    expect(iam.commandCalls(GetRoleCommand)[0]?.args[0].input).toEqual({ RoleName: 'AWSServiceRoleForClientVPN' });
    now = 2000;
    expect(await checks.serviceLinkedRole('111111111111')).toEqual({ state: 'missing', firstReport: true });
    expect(iam.commandCalls(GetRoleCommand)).toHaveLength(2);
    iam.restore();
  });

  it('a refused read is unknown, said plainly', async () => {
    const iam = mockClient(IAMClient);
    iam.on(GetRoleCommand).rejects(Object.assign(new Error('not authorized to perform: iam:GetRole'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const checks = accountChecksFrom(new AwsClientFactory({ credentials }), () => 'eu-west-1');
    expect(await checks.serviceLinkedRole('111111111111')).toEqual({
      state: 'unknown',
      detail: 'no permission to read the role (iam:GetRole AccessDenied)',
      firstReport: true,
    });
    iam.restore();
  });
});
