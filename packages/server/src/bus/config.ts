/**
 * The bus's configuration section (composed by load-config.ts). A leaf: imports nothing of ours.
 *
 * - BURROW_NATS_URL unset: the in-process bus (one node).
 * - BURROW_NATS_URL=nats://host:4222 (comma-separated for a cluster): wake-ups go through NATS, so a
 *   socket on any node hears events published on any other.
 * - BURROW_NATS_SUBJECT_PREFIX (default `burrow.bus`): the subjects' first tokens, so several
 *   deployments can share one NATS.
 */
import { SUBJECT_PREFIX_PATTERN } from './subjects.js';

export type BusConfig =
  | { readonly kind: 'memory' }
  | { readonly kind: 'nats'; readonly servers: readonly string[]; readonly subjectPrefix: string };

export const DEFAULT_SUBJECT_PREFIX = 'burrow.bus';

/** A bad bus setting; load-config.ts turns it into a ConfigError. */
export class BusConfigError extends Error {}

/** Reads BURROW_NATS_URL and BURROW_NATS_SUBJECT_PREFIX. */
export function parseBusConfig(env: NodeJS.ProcessEnv): BusConfig {
  const url = env.BURROW_NATS_URL?.trim() ?? '';
  const prefix = env.BURROW_NATS_SUBJECT_PREFIX?.trim() || DEFAULT_SUBJECT_PREFIX;
  if (!SUBJECT_PREFIX_PATTERN.test(prefix))
    throw new BusConfigError(
      `BURROW_NATS_SUBJECT_PREFIX must be dot-separated tokens of letters, digits, - and _ (e.g. ${DEFAULT_SUBJECT_PREFIX}).`,
    );
  if (url === '') return Object.freeze({ kind: 'memory' });
  const servers = url.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const server of servers) {
    let parsed: URL;
    try {
      parsed = new URL(server);
    } catch {
      throw new BusConfigError('BURROW_NATS_URL must be nats://host:port (comma-separated for several servers).');
    }
    if (!['nats:', 'tls:'].includes(parsed.protocol) || parsed.hostname === '')
      throw new BusConfigError('BURROW_NATS_URL must be nats://host:port or tls://host:port (comma-separated for several servers).');
  }
  return Object.freeze({ kind: 'nats', servers: Object.freeze(servers), subjectPrefix: prefix });
}
