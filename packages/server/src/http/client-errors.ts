/**
 * What Node's HTTP server says when a request never became one Fastify could route: its headers or
 * body did not arrive within the server's timeouts, or its bytes were not HTTP. Fastify's own answer
 * has another shape (`{"error":"Request Timeout","statusCode":408}`); this one is the API's
 * (`{"error":{"code","reason","message"}}`, docs/api.md "Errors"), so a client reads every refusal
 * the same way.
 *
 * Why a request timeout at all: Fastify sets Node's `requestTimeout` to 0, so a client that sent its
 * headers and then trickled (or never finished) its body held the connection and its buffers for as
 * long as it liked, on every route. The write routes have their own, shorter deadline
 * (http/body-deadline.ts); this is the backstop for the others (`requestTimeoutMs` in
 * admission-config.ts: 300 s by default, Node's own default that Fastify turns off).
 */
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { ErrorBody } from '../errors/index.js';

/** Node checks for expired requests at this interval (ms); a timeout is enforced within it. */
export function connectionsCheckingInterval(requestTimeoutMs: number): number {
  // Node's default is 30 s; a short timeout (a test's, a strict operator's) is checked oftener.
  return Math.min(30_000, Math.max(100, Math.floor(requestTimeoutMs / 4)));
}

function answer(status: number, error: ErrorBody['error']): string {
  const json = JSON.stringify({ error } satisfies ErrorBody);
  return `HTTP/1.1 ${String(status)} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${String(Buffer.byteLength(json))}\r\nConnection: close\r\n\r\n${json}`;
}

/** Fastify's `clientErrorHandler`: answers in the API's shape when nothing was written yet, then closes the connection. */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  // A connection the client dropped, or one already answering: there is no one to tell.
  if (err.code === 'ECONNRESET' || !socket.writable || socket.bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  socket.end(
    timedOut
      ? answer(408, { code: 'request_timeout', reason: 'body_too_slow', message: 'The request did not arrive in time; nothing was done. Send it again, on a faster connection if you can.' })
      : answer(400, { code: 'bad_request', reason: 'invalid_request', message: 'The request was not understood.' }),
  );
  socket.destroySoon();
}
