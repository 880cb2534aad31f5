// `byok approvals`' options as commander parses them.
import type { ApprovalsEndpointOptions } from '../../approvals-options.ts';

export type ApprovalsListOptions = ApprovalsEndpointOptions;
