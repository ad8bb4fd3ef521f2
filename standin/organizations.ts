// AWS Organizations (JSON 1.1, X-Amz-Target: AWSOrganizationsV20161128.<Op>): ListAccounts and DescribeAccount over
// one organization. Global: the signing region is not looked at.

import { ApiError, decodeToken, encodeToken, type RequestContext } from './common';
import { optInt, optString, type JsonObject } from './json';

export const ORGANIZATIONS_TARGET_PREFIX = 'AWSOrganizationsV20161128.';

/** `Account.State` (AccountState in the service model). */
export type AccountStateName = 'PENDING_ACTIVATION' | 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED';

/**
 * Which of the two account fields answers carry. AWS retired `Status` on 2026-09-09 (service model note, see
 * organizations-list-accounts-awscli-example.source.txt): `state` is today's answer, `both` the 2025-2026 one
 * (the awscli samples), `status` the one before `State` existed (a 2024 recording has Status only).
 */
export type AccountFieldMode = 'state' | 'both' | 'status';

export interface OrgAccountState {
  id: string;
  name: string;
  email: string;
  state: AccountStateName;
  joinedMethod: 'INVITED' | 'CREATED';
  /** epoch ms */
  joinedTimestamp: number;
  /** OU ids between the root and the account, outermost first */
  ous: string[];
}

export interface OrgAccountSpec {
  name?: string;
  email?: string;
  state?: AccountStateName;
  joinedMethod?: 'INVITED' | 'CREATED';
  joinedTimestamp?: number;
  ous?: string[];
}

export interface OrganizationSpec {
  /** `o-` + 10-32 lowercase alphanumerics; default o-exampleorgid */
  id?: string;
  /** default: the stand-in's default account */
  managementAccountId?: string;
  /** member accounts registered as a delegated administrator (they may call ListAccounts/DescribeAccount) */
  delegatedAdministrators?: string[];
  rootId?: string;
  accountFields?: AccountFieldMode;
}

export interface OrganizationState {
  id: string;
  rootId: string;
  managementAccountId: string;
  delegatedAdministrators: Set<string>;
  accountFields: AccountFieldMode;
  /** in the order they joined (ListAccounts' order) */
  accounts: Map<string, OrgAccountState>;
}

export const ORG_ID_RE = /^o-[a-z0-9]{10,32}$/;
const ACCOUNT_ID_RE = /^\d{12}$/;
export const ACCOUNT_STATES: readonly AccountStateName[] = ['PENDING_ACTIVATION', 'ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED'];

/** ListAccounts returns at most 20 per page (API reference, MaxResults range 1-20). */
const MAX_PAGE = 20;

export function buildOrgAccount(id: string, spec: OrgAccountSpec, now: number): OrgAccountState {
  if (!ACCOUNT_ID_RE.test(id)) throw new Error(`standin: account id '${id}' is not 12 digits`);
  if (spec.state !== undefined && !ACCOUNT_STATES.includes(spec.state)) throw new Error(`standin: unknown account state '${spec.state as string}'`);
  return {
    id,
    name: spec.name ?? `Account ${id}`,
    email: spec.email ?? `aws+${id}@example.com`,
    state: spec.state ?? 'ACTIVE',
    joinedMethod: spec.joinedMethod ?? 'CREATED',
    joinedTimestamp: spec.joinedTimestamp ?? now,
    ous: [...(spec.ous ?? [])],
  };
}

/**
 * `Status` had no PENDING_ACTIVATION or CLOSED. A closed account showed SUSPENDED during its 90 days (AWS's
 * account-closure page); PENDING_ACTIVATION -> ACTIVE is our guess.
 */
function legacyStatus(state: AccountStateName): string {
  switch (state) {
    case 'CLOSED':
      return 'SUSPENDED';
    case 'PENDING_ACTIVATION':
      return 'ACTIVE';
    default:
      return state;
  }
}

function accountJson(org: OrganizationState, a: OrgAccountState): JsonObject {
  const out: JsonObject = {
    Id: a.id,
    Arn: `arn:aws:organizations::${org.managementAccountId}:account/${org.id}/${a.id}`,
    Email: a.email,
    Name: a.name,
  };
  if (org.accountFields !== 'status') out.State = a.state;
  if (org.accountFields !== 'state') out.Status = legacyStatus(a.state);
  out.Paths = [`${[org.id, org.rootId, ...a.ous, a.id].join('/')}/`];
  out.JoinedMethod = a.joinedMethod;
  // epoch seconds with milliseconds, as the awscli sample and a recorded answer show
  out.JoinedTimestamp = a.joinedTimestamp / 1000;
  return out;
}

export function organizationsErrorJson(err: ApiError): string {
  // Organizations' error shapes name the member `Message` (capital M); InvalidInputException adds `Reason`.
  return JSON.stringify({ __type: err.code, Message: err.message, ...err.fields });
}

/** Only the management account and delegated administrators may read the organization's accounts. */
function authorize(org: OrganizationState | undefined, caller: string): OrganizationState {
  if (org === undefined || (!org.accounts.has(caller) && caller !== org.managementAccountId)) {
    throw new ApiError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.', 404);
  }
  if (caller !== org.managementAccountId && !org.delegatedAdministrators.has(caller)) {
    throw new ApiError('AccessDeniedException', "You don't have permissions to access this resource.", 403);
  }
  return org;
}

function invalidInput(reason: string, message: string): ApiError {
  return new ApiError('InvalidInputException', message, 400, { Reason: reason });
}

export function handleOrganizations(ctx: RequestContext, input: JsonObject, org: OrganizationState | undefined): JsonObject {
  switch (ctx.action) {
    case 'ListAccounts': {
      const o = authorize(org, ctx.accountId);
      const max = optInt(input, 'MaxResults');
      if (max !== undefined && max < 1) throw invalidInput('MIN_VALUE_EXCEEDED', 'You provided a value that is below the minimum allowed (1) for MaxResults.');
      if (max !== undefined && max > MAX_PAGE) {
        throw invalidInput('MAX_VALUE_EXCEEDED', `You provided a value that exceeds the maximum allowed (${MAX_PAGE}) for MaxResults.`);
      }
      const token = optString(input, 'NextToken');
      let offset = 0;
      if (token !== undefined) {
        const decoded = decodeToken(token, `accounts:${o.id}`);
        if (decoded === undefined) throw invalidInput('INVALID_NEXT_TOKEN', 'The provided NextToken is not valid.');
        offset = decoded;
      }
      const all = [...o.accounts.values()];
      // Without MaxResults AWS still pages (and may return fewer than asked, even none): callers must follow NextToken.
      const page = all.slice(offset, offset + (max ?? MAX_PAGE));
      const out: JsonObject = { Accounts: page.map((a) => accountJson(o, a)) };
      const next = offset + page.length;
      if (next < all.length) out.NextToken = encodeToken(next, `accounts:${o.id}`);
      return out;
    }
    case 'DescribeAccount': {
      const o = authorize(org, ctx.accountId);
      const id = optString(input, 'AccountId');
      if (id === undefined) throw invalidInput('INPUT_REQUIRED', 'You must specify a value for AccountId.');
      if (!ACCOUNT_ID_RE.test(id)) throw invalidInput('INVALID_PATTERN', 'The parameter AccountId does not match the required pattern (12 digits).');
      const a = o.accounts.get(id);
      if (a === undefined) throw new ApiError('AccountNotFoundException', "You specified an account that doesn't exist.", 404);
      return { Account: accountJson(o, a) };
    }
    default:
      throw new ApiError('UnknownOperationException', `Operation ${ctx.action} is not supported by this stand-in.`);
  }
}
