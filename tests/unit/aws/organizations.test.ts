// The account-state rule of the Organizations wrapper: `State` first, the retired `Status` only when `State` is absent.

import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { accountStateOf, listActiveAccounts } from '../../../src/aws/organizations';

describe('accountStateOf', () => {
  it('reads State', () => {
    expect(accountStateOf({ State: 'SUSPENDED' })).toBe('SUSPENDED');
  });
  it('falls back to Status only when State is absent', () => {
    expect(accountStateOf({ Status: 'SUSPENDED' })).toBe('SUSPENDED');
    expect(accountStateOf({ Status: 'ACTIVE' })).toBe('ACTIVE');
  });
  it('lets State win when the two disagree (a closed account showed SUSPENDED in Status)', () => {
    expect(accountStateOf({ State: 'CLOSED', Status: 'SUSPENDED' })).toBe('CLOSED');
    expect(accountStateOf({ State: 'PENDING_ACTIVATION', Status: 'ACTIVE' })).toBe('PENDING_ACTIVATION');
  });
  it('says UNKNOWN when neither is there', () => {
    expect(accountStateOf({})).toBe('UNKNOWN');
  });
});

describe('listActiveAccounts', () => {
  const mock = mockClient(OrganizationsClient);
  afterEach(() => mock.reset());

  it('keeps ACTIVE accounts only, by State or else Status, across pages', async () => {
    mock
      .on(ListAccountsCommand, { NextToken: undefined })
      .resolves({
        Accounts: [
          { Id: '111111111111', Name: 'a', State: 'ACTIVE', Status: 'ACTIVE' },
          { Id: '222222222222', Name: 'b', State: 'CLOSED', Status: 'SUSPENDED' },
          { Id: '333333333333', Name: 'c', State: 'PENDING_ACTIVATION', Status: 'ACTIVE' },
        ],
        NextToken: 'p2',
      })
      .on(ListAccountsCommand, { NextToken: 'p2' })
      .resolves({ Accounts: [{ Id: '444444444444', Name: 'd', Status: 'ACTIVE' }, { Id: '555555555555', Name: 'e', Status: 'SUSPENDED' }] });
    const active = await listActiveAccounts(new OrganizationsClient({ region: 'us-east-1' }));
    expect(active).toEqual([
      { id: '111111111111', name: 'a', state: 'ACTIVE' },
      { id: '444444444444', name: 'd', state: 'ACTIVE' },
    ]);
  });
});
