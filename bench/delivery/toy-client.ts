/**
 * A toy as the benchmark runs it: connected to /v1/stream with its bearer token; on each wake-up it
 * pages its inbox from its cursor, downloads each new message's blob and acknowledges delivery, as
 * the headless toy does. `onHeld` (replaceable between runs) fires when the toy holds a message's
 * envelope and blob. A failed download is counted, not retried: the benchmark reports it as shed.
 */
import WebSocket from 'ws';

export interface ToyClient {
  /** Called with each message id once the toy holds its envelope and blob. */
  onHeld: (messageId: string) => void;
  /** Downloads or inbox pages that failed (HTTP status or network error). */
  readonly failures: number;
  close(): Promise<void>;
}

/** Messages per inbox page. */
const PAGE = 100;

interface InboxPage {
  messages: { seq: number; envelope: { id: string } }[];
  next: number;
}

/** Connects a toy; it starts from the end of its inbox, so only messages sent afterwards are held. */
export async function connectToy(url: string, token: string): Promise<ToyClient> {
  const auth = { authorization: `Bearer ${token}` };
  let syncing = false;
  let again = false;
  const toy = { onHeld: (_id: string): void => undefined, failures: 0 };
  const page = async (after: number): Promise<InboxPage> => {
    const res = await fetch(`${url}/v1/inbox?after=${String(after)}&limit=${String(PAGE)}`, { headers: auth });
    if (res.status !== 200) throw new Error(`inbox: ${String(res.status)} ${await res.text()}`);
    return (await res.json()) as InboxPage;
  };
  const fetchOne = async (id: string): Promise<void> => {
    try {
      const blob = await fetch(`${url}/v1/messages/${id}/blob`, { headers: auth });
      await blob.arrayBuffer();
      if (blob.status !== 200) throw new Error(`blob: ${String(blob.status)}`);
      toy.onHeld(id);
      const receipt = await fetch(`${url}/v1/messages/${id}/receipts`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'delivered' }),
      });
      await receipt.arrayBuffer();
    } catch {
      toy.failures++;
    }
  };
  let cursor = 0;
  for (let p = await page(0); p.messages.length > 0; p = await page(cursor)) cursor = p.next;
  const sync = async (): Promise<void> => {
    if (syncing) {
      again = true;
      return;
    }
    syncing = true;
    try {
      do {
        again = false;
        for (;;) {
          const p = await page(cursor);
          await Promise.all(p.messages.map((m) => fetchOne(m.envelope.id)));
          cursor = p.next;
          // A page shorter than asked is the last, as the toy itself reads it (ToyDevice.pull): no
          // extra round trip per wake-up to learn that nothing is left.
          if (p.messages.length < PAGE) break;
        }
      } while (again);
    } catch {
      toy.failures++;
    } finally {
      syncing = false;
    }
  };
  const stream = new URL('/v1/stream', url);
  stream.protocol = 'ws:';
  const socket = new WebSocket(stream, { headers: auth });
  socket.on('message', (data: Buffer) => {
    const event = JSON.parse(data.toString()) as { type?: string };
    if (event.type === 'message') void sync();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return Object.assign(toy, {
    close: () =>
      new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.close();
      }),
  });
}
