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
