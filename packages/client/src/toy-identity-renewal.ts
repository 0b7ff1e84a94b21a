/**
 * A toy renewing its own Ed25519 identity (docs/protocol.md §17.6), without pairing again. The toy
 * cannot sign rosters, so it only asks; a guardian's device performs the change (approveRenewals).
 *
 * 1. `startToyRenewal`: draw a new key set, register it as an (unpaired) toy — which gives the new
 *    id its own bearer token — keep both as *pending*, and file the request both identities signed
 *    with the toy's current token.
 * 2. A guardian's device checks the request and publishes the roster swapping the toy's entry with
 *    its countersignature; the server moves the toy's place to the new id and forgets the old row,
 *    so the old token is refused from then on.
 * 3. `adoptToyRenewal`: with the pending token, the toy fetches the rosters after the one it pinned,
 *    verifies them as a chain from it (§4.3), and switches only if the newest lists the pending new
 *    id with the pending keys *and* a succession from its own id to exactly that id verifies against
 *    the step it names (§17.3). Otherwise it keeps its identity and reports why.
 *
 * The old KEM secrets are kept under the old id for the grace period (identity-renewal.ts), so
 * messages sealed to the old id before the change still open; the old signing secret is erased.
 */
import {
  advanceRoster,
  exportDeviceKeys,
  findDevice,
  generateDeviceKeys,
  makeDeviceProof,
  parseRoster,
  signSuccessionRequest,
  toBase64url,
  ProtocolError,
  type DeviceKeys,
  type RandomSource,
  type RosterWire,
  type StoredDeviceKeys,
  type SuccessionRequest,
} from '@burrow/protocol';
import type { ApiClient } from './api.js';
import { isApiError } from './api-error.js';
import { adoptIfDone } from './identity-renewal.js';
import type { StateStore } from './store.js';

/** The same key as identity-renewal.ts: adoptIfDone reads it. */
const PENDING = 'pendingIdentity';
/** Every id this toy had before (ids only, no keys): signed records made for an earlier id stay its own. */
export const FORMER_IDS = 'formerToyIds';

interface PendingToyIdentity {
  familyId: string;
  keys: StoredDeviceKeys;
  request: SuccessionRequest;
  /** The bearer token the server gave the new id (the old one dies when the change is published). */
  token: string;
}

/** The request this toy filed and has not yet seen performed, if any. */
export async function pendingToyRenewal(store: StateStore): Promise<SuccessionRequest | undefined> {
  return (await store.get<PendingToyIdentity | null>(PENDING))?.request;
}

/** The ids this toy went by before its current one, oldest first. */
export async function formerToyIds(store: StateStore): Promise<string[]> {
  return (await store.get<string[] | null>(FORMER_IDS)) ?? [];
}

/**
 * Step 1. Files again (idempotent on the server) the request already pending, else makes one. The
 * new keys are registered before they are kept: a crash in between leaves an unpaired row nobody
 * holds a token for, and the next attempt draws new keys.
 */
export async function startToyRenewal(input: { api: ApiClient; store: StateStore; keys: DeviceKeys; roster: RosterWire; random: RandomSource; now: number }): Promise<SuccessionRequest> {
  const { api, store, keys, roster } = input;
  if (findDevice(roster, keys.deviceId)?.role !== 'toy') throw new ProtocolError('not_authorized', 'This toy is not in the family roster.');
  let pending = await store.get<PendingToyIdentity | null>(PENDING);
  if (pending?.familyId !== roster.familyId || pending.request.from !== keys.deviceId) {
    const next = generateDeviceKeys(input.random);
    const request = signSuccessionRequest({ familyId: roster.familyId, issuedAt: input.now }, keys, next);
    const { token } = await api.registerToy({ signPublicKey: toBase64url(next.signPublicKey), kemPublicKey: toBase64url(next.kemPublicKey), proof: makeDeviceProof(next, 'toy') });
    pending = { familyId: roster.familyId, keys: exportDeviceKeys(next), request, token };
    await store.set(PENDING, pending);
  }
  await api.requestSuccession(roster.familyId, pending.request);
  return pending.request;
}

export type ToyAdoption =
  | { status: 'adopted'; keys: DeviceKeys; roster: RosterWire; chain: RosterWire[]; from: string; to: string }
  /** The server has not performed it (the new id is not in the family yet): nothing changes. */
  | { status: 'not_performed' }
  /** The server says it was performed, but what it shows does not verify: the toy keeps its identity. */
  | { status: 'refused'; reason: string };

/**
 * Step 3. `api` carries the toy's current token, which this restores unless the toy switched (then
 * it carries the new id's token). `pinned` is the roster the toy holds.
 */
export async function adoptToyRenewal(input: { api: ApiClient; store: StateStore; keys: DeviceKeys; pinned: RosterWire; now: number; onRefused?: (from: string, reason: string) => void }): Promise<ToyAdoption> {
  const { api, store, keys, pinned } = input;
  const pending = await store.get<PendingToyIdentity | null>(PENDING);
  if (pending?.familyId !== pinned.familyId || pending.request.from !== keys.deviceId) return { status: 'not_performed' };
  const previousToken = api.token;
  api.token = pending.token;
  try {
    let fetched: RosterWire[];
    try {
      fetched = (await api.listRosters(pinned.familyId, pinned.version)).rosters.map(parseRoster);
    } catch (err) {
      // The new id is not (yet) a toy of the family: the change was not published.
      if (isApiError(err, 'not_found') || isApiError(err, 'forbidden')) return { status: 'not_performed' };
      throw err;
    }
    const current = advanceRoster(pinned, fetched);
    const mine = findDevice(current, pending.request.to);
    if (mine?.role !== 'toy' || mine.signPublicKey !== pending.request.toSignPublicKey || mine.kemPublicKey !== pending.request.toKemPublicKey)
      return { status: 'refused', reason: 'not_listed' };
    const adopted = await adoptIfDone({ api, store, keys, roster: current, now: input.now, ...(input.onRefused ? { onRefused: input.onRefused } : {}) });
    if (!adopted) return { status: 'refused', reason: 'no_valid_succession' };
    await store.set(FORMER_IDS, [...(await formerToyIds(store)), keys.deviceId]);
    await store.set('token', pending.token);
    await store.set('roster', current);
    const chain = [pinned, ...fetched.filter((r) => r.version > pinned.version && r.version <= current.version)];
    return { status: 'adopted', keys: adopted, roster: current, chain, from: keys.deviceId, to: adopted.deviceId };
  } catch (err) {
    if (err instanceof ProtocolError) return { status: 'refused', reason: err.code };
    throw err;
  } finally {
    if (api.token === pending.token && (await store.get<string | null>('token')) !== pending.token) api.token = previousToken;
  }
}
