/**
 * Which toys hold a message for review (docs/protocol.md §11): those whose latest guardian-signed
 * settings list the sending device — or another device of the same account, so a person under review
 * cannot escape it by sending from a browser the guardian approved later, before the settings catch
 * up. (The toy checks the device list itself; this server check is the wider one.)
 */
import { parseToySettings, reviewedDevices } from '@burrow/protocol';
import type { Db } from '../db/index.js';

export async function toysHoldingForReview(
  db: Db,
  toyIds: readonly string[],
  senderDeviceId: string,
  senderAccountId: string | null,
): Promise<string[]> {
  if (toyIds.length === 0) return [];
  const rows = await db.selectFrom('toy_settings').select(['toy_id', 'settings']).where('toy_id', 'in', [...toyIds]).execute();
  if (rows.length === 0) return [];
  const senderDevices = new Set([senderDeviceId]);
  if (senderAccountId !== null) {
    const own = await db.selectFrom('devices').select('id').where('account_id', '=', senderAccountId).execute();
    for (const d of own) senderDevices.add(d.id);
  }
  return rows
    .filter((r) => reviewedDevices(parseToySettings(JSON.parse(r.settings))).some((id) => senderDevices.has(id)))
    .map((r) => r.toy_id);
}
