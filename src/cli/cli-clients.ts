import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { clientConfig, type AwsClientOptions } from '../aws/clients';

/** Clients only the CLI needs, kept out of the Lambda bundles; same timeouts and retries. */
export class CliClients {
  private readonly cache = new Map<string, CloudTrailClient | LambdaClient | SQSClient>();

  constructor(private readonly options: AwsClientOptions) {}

  private get<T extends CloudTrailClient | LambdaClient | SQSClient>(kind: string, region: string, make: () => T): T {
    const key = `${kind}/${region}`;
    const existing = this.cache.get(key) as T | undefined;
    if (existing) return existing;
    const client = make();
    this.cache.set(key, client);
    return client;
  }

  cloudtrail(region: string): CloudTrailClient {
    return this.get('cloudtrail', region, () => new CloudTrailClient(clientConfig(region, this.options)));
  }

  lambda(region: string): LambdaClient {
    return this.get('lambda', region, () => new LambdaClient(clientConfig(region, this.options)));
  }

  sqs(region: string): SQSClient {
    return this.get('sqs', region, () => new SQSClient(clientConfig(region, this.options)));
  }

  destroy(): void {
    for (const c of this.cache.values()) c.destroy();
    this.cache.clear();
  }
}
