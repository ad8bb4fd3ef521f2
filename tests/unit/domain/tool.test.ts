// The tool behind a call, from CloudTrail's userAgent: IaC tools embed SDK names, so they are
// checked first. The agents are the ones each tool documents or its issue tracker shows.
import { describe, expect, it } from 'vitest';
import { classifyTool } from '../../../src/domain/actor';
import { templateFight } from '../../../src/domain/repeat';

describe('classifyTool', () => {
  it.each([
    ['console.ec2.amazonaws.com', 'console'],
    ['aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.amzn.2', 'aws-cli'],
    ['aws-sdk-js/3.936.0 ua/2.1 os/linux lang/js md/nodejs#22.11.0 api/ec2#3.936.0', 'sdk'],
    ['cloudformation.amazonaws.com', 'cloudformation'],
    [
      'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 aws-sdk-go-v2/1.32.6',
      'terraform',
    ],
    // pulumi/pulumi-aws#1604 and pulumi/pulumi-aws-native#54.
    ['APN/1.0 Pulumi/1.0 Pulumi-Aws/4.17.0 (+https://www.pulumi.com) aws-sdk-go/1.40.20 (go1.16.4; darwin; amd64)', 'pulumi'],
    ['aws-sdk-go-v2/1.7.1 os/macos lang/go/1.16.6 APN/1.0 Pulumi/3.9.1 PulumiAwsNative/0.0.2', 'pulumi'],
    [undefined, 'other'],
  ] as const)('%s: %s', (ua, tool) => {
    expect(classifyTool(ua)).toBe(tool);
  });

  it('Pulumi is infrastructure as code: its program sets logging off, and a refresh or an update sets it again', () => {
    expect(templateFight('pulumi')).toMatchObject({ resource: 'aws.ec2.ClientVpnEndpoint', offSetting: 'connectionLogOptions: { enabled: false }' });
    expect(templateFight('pulumi')?.next).toContain('refreshes or updates this endpoint');
  });
});
