/**
 * A device's own KEM keys across rotations (docs/protocol.md §14.3): the current X25519 key, the
 * retired ones it still needs for messages in flight, and the schedule that rotates and erases them.
 *
 * The current secret lives in the store's `keys` entry (so `DeviceKeys.kemSecretKey` is always the
 * current one), while `DeviceKeys.kemPublicKey` stays the identity key the device registered and the
 * roster lists (epoch 0): registration, pairing and fingerprints keep meaning what they meant.
 * Retired secrets live only in `kemState` and are overwritten there when erased, so once erased a
 * stolen device holds nothing that opens what was sealed to them.
 */
import {
  deviceKeysFromSeeds,
  exportDeviceKeys,
  fromBase64url,
  kemPublicKeyOf,
  openEnvelope,
  signKemKeyRecord,
  toBase64url,
  ProtocolError,
  type Bytes,
  type DeviceKeys,
  type EnvelopeWire,
  type KemKeyRecord,
  type KemSecretKey,
  type Opened,
  type RandomSource,
} from '@burrow/protocol';
import type { ApiClient } from './api.js';
import { ApiError } from './api-error.js';
import type { StateStore } from './store.js';

const DAY = 24 * 60 * 60 * 1000;

/** When a device rotates its KEM key and how long it keeps a retired one for messages in flight. */
export interface RotationPolicy {
  /** Age of the current key at which the device makes a new one (default 7 days). */
  intervalMs: number;
  /**
   * How long a retired key is kept after its successor was published, for messages sealed before
   * senders saw the new key (default 2 days). A key still needed by a queued message is kept longer.
   */
  graceMs: number;
}

export const DEFAULT_ROTATION: RotationPolicy = { intervalMs: 7 * DAY, graceMs: 2 * DAY };

/**
 * How often a device that nobody writes to syncs anyway, so that its keys rotate and retired ones are
 * erased on time (§14.3: the schedule runs on sync): hourly, or more often when the schedule is
 * shorter (a test rig rotating every few seconds), at most once a second. The headless toy and the
 * browser toy simulator both run this timer; a person's app has its own hourly key check.
 */
export function keyMaintenanceIntervalMs(policy: RotationPolicy = DEFAULT_ROTATION): number {
  return Math.max(1000, Math.min(60 * 60 * 1000, Math.min(policy.intervalMs, policy.graceMs) / 8));
}

interface RetiredKey {
  epoch: number;
  secret: string;
  /** When the successor's record reached the server (null until then: the grace has not started). */
  retiredAt: number | null;
}

/** What `kemState` holds. */
interface KemState {
  v: 1;
  /** The registered identity KEM public key (epoch 0, in the roster). */
  originPublicKey: string;
  epoch: number;
  /** When the current key was made (or first seen, for epoch 0). */
  since: number;
  /** The current key's record, and whether the server has it. */
  record: KemKeyRecord | null;
  published: boolean;
  retired: RetiredKey[];
}

const STATE = 'kemState';

async function loadState(store: StateStore): Promise<KemState | undefined> {
  return (await store.get<KemState | null>(STATE)) ?? undefined;
}

/** What one maintenance pass did. */
export interface KeyMaintenance {
  keys: DeviceKeys;
  rotated: boolean;
  published: boolean;
  erased: number[];
  /** Epoch of the current key. */
  epoch: number;
  /** How many KEM secrets the device holds after the pass (current + retired). */
  held: number;
}

/** The current KEM key as a status display shows it: its epoch, since when, and how many secrets are held. */
export interface KemKeyStatus {
  epoch: number;
  /** When the current key was made (null: never rotated or checked yet). */
  since: number | null;
  /** Current + retired secrets still held (a previous identity's are counted by the caller). */
  held: number;
}

export async function kemKeyStatus(store: StateStore): Promise<KemKeyStatus> {
  const state = await loadState(store);
  return state ? { epoch: state.epoch, since: state.since, held: 1 + state.retired.length } : { epoch: 0, since: null, held: 1 };
}

/**
 * Rotates, publishes and erases on schedule. `inUse` names retired epochs something the device still
 * has to open is sealed to (the toy's queued messages); they are kept past the grace period.
 * Publishing failures (offline) are retried on the next pass; the grace period starts only once the
 * new record is on the server, since senders cannot switch before then.
 */
export async function maintainKemKeys(input: {
  store: StateStore;
  api: ApiClient;
  keys: DeviceKeys;
  random: RandomSource;
  now: number;
  policy?: RotationPolicy;
  inUse?: (epoch: number) => boolean;
  /** Rotate now, whatever the key's age (a guardian's "rotate now", tests). */
  force?: boolean;
}): Promise<KeyMaintenance> {
  const { store, api, random, now } = input;
  const policy = input.policy ?? DEFAULT_ROTATION;
  let keys = input.keys;
  let state = (await loadState(store)) ?? {
    v: 1 as const,
    originPublicKey: toBase64url(keys.kemPublicKey),
    epoch: 0,
    since: now,
    record: null,
    published: true,
    retired: [],
  };
  let rotated = false;
  if (state.published && (input.force || now - state.since >= policy.intervalMs)) {
    const secret = random(32) as KemSecretKey;
    const record = signKemKeyRecord(
      {
        deviceId: keys.deviceId,
        epoch: state.epoch + 1,
        kemPublicKey: kemPublicKeyOf(secret),
        notBefore: now,
      },
      keys.signSecretKey,
    );
    state = {
      ...state,
      epoch: record.epoch,
      since: now,
      record,
      published: false,
      retired: [
        ...state.retired,
        { epoch: state.epoch, secret: toBase64url(keys.kemSecretKey), retiredAt: null },
      ],
    };
    // The retired secret is saved (in kemState) before the current one is replaced (in keys), so a
    // crash in between loses nothing; loadCurrentSecret repairs `keys` from the record.
    await store.set(STATE, { ...state, current: toBase64url(secret) });
    keys = { ...deviceKeysFromSeeds(keys.signSecretKey, secret), kemPublicKey: keys.kemPublicKey };
    await store.set('keys', exportDeviceKeys({ ...keys, kemSecretKey: secret }));
    await store.set(STATE, state);
    rotated = true;
  }
  let published = false;
  if (!state.published && state.record) {
    try {
      await api.publishKemKey(state.record);
      published = true;
    } catch (err) {
      // 409: a record of this epoch is already there (published before a crash): done.
      published = err instanceof ApiError && err.status === 409;
    }
    if (published) {
      state = {
        ...state,
        published: true,
        retired: state.retired.map((r) => (r.retiredAt === null ? { ...r, retiredAt: now } : r)),
      };
      await store.set(STATE, state);
    }
  }
  const keep = state.retired.filter(
    (r) => r.retiredAt === null || now < r.retiredAt + policy.graceMs || input.inUse?.(r.epoch) === true,
  );
  const erased = state.retired.filter((r) => !keep.includes(r)).map((r) => r.epoch);
  if (erased.length > 0) {
    state = { ...state, retired: keep };
    await store.set(STATE, state);
  }
  if (!rotated && erased.length === 0 && !published && !(await loadState(store)))
    await store.set(STATE, state);
  return { keys, rotated, published, erased, epoch: state.epoch, held: 1 + state.retired.length };
}

/**
 * Repairs a rotation a crash interrupted: if `kemState` says a newer key was made than `keys` holds,
 * the saved new secret becomes current. Returns the device's keys as they should be used.
 */
export async function loadCurrentKemKey(store: StateStore, keys: DeviceKeys): Promise<DeviceKeys> {
  const state = await store.get<(KemState & { current?: string }) | null>(STATE);
  if (!state) return keys;
  if (
    state.current &&
    state.record &&
    toBase64url(kemPublicKeyOf(keys.kemSecretKey)) !== state.record.kemPublicKey
  ) {
    const secret = fromBase64url(state.current, 32) as KemSecretKey;
    keys = deviceKeysFromSeeds(keys.signSecretKey, secret);
    await store.set('keys', exportDeviceKeys(keys));
    const { current: _current, ...clean } = state;
    await store.set(STATE, clean);
  }
  return { ...keys, kemPublicKey: fromBase64url(state.originPublicKey, 32) as DeviceKeys['kemPublicKey'] };
}

/**
 * Opens an envelope with the current key or, failing that, a retired one still held, newest first.
 * Returns the epoch that opened it (so the toy keeps that key while the message waits in a slot).
 */
export async function openWithHeldKeys(
  store: StateStore,
  keys: DeviceKeys,
  envelope: EnvelopeWire,
  blob: Bytes | null,
): Promise<Opened & { epoch: number }> {
  const state = await loadState(store);
  const candidates: { epoch: number; keys: DeviceKeys }[] = [{ epoch: state?.epoch ?? 0, keys }];
  for (const r of [...(state?.retired ?? [])].reverse()) {
    candidates.push({
      epoch: r.epoch,
      keys: { ...keys, kemSecretKey: fromBase64url(r.secret, 32) as KemSecretKey },
    });
  }
  let last: unknown = new ProtocolError('decrypt_failed', 'Could not open.');
  for (const c of candidates) {
    try {
      return { ...(await openEnvelope(envelope, blob, c.keys)), epoch: c.epoch };
    } catch (err) {
      // Only a key that does not fit is worth another try; a bad blob fails the same with every key.
      if (!(err instanceof ProtocolError && err.code === 'decrypt_failed')) throw err;
      last = err;
    }
  }
  throw last;
}

/** Forgets every KEM key state (an unpaired toy starts over with new keys). */
export async function forgetKemKeys(store: StateStore): Promise<void> {
  await store.set(STATE, null);
}

/**
 * The epoch of the held key that unwraps this device's slot of `envelope` (its metadata; the blob is
 * not needed), or null if none does. A person's device keeps a retired key that a message still
 * waiting for its review (§11) is sealed to.
 */
export async function heldEpochOf(store: StateStore, keys: DeviceKeys, envelope: EnvelopeWire): Promise<number | null> {
  try {
    return (await openWithHeldKeys(store, keys, { ...envelope, blob: null }, null)).epoch;
  } catch {
    return null;
  }
}
