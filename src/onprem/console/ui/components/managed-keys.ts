// The managed keys, read once per view (the server shares one cached scan between tabs), so that
// other pages can name a key by its alias or description instead of its id.
import { useEffect, useState } from 'preact/hooks';
import type { KeysView, KeyView } from '../../wire.ts';
import { getJson } from '../api.ts';
import { keyDisplayName } from '../key-status.ts';

export function useManagedKeys(): KeyView[] | undefined {
  const [keys, setKeys] = useState<KeyView[] | undefined>(undefined);
  useEffect(() => {
    let current = true;
    getJson<KeysView>('/api/keys').then(
      (view) => {
        if (current) setKeys(view.keys);
      },
      () => {
        if (current) setKeys([]);
      },
    );
    return () => {
      current = false;
    };
  }, []);
  return keys;
}

/** `arn:…:key/<id>` and `<id>` name the same key. */
function keyTail(keyId: string): string {
  return keyId.split('/').pop() ?? keyId;
}

/** The key's alias or description when it is a managed key, else undefined. */
export function nameOfKey(keys: KeyView[] | undefined, keyId: string | null): string | undefined {
  if (!keyId || !keys) return undefined;
  const found = keys.find((key) => key.keyId === keyTail(keyId));
  if (!found) return undefined;
  const name = keyDisplayName(found);
  return name === found.keyId ? undefined : name;
}
