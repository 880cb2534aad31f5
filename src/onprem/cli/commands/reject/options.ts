// `byok reject`'s options as commander parses them.
import type { ApprovalsEndpointOptions } from '../../approvals-options.ts';

export interface RejectOptions extends ApprovalsEndpointOptions {
  reason: string;
}
