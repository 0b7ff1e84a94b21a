/**
 * A child's profile (docs/protocol.md §15.1): the metadata of a `record` envelope a guardian device
 * seals to the people's devices of the family — the name, and optionally a birthday and a small
 * photo. The server stores only the sealed envelope; it can check the sealed size (so one record
 * cannot grow without bound) and nothing else. Writers are strict (childProfileMeta); readers keep
 * the name and drop an optional field that does not check (readChildProfile), so one bad field never
 * hides the child's name.
 */
import { fromBase64url, utf8, type Bytes } from './bytes.js';
import { expect, ProtocolError } from './errors.js';
import { SEALED_META_OVERHEAD, type MessageMeta } from './envelope.js';

/** The photo formats a profile may carry: compressed, and never a format that can hold script (SVG). */
export type ChildPhotoType = 'image/jpeg' | 'image/webp';

export interface ChildPhoto {
  type: ChildPhotoType;
  /** The image bytes, unpadded base64url. */
  data: string;
}

export interface ChildProfile {
  childName: string;
  /** A calendar date, `YYYY-MM-DD`. */
  birthday?: string;
  photo?: ChildPhoto;
}

/** The largest photo a profile carries, in bytes: an avatar, made small on the sealing device. */
export const MAX_CHILD_PHOTO_BYTES = 9 * 1024;
/** The longest child's name, in UTF-16 code units. */
export const MAX_CHILD_NAME_LENGTH = 100;
/** The largest profile metadata (its JSON, UTF-8): room for the largest photo, name and birthday. */
export const MAX_CHILD_PROFILE_BYTES = 13 * 1024;
/** The largest sealed metadata of a child profile record; a server refuses a larger one. */
export const MAX_SEALED_CHILD_PROFILE_BYTES = MAX_CHILD_PROFILE_BYTES + SEALED_META_OVERHEAD;

const PHOTO_TYPES: readonly ChildPhotoType[] = ['image/jpeg', 'image/webp'];

/** Whether `text` is a real calendar date `YYYY-MM-DD` from 1900 on, and not after `today` if given. */
export function isBirthday(text: unknown, today?: string): text is string {
  if (typeof text !== 'string') return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1900) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  // 2019-02-30 rolls over to March in Date.UTC: a date that does not come back the same is not one.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false;
  return today === undefined || text <= today;
}

function startsWith(bytes: Bytes, prefix: readonly number[], at = 0): boolean {
  return prefix.every((b, i) => bytes[at + i] === b);
}

/** The photo's bytes if `photo` is a JPEG or WebP within MAX_CHILD_PHOTO_BYTES whose bytes say so; else null. */
export function childPhotoBytes(photo: unknown): Bytes | null {
  if (typeof photo !== 'object' || photo === null) return null;
  const { type, data } = photo as Record<string, unknown>;
  if (!PHOTO_TYPES.includes(type as ChildPhotoType) || typeof data !== 'string') return null;
  if (data.length > Math.ceil((MAX_CHILD_PHOTO_BYTES * 4) / 3)) return null;
  let bytes: Bytes;
  try {
    bytes = fromBase64url(data);
  } catch {
    return null;
  }
  if (bytes.length === 0 || bytes.length > MAX_CHILD_PHOTO_BYTES) return null;
  // The bytes must be what the type says, so a reader never hands another format to an image decoder.
  const jpeg = startsWith(bytes, [0xff, 0xd8, 0xff]);
  const webp = startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8);
  return (type === 'image/jpeg' ? jpeg : webp) ? bytes : null;
}

/**
 * The metadata to seal for `profile`. Throws `malformed` for an empty or too long name, a birthday
 * that is not a date (or after `today`, when given), a photo that is not a JPEG or WebP within
 * MAX_CHILD_PHOTO_BYTES, or a profile larger than MAX_CHILD_PROFILE_BYTES.
 */
export function childProfileMeta(profile: ChildProfile, today?: string): MessageMeta {
  const name = profile.childName;
  expect(typeof name === 'string' && name.trim() !== '' && name.length <= MAX_CHILD_NAME_LENGTH, "child's name");
  const meta: MessageMeta = { childName: name };
  if (profile.birthday !== undefined) {
    expect(isBirthday(profile.birthday, today), 'birthday');
    meta.birthday = profile.birthday;
  }
  if (profile.photo !== undefined) {
    if (!childPhotoBytes(profile.photo)) throw new ProtocolError('malformed', 'Malformed photo.');
    meta.photo = { type: profile.photo.type, data: profile.photo.data };
  }
  expect(utf8(JSON.stringify(meta)).length <= MAX_CHILD_PROFILE_BYTES, 'profile (too large)');
  return meta;
}

/**
 * The profile in opened metadata, or null when it names no child. A birthday or photo that does not
 * check is left out (the name still shows); fields other than these three are ignored.
 */
export function readChildProfile(meta: MessageMeta): ChildProfile | null {
  if (typeof meta.childName !== 'string') return null;
  const profile: ChildProfile = { childName: meta.childName };
  if (isBirthday(meta.birthday)) profile.birthday = meta.birthday;
  if (childPhotoBytes(meta.photo)) {
    const photo = meta.photo as ChildPhoto;
    profile.photo = { type: photo.type, data: photo.data };
  }
  return profile;
}
