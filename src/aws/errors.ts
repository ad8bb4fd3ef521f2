/**
 * The one place an SDK error becomes an {@link AwsCallError}: every wrapper in src/aws converts
 * what it catches here, so the rest of the code sees AWS failures only as typed errors carrying
 * the code and whether a retry can help.
 */
import { AwsCallError } from '../domain/errors';

const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
]);

// Errors AWS documents as transient even though they come back with a 4xx status.
const TRANSIENT_CLIENT_CODES = new Set([
  'OperationAbortedException', // CloudWatch Logs: a concurrent change to the same group
  'IncorrectState',
  'RequestExpired', // clock skew right after a container thaw; the SDK re-signs on retry
  'IDPCommunicationError',
]);

const NETWORK_ERROR_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
]);

const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

interface AwsLikeError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The AWS error code as the SDK surfaces it (`error.name`), or a network error code. */
export function awsErrorCode(error: unknown): string {
  if (!isObject(error)) return 'UnknownError';
  const e = error as AwsLikeError;
  if (typeof e.code === 'string' && NETWORK_ERROR_CODES.has(e.code)) return e.code;
  if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
  if (typeof e.code === 'string') return e.code;
  return 'UnknownError';
}

export function awsErrorMessage(error: unknown): string {
  if (isObject(error) && typeof error.message === 'string' && error.message.length > 0) {
    return error.message;
  }
  return String(error);
}

/**
 * True when the same call may succeed later: throttling, 5xx, timeouts, dropped connections.
 * Access denied, invalid parameters and KMS key problems need a person, not a retry.
 */
export function isRetryableAwsError(error: unknown): boolean {
  if (!isObject(error)) return false;
  const e = error as AwsLikeError;
  const code = awsErrorCode(error);
  if (THROTTLING_CODES.has(code) || TRANSIENT_CLIENT_CODES.has(code)) return true;
  if (NETWORK_ERROR_NAMES.has(code) || NETWORK_ERROR_CODES.has(code)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number') return status >= 500 || status === 429;
  // An SDK error with metadata but no status never got an answer from AWS.
  if (isObject(e.$metadata)) return true;
  return isObject(e.$retryable);
}

/** Wraps any error from an AWS call into an {@link AwsCallError} carrying the code and retry class. */
export function toAwsCallError(operation: string, error: unknown): AwsCallError {
  if (error instanceof AwsCallError) return error;
  return new AwsCallError(
    operation,
    awsErrorCode(error),
    awsErrorMessage(error),
    isRetryableAwsError(error),
    { cause: error },
  );
}
