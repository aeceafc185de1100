import { connect, createServer, type Server, type Socket } from 'node:net';
import { LOOPBACK } from './types.js';

/**
 * A TCP relay on a loopback port in front of a real server, counting round trips: a turn starts
 * each time the client sends after the server last answered. Commands a client sends together
 * (pipelined) are one turn; a command sent after waiting for a reply is another.
 *
 * Run it in the process of the client under test: the client's writes of one tick are all in
 * the kernel before the relay reads, so the count does not depend on timing.
 */
export interface TurnCountingProxy {
  /** `127.0.0.1:<port>` of the relay. */
  readonly address: string;
  /** Turns so far, over every connection. */
  turns(): number;
  close(): Promise<void>;
}

export async function startTurnCountingProxy(
  targetHost: string,
  targetPort: number,
): Promise<TurnCountingProxy> {
  let turns = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: targetHost, port: targetPort });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    let answered = true;
    client.on('data', (chunk) => {
      if (answered) turns += 1;
      answered = false;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      answered = true;
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `${LOOPBACK}:${port}`,
    turns: () => turns,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
