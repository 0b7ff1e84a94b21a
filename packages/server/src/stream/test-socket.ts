/** A WebSocket client for stream tests: collects events, waits for one, reports a refused handshake. */
import WebSocket from 'ws';
import type { StreamEvent } from '../bus/index.js';

export interface Listener {
  ws: WebSocket;
  events: StreamEvent[];
  next(predicate: (e: StreamEvent) => boolean, timeoutMs?: number): Promise<StreamEvent>;
  closed: Promise<number>;
}

/** Opens /v1/stream; resolves once open, or rejects with `status` set to the refused handshake's. */
export function connectStream(
  baseUrl: string,
  { headers = {}, query = {} }: { headers?: Record<string, string>; query?: Record<string, string> },
  sockets: WebSocket[] = [],
): Promise<Listener> {
  const url = new URL(baseUrl.replace(/^http/, 'ws') + '/v1/stream');
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const ws = new WebSocket(url, { headers });
  sockets.push(ws);
  const events: StreamEvent[] = [];
  const waiters: { predicate: (e: StreamEvent) => boolean; resolve: (e: StreamEvent) => void }[] = [];
  ws.on('message', (data: Buffer) => {
    const event = JSON.parse(data.toString('utf8')) as StreamEvent;
    events.push(event);
    for (const w of [...waiters]) {
      if (!w.predicate(event)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(event);
    }
  });
  const next = (predicate: (e: StreamEvent) => boolean, timeoutMs = 3000) => {
    const seen = events.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise<StreamEvent>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching event in time')), timeoutMs);
      waiters.push({ predicate, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  };
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, events, next, closed }));
    ws.on('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error(`refused ${String(res.statusCode)}`), { status: res.statusCode })),
    );
    ws.on('error', reject);
  });
}

export const refusedWith = (status: number) => (err: unknown) => (err as { status?: number }).status === status;
