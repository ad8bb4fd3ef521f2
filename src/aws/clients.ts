import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { RetryStrategyV2 } from '@smithy/types';

export interface AwsClientOptions {
  /** Named profile from ~/.aws (CLI `--profile`); the default chain otherwise. */
  profile?: string;
  /** Overrides `AWS_ENDPOINT_URL` (tests point clients at the loopback stand-in). */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Tests swap in a strategy with the same semantics but no waiting. */
  retryStrategy?: RetryStrategyV2;
  maxAttempts?: number;
  /** Overrides of the timeouts below (fault tests use short ones). */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export interface RegionClients {
  ec2: EC2Client;
  logs: CloudWatchLogsClient;
  sts: STSClient;
  sns: SNSClient;
}

// A hung call must fail fast enough for the SDK to retry it, and for the whole chain to finish
// inside the function's timeout. Every call here answers in well under a second when AWS is well.
// The SDK's `standard` retry mode with its default 3 attempts is kept (full-jitter backoff from
// 100 ms, 500 ms after throttling): one call takes at most 3 x (2 s + 5 s) + ~3 s of backoff, about
// 24 s; the remediation's 5 calls in a row, plus the read-back re-checks, stay under the remediate
// function's 150 s timeout (serverless.yml) even if every one of them hangs.
const CONNECTION_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 5_000;

/**
 * Settings every client shares (timeouts, retries, profile, endpoint). Clients only some drivers
 * need (CloudTrail, Lambda, SQS for the CLI) are built from it where they are used, so the
 * Lambda bundle does not carry them.
 */
export function clientConfig(region: string, o: AwsClientOptions) {
  return {
    region,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: o.connectionTimeoutMs ?? CONNECTION_TIMEOUT_MS,
      requestTimeout: o.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    }),
    ...(o.profile ? { profile: o.profile } : {}),
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
    ...(o.retryStrategy ? { retryStrategy: o.retryStrategy } : {}),
    ...(o.maxAttempts ? { maxAttempts: o.maxAttempts } : {}),
  };
}

/**
 * The one place AWS clients are made. One set per region, created on first use and reused across
 * invocations of a warm Lambda container (keep-alive connections, cached credentials).
 */
export class AwsClientFactory {
  private readonly byRegion = new Map<string, RegionClients>();

  constructor(private readonly options: AwsClientOptions = {}) {}

  forRegion(region: string): RegionClients {
    let clients = this.byRegion.get(region);
    if (!clients) {
      clients = this.create(region);
      this.byRegion.set(region, clients);
    }
    return clients;
  }

  private create(region: string): RegionClients {
    const config = clientConfig(region, this.options);
    return {
      ec2: new EC2Client(config),
      logs: new CloudWatchLogsClient(config),
      sts: new STSClient(config),
      sns: new SNSClient(config),
    };
  }

  destroy(): void {
    for (const c of this.byRegion.values()) {
      c.ec2.destroy();
      c.logs.destroy();
      c.sts.destroy();
      c.sns.destroy();
    }
    this.byRegion.clear();
  }
}
