/**
 * A malicious server's edits to the identity successions it hands out, shared by the renewal tests
 * of people's devices (identity-renewal.test.ts) and of toys (toy-identity-renewal.test.ts).
 */
import type { SuccessionWire } from '@burrow/protocol';

/** Each forgery a renewing device and the toy must refuse (docs/protocol.md §17). */
export const FORGED_SUCCESSIONS: readonly [string, (s: SuccessionWire) => SuccessionWire][] = [
  ['guardian signature replaced', (s) => ({ ...s, guardianSignature: s.toSignature })],
  ['old identity signature replaced', (s) => ({ ...s, fromSignature: s.toSignature })],
  ['replayed at another roster step', (s) => ({ ...s, rosterVersion: s.rosterVersion - 1 })],
];

/** A fetch that rewrites the successions the server hands out while `on.active`. */
export function tamperingSuccessions(change: (s: SuccessionWire) => SuccessionWire, on: { active: boolean }): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    const url = String(input instanceof Request ? input.url : input);
    if (!on.active || !/\/successions\?/.test(url) || res.status !== 200) return res;
    const body = (await res.json()) as { successions: SuccessionWire[] };
    return new Response(JSON.stringify({ successions: body.successions.map(change) }), { status: 200, headers: { 'content-type': 'application/json' } });
  };
}
