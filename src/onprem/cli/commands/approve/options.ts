// `byok approve`'s options as commander parses them.
import type { ApprovalsEndpointOptions } from '../../approvals-options.ts';

export interface ApproveOptions extends ApprovalsEndpointOptions {
  reason: string;
}
