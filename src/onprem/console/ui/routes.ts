// The console's hash routes: what each address shows, and the address of each view. The page's
// state lives in the URL (a run's ARN, the key to start an import for, the request to vote on), so a
// link, Back, a reload or a second tab always show what the address names. Pure: unit-tested.

export type Route =
  | { page: 'keys' }
  | { page: 'runs' }
  | { page: 'run'; executionArn: string }
  | { page: 'start'; keyId?: string }
  | { page: 'approvals'; keyId?: string; requestId?: string };

function param(query: string, name: string): string | undefined {
  return new URLSearchParams(query).get(name) || undefined;
}

export function routeOf(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  if (path.startsWith('/runs/') && path.length > 6) {
    let executionArn: string;
    try {
      executionArn = decodeURIComponent(path.slice(6));
    } catch {
      return { page: 'runs' };
    }
    return { page: 'run', executionArn };
  }
  if (path === '/runs' || path === '/runs/') return { page: 'runs' };
  if (path === '/start') {
    const keyId = param(query, 'keyId');
    return keyId ? { page: 'start', keyId } : { page: 'start' };
  }
  if (path === '/approvals') {
    const keyId = param(query, 'keyId');
    const requestId = param(query, 'requestId');
    return { page: 'approvals', ...(keyId ? { keyId } : {}), ...(requestId ? { requestId } : {}) };
  }
  return { page: 'keys' };
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'keys':
      return '#/keys';
    case 'runs':
      return '#/runs';
    case 'run':
      return `#/runs/${encodeURIComponent(route.executionArn)}`;
    case 'start':
      return route.keyId ? `#/start?keyId=${encodeURIComponent(route.keyId)}` : '#/start';
    case 'approvals': {
      const query = new URLSearchParams();
      if (route.keyId) query.set('keyId', route.keyId);
      if (route.requestId) query.set('requestId', route.requestId);
      const text = query.toString();
      return text ? `#/approvals?${text}` : '#/approvals';
    }
  }
}

/**
 * A key a view should be re-created for: two addresses of one page with different parameters (run A
 * and run B, start for key X and for key Y) are different views, so no state of one survives into
 * the other.
 */
export function viewKey(route: Route): string {
  return hrefOf(route);
}
