import {
  DescribeClientVpnEndpointsCommand,
  DescribeRegionsCommand,
  EC2Client,
  ModifyClientVpnEndpointCommand,
  type ClientVpnEndpoint,
  type ModifyClientVpnEndpointCommandInput,
} from '@aws-sdk/client-ec2';
import type { EndpointState } from '../domain/endpoint';
import { REGION_PATTERN } from '../domain/patterns';
import { awsErrorCode, toAwsCallError } from './errors';

export { EC2Client };

export function endpointStateFrom(endpoint: ClientVpnEndpoint): EndpointState {
  const options = endpoint.ConnectionLogOptions;
  const tags: Record<string, string> = {};
  for (const tag of endpoint.Tags ?? []) {
    if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
  }
  return {
    endpointId: endpoint.ClientVpnEndpointId ?? '',
    status: endpoint.Status?.Code ?? 'unknown',
    description: endpoint.Description || undefined,
    logging: {
      enabled: options?.Enabled === true,
      logGroup: options?.CloudwatchLogGroup || undefined,
      logStream: options?.CloudwatchLogStream || undefined,
    },
    tags,
  };
}

/** The endpoint as AWS sees it now, or `undefined` when it does not exist (any more). */
export async function describeEndpoint(ec2: EC2Client, endpointId: string): Promise<EndpointState | undefined> {
  try {
    const out = await ec2.send(new DescribeClientVpnEndpointsCommand({ ClientVpnEndpointIds: [endpointId] }));
    const found = out.ClientVpnEndpoints?.find((e) => e.ClientVpnEndpointId === endpointId);
    return found ? endpointStateFrom(found) : undefined;
  } catch (error) {
    if (awsErrorCode(error) === 'InvalidClientVpnEndpointId.NotFound') return undefined;
    throw toAwsCallError('DescribeClientVpnEndpoints', error);
  }
}

/** Large pages: one call lists up to 1000 endpoints (the API's maximum). */
const PAGE_SIZE = 1000;

/** Every endpoint of the region, every page; `onPage` after each. */
export async function listEndpoints(
  ec2: EC2Client,
  onPage: (pages: number, endpoints: number) => void = () => undefined,
): Promise<{ endpoints: EndpointState[]; pages: number }> {
  const endpoints: EndpointState[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    try {
      const page = await ec2.send(new DescribeClientVpnEndpointsCommand({ MaxResults: PAGE_SIZE, NextToken: nextToken }));
      for (const e of page.ClientVpnEndpoints ?? []) endpoints.push(endpointStateFrom(e));
      nextToken = page.NextToken;
    } catch (error) {
      throw toAwsCallError('DescribeClientVpnEndpoints', error);
    }
    pages++;
    onPage(pages, endpoints.length);
  } while (nextToken);
  return { endpoints, pages };
}

/**
 * The one write this tool makes to an endpoint. Nothing but the ID and `ConnectionLogOptions` is
 * sent: any other field (DNS servers above all) resets every connected client's session.
 */
export function enableLoggingRequest(
  endpointId: string,
  logGroup: string,
  logStream: string | undefined,
): ModifyClientVpnEndpointCommandInput {
  return {
    ClientVpnEndpointId: endpointId,
    ConnectionLogOptions: {
      Enabled: true,
      CloudwatchLogGroup: logGroup,
      ...(logStream ? { CloudwatchLogStream: logStream } : {}),
    },
  };
}

export async function enableConnectionLogging(
  ec2: EC2Client,
  endpointId: string,
  logGroup: string,
  logStream: string | undefined,
): Promise<void> {
  try {
    await ec2.send(new ModifyClientVpnEndpointCommand(enableLoggingRequest(endpointId, logGroup, logStream)));
  } catch (error) {
    throw toAwsCallError('ModifyClientVpnEndpoint', error);
  }
}

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
