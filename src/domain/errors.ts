/**
 * Typed errors. The core never decides whether to retry: it classifies, and each driver
 * (Lambda handler, CLI) maps the class to its own policy.
 */

/** The input can never be processed: retrying cannot help, so drivers drop it with this message. */
export class InvalidEventError extends Error {
  override readonly name: string = 'InvalidEventError';
  /**
   * True for well-formed events this tool does not act on (another API call, a failed call):
   * a replayed CloudTrail export is full of them, and they are no one's mistake.
   */
  readonly irrelevant: boolean;
  constructor(message: string, options?: { cause?: unknown; irrelevant?: boolean }) {
    super(message, options);
    this.irrelevant = options?.irrelevant ?? false;
  }
}

/** A well-formed event from an account this deployment does not guard. */
export class ForeignAccountError extends InvalidEventError {
  override readonly name = 'ForeignAccountError';
}

/** Configuration (environment, CLI flags) is unusable; raised at start-up, before any AWS call. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** An AWS call failed after the SDK's own retries. */
export class AwsCallError extends Error {
  override readonly name = 'AwsCallError';
  constructor(
    readonly operation: string,
    readonly code: string,
    /** AWS's own message, without our prefix. */
    readonly awsMessage: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(`${operation} failed: ${code}: ${awsMessage}`, options);
  }
}

/**
 * Thrown by the Lambda handler to fail the invocation, so Lambda retries the event and finally
 * parks it in the on-failure queue.
 */
export class RemediationFailedError extends Error {
  override readonly name = 'RemediationFailedError';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

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
