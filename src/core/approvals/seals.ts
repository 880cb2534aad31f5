// What makes the approvals table trustworthy even to someone who can write to it or read it:
// every fact the rotation relies on (who asked, how many approvals, which execution serves the
// request, each vote) carries a seal, a MAC only the approvals API can make; and the task token is
// stored locked, so that only the approvals API can use it. The workflow verifies the seals before
// it counts a vote, so a vote written straight into the table counts for nothing, and a token read
// from the table closes no task.
//
// Deployed: the seal is KMS GenerateMac/VerifyMac with an HMAC key (only the approvals API role may
// GenerateMac; the workflow's roles may VerifyMac), the token is KMS Encrypt/Decrypt under a
// symmetric key with the request id as encryption context (OpenApproval may Encrypt, only the
// approvals API role may Decrypt); each function gets only its own capabilities (approvalKeysWith;
// the KMS calls live in functions/commons/approval-key-*.ts, one command per module, so each
// Lambda's bundle and role hold only what it uses). Locally: HMAC-SHA-256 and AES-256-GCM under keys derived from
// one secret that lives in the local stack's process (or its state directory), never in the table.
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { ApprovalKeyUnavailableError } from './errors.ts';

/** Makes and checks seals over canonical payloads. */
export interface ApprovalSealPort {
  seal(payload: string): Promise<string>;
  /** False for a missing, malformed or wrong seal; never throws for a bad seal. */
  verify(payload: string, seal: string | undefined): Promise<boolean>;
}

/** Locks the task token for one request; only the approvals API can unlock it. */
export interface TaskTokenVaultPort {
  lock(taskToken: string, requestId: string): Promise<string>;
  unlock(locked: string, requestId: string): Promise<string>;
}

export interface ApprovalKeys {
  seals: ApprovalSealPort;
  vault: TaskTokenVaultPort;
}

/** The canonical form every seal is made over: a JSON array, so fields cannot run into each other. */
export function sealPayload(
  kind: 'request' | 'execution' | 'vote',
  fields: ReadonlyArray<string | number>,
): string {
  return JSON.stringify(['byok-approvals-v1', kind, ...fields]);
}

/** Local keys (HMAC-SHA-256 seals, AES-256-GCM token lock) derived from one 32-byte secret. */
export function localApprovalKeys(secret: Uint8Array = randomBytes(32)): ApprovalKeys {
  if (secret.length < 32) throw new RangeError('the local approvals secret must be at least 32 bytes');
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, 32));
  const macKey = derive('byok approvals seal');
  const tokenKey = derive('byok approvals task token');
  const mac = (payload: string) => createHmac('sha256', macKey).update(payload).digest();
  return {
    seals: {
      async seal(payload) {
        return mac(payload).toString('base64');
      },
      async verify(payload, seal) {
        if (!seal) return false;
        const given = Buffer.from(seal, 'base64');
        const expected = mac(payload);
        return given.length === expected.length && timingSafeEqual(given, expected);
      },
    },
    vault: {
      async lock(taskToken, requestId) {
        const iv = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', tokenKey, iv);
        cipher.setAAD(Buffer.from(requestId));
        const body = Buffer.concat([cipher.update(taskToken, 'utf8'), cipher.final()]);
        return `local1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
      },
      async unlock(locked, requestId) {
        if (!locked.startsWith('local1:')) throw new TypeError('not a locally locked task token');
        const bytes = Buffer.from(locked.slice('local1:'.length), 'base64');
        const decipher = createDecipheriv('aes-256-gcm', tokenKey, bytes.subarray(0, 12));
        decipher.setAAD(Buffer.from(requestId));
        decipher.setAuthTag(bytes.subarray(12, 28));
        return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
      },
    },
  };
}

/** The keys of this process, for stores built without explicit keys (fails closed across processes). */
let processKeys: ApprovalKeys | undefined;
export function processApprovalKeys(): ApprovalKeys {
  processKeys ??= localApprovalKeys();
  return processKeys;
}

/** One capability each: what a deployed function may do with the approvals keys. */
export interface ApprovalKeyCapabilities {
  seal?: ApprovalSealPort['seal'];
  verify?: ApprovalSealPort['verify'];
  lock?: TaskTokenVaultPort['lock'];
  unlock?: TaskTokenVaultPort['unlock'];
}

/** The keys of a role holding only `capabilities`; any other use is ApprovalKeyUnavailableError. */
export function approvalKeysWith(role: string, capabilities: ApprovalKeyCapabilities): ApprovalKeys {
  const missing = (what: string) => () => Promise.reject(new ApprovalKeyUnavailableError(role, what));
  return {
    seals: {
      seal: capabilities.seal ?? missing('seal approval facts'),
      verify: capabilities.verify ?? missing('verify approval seals'),
    },
    vault: {
      lock: capabilities.lock ?? missing('lock task tokens'),
      unlock: capabilities.unlock ?? missing('unlock task tokens'),
    },
  };
}
