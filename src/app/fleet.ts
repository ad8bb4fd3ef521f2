/**
 * Central mode (CVPN_FLEET=central): which accounts the function guards, and the CoreDeps it acts
 * with in each member account (the member role's session, assumed once and reused).
 */
import type { AwsClientFactory } from '../aws/clients';
import { listAccounts, OrganizationsClient, type OrganizationAccount } from '../aws/organizations';
import { assumeRole, STSClient, type AssumedRole } from '../aws/sts';
import type { CoreDeps } from '../core/ports';
import { AwsCallError, ForeignAccountError } from '../domain/errors';
import type { CallerIdentity } from '../domain/identity';
import { ASSUMED_ROLE_ARN_PATTERN, partitionForRegion } from '../domain/patterns';
import { DEFAULT_MODIFY_BUCKET, type Settings } from '../domain/settings';
import { TokenBucketLimiter } from '../util/rate-limiter';
import { regionApiFrom } from './region-api';

/** What becomes of an event from `account`. */
export type AccountDecision =
  | { guard: 'central'; accountName?: string }
  | { guard: 'member'; accountName?: string; via: 'organization' | 'list' }
  | { guard: 'drop'; error: ForeignAccountError };

/**
 * A listing older than this is read again before it decides: an account suspended (or one that
 * left) since the container started must not be treated by a listing from hours ago.
 */
const LISTING_MAX_AGE_MS = 15 * 60_000;
/**
 * After a failed listing, names (not decisions) are not asked for again for this long: an
 * installation without Organizations access (CVPN_ACCOUNTS) would otherwise pay one refused call
 * per event.
 */
const NAME_RETRY_MS = 5 * 60_000;

const ORGANIZATION_OF_ARN = /^arn:[^:]+:organizations::\d{12}:account\/(o-[a-z0-9]+)\/\d{12}$/;

/** The organization the account's ARN names, if the ARN has the documented shape. */
export function organizationOfAccountArn(arn: string | undefined): string | undefined {
  return arn === undefined ? undefined : ORGANIZATION_OF_ARN.exec(arn)?.[1];
}

export interface AccountDirectoryOptions {
  /** Reads every account of the organization (organizations:ListAccounts, all pages). */
  load(): Promise<OrganizationAccount[]>;
  organizationId?: string;
  /** CVPN_ACCOUNTS: guarded whatever Organizations says (or without Organizations access). */
  listed?: readonly string[];
  now?: () => number;
}

/**
 * The organization's accounts, cached per container. A decision that the cached listing would
 * drop (an unknown account, one not ACTIVE) is made again on a fresh listing first: a drop loses
 * the event for good, while a listing costs one call per 20 accounts.
 */
export class AccountDirectory {
  private listing?: { at: number; byId: Map<string, OrganizationAccount> };
  private pending?: Promise<Map<string, OrganizationAccount>>;
  private failedAt?: number;
  private readonly listed: ReadonlySet<string>;
  private readonly now: () => number;

  constructor(private readonly options: AccountDirectoryOptions) {
    this.listed = new Set(options.listed ?? []);
    this.now = options.now ?? Date.now;
  }

  /**
   * Whether `account` is guarded. Throws `AwsCallError` when Organizations could not be read and
   * the account is neither the central one nor listed (the caller must not drop on a guess).
   */
  async decide(account: string, centralAccount: string): Promise<AccountDecision> {
    if (account === centralAccount) return { guard: 'central', accountName: await this.nameOf(account) };
    if (this.listed.has(account)) return { guard: 'member', via: 'list', accountName: await this.nameOf(account) };
    let byId = await this.fresh(false);
    let found = byId.get(account);
    if (found?.state !== 'ACTIVE') {
      byId = await this.fresh(true);
      found = byId.get(account);
    }
    const org = this.options.organizationId;
    const where = org ? `organization ${org}` : 'the organization';
    const notListed = this.listed.size > 0 ? ' and not listed in CVPN_ACCOUNTS' : ' (nor listed in CVPN_ACCOUNTS)';
    if (!found) {
      return drop(`account ${account} is not in ${where}${notListed}; nothing was assumed or changed`, 'not-in-organization');
    }
    const named = found.name ? ` (${found.name})` : '';
    if (found.state !== 'ACTIVE') {
      return drop(
        `account ${account}${named} is ${found.state} in ${where}; only ACTIVE accounts are guarded, nothing was assumed or changed`,
        'not-active',
      );
    }
    const ofArn = organizationOfAccountArn(found.arn);
    if (org && ofArn && ofArn !== org) {
      return drop(
        `account ${account}${named} belongs to organization ${ofArn}, not to ${org} (CVPN_ORGANIZATION_ID); nothing was assumed or changed`,
        'other-organization',
      );
    }
    return { guard: 'member', via: 'organization', ...(found.name ? { accountName: found.name } : {}) };
  }

  /** The ACTIVE accounts, from a listing at most LISTING_MAX_AGE_MS old. Throws `AwsCallError`. */
  async activeAccounts(): Promise<OrganizationAccount[]> {
    return [...(await this.fresh(false)).values()].filter((a) => a.state === 'ACTIVE');
  }

  /** The account's name, best effort: never throws, and never calls again soon after a refusal. */
  async nameOf(account: string): Promise<string | undefined> {
    const cached = this.listing?.byId.get(account);
    if (cached) return cached.name || undefined;
    if (this.listing || (this.failedAt !== undefined && this.now() - this.failedAt < NAME_RETRY_MS)) return undefined;
    try {
      return (await this.fresh(false)).get(account)?.name || undefined;
    } catch {
      return undefined;
    }
  }

  private fresh(force: boolean): Promise<Map<string, OrganizationAccount>> {
    const listing = this.listing;
    if (!force && listing && this.now() - listing.at < LISTING_MAX_AGE_MS) return Promise.resolve(listing.byId);
    // Concurrent events share one listing, whichever of them asked for it.
    this.pending ??= this.options
      .load()
      .then((accounts) => {
        const byId = new Map(accounts.map((a) => [a.id, a]));
        this.listing = { at: this.now(), byId };
        this.failedAt = undefined;
        return byId;
      })
      .catch((error: unknown) => {
        this.failedAt = this.now();
        throw error;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}

function drop(reason: string, kind: ForeignAccountError['kind']): AccountDecision {
  return { guard: 'drop', error: new ForeignAccountError(`The event is dropped: ${reason}`, { kind }) };
}

/** Credentials are taken again this long before they expire (the SDK asks again at the same margin). */
const RENEW_BEFORE_MS = 5 * 60_000;

export interface MemberSessionsOptions {
  /** The central account's own client factory (signs AssumeRole with the function's credentials). */
  clients: AwsClientFactory;
  roleName: string;
  sessionName: string;
  /** Where STS is asked (regional endpoint); the event's region when absent. */
  stsRegion?: string;
  now?: () => number;
}

/** The member role's ARN in `account`, in the partition of `region`. */
export function memberRoleArn(account: string, roleName: string, region: string): string {
  return `arn:${partitionForRegion(region)}:iam::${account}:role/${roleName}`;
}

/**
 * One member-role session per account, reused until five minutes before it expires, and one
 * client factory per account whose clients ask for the current session on their own.
 */
export class MemberSessions {
  private readonly sessions = new Map<string, { region: string; pending: Promise<AssumedRole>; expiresAt?: number }>();
  private readonly factories = new Map<string, AwsClientFactory>();
  private readonly now: () => number;
  private assumed = 0;

  constructor(private readonly options: MemberSessionsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** How many AssumeRole calls were made (the CLI's "one per account per run"). */
  get assumeCount(): number {
    return this.assumed;
  }

  /** The account's session, assumed on first use or near expiry. Throws `AwsCallError`. */
  session(account: string, region: string): Promise<AssumedRole> {
    const held = this.sessions.get(account);
    if (held && (held.expiresAt === undefined || held.expiresAt - RENEW_BEFORE_MS > this.now())) return held.pending;
    const stsRegion = this.options.stsRegion ?? held?.region ?? region;
    this.assumed++;
    const pending: Promise<AssumedRole> = assumeRole(this.options.clients.get(STSClient, stsRegion), {
      roleArn: memberRoleArn(account, this.options.roleName, stsRegion),
      sessionName: this.options.sessionName,
    }).then(
      (role) => {
        const entry = this.sessions.get(account);
        if (entry?.pending === pending) entry.expiresAt = role.credentials.expiration.getTime();
        return role;
      },
      (error: unknown) => {
        // A refusal is not cached: the next event (or Lambda's retry) asks again, once the role is deployed.
        if (this.sessions.get(account)?.pending === pending) this.sessions.delete(account);
        throw error;
      },
    );
    this.sessions.set(account, { region: stsRegion, pending });
    return pending;
  }

  /** The account's client factory, made once and reused across invocations. */
  clientsFor(account: string, region: string): AwsClientFactory {
    let factory = this.factories.get(account);
    if (!factory) {
      factory = this.options.clients.clientsFor(async () => (await this.session(account, region)).credentials);
      this.factories.set(account, factory);
    }
    return factory;
  }

  destroy(): void {
    for (const f of this.factories.values()) f.destroy();
    this.factories.clear();
  }
}

/** The identity a member session acts as, straight from AssumeRole's AssumedRoleUser. */
export function sessionIdentity(role: AssumedRole, account: string, keepRoleName: boolean): CallerIdentity {
  const m = ASSUMED_ROLE_ARN_PATTERN.exec(role.assumedRoleArn);
  return { account: m?.[2] ?? account, arn: role.assumedRoleArn, ...(keepRoleName && m?.[3] ? { roleName: m[3] } : {}) };
}

/** What the core needs to act in one member account, built once per account. */
export function memberCoreDeps(central: CoreDeps, sessions: MemberSessions, account: string, options: { keepRoleName: boolean }): CoreDeps {
  const apis = new Map<string, ReturnType<CoreDeps['api']>>();
  // Per account and region: EC2's mutating bucket is the member account's own in each region.
  const limiters = new Map<string, TokenBucketLimiter>();
  const bucket = central.settings.modifyBucket ?? DEFAULT_MODIFY_BUCKET;
  const { delivery: _delivery, ...shared } = central;
  return {
    ...shared,
    api: (region) => {
      let api = apis.get(region);
      if (!api) {
        api = regionApiFrom(sessions.clientsFor(account, region), region);
        apis.set(region, api);
      }
      return api;
    },
    identity: async (region) => sessionIdentity(await sessions.session(account, region), account, options.keepRoleName),
    modifyLimiter: (region) => {
      let limiter = limiters.get(region);
      if (!limiter) {
        limiter = new TokenBucketLimiter(bucket);
        limiters.set(region, limiter);
      }
      return limiter;
    },
    // The member role may not call LookupEvents: earlier fixes come from memory and the state table only.
    ...(central.repeat ? { repeat: { memory: central.repeat.memory } } : {}),
  };
}

export interface FleetOptions {
  settings: Settings;
  clients: AwsClientFactory;
  homeRegion?: string;
  sessionName: string;
  /** Whether the member role's own echo is skipped (the Lambda), as for the central role. */
  ignoreOwnRole: boolean;
  now?: () => number;
}

/** Central mode's state in one container: the account directory, the member sessions, their CoreDeps. */
export class Fleet {
  readonly directory: AccountDirectory;
  readonly sessions: MemberSessions;
  private readonly deps = new Map<string, CoreDeps>();

  constructor(private readonly options: FleetOptions) {
    const { settings, clients } = options;
    // Organizations is a global service with its endpoint in the partition's home region.
    const orgRegion = options.homeRegion ?? 'us-east-1';
    this.directory = new AccountDirectory({
      load: () => listAccounts(clients.get(OrganizationsClient, orgRegion)),
      organizationId: settings.organizationId,
      listed: settings.accounts,
      now: options.now,
    });
    this.sessions = new MemberSessions({
      clients,
      roleName: settings.memberRoleName,
      sessionName: options.sessionName,
      stsRegion: options.homeRegion,
      now: options.now,
    });
  }

  /** The CoreDeps of a member account (its session is assumed by the first call that needs it). */
  coreFor(central: CoreDeps, account: string): CoreDeps {
    let deps = this.deps.get(account);
    if (!deps) {
      deps = memberCoreDeps(central, this.sessions, account, { keepRoleName: this.options.ignoreOwnRole });
      this.deps.set(account, deps);
    }
    return deps;
  }

  roleArn(account: string, region: string): string {
    return memberRoleArn(account, this.options.settings.memberRoleName, this.options.homeRegion ?? region);
  }

  destroy(): void {
    this.sessions.destroy();
  }
}

/** The failed outcome's text when the member role can't be assumed: which account, which role, what to deploy. */
export function assumeRoleFailure(account: string, accountName: string | undefined, roleArn: string, error: AwsCallError): string {
  const named = accountName ? ` (${accountName})` : '';
  if (error.retryable) return `Could not assume ${roleArn} in account ${account}${named}: ${error.code}; it will be retried`;
  return (
    `Could not assume ${roleArn} in account ${account}${named}: ${error.code}. The member role is missing there or does not ` +
    'trust this function: deploy the member stack set to this account (its OU in targetOuIds, its region in regions); ' +
    'the management account never gets it from a service-managed stack set, so deploy deploy/member-template.json there ' +
    'by hand (README "Organization-wide"). Then redrive the event from the on-failure queue.'
  );
}
