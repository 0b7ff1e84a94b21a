/**
 * A small TCP load balancer for local clusters (`npm run cluster`) and the multi-node test: it
 * forwards each incoming connection to one of the backends, whole (HTTP keep-alive and WebSocket
 * streams stay on the node they reached). `round-robin` takes turns; `failover` always prefers the
 * first backend that accepts. Either way a backend that refuses the connection (a stopped node) is
 * skipped for the next one, and when a node dies its connections are closed so clients reconnect
 * through the balancer to a live node. Not for production: use nginx, HAProxy or a cloud balancer
 * (docs/deploy.md).
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface Backend {
  host: string;
  port: number;
}

export interface Balancer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Connections forwarded to each backend so far (same order as `backends`). */
  readonly forwarded: number[];
  close(): Promise<void>;
}

export function parseBackend(url: string): Backend {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || '80') };
}

export async function startBalancer({
  backends,
  policy = 'round-robin',
  host = '127.0.0.1',
  port = 0,
}: {
  backends: Backend[];
  policy?: 'round-robin' | 'failover';
  host?: string;
  port?: number;
}): Promise<Balancer> {
  let next = 0;
  const forwarded = backends.map(() => 0);
  const open = new Set<Socket>();

  /** Tries backends from `start` on, in turn, until one accepts; null when none does. */
  function dial(start: number, tried: number, done: (upstream: Socket | null) => void): void {
    if (tried >= backends.length) {
      done(null);
      return;
    }
    const index = (start + tried) % backends.length;
    const b = backends[index] as Backend;
    const upstream = connect(b.port, b.host);
    const refused = () => {
      upstream.destroy();
      dial(start, tried + 1, done);
    };
    upstream.once('error', refused);
    upstream.once('connect', () => {
      upstream.off('error', refused);
      forwarded[index] = (forwarded[index] ?? 0) + 1;
      done(upstream);
    });
  }

  const server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const start = policy === 'failover' ? 0 : next++ % backends.length;
    dial(start, 0, (upstream) => {
      if (!upstream || client.destroyed) {
        upstream?.destroy();
        client.destroy();
        return;
      }
      open.add(upstream);
      upstream.on('close', () => {
        open.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => upstream.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${String(bound)}`,
    port: bound,
    forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
