import type { Actor, ToolKind } from './outcome';
import { ASSUMED_ROLE_ARN_PATTERN, ROLE_ARN_PATTERN } from './patterns';

export interface UserIdentity {
  type?: string;
  arn?: string;
  accountId?: string;
  invokedBy?: string;
  sessionContext?: { sessionIssuer?: { arn?: string; userName?: string } };
}

/**
 * Who made the call. For assumed roles the role is the accountable principal (the session name is
 * often a person's email, or a Lambda's function name); IAM users have an empty `sessionIssuer`.
 */
export function actorFromIdentity(identity: UserIdentity | undefined): Actor {
  const type = identity?.type ?? 'Unknown';
  if (!identity) return { type };
  if (type === 'AWSService') {
    return { type, invokedBy: identity.invokedBy };
  }
  const sessionArn = identity.arn?.match(ASSUMED_ROLE_ARN_PATTERN);
  if (sessionArn) {
    const [, partition, account, roleName, sessionName] = sessionArn;
    const issuerArn = identity.sessionContext?.sessionIssuer?.arn;
    return {
      type,
      // The issuer ARN keeps the role's path; the session ARN drops it.
      arn: issuerArn ?? `arn:${partition}:iam::${account}:role/${roleName}`,
      sessionArn: identity.arn,
      sessionName,
    };
  }
  return {
    type,
    arn: identity.arn ?? identity.sessionContext?.sessionIssuer?.arn,
    invokedBy: identity.invokedBy,
  };
}

/** A role's name from its ARN, ignoring its path. */
export function roleNameFromArn(arn: string): string | undefined {
  const m = arn.match(ROLE_ARN_PATTERN);
  return m?.[1];
}

/** The tool behind a call, from CloudTrail's `userAgent`. Order matters: IaC tools embed SDK names. */
export function classifyTool(userAgent: string | undefined): ToolKind {
  if (!userAgent) return 'other';
  const ua = userAgent.toLowerCase();
  if (ua.includes('cloudformation')) return 'cloudformation';
  // Pulumi's AWS providers send `APN/1.0 Pulumi/1.0 Pulumi-Aws/...` (pulumi/pulumi-aws#1604) or
  // `... PulumiAwsNative/...`; being built on Terraform's provider, some versions sent Terraform's
  // agent instead (pulumi/pulumi-aws#2190), which reads as Terraform here.
  if (ua.includes('pulumi')) return 'pulumi';
  if (ua.includes('terraform') || ua.includes('hashicorp')) return 'terraform';
  if (/(^|\.)console\.(ec2\.)?amazonaws\.com|^console\.|^mozilla\//.test(ua)) return 'console';
  if (ua.startsWith('aws-cli/') || ua.includes(' aws-cli/')) return 'aws-cli';
  if (/aws-sdk-|boto3\/|botocore\//.test(ua)) return 'sdk';
  return 'other';
}
