/**
 * Scanning many accounts (the central-mode sweep, `scan --org` / `--accounts`): each account
 * through its member role (the central account with its own credentials), its regions at once,
 * a bounded number of accounts at once.
 */
import { EC2Client, enabledRegions } from '../aws/ec2';
import { scanRegion as scanWithCore, type RegionScan, type ScanOptions } from '../core/scan';
import type { CoreDeps } from '../core/ports';
import { AwsCallError } from '../domain/errors';
import type { RemediationOutcome } from '../domain/outcome';
import { mapLimited } from '../util/concurrency';
import type { Fleet } from './fleet';
import { scanRegion } from './services';
import type { Runtime } from './runtime';

export interface AccountTarget {
  id: string;
  name?: string;
}

export interface AccountRegionScan {
  region: string;
  scan?: RegionScan;
  error?: unknown;
}

export interface AccountScan {
  account: string;
  accountName?: string;
  /** The member role could not be assumed (or the account's regions not listed): nothing was scanned. */
  error?: AwsCallError;
  /** The role that was (or could not be) assumed; absent for the central account. */
  roleArn?: string;
  regions: AccountRegionScan[];
}

export interface AccountsScanOptions {
  /** The regions to scan in every account; absent: each account's enabled regions (DescribeRegions in `askIn`). */
  regions?: readonly string[];
  /** Where STS and DescribeRegions are asked. */
  askIn: string;
  /** Accounts scanned at once (each also scans its regions at once). */
  concurrency: number;
  scan: ScanOptions;
  onAccountDone?(done: number, total: number, scanned: AccountScan): void;
}

/**
 * Accounts in flight at once. Each account's regions run together (their EC2 buckets are separate,
 * and each account has its own); this bounds the sockets and the STS calls in flight, not any
 * per-account quota: STS allows 600 requests per second per account, and every account is
 * assumed once.
 */
export const ACCOUNT_CONCURRENCY = 8;

function isCentral(target: AccountTarget, central: string): boolean {
  return target.id === central;
}

/** Scans every target account; an account that can't be entered is reported, the others go on. Never throws for one account. */
export async function scanAccounts(
  runtime: Runtime,
  fleet: Fleet,
  targets: readonly AccountTarget[],
  options: AccountsScanOptions,
): Promise<AccountScan[]> {
  const central = (await runtime.core.identity(options.askIn)).account;
  let done = 0;
  return mapLimited([...targets], options.concurrency, async (target): Promise<AccountScan> => {
    const scanned = await scanAccount(runtime, fleet, central, target, options);
    done++;
    options.onAccountDone?.(done, targets.length, scanned);
    return scanned;
  });
}

async function scanAccount(
  runtime: Runtime,
  fleet: Fleet,
  central: string,
  target: AccountTarget,
  options: AccountsScanOptions,
): Promise<AccountScan> {
  const base: AccountScan = { account: target.id, ...(target.name ? { accountName: target.name } : {}), regions: [] };
  const own = isCentral(target, central);
  const clients = own ? runtime.clients : fleet.sessions.clientsFor(target.id, options.askIn);
  let deps: CoreDeps | undefined;
  let regions: readonly string[];
  try {
    if (!own) {
      base.roleArn = fleet.roleArn(target.id, options.askIn);
      await fleet.sessions.session(target.id, options.askIn);
      deps = fleet.coreFor(runtime.core, target.id);
    }
    regions = options.regions ?? (await enabledRegions(clients.get(EC2Client, options.askIn)));
  } catch (error) {
    if (!(error instanceof AwsCallError)) throw error;
    return { ...base, error };
  }
  const named = (o: RemediationOutcome): RemediationOutcome => (target.name ? { ...o, accountName: target.name } : o);
  const scanOptions: ScanOptions = {
    ...options.scan,
    ...(options.scan.onOutcome ? { onOutcome: (o) => options.scan.onOutcome?.(named(o)) ?? Promise.resolve() } : {}),
  };
  base.regions = await Promise.all(
    regions.map(async (region): Promise<AccountRegionScan> => {
      try {
        // The central account gets the full delivery checks; the member role may read log groups but not
        // streams, keys or IAM, so member accounts are judged on logging, group, retention and key ARN.
        const scan = deps ? await scanWithCore(deps, region, scanOptions) : await scanRegion(runtime, region, scanOptions);
        return { region, scan: { ...scan, rows: scan.rows.map((r) => (r.outcome ? { ...r, outcome: named(r.outcome) } : r)) } };
      } catch (error) {
        return { region, error };
      }
    }),
  );
  return base;
}

/**
 * Every ACTIVE account of the organization and every account of CVPN_ACCOUNTS, the central one
 * first, each once. Throws `AwsCallError` when the organization can't be read and no account is listed.
 */
export async function guardedAccounts(fleet: Fleet, central: string, listed: readonly string[] = []): Promise<AccountTarget[]> {
  const byId = new Map<string, AccountTarget>();
  byId.set(central, { id: central });
  let active: AccountTarget[] = [];
  try {
    active = (await fleet.directory.activeAccounts()).map((a) => ({ id: a.id, ...(a.name ? { name: a.name } : {}) }));
  } catch (error) {
    if (listed.length === 0) throw error;
  }
  for (const a of active) byId.set(a.id, a);
  for (const id of listed) if (!byId.has(id)) byId.set(id, { id });
  return [...byId.values()];
}
