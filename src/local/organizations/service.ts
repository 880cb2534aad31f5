// Organizations' ListAccounts on the local stack (`AWSOrganizationsV20161128.ListAccounts`, JSON
// 1.1): the stack's own account is the management account, and the organization's members are the
// accounts the stack knows (those holding a role, those with keys). Only the management account may
// list them, as on AWS (others: AccessDeniedException).
import { AWS_JSON_1_1, AwsServiceError, type LocalService, type RequestContext } from '../protocol.ts';

export class LocalOrganizations implements LocalService {
  readonly targetPrefix = 'AWSOrganizationsV20161128';
  readonly contentType = AWS_JSON_1_1;

  constructor(
    private readonly managementAccountId: string,
    private readonly memberAccounts: () => string[],
    private readonly joined: Date,
  ) {}

  async handle(operation: string, input: Record<string, unknown>, context: RequestContext): Promise<unknown> {
    if (operation !== 'ListAccounts') throw new AwsServiceError('UnknownOperationException');
    if (context.accountId !== this.managementAccountId) {
      throw new AwsServiceError(
        'AccessDeniedException',
        'You don\u2019t have permissions to access this resource.',
      );
    }
    const all = [...new Set([this.managementAccountId, ...this.memberAccounts()])].sort();
    const limit = typeof input.MaxResults === 'number' ? Math.max(1, Math.min(20, input.MaxResults)) : 20;
    const start = typeof input.NextToken === 'string' ? Number(input.NextToken) : 0;
    if (!Number.isInteger(start) || start < 0 || start > all.length) {
      throw new AwsServiceError('InvalidInputException', 'You provided an invalid value for NextToken.');
    }
    const page = all.slice(start, start + limit);
    const organizationId = `o-${this.managementAccountId.slice(0, 10)}`;
    return {
      Accounts: page.map((id) => ({
        Id: id,
        Arn: `arn:aws:organizations::${this.managementAccountId}:account/${organizationId}/${id}`,
        Email: `aws+${id}@example.com`,
        Name: id === this.managementAccountId ? 'management' : `member-${id}`,
        Status: 'ACTIVE',
        State: 'ACTIVE',
        JoinedMethod: id === this.managementAccountId ? 'CREATED' : 'INVITED',
        JoinedTimestamp: this.joined.getTime() / 1000,
      })),
      ...(start + limit < all.length ? { NextToken: String(start + limit) } : {}),
    };
  }
}
