/**
 * What the account capabilities record of a request: the client address and the User-Agent. They
 * go into the sessions list, the security log and notice mails, never anything more.
 */
import type { FastifyRequest } from 'fastify';

/** The client address and browser of a request (null when it sent no User-Agent). */
export interface RequestMeta {
  ip: string;
  userAgent: string | null;
}

/** The RequestMeta of a Fastify request (the address honours `trustProxy`). */
export function metaOf(request: FastifyRequest): RequestMeta {
  const ua = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof ua === 'string' && ua !== '' ? ua : null };
}
