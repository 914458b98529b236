/**
 * A TCP proxy between a ticketbridge process and PostgreSQL that a test can cut: `cut()` drops every
 * connection (as a database restart does: sockets reset under running queries and idle clients,
 * LISTEN connections included) and refuses new ones until `resume()`. The shared PostgreSQL server
 * itself never stops, so other test files running beside this one are not disturbed.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Drops every connection and refuses new ones. */
  cut(): Promise<void>;
  /** Accepts connections again (on the same port). */
  resume(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  const listen = async (): Promise<void> => {
    const s = createServer((client) => {
      const upstream = connect(target.port, target.host);
      sockets.add(client);
      sockets.add(upstream);
      const drop = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(port, '127.0.0.1', () => resolve()); });
    port = (s.address() as AddressInfo).port;
    server = s;
  };
  const stopListening = async (): Promise<void> => {
    const s = server;
    server = undefined;
    // resetAndDestroy: the peer sees ECONNRESET, as when a server process is killed.
    for (const socket of sockets) socket.resetAndDestroy();
    sockets.clear();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  };

  await listen();
  return {
    get port() { return port; },
    cut: stopListening,
    resume: listen,
    close: stopListening,
  };
}
