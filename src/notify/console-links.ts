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
 * - One CloudTrail event (CloudTrail console, event history):
 *   `/cloudtrailv2/home?region=<region>#/events/<eventId>`; the event history of one resource:
 *   `/cloudtrailv2/home?region=<region>#/events?ResourceName=<name>`. Not in AWS's documentation;
 *   both forms are the ones public tools build (several independent repositories, checked with
 *   the search tool), and a console that moved them would show the event history page instead.
 */

import {
  ACCOUNT_ID_PATTERN,
  ENDPOINT_ID_PATTERN,
  LOG_GROUP_NAME_PATTERN,
  REGION_PATTERN,
  partitionForRegion,
  type Partition,
} from '../domain/patterns';

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
  return consolePage(partition, region, endpointId, ENDPOINT_ID_PATTERN, page);
}

/** A CloudTrail event ID is a UUID; the IDs scans give their outcomes are not, and get no link. */
const CLOUDTRAIL_EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The CloudTrail event, by its ID, in the console's event history of its region. */
export function cloudTrailEventConsoleUrl(region: string, eventId: string, partition = partitionForRegion(region)): string | undefined {
  const page = (origin: string): string => `${origin}/cloudtrailv2/home?region=${region}#/events/${eventId}`;
  return consolePage(partition, region, eventId, CLOUDTRAIL_EVENT_ID, page);
}

/** The CloudTrail event history of the endpoint (every recorded call that names it). */
export function cloudTrailEndpointHistoryUrl(region: string, endpointId: string, partition = partitionForRegion(region)): string | undefined {
  const page = (origin: string): string => `${origin}/cloudtrailv2/home?region=${region}#/events?ResourceName=${endpointId}`;
  return consolePage(partition, region, endpointId, ENDPOINT_ID_PATTERN, page);
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
    !ENDPOINT_ID_PATTERN.test(endpointId)
  ) {
    return undefined;
  }
  return `arn:${partition}:ec2:${region}:${account}:client-vpn-endpoint/${endpointId}`;
}
