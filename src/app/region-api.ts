import { CloudWatchLogsClient, createLogGroup, describeLogGroups, setRetention } from '../aws/logs';
import { describeEndpoint, EC2Client, enableConnectionLogging, listEndpoints } from '../aws/ec2';
import type { AwsClientFactory } from '../aws/clients';
import type { RegionApi } from '../core/ports';

/** The core's view of one region, backed by the real EC2 and CloudWatch Logs clients. */
export function regionApi(ec2: EC2Client, logs: CloudWatchLogsClient): RegionApi {
  return {
    describeEndpoint: (endpointId) => describeEndpoint(ec2, endpointId),
    listEndpoints: (onPage) => listEndpoints(ec2, onPage),
    enableConnectionLogging: (endpointId, logGroup, logStream) => enableConnectionLogging(ec2, endpointId, logGroup, logStream),
    createLogGroup: (name, options) => createLogGroup(logs, name, options),
    setRetention: (name, days) => setRetention(logs, name, days),
    describeLogGroups: (names) => describeLogGroups(logs, names),
  };
}

export function regionApiFrom(clients: AwsClientFactory, region: string): RegionApi {
  return regionApi(clients.get(EC2Client, region), clients.get(CloudWatchLogsClient, region));
}
