/**
 * A person's devices. Keys belong to devices, not accounts: a device registers the public halves of
 * the keys it generated, with a proof that it holds the signing key (so nobody can register another
 * device's key as their own).
 */
import { deviceIdFromSigningKey, fromBase64url, verifyDeviceProof } from '@burrow/protocol';
import { nativeVerify } from '../signatures/native-ed25519.js';
import type { Clock } from '../clock/index.js';
import { isForeignKeyViolation, isUniqueViolation, type Db } from '../db/index.js';
import { badRequest, conflict, signInFirst } from '../errors/index.js';
import { deviceById, insertPersonDevice } from './store.js';

export interface DeviceKeysInput {
  signPublicKey: string;
  kemPublicKey: string;
  proof: string;
}

export interface Devices {
  /** Registers a device to an account; repeating it with the same keys is a no-op. */
  registerDevice(accountId: string, input: DeviceKeysInput): Promise<{ deviceId: string }>;
}

/** Checks the proof of possession and derives the device id (shared with toy registration). */
export function checkDeviceKeys(input: DeviceKeysInput, purpose: 'device' | 'toy'): string {
  if (!verifyDeviceProof({ ...input, purpose }, nativeVerify)) throw badRequest('key_proof_invalid', 'The key proof does not verify.');
  return deviceIdFromSigningKey(fromBase64url(input.signPublicKey, 32));
}

export function createDevices({ db, clock }: { db: Db; clock: Clock }): Devices {
  return {
    async registerDevice(accountId, input) {
      const deviceId = checkDeviceKeys(input, 'device');
      const existing = await deviceById(db, deviceId);
      const same = (row: NonNullable<typeof existing>): boolean =>
        row.kind === 'person' &&
        row.account_id === accountId &&
        row.sign_public_key === input.signPublicKey &&
        row.kem_public_key === input.kemPublicKey;
      if (existing) {
        if (same(existing)) return { deviceId };
        throw conflict('device_exists', 'That device is already registered.');
      }
      try {
        await insertPersonDevice(db, {
          id: deviceId,
          accountId,
          signPublicKey: input.signPublicKey,
          kemPublicKey: input.kemPublicKey,
          createdAt: clock.now(),
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict('device_exists', 'That device is already registered.');
        // A person's new device names only its account by foreign key: the account was deleted since
        // its session was read (erasure/account.ts). Its session went with it: sign in, not a 500.
        if (isForeignKeyViolation(err)) throw signInFirst();
        throw err;
      }
      return { deviceId };
    },
  };
}
