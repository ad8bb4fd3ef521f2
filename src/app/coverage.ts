/**
 * `coverage` wired to AWS: which accounts to check (Organizations, or a list), one AssumeRole per member account,
 * and the EventBridge and CloudTrail reads of each account through its own client factory.
 */
import type { AwsClientFactory } from '../aws/clients';
import { CloudTrailClient, describeTrails, trailIsLogging } from '../aws/cloudtrail';
import { EventBridgeClient, readRule } from '../aws/eventbridge';
import { listAccounts, OrganizationsClient } from '../aws/organizations';
import { assumeRole, STSClient } from '../aws/sts';
import {
  checkCoverage,
  type CoverageAccount,
  type CoverageReader,
  type CoverageRequest,
  type CoverageRow,
  type SkippedAccount,
} from '../core/coverage';
import type { CallerIdentity } from '../domain/identity';
import { TokenBucketLimiter } from '../util/rate-limiter';
import type { Runtime } from './runtime';

export {
  gapsOf,
  summarize,
  type Check,
  type CheckStatus,
  type CoverageAccount,
  type CoverageRow,
  type CoverageSummary,
  type Gap,
  type SkippedAccount,
} from '../core/coverage';

/** How the member sessions show in the members' CloudTrail. */
export const COVERAGE_SESSION_NAME = 'cvpn-log-guard-coverage';

export interface CoverageTargets {
  caller: CallerIdentity;
  accounts: CoverageAccount[];
  skipped: SkippedAccount[];
}

/**
 * The accounts to check. `org`: every account of the organization (ListAccounts, from the management account or a
 * delegated administrator), ACTIVE ones checked, the others skipped; a list: those accounts as given, without any
 * Organizations call (installations without Organizations access). The caller's own account is read with its own
 * credentials.
 */
export async function coverageTargets(runtime: Runtime, home: string, spec: { org: true } | { accounts: string[] }): Promise<CoverageTargets> {
  const caller = await runtime.core.identity(home);
  if (!('org' in spec)) {
    return { caller, accounts: spec.accounts.map((id) => ({ id, self: id === caller.account })), skipped: [] };
  }
  const all = await listAccounts(runtime.clients.get(OrganizationsClient, home));
  const accounts: CoverageAccount[] = [];
  const skipped: SkippedAccount[] = [];
  for (const a of all) {
    const named = a.name !== '' ? { name: a.name } : {};
    if (a.state === 'ACTIVE') accounts.push({ id: a.id, ...named, self: a.id === caller.account });
    else skipped.push({ id: a.id, ...named, state: a.state });
  }
  return { caller, accounts, skipped };
}

function readerOf(clients: AwsClientFactory): CoverageReader {
  return {
    readRule: (region, name) => readRule(clients.get(EventBridgeClient, region), name),
    describeTrails: (region) => describeTrails(clients.get(CloudTrailClient, region)),
    trailLogging: (region, arn) => trailIsLogging(clients.get(CloudTrailClient, region), arn),
  };
}

function partitionOf(arn: string): string {
  return /^arn:(aws[a-z-]*):/.exec(arn)?.[1] ?? 'aws';
}

export interface CoverageRun extends Omit<CoverageRequest, 'accounts'> {
  targets: CoverageTargets;
  /** where STS is asked (regional STS: the home region) */
  stsRegion: string;
  onAccountDone?(account: CoverageAccount): void;
}

/** Runs the check; member sessions live only for the run (their clients are closed at the end). */
export async function runCoverage(runtime: Runtime, run: CoverageRun): Promise<CoverageRow[]> {
  const partition = partitionOf(run.targets.caller.arn);
  const memberClients: AwsClientFactory[] = [];
  try {
    return await checkCoverage(
      {
        readerFor: async (account) => {
          if (account.self) return readerOf(runtime.clients);
          const assumed = await assumeRole(runtime.clients.get(STSClient, run.stsRegion), {
            roleArn: `arn:${partition}:iam::${account.id}:role/${run.roleName}`,
            sessionName: COVERAGE_SESSION_NAME,
          });
          const clients = runtime.clients.clientsFor(assumed.credentials);
          memberClients.push(clients);
          return readerOf(clients);
        },
        limiter: (perSecond) => new TokenBucketLimiter({ capacity: perSecond, refillPerSecond: perSecond }),
        onAccountDone: (account) => run.onAccountDone?.(account),
      },
      { accounts: run.targets.accounts, regions: run.regions, roleName: run.roleName, ruleName: run.ruleName, centralBusArn: run.centralBusArn },
    );
  } finally {
    for (const c of memberClients) c.destroy();
  }
}
