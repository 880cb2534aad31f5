// A test double of the HSM port for unit tests: keys are labels and types; "wrapping" returns a
// marker blob. Real wrapping is tested against real tokens in test/integration.
import { HsmKeyNotFoundError } from '../../../src/core/hsm/errors.ts';
import {
  type Evidence,
  type Hsm,
  type HsmKeyInfo,
  type HsmKeyType,
  WRAPPING_ALGORITHMS,
  type WrapKeyInput,
  type WrappingAlgorithm,
} from '../../../src/core/hsm/port.ts';

export class InMemoryHsm implements Hsm {
  readonly tokenLabel = 'in-memory';
  readonly wraps: WrapKeyInput[] = [];

  constructor(
    private readonly keys: Array<{ label: string; type: HsmKeyType }>,
    private readonly algorithms: readonly WrappingAlgorithm[] = WRAPPING_ALGORITHMS,
    private readonly evidenceFor: (label: string, challenge?: Uint8Array) => Evidence = () => ({
      kind: 'aes-kcv',
      method: 'AES-ECB-zero-block',
      block: '00'.repeat(16),
      kcv: '000000',
    }),
  ) {}

  async describeKey(label: string): Promise<HsmKeyInfo> {
    const key = this.keys.find((candidate) => candidate.label === label);
    if (!key) throw new HsmKeyNotFoundError(label, this.tokenLabel);
    return {
      label,
      token: this.tokenLabel,
      type: key.type,
      objectClass: key.type === 'AES_256' || key.type.startsWith('HMAC_') ? 'secret' : 'private',
      sensitive: true,
      extractable: true,
      alwaysSensitive: true,
      neverExtractable: false,
    };
  }

  async wrappingAlgorithms(): Promise<WrappingAlgorithm[]> {
    return [...this.algorithms];
  }

  async wrapKey(input: WrapKeyInput): Promise<{ wrappedKeyMaterial: Uint8Array }> {
    await this.describeKey(input.label);
    this.wraps.push(input);
    return { wrappedKeyMaterial: new TextEncoder().encode(`wrapped:${input.label}:${input.algorithm}`) };
  }

  async evidence(label: string, challenge?: Uint8Array): Promise<Evidence> {
    await this.describeKey(label);
    return this.evidenceFor(label, challenge);
  }

  async close(): Promise<void> {}
}
