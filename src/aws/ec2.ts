import {
  DescribeClientVpnEndpointsCommand,
  ModifyClientVpnEndpointCommand,
  type ClientVpnEndpoint,
  type EC2Client,
  type ModifyClientVpnEndpointCommandInput,
} from '@aws-sdk/client-ec2';
import { awsErrorCode, toAwsCallError } from '../domain/errors';
import type { LoggingState } from '../domain/outcome';

export interface EndpointState {
  endpointId: string;
  /** `pending-associate`, `available`, `deleting`, `deleted`, `pending`. */
  status: string;
  description?: string;
  logging: LoggingState;
  tags: Record<string, string>;
}

export const GONE_STATUSES: ReadonlySet<string> = new Set(['deleting', 'deleted']);

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
export async function describeEndpoint(
  ec2: EC2Client,
  endpointId: string,
): Promise<EndpointState | undefined> {
  try {
    const out = await ec2.send(
      new DescribeClientVpnEndpointsCommand({ ClientVpnEndpointIds: [endpointId] }),
    );
    const found = out.ClientVpnEndpoints?.find((e) => e.ClientVpnEndpointId === endpointId);
    return found ? endpointStateFrom(found) : undefined;
  } catch (error) {
    if (awsErrorCode(error) === 'InvalidClientVpnEndpointId.NotFound') return undefined;
    throw toAwsCallError('DescribeClientVpnEndpoints', error);
  }
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
