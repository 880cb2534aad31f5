// The `byok hsm ...` commands' options as commander parses them. Types only: register.ts declares
// them and action.ts receives them.
import type { HsmKeyType } from '../../../../core/hsm/port.ts';

export interface HsmInitOptions {
  token: 'nss' | 'softhsm';
}

export interface HsmCreateKeyOptions {
  label: string;
  type: HsmKeyType;
}

export interface HsmImportKeyOptions extends HsmCreateKeyOptions {
  /** Raw bytes for AES/HMAC; PKCS#8 DER or PEM for RSA/EC; mode 0600. */
  file: string;
}

export interface HsmListOptions {
  output?: 'table' | 'json' | undefined;
  capabilities?: boolean;
  /**
   * The local stack (or approvals API URL) whose rotation requests and executions say which
   * rotation keys abandoned requests left (orphans).
   */
  endpoint?: string | undefined;
  region?: string | undefined;
  profile?: string | undefined;
}
