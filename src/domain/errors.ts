/**
 * Typed errors. The core never decides whether to retry: it classifies, and each driver
 * (Lambda handler, CLI) maps the class to its own policy.
 *
 * Each class also names its constructor: the Lambda bundle is minified without keepNames, and
 * what reports an error by `constructor.name` (Lambda's runtime, `serverless invoke local`'s
 * "errorType") would otherwise show a mangled two-letter name.
 */

/** The input can never be processed: retrying cannot help, so drivers drop it with this message. */
export class InvalidEventError extends Error {
  static {
    Object.defineProperty(this, 'name', { value: 'InvalidEventError' });
  }
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

/**
 * Why an account is not guarded: another account than a single-account deployment's own; in
 * central mode, not in the organization, in it but not ACTIVE, or in another organization.
 */
export type ForeignAccountKind = 'other-account' | 'not-in-organization' | 'not-active' | 'other-organization';

/** A well-formed event from an account this deployment does not guard. */
export class ForeignAccountError extends InvalidEventError {
  static {
    Object.defineProperty(this, 'name', { value: 'ForeignAccountError' });
  }
  override readonly name = 'ForeignAccountError';
  readonly kind: ForeignAccountKind;
  constructor(message: string, options?: { cause?: unknown; kind?: ForeignAccountKind }) {
    super(message, options);
    this.kind = options?.kind ?? 'other-account';
  }
}

/** Configuration (environment, CLI flags) is unusable; raised at start-up, before any AWS call. */
export class ConfigError extends Error {
  static {
    Object.defineProperty(this, 'name', { value: 'ConfigError' });
  }
  override readonly name = 'ConfigError';
}

/** An AWS call failed after the SDK's own retries. */
export class AwsCallError extends Error {
  static {
    Object.defineProperty(this, 'name', { value: 'AwsCallError' });
  }
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
  static {
    Object.defineProperty(this, 'name', { value: 'RemediationFailedError' });
  }
  override readonly name = 'RemediationFailedError';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
