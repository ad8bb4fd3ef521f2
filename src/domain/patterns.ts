/**
 * The shapes AWS gives its identifiers: the one place they are written down. Every boundary
 * (events, settings, CLI flags, alert text) checks against these, so a value that matches one can
 * be trusted as what it claims to be, and one that does not is treated as free text.
 */

/**
 * Region names of every partition: us-east-1, ap-northeast-1, us-gov-west-1, cn-north-1,
 * us-isob-east-1, eu-isoe-west-1, eusc-de-east-1 (the AWS European Sovereign Cloud).
 */
export const REGION_PATTERN = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
/** `cvpn-endpoint-` and 17 hex digits. */
export const ENDPOINT_ID_PATTERN = /^cvpn-endpoint-[0-9a-f]{17}$/;
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** An AWS Organizations organization ID (Organizations API Reference, Organization.Id). */
export const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;
/**
 * An Organizations account name shown as trusted (subjects, titles, filter attributes). AWS allows
 * 1-50 printable ASCII characters; this admits the usual ones and leaves out what chat or mail
 * markup could read (`<>&*_~` and backquotes): other names are shown only as user text.
 */
export const ACCOUNT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 .+,@()-]{0,49}$/;
/**
 * An IAM role name without a path: 1-64 of letters, digits and + = , . @ _ - (IAM API Reference,
 * CreateRole): IAM's name alphabet below, written out because deploy/vars.cjs checks the same.
 */
export const ROLE_NAME_PATTERN = /^[A-Za-z0-9+=,.@_-]{1,64}$/;
/** CloudWatch Logs: 1-512 characters of `[.\-_/#A-Za-z0-9]`. */
export const LOG_GROUP_NAME_PATTERN = /^[.\-_/#A-Za-z0-9]{1,512}$/;
/** Characters CloudWatch Logs allows in a log group name (length checked separately). */
export const LOG_GROUP_CHARS = /^[.\-_/#A-Za-z0-9]+$/;
/** An assumed-role session ARN: partition, account, role name, session name. */
export const ASSUMED_ROLE_ARN_PATTERN = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;
/** An IAM role ARN, path allowed: the last segment is the role's name. */
export const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/;
/** An EventBridge event bus ARN (as the member template's CentralEventBusArn parameter takes it). */
export const EVENT_BUS_ARN_PATTERN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[A-Za-z0-9._-]{1,256}$/;
/** An EventBridge rule name: 1-64 of letters, digits, `.`, `-`, `_` (EventBridge API Reference, PutRule). */
export const RULE_NAME_PATTERN = /^[.\-_A-Za-z0-9]{1,64}$/;
export const TOPIC_ARN_PATTERN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
/** A key ARN, not an alias: IAM can only scope KMS use to a key ARN. */
export const KMS_KEY_ARN_PATTERN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/** The partitions as ARNs spell them (see {@link Partition}); nothing else passes for one. */
const PARTITION = 'aws(?:-cn|-us-gov|-iso(?:-[bef])?|-eusc)?';

/**
 * IAM's name alphabet (`[\w+=,.@-]`), shared by user, role and session names: no space, markup,
 * colon or slash. Such a name can still read as a domain or an email address
 * (`jane.doe@example.com` is a valid session name), which is why the email renderer still checks
 * each identifier for links (notify/sanitize.ts `linkFree`).
 */
const IAM_NAME = '[\\w+=,.@-]';
/** An STS role session name (`RoleSessionName`): 2-64 characters of IAM's alphabet. */
export const ROLE_SESSION_NAME_PATTERN = new RegExp(`^${IAM_NAME}{2,64}$`);
/**
 * An IAM user or role, an STS assumed-role or federated-user session, or the root user. Stricter
 * than IAM (which allows any printable ASCII in paths): every segment is a name of IAM's alphabet,
 * so a value that matches holds no markup, space or scheme.
 */
export const PRINCIPAL_ARN_PATTERN = new RegExp(
  `^(?=.{1,2048}$)arn:${PARTITION}:(?:iam::\\d{12}:(?:root|(?:user|role)(?:/${IAM_NAME}{1,64})+)|` +
    `sts::\\d{12}:(?:assumed-role|federated-user)(?:/${IAM_NAME}{1,64})+)$`,
);
/** An AWS service principal as CloudTrail's `invokedBy` names it: `sso.amazonaws.com`. */
export const SERVICE_PRINCIPAL_PATTERN = /^[a-z0-9-]{1,64}(?:\.[a-z0-9-]{1,64}){0,4}\.amazonaws\.com(?:\.cn)?$/;
/**
 * A CloudTrail event ID is a UUID; the pattern takes any of its characters (letters, digits,
 * hyphens), which also covers the IDs scans give their outcomes (`scan-<time>-<endpoint>`).
 * Nothing in it can be markup or a link.
 */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9-]{1,128}$/;
/**
 * CloudTrail's `sourceIPAddress` when it is an address: dotted IPv4, or IPv6 (hex groups and
 * colons, an IPv4 tail allowed). It may also be a service name (`ec2.amazonaws.com`, see
 * {@link SERVICE_PRINCIPAL_PATTERN}) or `AWS Internal`, which this does not match.
 */
export const SOURCE_IP_PATTERN =
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$|^(?=.*:)(?=.{2,45}$)[0-9A-Fa-f:]*(?::(?:\d{1,3}\.){3}\d{1,3})?$/;
/** A CloudTrail `eventName`: an API action. */
export const EVENT_NAME_PATTERN = /^[A-Za-z]{1,64}$/;
export const ISO_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
/**
 * AWS and Node error codes: `UnauthorizedOperation`, `Client.InvalidParameterValue`,
 * `InvalidClientVpnEndpointId.NotFound`, `ECONNRESET`. Each dotted part starts with a capital, so
 * a lower-case host name such as `www.evil.example` does not pass for a code.
 */
export const ERROR_CODE_PATTERN = /^(?=.{1,100}$)[A-Z][A-Za-z0-9_]*(?:\.[A-Z][A-Za-z0-9_]*)*$/;
export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
/** One of cvpn-log-guard's own step names (`ensure-log-group`). */
export const STEP_PATTERN = /^[a-z-]{1,40}$/;

export type Partition =
  | 'aws'
  | 'aws-cn'
  | 'aws-us-gov'
  | 'aws-iso'
  | 'aws-iso-b'
  | 'aws-iso-e'
  | 'aws-iso-f'
  | 'aws-eusc';

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
