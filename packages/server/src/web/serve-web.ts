/**
 * Serves the built web app (packages/web/dist): the guardian app at `/` and its routes (each answered
 * with index.html so a reload or a shared link works), the toy simulator at `/toy`, and the hashed
 * assets, manifest, icons and service worker.
 *
 * HTML pages carry a strict Content-Security-Policy (scripts and connections from this origin only)
 * and a Permissions-Policy that gives the microphone to this origin alone. Hashed assets are cached
 * for a year; everything else is revalidated, so a new build is picked up on the next load.
 *
 * Register it after the API routes: `await app.register(serveWeb)` (options: `{ root }` to serve
 * another folder). If the app has not been built, its pages answer 503 with the command to run.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/** The guardian app's client-side routes (packages/web/src/app/App.tsx, APP_ROUTES). */
export const WEB_APP_ROUTES = [
  '/',
  '/signup',
  '/login',
  '/welcome',
  '/talk',
  '/listen',
  '/toys',
  '/devices',
  '/recover',
  '/family',
  '/activity',
  '/review',
  '/join',
  '/notices',
  '/more',
  '/security',
  '/verify-email',
  '/reset-password',
] as const;
export const TOY_ROUTE = '/toy';

export const defaultWebRoot = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** 'self' covers same-origin ws:/wss: for the stream (CSP Level 3). blob: is for recorded audio. */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SOURCE_MAP_GLOB = '**/*.map';

/** True for a source map (`/assets/app-1234.js.map`), which is never served. */
export function isSourceMap(pathname: string): boolean {
  return pathname.toLowerCase().endsWith('.map');
}

export interface ServeWebOptions {
  /** The folder holding index.html and toy.html (default: packages/web/dist). */
  root?: string;
}

function setHeaders(reply: FastifyReply, path: string): void {
  if (path.endsWith('.html')) {
    void reply.header('content-security-policy', WEB_CSP);
    // The camera scans a toy's pairing QR code (Toys page); both for this origin only.
    void reply.header('permissions-policy', 'microphone=(self), camera=(self), geolocation=(), payment=()');
    void reply.header('cache-control', 'no-cache');
  } else if (/[\\/]assets[\\/]/.test(path)) {
    void reply.header('cache-control', 'public, max-age=31536000, immutable');
  } else {
    void reply.header('cache-control', 'no-cache');
  }
  if (path.endsWith('.webmanifest')) void reply.header('content-type', 'application/manifest+json');
}

export const serveWeb: FastifyPluginAsync<ServeWebOptions> = async (app, options) => {
  const root = options.root ?? defaultWebRoot;
  const pages = { app: 'index.html', toy: 'toy.html' };

  if (!existsSync(join(root, pages.app)) || !existsSync(join(root, pages.toy))) {
    app.log.warn({ root }, 'web app not built: run `npm run build`');
    const notBuilt = (_request: unknown, reply: FastifyReply) =>
      reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The Burrow web app has not been built yet. Run `npm run build`, then reload.');
    for (const path of [...WEB_APP_ROUTES, TOY_ROUTE]) app.get(path, { schema: { hide: true } }, notBuilt);
    return;
  }

  // One route per built file (wildcard: false), so unknown paths still reach the API's 404 handler.
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: false,
    cacheControl: false,
    setHeaders,
    // Source maps publish the readable source: the build emits none (packages/web/vite.config.ts),
    // and a stray one in the folder gets no route and is refused if asked for by name.
    globIgnore: [SOURCE_MAP_GLOB],
    allowedPath: (pathname) => !isSourceMap(pathname),
  });

  for (const path of WEB_APP_ROUTES)
    app.get(path, { schema: { hide: true } }, (_request, reply) => reply.sendFile(pages.app));
  app.get(TOY_ROUTE, { schema: { hide: true } }, (_request, reply) => reply.sendFile(pages.toy));
};

export default serveWeb;
