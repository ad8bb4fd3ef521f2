import type { core } from 'zod/mini';

/** One line naming each problem by its path, e.g. `detail.eventName: expected ...; account: ...`. */
export function formatIssues(error: { issues: readonly core.$ZodIssue[] }, max = 4): string {
  const parts = error.issues.slice(0, max).map((issue) => {
    const path = issue.path.map(String).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  const more = error.issues.length - max;
  if (more > 0) parts.push(`and ${more} more problem${more === 1 ? '' : 's'}`);
  return parts.join('; ');
}
