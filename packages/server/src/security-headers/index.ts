/**
 * Web hardening for every response and every state-changing request (OWASP ASVS 14.4, 4.2.2; issue 5):
 *
 * - Headers on every answer, API and HTML alike: a Content-Security-Policy (the web app's strict one
 *   on HTML, set by web/serve-web.ts, and on scripts, whose policy binds them when they run as the
 *   service worker; `default-src 'none'` on everything else, which no browser should render), `frame-ancestors 'none'` and X-Frame-Options DENY, Referrer-Policy no-referrer,
 *   a Permissions-Policy giving the microphone to this origin alone, nosniff, COOP/CORP same-origin,
 *   and HSTS when Burrow serves TLS itself.
 * - CSRF: session cookies are SameSite=Strict, and a state-changing request (anything but GET, HEAD,
 *   OPTIONS) whose Origin is another site is refused with 403 — for every request, so sign-in CSRF
 *   is refused too. One made with the cookie (no Authorization header) must show where it comes
 *   from: an Origin of this server, or `Sec-Fetch-Site: same-origin`.
 *
 * "This server" is the Host the request was sent to (what the browser's Origin names), or
 * BURROW_PUBLIC_URL when set.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '../auth/index.js';
import { forbidden } from '../errors/index.js';
import { WEB_CSP } from '../web/serve-web.js';

/** For answers that are not the web app: nothing may load, run, frame or submit from them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/**
 * The same as the web app's pages (web/serve-web.ts): the microphone (recording) and the camera
 * (scanning a toy's pairing QR code) for this origin only.
 */
export const PERMISSIONS_POLICY = 'microphone=(self), camera=(self), geolocation=(), payment=()';
export const HSTS = 'max-age=31536000; includeSubDomains';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface SecurityHeadersOptions {
  /** Burrow terminates TLS itself: send HSTS. */
  https: boolean;
  /** BURROW_PUBLIC_URL's origin, accepted besides the request's own Host. */
  publicOrigin: string | null;
}

function sameOrigin(request: FastifyRequest, origin: string, publicOrigin: string | null): boolean {
  if (publicOrigin !== null && origin === publicOrigin) return true;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === request.headers.host;
  } catch {
    return false; // "null" (sandboxed frames, privacy-sensitive redirects) and garbage
  }
}

/** Throws forbidden when a state-changing request comes from another site. */
export function checkOrigin(request: FastifyRequest, publicOrigin: string | null): void {
  if (SAFE_METHODS.has(request.method)) return;
  const origin = request.headers.origin;
  if (origin !== undefined) {
    if (!sameOrigin(request, origin, publicOrigin))
      throw forbidden('cross_origin', 'Requests from another site are refused (Origin check).');
    return;
  }
  const usesCookie = request.headers.authorization === undefined && request.headers.cookie?.includes(`${SESSION_COOKIE}=`);
  if (!usesCookie) return;
  const site = request.headers['sec-fetch-site'];
  if (site !== 'same-origin')
    throw forbidden('cross_origin', 'A request signed in by cookie must come from this site: send an Origin header.');
}

export function registerSecurityHeaders(app: FastifyInstance, { https, publicOrigin }: SecurityHeadersOptions): void {
  app.addHook('onRequest', (request, _reply, done) => {
    try {
      checkOrigin(request, publicOrigin);
      done();
    } catch (err) {
      done(err as Error);
    }
  });
  app.addHook('onSend', async (_request, reply) => {
    const type = String(reply.getHeader('content-type') ?? '');
    if (!reply.hasHeader('content-security-policy'))
      // A script's CSP governs it when it runs as a worker (the app's service worker): give it the app's.
      void reply.header('content-security-policy', /^(text\/html|text\/javascript|application\/javascript)/.test(type) ? WEB_CSP : API_CSP);
    if (!reply.hasHeader('permissions-policy')) void reply.header('permissions-policy', PERMISSIONS_POLICY);
    void reply.header('x-frame-options', 'DENY');
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('referrer-policy', 'no-referrer');
    void reply.header('cross-origin-opener-policy', 'same-origin');
    void reply.header('cross-origin-resource-policy', 'same-origin');
    if (https) void reply.header('strict-transport-security', HSTS);
  });
}
