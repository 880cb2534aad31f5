// The byok console's browser app: a hash router over five pages. Everything it shows comes from
// the console server's /api (see api.ts); it never talks to AWS itself.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { targetDescription } from './api.ts';
import { ApprovalsPage } from './pages/approvals.tsx';
import { KeysPage } from './pages/keys.tsx';
import { RunPage } from './pages/run.tsx';
import { RunsPage } from './pages/runs.tsx';
import { StartImportPage } from './pages/start.tsx';

type Route =
  | { page: 'keys' }
  | { page: 'runs' }
  | { page: 'run'; executionArn: string }
  | { page: 'start'; keyId?: string }
  | { page: 'approvals'; keyId?: string };

export function routeOf(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  if (path.startsWith('/runs/')) return { page: 'run', executionArn: decodeURIComponent(path.slice(6)) };
  if (path === '/runs') return { page: 'runs' };
  if (path === '/start') {
    const keyId = new URLSearchParams(query).get('keyId');
    return keyId ? { page: 'start', keyId } : { page: 'start' };
  }
  if (path === '/approvals') {
    const keyId = new URLSearchParams(query).get('keyId');
    return keyId ? { page: 'approvals', keyId } : { page: 'approvals' };
  }
  return { page: 'keys' };
}

const NAV: { href: string; label: string; pages: Route['page'][] }[] = [
  { href: '#/keys', label: 'Keys', pages: ['keys'] },
  { href: '#/runs', label: 'Runs', pages: ['runs', 'run'] },
  { href: '#/start', label: 'Start an import', pages: ['start'] },
  { href: '#/approvals', label: 'Rotations and approvals', pages: ['approvals'] },
];

function App() {
  const [route, setRoute] = useState<Route>(routeOf(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(routeOf(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  useEffect(() => {
    // Move focus to the new page's heading, so keyboard and screen reader users land on it.
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [route]);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">byok console</span>
        <nav aria-label="Pages">
          <ul>
            {NAV.map((item) => (
              <li key={item.href}>
                <a href={item.href} aria-current={item.pages.includes(route.page) ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="target">{targetDescription()}</span>
      </header>
      <main id="main">
        {route.page === 'keys' && <KeysPage />}
        {route.page === 'runs' && <RunsPage />}
        {route.page === 'run' && <RunPage executionArn={route.executionArn} />}
        {route.page === 'start' && <StartImportPage keyId={route.keyId} />}
        {route.page === 'approvals' && <ApprovalsPage keyId={route.keyId} />}
      </main>
    </>
  );
}

const root = document.getElementById('app');
if (root) {
  root.replaceChildren();
  render(<App />, root);
}
