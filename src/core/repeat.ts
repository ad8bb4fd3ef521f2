import type { CallerIdentity } from '../domain/identity';
import type { RepeatedSwitchOff } from '../domain/outcome';
import type { LoggingEnabled } from '../domain/outcome';
import { DEFAULT_REPEAT_WINDOW_MS, detectRepeat, enablesFromCloudTrail, repeatKey, type RemediationMemory } from '../domain/repeat';

/** Where the core looks for an earlier fix of the same endpoint (see domain/repeat.ts). */
export interface RepeatSources {
  /** Keyed `<region>/<endpointId>`, like the core's serializer. */
  memory?: RemediationMemory;
  /**
   * CloudTrail records of ModifyClientVpnEndpoint calls in the region in [since, until); omitted
   * where CloudTrail is not wired, which leaves memory alone.
   */
  lookup?: (region: string, since: Date, until: Date) => Promise<unknown[]>;
  /** This process's identity, to tell our own re-enables from other people's. */
  self?: CallerIdentity;
  windowMs?: number;
  /**
   * Fixes kept in the state table (any container, any account sharing it). When it answers,
   * CloudTrail is not asked; when it fails, `onUnavailable` is told and CloudTrail is the fallback.
   */
  history?: (region: string, endpointId: string, since: Date) => Promise<LoggingEnabled[]>;
  onUnavailable?: () => void;
}

/**
 * Whether the switch-off of `endpointId` at `switchOffAt` repeats a recent fix: memory first
 * (free), CloudTrail when memory knows nothing. Never throws.
 */
export async function findRepeat(
  sources: RepeatSources,
  region: string,
  endpointId: string,
  switchOffAt: string,
): Promise<RepeatedSwitchOff | undefined> {
  const windowMs = sources.windowMs ?? DEFAULT_REPEAT_WINDOW_MS;
  const remembered = sources.memory?.enables(repeatKey(region, endpointId)) ?? [];
  const fromMemory = detectRepeat(remembered, switchOffAt, windowMs);
  if (fromMemory) return fromMemory;
  const off = Date.parse(switchOffAt);
  if (Number.isNaN(off)) return undefined;
  if (sources.history) {
    try {
      const stored = await sources.history(region, endpointId, new Date(off - windowMs));
      return detectRepeat([...remembered, ...stored], switchOffAt, windowMs);
    } catch {
      sources.onUnavailable?.();
    }
  }
  if (!sources.lookup) return undefined;
  try {
    const records = await sources.lookup(region, new Date(off - windowMs), new Date(off));
    return detectRepeat(enablesFromCloudTrail(records, endpointId, sources.self), switchOffAt, windowMs);
  } catch {
    return undefined;
  }
}
