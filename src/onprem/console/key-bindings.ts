// Each key's binding as the Keys page and the start form show it: which HSM keys an administrator
// bound to the key, and whether the HSM key its byok:hsm-key-label tag names is one of them (the
// label the sweep and an import without --hsm-key use). Read from one listing of the bindings for
// every key, by the same rule the workflow enforces (core/bindings/rules.ts). This only informs:
// GetParametersForImport and the sweep refuse an unbound import whatever the page shows. Read for
// every answer, not cached with the keys' scan: a binding an administrator just added shows at once.
import type { Binding } from '../../core/bindings/contracts.ts';
import { bindingsAddCommand } from '../../core/bindings/errors.ts';
import type { BindingsReader } from '../../core/bindings/port.ts';
import { indexBindings, rulingBinding } from '../../core/bindings/rules.ts';
import type { ScannedKeys } from './keys.ts';
import type { KeyBinding, KeysView } from './wire.ts';

/** `arn:…:key/<id>` → `<id>`: a replica's binding is its primary's, whose key id it shares. */
function keyIdOf(keyArn: string): string {
  return (keyArn.split('/').pop() ?? keyArn).toLowerCase();
}

export interface KeyBindingsContext {
  /** The local stack's endpoint (the command then names it), absent against AWS. */
  endpoint: string | undefined;
  /** The console's Region (the command names it against AWS, where a key id needs one). */
  region: string;
}

/**
 * The bindings of each key, from one listing (or the reason there is none: every key then shows
 * `unknown`, never a guess).
 */
export function keyBindingsFrom(
  listing: readonly Binding[] | Error,
  context: KeyBindingsContext,
): (key: { keyId: string; keySpec: string; hsmKeyLabel: string | null }) => KeyBinding {
  if (listing instanceof Error) {
    const detail = `the bindings could not be read: ${listing.message}`;
    return () => ({ state: 'unknown', boundLabels: [], detail, boundElsewhere: null });
  }
  const index = indexBindings(listing);
  return (key) => {
    const keyId = key.keyId.toLowerCase();
    const boundLabels = listing
      .filter((binding) => keyIdOf(binding.keyArn) === keyId)
      .map((binding) => binding.hsmKeyLabel)
      .sort();
    const ruling = key.hsmKeyLabel
      ? rulingBinding(index, key.hsmKeyLabel, key.keySpec === 'SYMMETRIC_DEFAULT')
      : undefined;
    if (ruling && keyIdOf(ruling.keyArn) === keyId) {
      return { state: 'bound', boundLabels, detail: null, boundElsewhere: null };
    }
    const command = key.hsmKeyLabel
      ? `${bindingsAddCommand(key.hsmKeyLabel, key.keyId, context.endpoint)}${
          context.endpoint ? '' : ` --region ${context.region}`
        }`
      : null;
    return { state: 'unbound', boundLabels, detail: command, boundElsewhere: ruling?.keyArn ?? null };
  };
}

/** The scanned keys with each key's binding, from one listing of the bindings made now. */
export async function withBindings(
  scanned: ScannedKeys,
  bindings: BindingsReader,
  context: KeyBindingsContext,
): Promise<KeysView> {
  // Unreadable bindings (say, no table here) show as unknown per key, never as a failed page.
  const listing = await bindings
    .list()
    .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  const bindingOf = keyBindingsFrom(listing, context);
  return { ...scanned, keys: scanned.keys.map((key) => ({ ...key, binding: bindingOf(key) })) };
}
