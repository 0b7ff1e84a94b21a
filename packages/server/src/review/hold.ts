/**
 * Which toys hold a message for review (docs/protocol.md §11): those whose latest guardian-signed
 * settings list the sending device — or another device of the same account, so a person under review
 * cannot escape it by sending from a browser the guardian approved later, before the settings catch
 * up. (The toy checks the device list itself; this server check is the wider one.)
 */
import { parseToySettings, reviewedDevices } from '@burrow/protocol';
import type { Db } from '../db/index.js';
import { deviceIdsOfAccount } from '../devices/store.js';

/**
 * Of the toys whose stored settings JSON `stored` holds (by toy id: the send reads them in its
 * combined read, toys/store.ts settingsFacts), those holding this sender's message for review.
 */
export async function toysHoldingForReview(
  db: Db,
  stored: ReadonlyMap<string, string>,
  senderDeviceId: string,
  senderAccountId: string | null,
): Promise<string[]> {
  if (stored.size === 0) return [];
  const senderDevices = new Set([senderDeviceId]);
  if (senderAccountId !== null) {
    for (const id of await deviceIdsOfAccount(db, senderAccountId)) senderDevices.add(id);
  }
  return [...stored]
    .filter(([, settings]) => reviewedDevices(parseToySettings(JSON.parse(settings))).some((id) => senderDevices.has(id)))
    .map(([toyId]) => toyId);
}
