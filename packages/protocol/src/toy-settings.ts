/**
 * Toy settings (docs/protocol.md §10): quiet hours in the family's time zone, the speaker volume and
 * the devices whose messages wait for a guardian's review (§11), signed by a guardian device of the
 * toy's roster. The toy enforces them itself, so a server cannot make the toy speak during quiet
 * hours, skip a review, nor lift either: it can only withhold a newer record (the toy keeps the last).
 *
 * Two record versions exist: `v: 1` (quiet hours only, the first format) still parses and verifies;
 * `v: 2` adds `volume` and `review`. Each is signed under its own label, so neither can be read as
 * the other. Readers use `settingsVolume` and `reviewedDevices`, which give v1 records the defaults.
 */
import { fromBase64url, toBase64url, type Bytes } from './bytes.js';
import { expect, ProtocolError } from './errors.js';
import { parseId, type DeviceId, type FamilyId } from './ids.js';
import { sign, verify, type DeviceKeys } from './keys.js';
import type { SignatureVerifier } from './signature.js';
import { findDevice, type RosterWire } from './roster.js';
import { Label, transcript, type Field } from './transcript.js';

/** A daily window in minutes after local midnight; `start > end` wraps past midnight (21:00-07:00). */
export interface QuietHours {
  start: number;
  end: number;
}

interface ToySettingsCommon {
  familyId: FamilyId;
  toyId: DeviceId;
  /** Increases with every change; a toy accepts only a higher one. */
  version: number;
  issuedAt: number;
  /** IANA time zone of the family, e.g. "Europe/Paris". */
  timeZone: string;
  quietHours: QuietHours | null;
}

/** The first format: quiet hours only. */
export interface ToySettingsBodyV1 extends ToySettingsCommon {
  v: 1;
}

/** Quiet hours, volume and review-before-play. */
export interface ToySettingsBodyV2 extends ToySettingsCommon {
  v: 2;
  /** Speaker volume, 0 (silent) to 100 (full). */
  volume: number;
  /** Devices whose messages the toy plays only with a guardian's review signature (§11), sorted. */
  review: DeviceId[];
}

export type ToySettingsBody = ToySettingsBodyV1 | ToySettingsBodyV2;
export type ToySettingsWire = ToySettingsBody & { signer: DeviceId; signature: string };

/** The volume of a toy with no settings, or with a v1 record: loud enough for a room, not for a cot. */
export const DEFAULT_VOLUME = 70;
export const MAX_REVIEWED_DEVICES = 256;

const MINUTES_PER_DAY = 24 * 60;
const isMinute = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) < MINUTES_PER_DAY;
const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
const isVolume = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) <= 100;

function settingsTranscript(body: ToySettingsBody, signer: DeviceId): Bytes {
  const q = body.quietHours;
  const common: Field[] = [body.familyId, body.toyId, body.version, body.issuedAt, body.timeZone, q !== null, q?.start ?? 0, q?.end ?? 0];
  if (body.v === 1) return transcript(Label.toySettings, [...common, signer]);
  return transcript(Label.toySettingsV2, [...common, body.volume, body.review.length, ...body.review, signer]);
}

/** The volume the toy plays at (0-100): the record's, or DEFAULT_VOLUME for none or a v1 record. */
export function settingsVolume(settings: ToySettingsBody | null | undefined): number {
  return settings?.v === 2 ? settings.volume : DEFAULT_VOLUME;
}

/** The devices whose messages need a guardian's review before this toy plays them. */
export function reviewedDevices(settings: ToySettingsBody | null | undefined): readonly DeviceId[] {
  return settings?.v === 2 ? settings.review : [];
}

/** Whether `timeZone` is one the platform's Intl knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export function signToySettings(body: ToySettingsBody, signer: DeviceKeys): ToySettingsWire {
  const copy: ToySettingsBody =
    body.v === 2
      ? { ...body, quietHours: body.quietHours && { ...body.quietHours }, review: [...new Set(body.review)].sort() }
      : { ...body, quietHours: body.quietHours && { ...body.quietHours } };
  const signature = toBase64url(sign(signer.signSecretKey, settingsTranscript(copy, signer.deviceId)));
  return { ...copy, signer: signer.deviceId, signature };
}

/**
 * MUST-rejects of §10: version tag, ids, counters, an unknown time zone, minutes outside a day,
 * start = end; for v2 also a volume outside 0..100 and a review list that is not a sorted set of at
 * most 256 device ids. Fields a version does not define are dropped (they are not signed).
 */
export function parseToySettings(json: unknown): ToySettingsWire {
  expect(typeof json === 'object' && json !== null && !Array.isArray(json), 'toy settings');
  const s = json as Record<string, unknown>;
  if (s.v !== 1 && s.v !== 2) throw new ProtocolError('unsupported_version', 'Unsupported toy settings version.');
  const familyId = parseId<FamilyId>(s.familyId, 'family id');
  const toyId = parseId<DeviceId>(s.toyId, 'toy id');
  const signer = parseId<DeviceId>(s.signer, 'signer');
  expect(isCount(s.version) && s.version >= 1, 'toy settings version');
  expect(isCount(s.issuedAt), 'toy settings issuedAt');
  expect(typeof s.timeZone === 'string' && s.timeZone.length <= 64 && isTimeZone(s.timeZone), 'time zone');
  fromBase64url(s.signature as string, 64);
  let quietHours: QuietHours | null = null;
  if (s.quietHours !== null) {
    expect(typeof s.quietHours === 'object' && s.quietHours !== undefined, 'quiet hours');
    const q = s.quietHours as Record<string, unknown>;
    expect(isMinute(q.start) && isMinute(q.end) && q.start !== q.end, 'quiet hours');
    quietHours = { start: q.start, end: q.end };
  }
  const common = { familyId, toyId, version: s.version, issuedAt: s.issuedAt, timeZone: s.timeZone, quietHours, signer, signature: s.signature as string };
  if (s.v === 1) return { v: 1, ...common };
  expect(isVolume(s.volume), 'volume');
  expect(Array.isArray(s.review) && s.review.length <= MAX_REVIEWED_DEVICES, 'review list');
  const review = (s.review as unknown[]).map((id) => parseId<DeviceId>(id, 'reviewed device'));
  // Sorted and without duplicates, so one set of devices has exactly one signed form.
  expect(review.every((id, i) => i === 0 || review[i - 1]! < id), 'review list');
  return { v: 2, ...common, volume: s.volume, review };
}

/**
 * A toy accepts `next` only if it is for this family and toy, newer than what it holds, and signed by
 * a guardian of the roster it holds now (so a removed guardian's record is refused).
 */
export function verifyToySettings(next: ToySettingsWire, roster: RosterWire, toyId: string, held: ToySettingsWire | null, verifier: SignatureVerifier = verify): void {
  if (next.familyId !== roster.familyId || next.toyId !== toyId) throw new ProtocolError('not_authorized', 'Settings for another toy.');
  if (held && next.version <= held.version) throw new ProtocolError('bad_chain', 'Settings are not newer.');
  const signer = findDevice(roster, next.signer);
  if (signer?.role !== 'guardian') throw new ProtocolError('not_authorized', 'Settings not signed by a guardian.');
  if (!verifier(fromBase64url(signer.signPublicKey, 32), settingsTranscript(next, next.signer), fromBase64url(next.signature, 64))) {
    throw new ProtocolError('bad_signature', 'Settings signature does not verify.');
  }
}

/** Minutes after local midnight in `timeZone` at `nowMs`. */
export function localMinutes(nowMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(nowMs));
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return (hour % 24) * 60 + minute;
}

/** Whether the toy is in quiet hours at `nowMs` (start inclusive, end exclusive). */
export function isQuietAt(settings: Pick<ToySettingsBody, 'timeZone' | 'quietHours'> | null, nowMs: number): boolean {
  const q = settings?.quietHours;
  if (!settings || !q) return false;
  const m = localMinutes(nowMs, settings.timeZone);
  return q.start < q.end ? m >= q.start && m < q.end : m >= q.start || m < q.end;
}
