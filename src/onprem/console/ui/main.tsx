// The byok console's browser app: a hash router over five pages. Everything it shows comes from
// the console server's /api (see api.ts); it never talks to AWS itself. The session secret arrives
// in the URL's fragment and moves into this tab's sessionStorage before anything renders
// (session.ts).
import { options, render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { type ConsoleContext, describeContext, getJson } from './api.ts';
import { ApprovalsPage } from './pages/approvals.tsx';
import { KeysPage } from './pages/keys.tsx';
import { RunPage } from './pages/run.tsx';
import { RunsPage } from './pages/runs.tsx';
import { StartImportPage } from './pages/start.tsx';
import { type Route, routeOf, viewKey } from './routes.ts';
import { adoptSession } from './session.ts';
import { showInvisibleCharacters } from './visible-text.ts';

const NAV: { href: string; label: string; pages: Route['page'][] }[] = [
  { href: '#/keys', label: 'Keys', pages: ['keys'] },
  { href: '#/runs', label: 'Runs', pages: ['runs', 'run'] },
  { href: '#/start', label: 'Start an import', pages: ['start'] },
  { href: '#/approvals', label: 'Rotations and approvals', pages: ['approvals'] },
];

/** Account and Region (or the local endpoint), always in the header. */
function Target() {
  const [text, setText] = useState('…');
  useEffect(() => {
    getJson<ConsoleContext>('/api/context').then(
      (context) => setText(describeContext(context)),
      () => setText('target unknown'),
    );
  }, []);
  return (
    <span class="target" data-target>
      {text}
    </span>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'keys':
      return <KeysPage />;
    case 'runs':
      return <RunsPage />;
    case 'run':
      return <RunPage executionArn={route.executionArn} />;
    case 'start':
      return <StartImportPage keyId={route.keyId} />;
    case 'approvals':
      return <ApprovalsPage keyId={route.keyId} requestId={route.requestId} />;
  }
}

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
        <Target />
      </header>
      <main id="main">
        {/* One view per address: run A's or key X's state never survives into run B or key Y. */}
        <Page key={viewKey(route)} route={route} />
      </main>
    </>
  );
}

/** A tab that never got the session: say how to get in, load nothing. */
function NoSession() {
  return (
    <main id="main">
      <h1>byok console</h1>
      <p role="alert">
        This tab has no console session. Open the URL that <code>byok console</code> printed (it carries the
        session secret), or the console it opened with <code>--open</code>.
      </p>
    </main>
  );
}

// Before anything renders: no text from AWS can pass for other text (bidi overrides, controls).
showInvisibleCharacters(options);

const root = document.getElementById('app');
if (root) {
  root.replaceChildren();
  const session = adoptSession({ location, history, storage: sessionStorage });
  render(session ? <App /> : <NoSession />, root);
}
