// One HTTP request with exactly the headers given (fetch would not let a test set Host or leave
// Origin out on purpose), to the host and port of `url`; for tests that play a browser or a
// rebinding page against a loopback server.
import { request } from 'node:http';

export interface RawAnswer {
  status: number;
  body: string;
}

export function rawRequest(
  url: string,
  options: { method: string; path: string; headers: Record<string, string>; body?: string },
): Promise<RawAnswer> {
  const target = new URL(url);
  const body = options.body ?? '';
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port,
        path: options.path,
        method: options.method,
        headers: { ...options.headers, 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
