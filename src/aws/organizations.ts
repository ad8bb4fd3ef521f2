import { DescribeAccountCommand, ListAccountsCommand, OrganizationsClient, type Account } from '@aws-sdk/client-organizations';
import { toAwsCallError } from './errors';

export { OrganizationsClient };

/** One account of the organization, as this project needs it. */
export interface OrganizationAccount {
  id: string;
  name: string;
  /** `State` (ACTIVE, SUSPENDED, PENDING_CLOSURE, PENDING_ACTIVATION, CLOSED), or the legacy `Status`; 'UNKNOWN' if neither */
  state: string;
  /** `arn:<partition>:organizations::<management>:account/<organization>/<id>`, when the answer carries it */
  arn?: string;
}

/**
 * The account's state. AWS retired `Status` on 2026-09-09 in favour of `State`; both existed for a year, and
 * older answers carry `Status` only. `State` wins whenever it is present, even when `Status` disagrees
 * (`Status` has no CLOSED: a closed account showed SUSPENDED there).
 */
export function accountStateOf(account: Pick<Account, 'State' | 'Status'>): string {
  return account.State ?? account.Status ?? 'UNKNOWN';
}

function toAccount(a: Account): OrganizationAccount {
  return { id: a.Id ?? '', name: a.Name ?? '', state: accountStateOf(a), ...(a.Arn ? { arn: a.Arn } : {}) };
}

/** The largest page ListAccounts returns. */
const PAGE_SIZE = 20;

/**
 * Every account of the organization, every page. Only the management account or a delegated administrator may
 * call it: others get `AccessDeniedException`, accounts outside any organization `AWSOrganizationsNotInUseException`
 * (both arrive as AwsCallError with that code).
 */
export async function listAccounts(organizations: OrganizationsClient): Promise<OrganizationAccount[]> {
  const accounts: OrganizationAccount[] = [];
  let nextToken: string | undefined;
  do {
    try {
      const page = await organizations.send(new ListAccountsCommand({ MaxResults: PAGE_SIZE, NextToken: nextToken }));
      for (const a of page.Accounts ?? []) if (a.Id) accounts.push(toAccount(a));
      nextToken = page.NextToken;
    } catch (error) {
      throw toAwsCallError('ListAccounts', error);
    }
  } while (nextToken);
  return accounts;
}

/** The accounts whose state is ACTIVE: the only ones there is anything to guard in. */
export async function listActiveAccounts(organizations: OrganizationsClient): Promise<OrganizationAccount[]> {
  return (await listAccounts(organizations)).filter((a) => a.state === 'ACTIVE');
}

/** One account, or `undefined` when the organization has no such account (`AccountNotFoundException`). */
export async function describeAccount(organizations: OrganizationsClient, accountId: string): Promise<OrganizationAccount | undefined> {
  try {
    const out = await organizations.send(new DescribeAccountCommand({ AccountId: accountId }));
    return out.Account ? toAccount(out.Account) : undefined;
  } catch (error) {
    const converted = toAwsCallError('DescribeAccount', error);
    if (converted.code === 'AccountNotFoundException') return undefined;
    throw converted;
  }
}
