import { AwsClientFactory, type AwsClientOptions } from '../aws/clients';
import { DEFAULT_MODIFY_BUCKET, type Settings } from './config';
import { toAwsCallError } from '../domain/errors';
import { parseTriggerEvent } from '../domain/event';
import { cachedIdentity, fetchCallerIdentity, type CallerIdentity } from '../domain/identity';
import { PublishCommand } from '@aws-sdk/client-sns';
import { buildNotification, snsPublishInput } from '../notify';
import { NOTIFIABLE_ACTIONS, type RemediationOutcome } from '../domain/outcome';
import type { EndpointState } from '../aws/ec2';
import { remediateEndpoint, type CoreDeps } from '../core/remediate';
import { TokenBucketLimiter } from '../util/rate-limiter';
import { KeyedSerializer } from '../util/serialize';
import { cloudTrailLookup, RemediationMemory } from '../domain/repeat';

/** Everything one driver (Lambda container, CLI run) needs, built once and reused. */
export interface Runtime {
  settings: Settings;
  clients: AwsClientFactory;
  core: CoreDeps;
  /** Closes every client the runtime made. */
  close(): void;
}

export interface RuntimeOptions {
  settings: Settings;
  /**
   * Region for the identity lookup (the Lambda's own region, or the CLI's `--region`); without
   * one, the first event's region is used.
   */
  homeRegion?: string;
  clientOptions?: AwsClientOptions;
  /**
   * Whether events caused by this process's own role are skipped. True for the Lambda; false for
   * the CLI, whose operator's role is not the remediator's.
   */
  ignoreOwnRole: boolean;
  /**
   * Whether fight detection may ask CloudTrail for earlier fixes (one LookupEvents call when this
   * process remembers none). The Lambda does; the CLI does not, since replay already spends the
   * 2 requests/second quota and remembers its own fixes.
   */
  repeatLookup?: boolean;
  overrides?: Partial<Pick<CoreDeps, 'now' | 'sleep' | 'verifyDelaysMs' | 'propagationDelaysMs'>>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createRuntime(options: RuntimeOptions): Runtime {
  const clients = new AwsClientFactory(options.clientOptions);
  const limiters = new Map<string, TokenBucketLimiter>();
  const bucket = options.settings.modifyBucket ?? DEFAULT_MODIFY_BUCKET;
  const identity = cachedIdentity(async (eventRegion): Promise<CallerIdentity> => {
    const id = await fetchCallerIdentity(clients.forRegion(options.homeRegion ?? eventRegion).sts);
    return options.ignoreOwnRole ? id : { ...id, roleName: undefined };
  });
  const trail = options.repeatLookup ? cloudTrailLookup(options.clientOptions ?? {}) : undefined;
  return {
    settings: options.settings,
    clients,
    close: () => {
      clients.destroy();
      trail?.destroy();
    },
    core: {
      settings: options.settings,
      clientsFor: (region) => clients.forRegion(region),
      identity,
      now: () => new Date(),
      sleep,
      serializer: new KeyedSerializer(),
      repeat: { memory: new RemediationMemory(), lookup: trail?.lookup },
      modifyLimiter: (region) => {
        let limiter = limiters.get(region);
        if (!limiter) {
          limiter = new TokenBucketLimiter(bucket);
          limiters.set(region, limiter);
        }
        return limiter;
      },
      ...options.overrides,
    },
  };
}

/** Parses and remediates one event. Throws `InvalidEventError` for input that can't be processed. */
export async function processEvent(
  runtime: Runtime,
  event: unknown,
  snapshot?: ReadonlyMap<string, EndpointState>,
): Promise<RemediationOutcome> {
  const trigger = parseTriggerEvent(event);
  return remediateEndpoint(runtime.core, trigger, { knownState: snapshot?.get(snapshotKey(trigger.region, trigger.endpointId)) });
}

export const snapshotKey = (region: string, endpointId: string): string => `${region}/${endpointId}`;

export function shouldNotify(outcome: RemediationOutcome): boolean {
  return NOTIFIABLE_ACTIONS.has(outcome.action);
}

/**
 * Publishes the outcome's notification to the configured topic (in the topic's own region).
 * Returns the SNS message ID, or undefined when there is nothing to say or nowhere to say it.
 */
export async function notifyOutcome(
  runtime: Runtime,
  outcome: RemediationOutcome,
): Promise<string | undefined> {
  const topicArn = runtime.settings.topicArn;
  if (!topicArn || !shouldNotify(outcome)) return undefined;
  const topicRegion = topicArn.split(':')[3] ?? outcome.region;
  const notification = buildNotification(outcome, {
    retentionDays: runtime.settings.retentionDays,
    kmsKeyArn: runtime.settings.kmsKeyArn,
  });
  try {
    // Stand-in until src/aws/sns.ts owns the call.
    const sent = await runtime.clients.forRegion(topicRegion).sns.send(new PublishCommand(snsPublishInput(topicArn, notification)));
    return sent.MessageId ?? '';
  } catch (error) {
    throw toAwsCallError('Publish', error);
  }
}

/**
 * The outcome as it may be written to logs: no session names (often a person's email), no
 * user-written descriptions. Never log the raw event: it holds access key IDs and source IPs.
 */
export function loggableOutcome(outcome: RemediationOutcome): Record<string, unknown> {
  const { description: _description, actor, ...rest } = outcome;
  return { ...rest, actor: { type: actor.type, arn: actor.arn, invokedBy: actor.invokedBy } };
}
