/** A duration for people: "40 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** Seconds with one decimal, as the notifications show latencies: "8.4 s". */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
