// The bindings store port. Deployed, an administrator-only DynamoDB table (dynamodb-store.ts: only
// the administrators' roles may write it, byok's own roles only read); locally, the local stack's
// bindings.json in its state dir, served at /_byok/bindings (local-store.ts). The import
// workflow, the sweep and `byok bindings` take the store as an argument, never a tag.
import type { Binding } from './contracts.ts';

/** What the import workflow and the sweep need: reading only. */
export interface BindingsReader {
  /** The binding recorded for exactly this label, if any. */
  get(hsmKeyLabel: string): Promise<Binding | undefined>;
  /** Every recorded binding. */
  list(): Promise<Binding[]>;
}

export type AddResult = { added: true } | { added: false; existing: Binding };
export type RemoveResult = { removed: true } | { removed: false; existing: Binding | undefined };

/** What `byok bindings add/remove` needs in addition: writes, each conditional on the label. */
export interface BindingsStore extends BindingsReader {
  /** Records `binding` unless its label is recorded already (then returns what is recorded). */
  add(binding: Binding): Promise<AddResult>;
  /** Removes the binding of `hsmKeyLabel` if it names `keyArn` (else returns what is recorded). */
  remove(hsmKeyLabel: string, keyArn: string): Promise<RemoveResult>;
  /** Closes what the store opened (the deployed table's DynamoDB client); a local store has none. */
  close?(): void;
}
