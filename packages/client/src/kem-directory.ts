/**
 * The sender's side of key rotation (docs/protocol.md §14.2): which X25519 key to seal to for each
 * recipient device. A device's record is taken only if its own identity key (from the roster this
 * sender verified) signed it, and only if it is not older than the record already pinned for that
 * device; otherwise the pinned record (or the roster's key, epoch 0) is kept. A server can withhold
 * a newer record and so delay the switch; it cannot make the sender seal to a key the device did not
 * publish, nor back to a key the device has retired and erased.
 */
import {
  considerKemKeyRecord,
  findDevice,
  fromBase64url,
  newMessageId,
  parseKemKeyRecord,
  ProtocolError,
  sealEnvelope,
  type DeviceId,
  type KemRecordRefusal,
  type RosterWire,
  type SealingKey,
} from '@burrow/protocol';
import type { ApiClient } from './api.js';
import { isApiError } from './api-error.js';
import type { StateStore } from './store.js';

const PINS = 'kemPins';

type SealInput = Parameters<typeof sealEnvelope>[0];

export type KemRefusalHandler = (deviceId: string, reason: KemRecordRefusal | 'malformed') => void;

/** The keys to seal to: per recipient its public key (bytes) and the epoch it belongs to. */
export interface Recipients {
  recipients: { deviceId: DeviceId; kemPublicKey: Uint8Array }[];
  epochs: Record<string, number>;
}

/**
 * Fetches the family's key records, pins the acceptable ones, and returns the key for each of
 * `deviceIds` (which must be in `roster`). If the server cannot be reached, the pins held are used.
 */
export async function sealingKeys(input: {
  api: ApiClient;
  store: StateStore;
  roster: RosterWire;
  deviceIds: readonly string[];
  now: number;
  onRefused?: KemRefusalHandler;
}): Promise<Recipients> {
  const { api, store, roster, now } = input;
  const pins = (await store.get<Record<string, SealingKey>>(PINS)) ?? {};
  let changed = false;
  const offered = await api.listKemKeys(roster.familyId).then(
    (r) => r.records,
    () => [],
  );
  for (const raw of offered) {
    let record;
    try {
      record = parseKemKeyRecord(raw);
    } catch {
      input.onRefused?.(String((raw as { deviceId?: unknown } | null)?.deviceId), 'malformed');
      continue;
    }
    const pinned = pins[record.deviceId];
    const decision = considerKemKeyRecord(record, roster, pinned, now);
    if ('refuse' in decision) {
      input.onRefused?.(record.deviceId, decision.refuse);
      continue;
    }
    if (pinned?.epoch !== decision.accept.epoch) {
      pins[record.deviceId] = decision.accept;
      changed = true;
    }
  }
  if (changed) await store.set(PINS, pins);
  const recipients: Recipients['recipients'] = [];
  const epochs: Record<string, number> = {};
  for (const id of input.deviceIds) {
    const device = findDevice(roster, id);
    if (!device) throw new ProtocolError('not_authorized', 'Recipient is not in the roster.');
    const pin = pins[device.id];
    const key = pin ?? { deviceId: device.id, epoch: 0, kemPublicKey: device.kemPublicKey };
    recipients.push({ deviceId: device.id, kemPublicKey: fromBase64url(key.kemPublicKey, 32) });
    epochs[device.id] = key.epoch;
  }
  return { recipients, epochs };
}

/**
 * Seals a voice message to each of `deviceIds`' newest verified key, uploads its blob and sends it
 * (§14.2). If the server answers that a recipient published a newer key since (409), the keys are
 * fetched again and, if they changed, the message is sealed again; if they did not change, the server
 * is hiding the newer key and the send is refused with `hiddenKey`. A send the server answers `already_sent` (this very envelope is stored:
 * a retry of a send that landed) is a success. Returns the message id.
 */
export async function sealAndSendVoice(input: {
  api: ApiClient;
  store: StateStore;
  roster: RosterWire;
  deviceIds: readonly string[];
  sender: SealInput['sender'];
  meta: SealInput['meta'];
  audio: Uint8Array;
  clock: () => number;
  random: SealInput['random'];
  onRefused?: KemRefusalHandler;
  hiddenKey: string;
}): Promise<string> {
  const { api, roster } = input;
  let previous: string | undefined;
  for (;;) {
    const keys = await sealingKeys({
      api,
      store: input.store,
      roster,
      deviceIds: input.deviceIds,
      now: input.clock(),
      onRefused: input.onRefused,
    });
    const fingerprint = JSON.stringify(keys.epochs);
    if (previous === fingerprint) throw new ProtocolError('not_authorized', input.hiddenKey);
    previous = fingerprint;
    const { envelope, blob } = await sealEnvelope({
      kind: 'voice',
      id: newMessageId(input.random),
      familyId: roster.familyId,
      sender: input.sender,
      rosterVersion: roster.version,
      createdAt: input.clock(),
      recipients: keys.recipients,
      meta: input.meta,
      payload: input.audio,
      random: input.random,
    });
    await api.uploadBlob(roster.familyId, envelope.blob!.hash, blob!);
    try {
      await api.sendMessage(roster.familyId, envelope, keys.epochs);
    } catch (err) {
      // The server stored this very envelope before (a retry after an error the send survived, e.g.
      // a 503 once its commit was done): it was delivered once, which is what the caller wanted.
      if (isApiError(err, 'already_sent')) return envelope.id;
      // Only a newer key is a reason to seal again; any other refusal is the caller's to see.
      if (isApiError(err, 'conflict')) continue;
      throw err;
    }
    return envelope.id;
  }
}
