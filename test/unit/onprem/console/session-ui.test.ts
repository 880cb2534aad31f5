// The browser side of the console session (src/onprem/console/ui/session.ts): the secret comes in the URL
// fragment, moves to this tab's sessionStorage, and leaves the address bar and the history.
import { describe, expect, it } from 'vitest';
import {
  adoptSession,
  SESSION_STORAGE_KEY,
  sessionFromHash,
} from '../../../../src/onprem/console/ui/session.ts';

const SECRET = `${'A'.repeat(21)}_-${'b'.repeat(20)}`;

function fakeEnvironment(hash: string, stored?: string) {
  const items = new Map<string, string>(stored ? [[SESSION_STORAGE_KEY, stored]] : []);
  const replaced: string[] = [];
  return {
    replaced,
    items,
    environment: {
      location: { hash, pathname: '/', search: '' },
      history: { replaceState: (_data: unknown, _unused: string, url: string) => replaced.push(url) },
      storage: {
        getItem: (key: string) => items.get(key) ?? null,
        setItem: (key: string, value: string) => items.set(key, value),
      },
    },
  };
}

describe('console session in the browser', () => {
  it.each([
    [`#session=${SECRET}`, SECRET, '#/keys'],
    [`#session=${SECRET}&route=/runs`, SECRET, '#/runs'],
    [`#session=${SECRET}&route=https://evil.example`, SECRET, '#/keys'],
    ['#session=short', undefined, '#/keys'],
    ['#/start?keyId=abc', undefined, '#/start?keyId=abc'],
    ['', undefined, ''],
  ])('reads %s as secret %s and route %s', (hash, secret, route) => {
    // Act
    const read = sessionFromHash(hash);

    // Assess
    expect(read).toEqual({ secret, hash: route });
  });

  it('stores the secret for this tab and replaces the history entry that carried it', () => {
    // Prepare
    const { environment, replaced, items } = fakeEnvironment(`#session=${SECRET}`);

    // Act
    const session = adoptSession(environment);

    // Assess
    expect(session).toBe(SECRET);
    expect(items.get(SESSION_STORAGE_KEY)).toBe(SECRET);
    expect(replaced).toEqual(['/#/keys']);
    expect(replaced.join()).not.toContain(SECRET);
  });

  it('keeps the stored session on an ordinary route and touches no history', () => {
    // Prepare
    const { environment, replaced } = fakeEnvironment('#/runs', SECRET);

    // Act
    const session = adoptSession(environment);

    // Assess
    expect(session).toBe(SECRET);
    expect(replaced).toEqual([]);
  });

  it('has no session in a tab that never got one', () => {
    // Act / Assess
    expect(adoptSession(fakeEnvironment('#/keys').environment)).toBeUndefined();
  });
});
