export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Index of the run whose value is the median (the lower one for an even count). */
export function medianIndex(values: readonly number[]): number {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  return order[Math.floor((order.length - 1) / 2)]?.[1] ?? 0;
}

export const ms = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : '-');
export const s = (v: number): string => (Number.isFinite(v) ? `${(v / 1000).toFixed(2)} s` : '-');
export const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;
