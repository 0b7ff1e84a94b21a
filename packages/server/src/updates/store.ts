/** The toy_updates table (migrations/0600_toy_updates.ts): this module alone reads and writes it. */
import type { UpdateManifestWire } from '@burrow/protocol';
import type { Db } from '../db/index.js';

/** "1.10.2" → "000000001.000000010.000000002": text order is then version order. */
export function versionKey(version: string): string {
  return version.split('.').map((part) => part.padStart(9, '0')).join('.');
}

export async function hasUpdate(db: Db, target: string, version: string): Promise<boolean> {
  return (await db.selectFrom('toy_updates').select('version').where('target', '=', target).where('version', '=', version).executeTakeFirst()) !== undefined;
}

export async function insertUpdate(db: Db, manifest: UpdateManifestWire, bundle: Uint8Array, uploadedAt: number): Promise<void> {
  await db
    .insertInto('toy_updates')
    .values({
      target: manifest.target,
      version: manifest.version,
      version_key: versionKey(manifest.version),
      min_version: manifest.minVersion,
      manifest_json: JSON.stringify(manifest),
      bundle_base64: Buffer.from(bundle).toString('base64url'),
      uploaded_at: uploadedAt,
    })
    .execute();
}

/** Manifests for `target` newer than `current`, newest first. */
export async function newerManifests(db: Db, target: string, current: string): Promise<UpdateManifestWire[]> {
  const rows = await db
    .selectFrom('toy_updates')
    .select('manifest_json')
    .where('target', '=', target)
    .where('version_key', '>', versionKey(current))
    .orderBy('version_key', 'desc')
    .execute();
  return rows.map((r) => JSON.parse(r.manifest_json) as UpdateManifestWire);
}

export async function bundleOf(db: Db, target: string, version: string): Promise<Uint8Array | undefined> {
  const row = await db.selectFrom('toy_updates').select('bundle_base64').where('target', '=', target).where('version', '=', version).executeTakeFirst();
  return row ? new Uint8Array(Buffer.from(row.bundle_base64, 'base64url')) : undefined;
}

/** A toy's software report (table toy_update_reports). */
export interface UpdateReportRow {
  target: string;
  version: string;
  state: 'current' | 'pending' | 'rolled_back';
  detail: string | null;
  reportedAt: number;
}

export async function putUpdateReport(db: Db, toyId: string, report: UpdateReportRow): Promise<void> {
  const row = { target: report.target, version: report.version, state: report.state, detail: report.detail, reported_at: report.reportedAt };
  await db
    .insertInto('toy_update_reports')
    .values({ toy_id: toyId, ...row })
    .onConflict((oc) => oc.column('toy_id').doUpdateSet(row))
    .execute();
}

export async function updateReportOf(db: Db, toyId: string): Promise<UpdateReportRow | undefined> {
  const row = await db.selectFrom('toy_update_reports').selectAll().where('toy_id', '=', toyId).executeTakeFirst();
  return row && { target: row.target, version: row.version, state: row.state as UpdateReportRow['state'], detail: row.detail, reportedAt: Number(row.reported_at) };
}

/** A toy renewed its identity (docs/protocol.md §17.6): its last report is its new id's. */
export async function moveUpdateReport(db: Db, fromToyId: string, toToyId: string): Promise<void> {
  await db.updateTable('toy_update_reports').set({ toy_id: toToyId }).where('toy_id', '=', fromToyId).execute();
}
