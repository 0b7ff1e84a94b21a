/**
 * Toy settings (docs/protocol.md §10): quiet hours in the family's time zone, signed by a guardian
 * device of the toy's roster. The toy enforces them itself, so a server cannot make the toy speak
 * during quiet hours, nor lift them: it can only withhold a newer record (the toy keeps the last one).
 */
import { fromBase64url, toBase64url, type Bytes } from './bytes.js';
import { expect, ProtocolError } from './errors.js';
import { parseId, type DeviceId, type FamilyId } from './ids.js';
import { sign, verify, type DeviceKeys } from './keys.js';
import { findDevice, type RosterWire } from './roster.js';
import { Label, transcript } from './transcript.js';

/** A daily window in minutes after local midnight; `start > end` wraps past midnight (21:00-07:00). */
export interface QuietHours {
  start: number;
  end: number;
}

export interface ToySettingsBody {
  v: 1;
  familyId: FamilyId;
  toyId: DeviceId;
  /** Increases with every change; a toy accepts only a higher one. */
  version: number;
  issuedAt: number;
  /** IANA time zone of the family, e.g. "Europe/Paris". */
  timeZone: string;
  quietHours: QuietHours | null;
}

export interface ToySettingsWire extends ToySettingsBody {
  signer: DeviceId;
  signature: string;
}

const MINUTES_PER_DAY = 24 * 60;
const isMinute = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) < MINUTES_PER_DAY;
const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

function settingsTranscript(body: ToySettingsBody, signer: DeviceId): Bytes {
  const q = body.quietHours;
  return transcript(Label.toySettings, [body.familyId, body.toyId, body.version, body.issuedAt, body.timeZone, q !== null, q?.start ?? 0, q?.end ?? 0, signer]);
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
  const signature = toBase64url(sign(signer.signSecretKey, settingsTranscript(body, signer.deviceId)));
  return { ...body, quietHours: body.quietHours && { ...body.quietHours }, signer: signer.deviceId, signature };
}

/** MUST-rejects of §10: version tag, ids, counters, an unknown time zone, minutes outside a day, start = end. */
export function parseToySettings(json: unknown): ToySettingsWire {
  expect(typeof json === 'object' && json !== null && !Array.isArray(json), 'toy settings');
  const s = json as Record<string, unknown>;
  if (s.v !== 1) throw new ProtocolError('unsupported_version', 'Unsupported toy settings version.');
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
  return { v: 1, familyId, toyId, version: s.version, issuedAt: s.issuedAt, timeZone: s.timeZone, quietHours, signer, signature: s.signature as string };
}

/**
 * A toy accepts `next` only if it is for this family and toy, newer than what it holds, and signed by
 * a guardian of the roster it holds now (so a removed guardian's record is refused).
 */
export function verifyToySettings(next: ToySettingsWire, roster: RosterWire, toyId: string, held: ToySettingsWire | null): void {
  if (next.familyId !== roster.familyId || next.toyId !== toyId) throw new ProtocolError('not_authorized', 'Settings for another toy.');
  if (held && next.version <= held.version) throw new ProtocolError('bad_chain', 'Settings are not newer.');
  const signer = findDevice(roster, next.signer);
  if (signer?.role !== 'guardian') throw new ProtocolError('not_authorized', 'Settings not signed by a guardian.');
  if (!verify(fromBase64url(signer.signPublicKey, 32), settingsTranscript(next, next.signer), fromBase64url(next.signature, 64))) {
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
