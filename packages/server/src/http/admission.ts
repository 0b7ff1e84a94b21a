/**
 * Explicit back-pressure for durable writes. Without it a node past saturation queues every upload
 * and send behind the group commits, and latency climbs into seconds for everyone until requests
 * time out (issue #11). With it the node works on at most `maxInflightWrites` at once; one more is
 * answered 503 `unavailable` with Retry-After before its body is read, so it changes nothing, costs
 * next to nothing, and the writes already accepted keep a bounded wait.
 *
 * The gate is a `preParsing` hook: it runs after the auth hook (only signed-in devices hold slots)
 * and before the body is read (a refused upload's 2 MiB are never buffered). A slot is held until
 * the response is done or the connection closed, whichever comes first, so an abandoned request
 * cannot leak one.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/index.js';
import type { AdmissionConfig } from './admission-config.js';

export interface Admission {
  /** The route hook (`preParsing`) that admits a durable write or refuses it with 503. */
  readonly gate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** Writes in flight now, and refused since start (for tests and /metrics-style reading). */
  stats(): { inFlight: number; refused: number };
}

export function createAdmission({ maxInflightWrites, retryAfterSeconds }: AdmissionConfig): Admission {
  let inFlight = 0;
  let refused = 0;
  return {
    gate(_request, reply) {
      if (inFlight >= maxInflightWrites) {
        refused += 1;
        void reply.header('retry-after', String(retryAfterSeconds));
        return Promise.reject(
          new AppError('unavailable', `The server is busy storing other messages; try again in ${String(retryAfterSeconds)} s.`),
        );
      }
      inFlight += 1;
      let held = true;
      const release = (): void => {
        if (!held) return;
        held = false;
        inFlight -= 1;
      };
      // 'close' follows both a finished response and a connection dropped mid-request.
      reply.raw.once('close', release);
      reply.raw.once('finish', release);
      return Promise.resolve();
    },
    stats: () => ({ inFlight, refused }),
  };
}
