// What keeps web pages out of the local stack's HTTP servers (the stack's own port, the local
// DynamoDB and the local approvals API): none of them has authentication, so a page in the user's
// browser must not reach them. Browsers send an Origin header on every cross-origin request (and on
// every POST), SDKs and the AWS CLI never do: a request carrying one is refused. A page whose DNS
// name rebinds to 127.0.0.1 sends its own name as Host: a server bound to loopback answers only the
// loopback names with its own port. A server bound beyond loopback (`--public-bind`) skips the Host
// check, as clients may use any of the machine's names there.
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

function isLoopbackAddress(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** `name:port` for each loopback name (and the bound address), plus the bare names on port 80. */
function loopbackHostHeaders(boundHost: string, port: number): ReadonlySet<string> {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]', boundHost.toLowerCase()]);
  const hosts = new Set([...names].map((name) => `${name}:${port}`));
  if (port === 80) for (const name of names) hosts.add(name);
  return hosts;
}

/** The Host headers a listening server answers: undefined when it is bound beyond loopback. */
export function allowedHostsOf(server: Server): ReadonlySet<string> | undefined {
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return isLoopbackAddress(address.address) ? loopbackHostHeaders(shownHost, address.port) : undefined;
}

/**
 * Why a request is refused (a browser's, or one addressed to another Host), or undefined. Never
 * echoes what the request sent.
 */
export function browserRefusal(
  headers: IncomingHttpHeaders,
  allowedHosts: ReadonlySet<string> | undefined,
  what: string,
): string | undefined {
  if (headers.origin !== undefined) {
    return `the ${what} does not serve browsers (the request has an Origin header)`;
  }
  const host = (Array.isArray(headers.host) ? headers.host[0] : headers.host) ?? '';
  if (allowedHosts && !allowedHosts.has(host.toLowerCase())) {
    return `the ${what} serves only the Host names ${[...allowedHosts].join(', ')}`;
  }
  return undefined;
}

/**
 * Puts the Origin and Host checks in front of a server made elsewhere (dynalite, the approvals
 * API's listener): its request handlers see only requests that pass. Call before `listen`; the Host
 * names are fixed once the server listens (its port known). A refusal is 403 AccessDeniedException,
 * the body is not read and the connection closes. Requests before `listening` (none reach a server
 * that is not listening) would be refused.
 */
export function guardLoopbackServer(server: Server, what: string): void {
  const handlers = server.listeners('request') as ((
    request: IncomingMessage,
    response: ServerResponse,
  ) => void)[];
  server.removeAllListeners('request');
  let allowedHosts: ReadonlySet<string> | undefined = new Set();
  server.on('listening', () => {
    allowedHosts = allowedHostsOf(server);
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const refusal = browserRefusal(request.headers, allowedHosts, what);
    if (refusal === undefined) {
      for (const handler of handlers) handler.call(server, request, response);
      return;
    }
    const body = JSON.stringify({ __type: 'AccessDeniedException', message: refusal });
    response.writeHead(403, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    response.end(body);
  });
}
