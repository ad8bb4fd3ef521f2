import { AwsCallError } from '../domain/errors';
import { plainText } from '../util/plain-text';
import { isCredentialsError } from './credentials';

/** A region a command could not read at all. */
export interface RegionFailure {
  region: string;
  error: unknown;
}

/** AWS's code and message, without our operation prefix: the summary has little room. */
export function shortError(error: unknown): string {
  if (error instanceof AwsCallError) return `${error.code}: ${error.awsMessage}`;
  return error instanceof Error ? error.message : String(error);
}

export function longError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const NAMED_FAILURES = 3;

/**
 * ` (1 failed: eu-west-3: AccessDenied: ...)` for the summary line, so that a region that could not
 * be read is never counted as if it had nothing wrong in it; empty when every region was read.
 */
export function failedRegionsNote(failures: RegionFailure[]): string {
  if (failures.length === 0) return '';
  const named = failures.slice(0, NAMED_FAILURES).map((f) => `${f.region}: ${plainText(shortError(f.error), 120)}`);
  const more = failures.length > NAMED_FAILURES ? `; ${failures.length - NAMED_FAILURES} more` : '';
  return ` (${failures.length} failed: ${named.join('; ')}${more})`;
}

/** Credentials that went missing mid-run fail the whole run with one line, like at the start. */
export function rethrowCredentialFailure(failures: RegionFailure[]): void {
  const lost = failures.find((f) => f.error instanceof AwsCallError && isCredentialsError(f.error.code, f.error.awsMessage));
  if (lost) throw lost.error;
}

export const NO_TOPIC_NOTE = 'no alerts sent (no topic)';

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
