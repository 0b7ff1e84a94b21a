/** Loads a device's key set from its store, generating it on first use (keys never leave the device). */
import { exportDeviceKeys, generateDeviceKeys, importDeviceKeys, secureRandom, type DeviceKeys, type RandomSource, type StoredDeviceKeys } from '@burrow/protocol';
import type { StateStore } from './store.js';

export async function loadOrCreateKeys(store: StateStore, random: RandomSource = secureRandom): Promise<{ keys: DeviceKeys; created: boolean }> {
  const stored = await store.get<StoredDeviceKeys>('keys');
  if (stored) return { keys: importDeviceKeys(stored), created: false };
  const keys = generateDeviceKeys(random);
  await store.set('keys', exportDeviceKeys(keys));
  return { keys, created: true };
}
