/**
 * What the CLI commands ask of AWS beyond the core, over the runtime's one client factory: the
 * account's regions, CloudTrail history, the deployed function, the on-failure queue.
 */
import { CloudTrailClient, lookupClientVpnEvents, type LookupResult, type TimeWindow } from '../aws/cloudtrail';
import { EC2Client, enabledRegions } from '../aws/ec2';
import { invokeFunction, LambdaClient, type InvokeResult } from '../aws/lambda';
import { toAwsCallError } from '../aws/errors';
import { changeVisibility, deleteMessage, queueUrl, receiveMessages, SQSClient, type QueueMessage } from '../aws/sqs';
import { STSClient } from '../aws/sts';
import { scanRegion as scanWithCore, type RegionScan, type ScanOptions } from '../core/scan';
import { IntervalLimiter } from '../util/rate-limiter';
import { deliveryDepsFrom } from './delivery-api';
import { snapshotKey, type RegionSnapshot } from './process';
import type { Runtime } from './runtime';

export type { LookupResult, TimeWindow, InvokeResult, QueueMessage, RegionScan, ScanOptions };
export { scanTrigger, type ScanRow } from '../core/scan';

/** CloudTrail LookupEvents quota: 2 requests per second per account per region. */
const LOOKUP_PER_SECOND = 2;

/**
 * Resolves the credentials the clients will sign with (no AWS call for keys or a profile), so a
 * run without any fails once, up front, instead of once per region or event. Throws
 * `AwsCallError` (code `CredentialsProviderError` when the SDK found none).
 */
export async function checkCredentials(runtime: Runtime, region: string): Promise<void> {
  try {
    await runtime.clients.get(STSClient, region).config.credentials();
  } catch (error) {
    throw toAwsCallError('LoadCredentials', error);
  }
}

export function accountRegions(runtime: Runtime, askIn: string): Promise<string[]> {
  return enabledRegions(runtime.clients.get(EC2Client, askIn));
}

/** The delivery reads of each runtime, made once (their GetRole answer is shared by its regions). */
const deliveryByRuntime = new WeakMap<Runtime, ReturnType<typeof deliveryDepsFrom>>();

export function scanRegion(runtime: Runtime, region: string, options: ScanOptions): Promise<RegionScan> {
  let delivery = runtime.core.delivery ?? deliveryByRuntime.get(runtime);
  if (!delivery) {
    delivery = deliveryDepsFrom(runtime.clients, () => region);
    deliveryByRuntime.set(runtime, delivery);
  }
  return scanWithCore({ ...runtime.core, delivery }, region, options);
}

/**
 * Every endpoint of the region and the log groups of those logging, for `processEvent`: events for
 * endpoints that need nothing are then decided, retention included, without a read each (log
 * groups are read 50 names a call).
 */
export async function regionSnapshot(runtime: Runtime, region: string): Promise<RegionSnapshot> {
  const api = runtime.core.api(region);
  const { endpoints } = await api.listEndpoints();
  const names = [...new Set(endpoints.flatMap((e) => (e.logging.enabled && e.logging.logGroup ? [e.logging.logGroup] : [])))];
  const found = await api.describeLogGroups(names);
  return {
    endpoints: new Map(endpoints.map((e) => [snapshotKey(region, e.endpointId), e])),
    logGroups: new Map(names.map((name) => [name, found.get(name)])),
  };
}

/** The region's CloudTrail history of the calls that can switch logging off, paced to the quota. */
export function readHistory(
  runtime: Runtime,
  region: string,
  window: TimeWindow,
  onPage?: (progress: { region: string; pages: number; events: number }) => void,
): Promise<LookupResult> {
  return lookupClientVpnEvents(
    {
      cloudtrail: runtime.clients.get(CloudTrailClient, region),
      limiter: new IntervalLimiter(LOOKUP_PER_SECOND),
      // Real time, whatever the core's waits: throttling is waited out against AWS's clock.
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      onPage,
    },
    region,
    window,
  );
}

export function invokeDeployed(runtime: Runtime, region: string, functionName: string, event: unknown): Promise<InvokeResult> {
  return invokeFunction(runtime.clients.get(LambdaClient, region), functionName, event);
}

/** The remediate function's on-failure queue, as `redrive` works it. */
export class FailureQueue {
  private readonly sqs: SQSClient;

  constructor(
    runtime: Runtime,
    readonly region: string,
    readonly url: string,
  ) {
    this.sqs = runtime.clients.get(SQSClient, region);
  }

  static async find(runtime: Runtime, region: string, name: string): Promise<string | undefined> {
    return queueUrl(runtime.clients.get(SQSClient, region), name);
  }

  receive(max: number, visibilitySeconds: number): Promise<QueueMessage[]> {
    return receiveMessages(this.sqs, this.url, max, visibilitySeconds);
  }

  delete(message: QueueMessage): Promise<void> {
    return deleteMessage(this.sqs, this.url, message.receiptHandle);
  }

  /** Makes a kept message visible again at once. */
  release(message: QueueMessage): Promise<void> {
    return changeVisibility(this.sqs, this.url, message.receiptHandle, 0);
  }
}
