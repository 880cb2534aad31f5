// Organizations' list calls, every page, through the SDK's paginators (one place for this service).
import { type Account, type OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';

/** Every account of the organization. */
export async function listAccounts(organizations: OrganizationsClient): Promise<Account[]> {
  const accounts: Account[] = [];
  for await (const page of paginateListAccounts({ client: organizations }, {}))
    accounts.push(...(page.Accounts ?? []));
  return accounts;
}
