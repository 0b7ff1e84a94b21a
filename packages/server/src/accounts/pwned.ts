/**
 * The Pwned Passwords range API (k-anonymity): only the first 5 hex characters of the password's
 * SHA-1 leave the server (`GET <base>/range/<prefix>`); the answer lists `SUFFIX:COUNT` lines for
 * every hash sharing that prefix, and the match is made here. `Add-Padding: true` asks for decoy
 * lines so the answer's size does not hint at the prefix. Off unless the operator enables it.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';

export const PWNED_PASSWORDS_API = 'https://api.pwnedpasswords.com';

export interface PwnedPasswords {
  /** How often the password appears in known breaches; null when the service could not be asked. */
  count(password: string): Promise<number | null>;
}

export function createPwnedPasswords({
  baseUrl,
  log,
  timeoutMs = 3000,
  fetchFn = fetch,
}: {
  baseUrl: string;
  log?: Logger;
  timeoutMs?: number;
  fetchFn?: typeof fetch;
}): PwnedPasswords {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    async count(password) {
      const sha1 = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
      const prefix = sha1.slice(0, 5);
      const suffix = sha1.slice(5);
      try {
        const res = await fetchFn(`${base}/range/${prefix}`, {
          headers: { 'add-padding': 'true', 'user-agent': 'burrow-server' },
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (!res.ok) throw new Error(`status ${res.status}`);
        for (const line of (await res.text()).split('\n')) {
          const [s, n] = line.trim().split(':');
          if (s === suffix) return Number(n) || 0;
        }
        return 0;
      } catch (err) {
        // Fail open: a breach-list outage must not stop people signing up; the local blocklist still applies.
        log?.warn({ err: err instanceof Error ? err.message : String(err) }, 'pwned passwords check unavailable');
        return null;
      }
    },
  };
}
