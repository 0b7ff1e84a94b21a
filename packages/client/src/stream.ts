/**
 * Wake-ups over /v1/stream with reconnect. The socket only says "look again"; the device then syncs by
 * cursor, so a missed event costs latency, never a message (DESIGN.md: the database is the truth).
 */
export interface StreamEvent {
  type: string;
  [key: string]: unknown;
}

/** The part of a WebSocket both the browser's and the `ws` package's sockets have. */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}

export interface StreamOptions {
  connect: () => SocketLike;
  onEvent: (event: StreamEvent) => void;
  /** Called on every (re)connect, so the caller can catch up by cursor. */
  onOpen?: () => void;
  onClose?: () => void;
  minDelayMs?: number;
  maxDelayMs?: number;
}

export interface Stream {
  close(): void;
}

export function openStream(options: StreamOptions): Stream {
  let socket: SocketLike | undefined;
  let closed = false;
  let delay = options.minDelayMs ?? 250;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const connect = () => {
    if (closed) return;
    const s = options.connect();
    socket = s;
    s.onopen = () => {
      delay = options.minDelayMs ?? 250;
      options.onOpen?.();
    };
    s.onmessage = (ev) => {
      try {
        const event = JSON.parse(String(ev.data)) as StreamEvent;
        if (event && typeof event.type === 'string') options.onEvent(event);
      } catch {
        // Not JSON: ignore; the server only sends JSON.
      }
    };
    s.onerror = () => undefined;
    s.onclose = () => {
      options.onClose?.();
      if (closed) return;
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, options.maxDelayMs ?? 10_000);
    };
  };
  connect();
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      socket?.close();
    },
  };
}
