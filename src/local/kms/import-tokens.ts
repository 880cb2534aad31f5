// Import parameters: RSA wrapping key pairs come from a small pre-generated pool (KMS answers
// GetParametersForImport in ~100 ms; generating RSA-4096 takes seconds), and the import token is
// an AES-256-GCM sealed blob holding the key it belongs to, the wrapping choice, its expiry and the
// wrapping private key. Tokens are therefore self-contained: any number stay valid at once, until
// they expire, and they survive a restart when the sealing key comes from the state dir.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  generateKeyPair,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { AwsServiceError } from '../protocol.ts';
import { type RsaWrappingKeySpec, rsaBits, WRAPPING_ALGORITHMS, type WrappingAlgorithm } from './spec.ts';

export interface WrappingKeyPair {
  privateKey: KeyObject;
  /** SubjectPublicKeyInfo DER, what GetParametersForImport returns. */
  publicKeyDer: Buffer;
  privateKeyDer: Buffer;
}

export type PoolSizes = Partial<Record<RsaWrappingKeySpec, number>>;

const DEFAULT_POOL_SIZES: Record<RsaWrappingKeySpec, number> = { RSA_2048: 2, RSA_3072: 1, RSA_4096: 1 };

function generateWrappingKeyPair(spec: RsaWrappingKeySpec): Promise<WrappingKeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair(
      'rsa',
      { modulusLength: rsaBits(spec), publicExponent: 0x10001 },
      (error, publicKey, privateKey) => {
        if (error) {
          reject(error);
          return;
        }
        resolve({
          privateKey,
          publicKeyDer: publicKey.export({ format: 'der', type: 'spki' }),
          privateKeyDer: privateKey.export({ format: 'der', type: 'pkcs8' }),
        });
      },
    );
  });
}

/**
 * Fresh key pairs are handed out while the pool has them and refilled in the background; when a
 * burst drains it, the most recent pair is handed out again rather than generating on the request
 * path. Only the first request for a spec ever waits for a generation.
 *
 * With `distinct`, closer to AWS (where each GetParametersForImport gets its own wrapping key), two
 * calls in a row never get the same pair: a drained pool hands out the pair before the last one
 * (it keeps two in stock, and waits for a generation only while it has handed out fewer than two).
 * A caller that sends one call's token with a blob wrapped under the next call's public key then
 * fails as it would on AWS (InvalidCiphertextException), instead of passing by chance.
 */
export class WrappingKeyPool {
  private readonly sizes: Record<RsaWrappingKeySpec, number>;
  private readonly distinct: boolean;
  private readonly fresh = new Map<RsaWrappingKeySpec, WrappingKeyPair[]>();
  private readonly last = new Map<RsaWrappingKeySpec, WrappingKeyPair>();
  /** The pair handed out before the last one (distinct only). */
  private readonly previous = new Map<RsaWrappingKeySpec, WrappingKeyPair>();
  private readonly generating = new Map<RsaWrappingKeySpec, Promise<void>>();
  private closed = false;

  /** Takers waiting for the next pair of a spec. */
  private readonly waiting = new Map<RsaWrappingKeySpec, (() => void)[]>();

  constructor(sizes: PoolSizes = {}, options: { distinct?: boolean | undefined } = {}) {
    this.distinct = options.distinct === true;
    const wanted = { ...DEFAULT_POOL_SIZES, ...sizes };
    // Distinct: two in stock, so that the call after the first rarely waits.
    this.sizes = this.distinct
      ? {
          RSA_2048: Math.max(2, wanted.RSA_2048),
          RSA_3072: Math.max(2, wanted.RSA_3072),
          RSA_4096: Math.max(2, wanted.RSA_4096),
        }
      : wanted;
  }

  /** Starts filling the pool for `spec` in the background. */
  warm(spec: RsaWrappingKeySpec): void {
    void this.refill(spec).catch(() => undefined);
  }

  async take(spec: RsaWrappingKeySpec): Promise<WrappingKeyPair> {
    const pool = this.fresh.get(spec);
    const last = this.last.get(spec);
    const pair = pool?.shift() ?? (this.distinct ? this.previous.get(spec) : last);
    if (pair) {
      if (this.distinct && last && last !== pair) this.previous.set(spec, last);
      this.last.set(spec, pair);
      this.warm(spec);
      return pair;
    }
    if (this.closed) throw new Error('the wrapping key pool is closed (the local stack is stopping)');
    // Woken by the next pair generated, not when the whole refill is done.
    const next = new Promise<void>((resolve) => {
      const list = this.waiting.get(spec) ?? [];
      list.push(resolve);
      this.waiting.set(spec, list);
    });
    await Promise.race([next, this.refill(spec)]);
    return this.take(spec);
  }

  /** Stops further background generation (in-flight generations finish and are discarded). */
  close(): void {
    this.closed = true;
  }

  /** Resolves when no background generation is running. */
  async settled(): Promise<void> {
    await Promise.all([...this.generating.values()].map((running) => running.catch(() => undefined)));
  }

  private refill(spec: RsaWrappingKeySpec): Promise<void> {
    const running = this.generating.get(spec);
    if (running) return running;
    const work = (async () => {
      // One generation at a time per spec keeps CPU free for requests.
      while (!this.closed && (this.fresh.get(spec)?.length ?? 0) < Math.max(1, this.sizes[spec])) {
        const pair = await generateWrappingKeyPair(spec);
        if (this.closed) return;
        const pool = this.fresh.get(spec) ?? [];
        pool.push(pair);
        this.fresh.set(spec, pool);
        for (const wake of this.waiting.get(spec)?.splice(0) ?? []) wake();
      }
    })().finally(() => this.generating.delete(spec));
    this.generating.set(spec, work);
    return work;
  }
}

export interface ImportTokenContents {
  keyArn: string;
  wrappingAlgorithm: WrappingAlgorithm;
  wrappingKeySpec: RsaWrappingKeySpec;
  validTo: Date;
  privateKey: KeyObject;
}

interface SealedToken {
  v: 1;
  k: string;
  a: string;
  w: string;
  e: number;
  p: string;
}

const TOKEN_VERSION = 1;
const OPENED_TOKEN_CACHE_SIZE = 64;

/** Seals and opens import tokens with a 32-byte key; an unreadable token is InvalidImportTokenException. */
export class ImportTokenSealer {
  private readonly opened = new Map<string, ImportTokenContents>();

  constructor(private readonly sealingKey: Buffer) {
    if (sealingKey.length !== 32) throw new Error('the import token sealing key must be 32 bytes');
  }

  seal(contents: Omit<ImportTokenContents, 'privateKey'>, pair: WrappingKeyPair): Buffer {
    const payload: SealedToken = {
      v: TOKEN_VERSION,
      k: contents.keyArn,
      a: contents.wrappingAlgorithm,
      w: contents.wrappingKeySpec,
      e: contents.validTo.getTime(),
      p: pair.privateKeyDer.toString('base64'),
    };
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealingKey, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([TOKEN_VERSION]), iv, cipher.getAuthTag(), body]);
  }

  open(token: Buffer): ImportTokenContents {
    // Parsing the wrapping private key costs more than the RSA decryption itself; a reimport loop
    // reuses one token, so keep recently opened tokens (they are immutable).
    const digest = createHash('sha256').update(token).digest('hex');
    const cached = this.opened.get(digest);
    if (cached) return cached;
    const contents = this.openUncached(token);
    if (this.opened.size >= OPENED_TOKEN_CACHE_SIZE) {
      const oldest = this.opened.keys().next().value;
      if (oldest !== undefined) this.opened.delete(oldest);
    }
    this.opened.set(digest, contents);
    return contents;
  }

  private openUncached(token: Buffer): ImportTokenContents {
    try {
      if (token[0] !== TOKEN_VERSION || token.length < 1 + 12 + 16 + 2)
        throw new Error('not an import token');
      const decipher = createDecipheriv('aes-256-gcm', this.sealingKey, token.subarray(1, 13));
      decipher.setAuthTag(token.subarray(13, 29));
      const json = Buffer.concat([decipher.update(token.subarray(29)), decipher.final()]).toString('utf8');
      const payload = JSON.parse(json) as SealedToken;
      if (!(WRAPPING_ALGORITHMS as readonly string[]).includes(payload.a)) throw new Error('bad algorithm');
      return {
        keyArn: payload.k,
        wrappingAlgorithm: payload.a as WrappingAlgorithm,
        wrappingKeySpec: payload.w as RsaWrappingKeySpec,
        validTo: new Date(payload.e),
        privateKey: createPrivateKey({ key: Buffer.from(payload.p, 'base64'), format: 'der', type: 'pkcs8' }),
      };
    } catch (error) {
      throw new AwsServiceError('InvalidImportTokenException', undefined, 400, { cause: error });
    }
  }
}
