/**
 * The scan's and the sweep's delivery reads (DescribeLogStreams, KMS, IAM), wired apart from
 * region-api.ts on purpose: the remediate Lambda's bundle never reaches this file, so its cold
 * start carries no KMS or IAM client (tests/package checks the bundles).
 */
import { IAMClient, clientVpnServiceRole, iamRegion } from '../aws/iam';
import { KMSClient, readKey } from '../aws/kms';
import { CloudWatchLogsClient, describeLogStreams } from '../aws/logs';
import type { AwsClientFactory } from '../aws/clients';
import type { AccountChecks, DeliveryApi, DeliveryDeps } from '../core/ports';
import { partitionForRegion } from '../domain/patterns';

export function deliveryApiFrom(clients: AwsClientFactory, region: string): DeliveryApi {
  return {
    describeLogStreams: (group, prefix, maxPages, beforePage) =>
      describeLogStreams(clients.get(CloudWatchLogsClient, region), group, prefix, maxPages, beforePage),
    readKey: (keyArn) => {
      // A key ARN names its own region; the group and its key are in the same one.
      const keyRegion = keyArn.split(':')[3] || region;
      return readKey(clients.get(KMSClient, keyRegion), keyArn);
    },
  };
}

/**
 * One GetRole per account per run. A warm sweep container lives across runs, so the answer is kept
 * for `ttlMs` only (shorter than any sweep schedule worth having, longer than one CLI scan of every
 * region); `firstReport` goes to the first caller after each fresh read.
 */
export function accountChecksFrom(
  clients: AwsClientFactory,
  homeRegion: () => string,
  now: () => number = Date.now,
  ttlMs = 10 * 60 * 1000,
): AccountChecks {
  const cache = new Map<string, { at: number; read: Promise<{ state: 'present' | 'missing' | 'unknown'; detail?: string }>; reported: boolean }>();
  return {
    async serviceLinkedRole(account) {
      let entry = cache.get(account);
      if (!entry || now() - entry.at > ttlMs) {
        const iam = clients.get(IAMClient, iamRegion(partitionForRegion(homeRegion())));
        const read = clientVpnServiceRole(iam).then((r) => (r.state === 'unknown' ? { state: r.state, detail: r.detail } : { state: r.state }));
        entry = { at: now(), read, reported: false };
        cache.set(account, entry);
        // A failed read is not kept: the next caller asks again.
        read.catch(() => cache.delete(account));
      }
      const answer = await entry.read;
      const firstReport = !entry.reported;
      entry.reported = true;
      return { ...answer, firstReport };
    },
  };
}

export function deliveryDepsFrom(clients: AwsClientFactory, homeRegion: () => string): DeliveryDeps {
  return { api: (region) => deliveryApiFrom(clients, region), account: accountChecksFrom(clients, homeRegion) };
}
