import type { Runtime } from '../app/runtime';
import { accountRegions } from '../app/services';
import { REGION_PATTERN } from '../domain/patterns';
import { UsageError } from './usage-error';

/** `--regions a,b`, `--regions all` (the account's enabled regions), or the home region alone. */
export async function resolveRegions(spec: string | undefined, home: string | undefined, runtime: Runtime): Promise<string[]> {
  if (spec === undefined) {
    if (!home) throw new UsageError('no region: pass --regions, --region or set AWS_REGION');
    return [home];
  }
  if (spec.trim() === 'all') {
    if (!home) throw new UsageError('--regions all needs a region to ask from: pass --region or set AWS_REGION');
    return accountRegions(runtime, home);
  }
  const { regions, invalid } = parseRegionList(spec);
  if (invalid.length > 0) throw new UsageError(`--regions: not region names: ${invalid.join(', ')}`);
  if (regions.length === 0) throw new UsageError('--regions needs a list such as eu-west-1,us-east-1, or all');
  return regions;
}

/** Parses `--regions eu-west-1,us-east-1`; returns the bad names, if any. */
export function parseRegionList(text: string): { regions: string[]; invalid: string[] } {
  const names = [...new Set(text.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  return { regions: names.filter((n) => REGION_PATTERN.test(n)), invalid: names.filter((n) => !REGION_PATTERN.test(n)) };
}
