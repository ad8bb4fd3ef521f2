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
/** An IAM role name without a path: 1-64 of letters, digits and + = , . @ _ - (IAM API Reference, CreateRole). */
export const ROLE_NAME_PATTERN = /^[A-Za-z0-9+=,.@_-]{1,64}$/;
/** CloudWatch Logs: 1-512 characters of `[.\-_/#A-Za-z0-9]`. */
export const LOG_GROUP_NAME_PATTERN = /^[.\-_/#A-Za-z0-9]{1,512}$/;
/** Characters CloudWatch Logs allows in a log group name (length checked separately). */
export const LOG_GROUP_CHARS = /^[.\-_/#A-Za-z0-9]+$/;
/** An assumed-role session ARN: partition, account, role name, session name. */
export const ASSUMED_ROLE_ARN_PATTERN = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;
/** An IAM role ARN, path allowed: the last segment is the role's name. */
export const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/;
export const TOPIC_ARN_PATTERN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
/** A key ARN, not an alias: IAM can only scope KMS use to a key ARN. */
export const KMS_KEY_ARN_PATTERN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

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
