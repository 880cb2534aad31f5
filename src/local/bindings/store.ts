// The local stand-in for the administrators' bindings store: which HSM key label may go into which
// KMS key, one record per label, kept in `<state dir>/bindings.json` (in memory without a state
// dir). Like the deployed table it stores records and makes each write conditional on the label;
// which pairings byok accepts is the product's rule, not this store's. The file is checked whole
// when the stack starts (schema, one record per label) and written atomically after each change;
// a bad file stops the stack with LocalStateCorruptError and is never repaired or merged.
import { z } from 'zod';
import { isPrintableText } from '../../core/shared/text.ts';
import { LocalStateCorruptError } from '../errors.ts';
import { parseStateFile } from '../persistence.ts';

const STORE_NAME = 'bindings';

const KEY_ARN =
  /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

export const LocalBindingSchema = z.strictObject({
  hsmKeyLabel: z
    .string()
    .min(1)
    .max(128)
    .refine((label) => isPrintableText(label) && label.trim() === label, 'must be printable, untrimmed text'),
  keyArn: z.string().regex(KEY_ARN, 'must be a KMS key ARN'),
  createdAt: z.iso.datetime({ offset: true }),
  createdBy: z.string().min(1).max(2048).refine(isPrintableText, 'must be printable text').optional(),
});
export type LocalBinding = z.infer<typeof LocalBindingSchema>;

const FileSchema = z.strictObject({ version: z.literal(1), bindings: z.array(LocalBindingSchema) });

/** The state dir as this store uses it (StateStore, structurally). */
export interface BindingsStateStore {
  read(name: string): unknown;
  write(name: string, value: unknown): void;
  path(name: string): string;
}

export class LocalBindings {
  private readonly byLabel = new Map<string, LocalBinding>();

  private constructor(private readonly store: BindingsStateStore | undefined) {}

  /** Loads `bindings.json` whole (or starts empty); LocalStateCorruptError when it does not fit. */
  static open(store: BindingsStateStore | undefined): LocalBindings {
    const bindings = new LocalBindings(store);
    const stored = store?.read(STORE_NAME);
    if (!store || stored === undefined) return bindings;
    const path = store.path(STORE_NAME);
    const file = parseStateFile(FileSchema, stored, path);
    file.bindings.forEach((binding, index) => {
      if (bindings.byLabel.has(binding.hsmKeyLabel)) {
        throw new LocalStateCorruptError(
          path,
          `bindings.${index}.hsmKeyLabel: the label appears in more than one binding`,
        );
      }
      bindings.byLabel.set(binding.hsmKeyLabel, binding);
    });
    return bindings;
  }

  get(hsmKeyLabel: string): LocalBinding | undefined {
    return this.byLabel.get(hsmKeyLabel);
  }

  list(): LocalBinding[] {
    return [...this.byLabel.values()].sort((a, b) => a.hsmKeyLabel.localeCompare(b.hsmKeyLabel));
  }

  /** Records the binding unless its label is recorded already; then answers what is recorded. */
  add(binding: LocalBinding): { added: true } | { added: false; existing: LocalBinding } {
    const existing = this.byLabel.get(binding.hsmKeyLabel);
    if (existing) return { added: false, existing };
    this.commit(() => this.byLabel.set(binding.hsmKeyLabel, binding));
    return { added: true };
  }

  /** Removes the binding of the label if it names `keyArn`; else answers what is recorded. */
  remove(
    hsmKeyLabel: string,
    keyArn: string,
  ): { removed: true } | { removed: false; existing: LocalBinding | undefined } {
    const existing = this.byLabel.get(hsmKeyLabel);
    if (!existing || existing.keyArn !== keyArn) return { removed: false, existing };
    this.commit(() => this.byLabel.delete(hsmKeyLabel));
    return { removed: true };
  }

  /** Applies a change and writes the file; a failed write undoes the change in memory too. */
  private commit(change: () => void): void {
    const before = new Map(this.byLabel);
    change();
    try {
      this.store?.write(STORE_NAME, { version: 1, bindings: this.list() });
    } catch (error) {
      this.byLabel.clear();
      for (const [label, binding] of before) this.byLabel.set(label, binding);
      throw error;
    }
  }
}
