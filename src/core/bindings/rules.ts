// Which bindings let which HSM key go into which KMS key. One label maps to at most one KMS key,
// so no HSM key's material can be imported into two independent KMS keys (two HMAC or signing keys
// with one material make the same MACs and signatures: a forgery oracle). A multi-Region key's
// replicas share their primary's material and are ruled by its binding. A rotation of a symmetric
// key makes new HSM keys whose labels the workflow derives from the current one
// (`<label>-r<sequence>-<request id, 8 hex>`, newHsmKeyLabel in src/rotation/validate-rotation.ts):
// the binding of the base label covers those for the same KMS key, and only for symmetric keys.
import type { Binding } from './contracts.ts';
import { HsmKeyAlreadyBoundError, HsmKeyNotBoundError } from './errors.ts';
import type { BindingsReader } from './port.ts';

/** The suffixes rotations append, one per rotation (`-r<n>-<8 hex>`), at the end of a label. */
const ROTATION_SUFFIXES = /(-r\d+-[0-9a-f]{8})+$/;

/** The label without the rotations' suffixes (itself when it has none). */
export function baseHsmKeyLabel(hsmKeyLabel: string): string {
  return hsmKeyLabel.replace(ROTATION_SUFFIXES, '');
}

export interface BindingQuery {
  hsmKeyLabel: string;
  /** The KMS key that would receive the material: a replica's primary, since the primary's binding rules. */
  keyArn: string;
  /** Whether labels derived by rotations are covered by the base label's binding (symmetric keys only). */
  rotationLabels: boolean;
}

/**
 * The binding that rules `hsmKeyLabel`: its own, else (rotation labels) its base label's. The
 * label's own binding wins, so each label leads to exactly one KMS key.
 */
export function rulingBinding(
  bindings: { get(label: string): Binding | undefined },
  hsmKeyLabel: string,
  rotationLabels: boolean,
): Binding | undefined {
  const own = bindings.get(hsmKeyLabel);
  if (own || !rotationLabels) return own;
  const base = baseHsmKeyLabel(hsmKeyLabel);
  return base === hsmKeyLabel ? undefined : bindings.get(base);
}

/** Same KMS key: ARNs compare exactly, except the key id's hex case. */
export function sameKeyArn(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase();
}

/**
 * Refuses, with HsmKeyNotBoundError, an import of `hsmKeyLabel` into `keyArn` that no binding
 * allows. Reads only the one or two records it needs.
 */
export async function requireBinding(
  store: Pick<BindingsReader, 'get'>,
  query: BindingQuery,
): Promise<Binding> {
  const own = await store.get(query.hsmKeyLabel);
  const base = baseHsmKeyLabel(query.hsmKeyLabel);
  const binding =
    own ?? (query.rotationLabels && base !== query.hsmKeyLabel ? await store.get(base) : undefined);
  if (!binding) throw new HsmKeyNotBoundError(query.hsmKeyLabel, query.keyArn);
  if (!sameKeyArn(binding.keyArn, query.keyArn)) {
    throw new HsmKeyNotBoundError(query.hsmKeyLabel, query.keyArn, binding.keyArn);
  }
  return binding;
}

/**
 * Before a rotation of the symmetric key `keyArn` makes anything: refuses, with HsmKeyNotBoundError,
 * when the binding its new HSM key will need at GetParametersForImport is missing. `hsmKeyLabel` is
 * the new key's label where it is known (ValidateRotation: the same check the import makes), else
 * the current one (the approvals API, before the request exists). The error names the base label,
 * the one an administrator binds (`byok bindings add`): its binding covers every rotation's label.
 */
export async function requireRotationBinding(
  store: Pick<BindingsReader, 'get'>,
  hsmKeyLabel: string,
  keyArn: string,
): Promise<Binding> {
  try {
    return await requireBinding(store, { hsmKeyLabel, keyArn, rotationLabels: true });
  } catch (error) {
    if (!(error instanceof HsmKeyNotBoundError)) throw error;
    throw new HsmKeyNotBoundError(baseHsmKeyLabel(hsmKeyLabel), keyArn, error.boundTo, { cause: error });
  }
}

/** All bindings by label, for checks over many keys (the sweep): one listing instead of a read per key. */
export function indexBindings(bindings: readonly Binding[]): Map<string, Binding> {
  return new Map(bindings.map((binding) => [binding.hsmKeyLabel, binding]));
}

/** Whether an indexed set of bindings allows the query (the sweep's check; same rule as requireBinding). */
export function isBound(index: ReadonlyMap<string, Binding>, query: BindingQuery): boolean {
  const binding = rulingBinding(index, query.hsmKeyLabel, query.rotationLabels);
  return binding !== undefined && sameKeyArn(binding.keyArn, query.keyArn);
}

/**
 * Before recording a binding of `hsmKeyLabel` to `keyArn`: a label that looks derived by a rotation
 * of a base label bound to another key may have received that key's rotated material, so binding
 * it elsewhere would clone it. Refused with HsmKeyAlreadyBoundError.
 */
export async function checkNewBinding(
  store: BindingsReader,
  hsmKeyLabel: string,
  keyArn: string,
): Promise<void> {
  const base = baseHsmKeyLabel(hsmKeyLabel);
  if (base === hsmKeyLabel) return;
  const baseBinding = await store.get(base);
  if (baseBinding && !sameKeyArn(baseBinding.keyArn, keyArn)) {
    throw new HsmKeyAlreadyBoundError(hsmKeyLabel, baseBinding.keyArn, keyArn);
  }
}
