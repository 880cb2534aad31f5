// Bindings for tests: an in-memory store (unit tests of the steps that read bindings) and the
// one call that records a binding on a local stack over HTTP, as `byok bindings add --endpoint` does.
import type { Binding } from '../../src/core/bindings/contracts.ts';
import { LocalBindingsStore } from '../../src/core/bindings/local-store.ts';
import type { AddResult, BindingsStore, RemoveResult } from '../../src/core/bindings/port.ts';

export class MemoryBindingsStore implements BindingsStore {
  readonly byLabel = new Map<string, Binding>();
  reads = 0;

  constructor(bindings: ReadonlyArray<Pick<Binding, 'hsmKeyLabel' | 'keyArn'>> = []) {
    for (const binding of bindings) this.byLabel.set(binding.hsmKeyLabel, withDate(binding));
  }

  async get(hsmKeyLabel: string): Promise<Binding | undefined> {
    this.reads += 1;
    return this.byLabel.get(hsmKeyLabel);
  }

  async list(): Promise<Binding[]> {
    this.reads += 1;
    return [...this.byLabel.values()];
  }

  async add(binding: Binding): Promise<AddResult> {
    const existing = this.byLabel.get(binding.hsmKeyLabel);
    if (existing) return { added: false, existing };
    this.byLabel.set(binding.hsmKeyLabel, binding);
    return { added: true };
  }

  async remove(hsmKeyLabel: string, keyArn: string): Promise<RemoveResult> {
    const existing = this.byLabel.get(hsmKeyLabel);
    if (!existing || existing.keyArn !== keyArn) return { removed: false, existing };
    this.byLabel.delete(hsmKeyLabel);
    return { removed: true };
  }
}

function withDate(binding: Pick<Binding, 'hsmKeyLabel' | 'keyArn'>): Binding {
  return { ...binding, createdAt: '2027-01-01T00:00:00.000Z', createdBy: 'test' };
}

/**
 * Records `hsmKeyLabel -> keyArn` in the bindings store of the local stack at `endpoint`. With
 * `move`, a binding of the label to another (earlier) test key is removed first, as an
 * administrator moves a binding (`byok bindings remove`, then `add`): tests that make a new KMS key
 * for the same HSM key import into the newest one.
 */
export async function bindOnLocalStack(
  endpoint: string,
  hsmKeyLabel: string,
  keyArn: string,
  options: { move?: boolean } = {},
): Promise<void> {
  const store = new LocalBindingsStore(endpoint);
  const result = await store.add(withDate({ hsmKeyLabel, keyArn }));
  if (result.added || result.existing.keyArn === keyArn) return;
  if (!options.move) {
    throw new Error(`test setup: ${hsmKeyLabel} is bound to ${result.existing.keyArn} already`);
  }
  await store.remove(hsmKeyLabel, result.existing.keyArn);
  await store.add(withDate({ hsmKeyLabel, keyArn }));
}
