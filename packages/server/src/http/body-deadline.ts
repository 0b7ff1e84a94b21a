/**
 * A deadline for a write's body (issue #11). An admitted upload or send holds one of the node's write
 * slots from its `preParsing` hook until its answer is sent, and the node's HTTP server has no request
 * timeout of its own (Fastify sets Node's `requestTimeout` to 0). So a client that sent the headers and
 * then the body slowly, or half of it, held its slot for as long as it kept the connection open:
 * enough of those paused every family's sends on the node.
 *
 * Here a write whose body has not fully arrived `timeoutMs` after it was admitted is answered 408
 * `request_timeout` with `Connection: close`, so Node closes the connection once the answer is out and
 * the slot is given back. Nothing of it is stored: the body reaches the route's handler only whole
 * (Fastify's body parser buffers it), so a cut body never reaches the blob store or the database.
 */
import { PassThrough, type Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { refuse } from '../errors/index.js';

/** A `preParsing` hook: hands Fastify's body parser the stream it reads the body from. */
export type PayloadHook = (request: FastifyRequest, reply: FastifyReply, payload: Readable) => Promise<Readable>;

/**
 * The write routes' second `preParsing` hook, after the admission gate (http/admission.ts).
 * `onCut` runs once per write cut at its deadline (counted in the admission's stats).
 */
export function createBodyDeadline(timeoutMs: number, onCut: () => void): PayloadHook {
  const within = timeoutMs >= 1000 ? `${String(Math.round(timeoutMs / 1000))} s` : `${String(timeoutMs)} ms`;
  return (request, reply, payload) => {
    // Most sends (a few KB) arrive with their headers: the body is whole before this hook runs, so
    // there is nothing to wait for and no stream to put in between.
    if (request.raw.complete) return Promise.resolve(payload);
    // Fastify reads the body from this stream instead of the request: the only way to fail the read
    // with an answer still to send. Destroying the request itself would close the socket unanswered.
    const body = new PassThrough();
    payload.pipe(body);
    // pipe() forwards no error: a connection dropped mid-body must still end Fastify's read.
    const forwardError = (err: Error): void => {
      body.destroy(err);
    };
    payload.once('error', forwardError);
    const timer = setTimeout(() => {
      // The last bytes arrived as the timer fired: the handler gets the whole body.
      if (request.raw.complete) return;
      onCut();
      payload.unpipe(body);
      payload.removeListener('error', forwardError);
      // Node closes the connection after this answer: the rest of the body is never read, and the
      // client cannot go on trickling it into a next request on the same connection.
      void reply.header('connection', 'close');
      body.destroy(
        refuse(
          'request_timeout',
          'body_too_slow',
          `The request body did not arrive within ${within}; nothing was stored. Send it again on a faster connection.`,
        ),
      );
    }, timeoutMs);
    timer.unref();
    const stop = (): void => {
      clearTimeout(timer);
    };
    payload.once('end', stop);
    reply.raw.once('close', stop);
    return Promise.resolve(body);
  };
}
