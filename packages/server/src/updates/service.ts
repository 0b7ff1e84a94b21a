/**
 * Toy updates on the server: a mirror of signed bundles. It checks a bundle's structure and that
 * its payload matches the manifest's size and hash (so it never serves a torn upload), but it holds
 * no release key and cannot verify or make a signature: the toy does that (docs/protocol.md §13.3).
 */
import { compareVersions, decodeUpdateBundle, equalBytes, fromBase64url, isProtocolError, type UpdateManifestWire } from '@burrow/protocol';
import { createHash } from 'node:crypto';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { badRequest, conflict, notFound } from '../errors/index.js';
import { isFamilyToy } from '../devices/store.js';
import { requireMember } from '../families/access.js';
import { bundleOf, hasUpdate, insertUpdate, newerManifests, putUpdateReport, updateReportOf, type UpdateReportRow } from './store.js';

export interface Updates {
  /** Stores a bundle; 400 if it is not a well-formed bundle, 409 if that version is already stored. */
  upload(bundle: Uint8Array): Promise<{ target: string; version: string }>;
  /** The newest manifest a toy running `current` may apply (its minVersion ≤ current), or null. */
  latest(target: string, current: string): Promise<UpdateManifestWire | null>;
  bundle(target: string, version: string): Promise<Uint8Array>;
  /** A toy's check-in: the version it runs and its update state. */
  report(toyId: string, report: Omit<UpdateReportRow, 'reportedAt' | 'detail'> & { detail?: string }): Promise<void>;
  /** For a member of the toy's family: its last report and whether a newer version is available. */
  statusFor(accountId: string, familyId: string, toyId: string): Promise<(Omit<UpdateReportRow, 'target'> & { available: string | null }) | null>;
}

export function createUpdates({ db, clock }: { db: Db; clock: Clock }): Updates {
  return {
    async upload(bytes) {
      let manifest: UpdateManifestWire;
      try {
        const bundle = decodeUpdateBundle(bytes);
        manifest = bundle.manifest;
        const hash = createHash('sha256').update(bundle.payload).digest();
        if (!equalBytes(hash, fromBase64url(manifest.sha256, 32))) throw badRequest('bundle_invalid', 'The bundle payload does not match its manifest hash.');
      } catch (err) {
        if (isProtocolError(err)) throw badRequest('bundle_invalid', `Not a valid update bundle (${err.code}).`);
        throw err;
      }
      if (await hasUpdate(db, manifest.target, manifest.version)) throw conflict('update_exists', `${manifest.target} ${manifest.version} is already stored; sign a new version.`);
      await insertUpdate(db, manifest, bytes, clock.now());
      return { target: manifest.target, version: manifest.version };
    },
    async latest(target, current) {
      const newer = await newerManifests(db, target, current);
      return newer.find((m) => compareVersions(m.minVersion, current) <= 0) ?? null;
    },
    async report(toyId, report) {
      await putUpdateReport(db, toyId, { ...report, detail: report.detail ?? null, reportedAt: clock.now() });
    },
    async statusFor(accountId, familyId, toyId) {
      await requireMember(db, familyId, accountId);
      if (!(await isFamilyToy(db, familyId, toyId))) throw notFound('toy_not_found', 'No such toy in this family.');
      const row = await updateReportOf(db, toyId);
      if (!row) return null;
      const available = await this.latest(row.target, row.version);
      return { version: row.version, state: row.state, detail: row.detail, reportedAt: row.reportedAt, available: available?.version ?? null };
    },
    async bundle(target, version) {
      const bytes = await bundleOf(db, target, version);
      if (!bytes) throw notFound('update_not_found', 'No such update.');
      return bytes;
    },
  };
}
