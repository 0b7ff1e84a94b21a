/**
 * GET /.well-known/security.txt (RFC 9116): where to report a vulnerability, under which policy, in
 * which languages, until when the file holds (ETSI EN 303 645 §5.2, UK PSTI Act). Plain text, not
 * part of the /v1 API. The process behind it is docs/security-policy.md.
 */
import { readFileSync } from 'node:fs';
import type { Clock } from '../clock/index.js';
import type { App } from '../http/types.js';
import type { SecurityTxtConfig } from './config.js';

const DAY = 24 * 60 * 60 * 1000;

/** The file's text (RFC 9116 §2.5): CRLF line ends are allowed, LF is what every reader takes. */
export function securityTxt(config: SecurityTxtConfig, publicUrl: string | null, nowMs: number, servesPolicy = true): string {
  const origin = publicUrl?.replace(/\/+$/, '') ?? null;
  const host = origin ? new URL(origin).hostname : 'localhost';
  const contacts = config.contacts ?? [`mailto:security@${host}`];
  // Without a configured policy, the one this server ships (/security-policy), if it has one.
  const policy = config.policy ?? (origin && servesPolicy ? `${origin}/security-policy` : null);
  // Expires (§2.5.5) is required, in RFC 3339 form; at midnight UTC so the file is the same all day.
  const expires = new Date(Math.floor((nowMs + config.expiresDays * DAY) / DAY) * DAY).toISOString().replace('.000Z', 'Z');
  const lines = [
    ...contacts.map((c) => `Contact: ${c}`),
    `Expires: ${expires}`,
    ...(policy ? [`Policy: ${policy}`] : []),
    `Preferred-Languages: ${config.languages}`,
    ...(origin ? [`Canonical: ${origin}/.well-known/security.txt`] : []),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The disclosure policy (docs/security-policy.md) as shipped with the server, found from the sources
 * (src/well-known) or the compiled bundle (dist); null if this install has no docs folder.
 */
function readShippedPolicy(): string | null {
  for (const relative of ['../../../../docs/security-policy.md', '../../../docs/security-policy.md']) {
    try {
      return readFileSync(new URL(relative, import.meta.url), 'utf8');
    } catch {
      // not at this location
    }
  }
  return null;
}

/**
 * Registers /.well-known/security.txt (and /security.txt) and, when no BURROW_SECURITY_POLICY is
 * configured, /security-policy with the shipped docs/security-policy.md as the Policy it names.
 */
export function wellKnownRoutes(app: App, { securityTxt: config, publicUrl, clock }: { securityTxt: SecurityTxtConfig; publicUrl: string | null; clock: Clock }): void {
  const shipped = config.policy === null ? readShippedPolicy() : null;
  const text = () => securityTxt(config, publicUrl, clock.now(), shipped !== null);
  app.get('/.well-known/security.txt', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').header('cache-control', 'max-age=3600').send(text()),
  );
  // RFC 9116 §3: the legacy location, still read by some scanners.
  app.get('/security.txt', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').header('cache-control', 'max-age=3600').send(text()),
  );
  if (shipped !== null) {
    app.get('/security-policy', { schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/markdown; charset=utf-8').header('cache-control', 'max-age=3600').send(shipped),
    );
  }
}
