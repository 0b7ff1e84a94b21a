/**
 * How a Burrow node and the honeychecker service (`burrow honeychecker serve`) prove to each other
 * that they share BURROW_HONEYCHECKER_TOKEN, without sending it: every request carries the time and
 * an HMAC-SHA-256 under the token of the method, path, time and body. The service accepts a request
 * only within ±60 s of its own clock and only once (a replayed request is refused), so a copy of
 * the traffic neither reveals the token nor can be sent again.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TIME_HEADER = 'x-burrow-time';
/** A random value per request, so two identical requests in the same millisecond differ. */
export const NONCE_HEADER = 'x-burrow-nonce';
/** How far the two clocks may differ, and how long a seen signature is remembered. */
export const SIGNATURE_WINDOW_MS = 60_000;

export function signRequest(token: string, method: string, path: string, time: number, nonce: string, body: string): string {
  return createHmac('sha256', token)
    .update(`burrow-honeychecker-v1\n${method}\n${path}\n${String(time)}\n${nonce}\n${body}`)
    .digest('hex');
}

/** Headers for one request. */
export function authHeaders(token: string, method: string, path: string, body: string, now = Date.now()): Record<string, string> {
  const nonce = randomBytes(16).toString('hex');
  return {
    [TIME_HEADER]: String(now),
    [NONCE_HEADER]: nonce,
    authorization: `HMAC ${signRequest(token, method, path, now, nonce, body)}`,
  };
}


/** The service's side: verifies signatures and remembers the ones it accepted within the window. */
export function createVerifier(token: string, clock: () => number = Date.now) {
  const seen = new Map<string, number>();
  return (method: string, path: string, headers: Record<string, string | string[] | undefined>, body: string): boolean => {
    const timeText = headers[TIME_HEADER];
    const nonce = headers[NONCE_HEADER];
    const auth = headers.authorization;
    if (typeof timeText !== 'string' || typeof auth !== 'string' || !/^\d{1,16}$/.test(timeText)) return false;
    if (typeof nonce !== 'string' || !/^[0-9a-f]{32}$/.test(nonce)) return false;
    const m = /^HMAC ([0-9a-f]{64})$/.exec(auth);
    if (!m?.[1]) return false;
    const time = Number(timeText);
    const now = clock();
    if (Math.abs(now - time) > SIGNATURE_WINDOW_MS) return false;
    const expected = Buffer.from(signRequest(token, method, path, time, nonce, body), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(m[1], 'hex'))) return false;
    for (const [mac, until] of seen) if (until < now) seen.delete(mac);
    if (seen.has(m[1])) return false;
    seen.set(m[1], time + 2 * SIGNATURE_WINDOW_MS);
    return true;
  };
}
