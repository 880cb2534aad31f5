// `byok rotate`'s options as commander parses them.
import type { ApprovalsEndpointOptions } from '../../approvals-options.ts';

export interface RotateOptions extends ApprovalsEndpointOptions {
  keyId: string;
  reason: string;
  wait?: boolean;
  pollInterval: number;
}
