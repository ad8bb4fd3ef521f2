/** Bad flags or an unreadable input file: exit code 2, one clear line, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
