import { DescribeRegionsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { REGION_PATTERN } from '../app/config';
import { toAwsCallError } from '../domain/errors';

/** The regions enabled for this account (opt-in regions only once opted in). */
export async function enabledRegions(ec2: EC2Client): Promise<string[]> {
  try {
    const out = await ec2.send(new DescribeRegionsCommand({ AllRegions: false }));
    return (out.Regions ?? [])
      .filter((r) => r.OptInStatus !== 'not-opted-in')
      .map((r) => r.RegionName ?? '')
      .filter((name) => REGION_PATTERN.test(name))
      .sort();
  } catch (error) {
    throw toAwsCallError('DescribeRegions', error);
  }
}

/** Parses `--regions eu-west-1,us-east-1`; returns the bad names, if any. */
export function parseRegionList(text: string): { regions: string[]; invalid: string[] } {
  const names = [...new Set(text.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  return { regions: names.filter((n) => REGION_PATTERN.test(n)), invalid: names.filter((n) => !REGION_PATTERN.test(n)) };
}
