// A TCP server on 127.0.0.1 that accepts every connection and never answers: a stalled endpoint,
// a black-holed proxy. For tests of deadlines.
import { createServer, type Socket } from 'node:net';

export interface SilentServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** How many connections it has accepted so far (one per attempt of a call). */
  connections(): number;
  /** Drops the connections it holds and stops listening. */
  close(): Promise<void>;
}

export async function startSilentServer(): Promise<SilentServer> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    connections: () => sockets.length,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((closed) => server.close(closed));
    },
  };
}
