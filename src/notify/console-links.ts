/**
 * AWS console URLs and ARNs for what a notification talks about. Every part is validated
 * against the shape AWS gives it, and a function returns undefined rather than build a link
 * from anything else: a link in an alert must never point where user text says.
 *
 * Formats (checked against console links published in public repositories and docs):
 * - Console origin per partition: `https://<region>.console.aws.amazon.com` (aws),
 *   `https://<region>.console.amazonaws.cn` (aws-cn),
 *   `https://<region>.console.amazonaws-us-gov.com` (aws-us-gov).
 * - Client VPN endpoint details page (VPC console):
 *   `/vpc/home?region=<region>#ClientVPNEndpointDetails:clientVpnEndpointId=<id>`
 *   (the list page is `#ClientVPNEndpoints:`, which takes `search=`/`sort=` only).
 * - Log group page (CloudWatch console):
 *   `/cloudwatch/home?region=<region>#logsV2:log-groups/log-group/<name>`, where the name is
 *   URL-encoded twice with `$` in place of `%`: `/aws/clientvpn/x` -> `$252Faws$252Fclientvpn$252Fx`.
 */

export type Partition =
  | 'aws'
  | 'aws-cn'
  | 'aws-us-gov'
  | 'aws-iso'
  | 'aws-iso-b'
  | 'aws-iso-e'
  | 'aws-iso-f'
  | 'aws-eusc';

/** us-east-1, ap-northeast-1, us-gov-west-1, cn-north-1, us-isob-east-1, eusc-de-east-1. */
export const REGION_PATTERN = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
/** `cvpn-endpoint-` and 17 hex digits. */
export const CLIENT_VPN_ENDPOINT_ID_PATTERN = /^cvpn-endpoint-[0-9a-f]{17}$/;
/** CloudWatch Logs: 1-512 characters of `[.\-_/#A-Za-z0-9]`. */
export const LOG_GROUP_NAME_PATTERN = /^[.\-_/#A-Za-z0-9]{1,512}$/;
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

const PARTITION_BY_PREFIX: ReadonlyArray<readonly [string, Partition]> = [
  ['us-gov-', 'aws-us-gov'],
  ['cn-', 'aws-cn'],
  ['us-isob-', 'aws-iso-b'],
  ['us-isof-', 'aws-iso-f'],
  ['eu-isoe-', 'aws-iso-e'],
  ['us-iso-', 'aws-iso'],
  ['eusc-', 'aws-eusc'],
];

/** The partition a region belongs to (the commercial `aws` unless its prefix says otherwise). */
export function partitionForRegion(region: string): Partition {
  for (const [prefix, partition] of PARTITION_BY_PREFIX) {
    if (region.startsWith(prefix)) return partition;
  }
  return 'aws';
}

const CONSOLE_DOMAIN: Partial<Record<Partition, string>> = {
  aws: 'console.aws.amazon.com',
  'aws-cn': 'console.amazonaws.cn',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
};

/** `https://<region>.<console domain>`, or undefined for a partition without a public console we know. */
export function consoleOrigin(partition: Partition, region: string): string | undefined {
  const domain = CONSOLE_DOMAIN[partition];
  if (domain === undefined || !REGION_PATTERN.test(region)) return undefined;
  return `https://${region}.${domain}`;
}

/** A page of the console for `value`, built only when `value` has its AWS shape. */
function consolePage(
  partition: Partition,
  region: string,
  value: string,
  shape: RegExp,
  page: (origin: string) => string,
): string | undefined {
  const origin = consoleOrigin(partition, region);
  return origin === undefined || !shape.test(value) ? undefined : page(origin);
}

/** The endpoint's details page in the VPC console. */
export function clientVpnEndpointConsoleUrl(region: string, endpointId: string, partition = partitionForRegion(region)): string | undefined {
  const page = (origin: string): string =>
    `${origin}/vpc/home?region=${region}#ClientVPNEndpointDetails:clientVpnEndpointId=${endpointId}`;
  return consolePage(partition, region, endpointId, CLIENT_VPN_ENDPOINT_ID_PATTERN, page);
}

/**
 * The CloudWatch console's encoding of a value inside its `#logsV2:` fragment: URL-encoded twice,
 * then `%` written as `$` (so `/` is `$252F`, `#` is `$2523`).
 */
export function consoleFragmentEncode(value: string): string {
  return encodeURIComponent(encodeURIComponent(value)).replace(/%/g, '$');
}

/** The log group's page in the CloudWatch console. */
export function logGroupConsoleUrl(
  region: string,
  logGroupName: string,
  partition = partitionForRegion(region),
): string | undefined {
  // Encoded only once the name has its shape: encodeURIComponent throws on a lone surrogate.
  const page = (origin: string): string =>
    `${origin}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${consoleFragmentEncode(logGroupName)}`;
  return consolePage(partition, region, logGroupName, LOG_GROUP_NAME_PATTERN, page);
}

/**
 * `arn:<partition>:logs:<region>:<account>:log-group:<name>`: the form IAM policies and the
 * `ec2:CloudwatchLogGroupArn` condition key use (DescribeLogGroups' `arn` adds a trailing `:*`).
 * Returns undefined when a part does not have its AWS shape.
 */
export function logGroupArn(
  partition: Partition,
  region: string,
  account: string,
  name: string,
): string | undefined {
  if (!REGION_PATTERN.test(region) || !ACCOUNT_ID_PATTERN.test(account) || !LOG_GROUP_NAME_PATTERN.test(name)) {
    return undefined;
  }
  return `arn:${partition}:logs:${region}:${account}:log-group:${name}`;
}

/** `arn:<partition>:ec2:<region>:<account>:client-vpn-endpoint/<id>` (the IAM resource ARN). */
export function clientVpnEndpointArn(
  partition: Partition,
  region: string,
  account: string,
  endpointId: string,
): string | undefined {
  if (
    !REGION_PATTERN.test(region) ||
    !ACCOUNT_ID_PATTERN.test(account) ||
    !CLIENT_VPN_ENDPOINT_ID_PATTERN.test(endpointId)
  ) {
    return undefined;
  }
  return `arn:${partition}:ec2:${region}:${account}:client-vpn-endpoint/${endpointId}`;
}
