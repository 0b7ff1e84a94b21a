/**
 * Bus topic → NATS subject. A subject is dot-separated tokens; dots, spaces and `*` / `>` (wildcards)
 * inside an id would split or widen it, so a topic becomes ONE token of [A-Za-z0-9-] only: every other
 * UTF-8 byte, `_` included, is written `_hh` (lowercase hex). The mapping is injective (decodable), so
 * two topics never share a subject: `device:a.b` → `device_3aa_2eb`.
 */

const SAFE_BYTE = /^[A-Za-z0-9-]$/;

/** A subject prefix: dot-separated tokens of letters, digits, `-` and `_` (no wildcards, no spaces). */
export const SUBJECT_PREFIX_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** Encodes a topic as one subject token (an empty topic is `_`, which no non-empty topic produces). */
export function topicToken(topic: string): string {
  if (topic === '') return '_';
  let out = '';
  for (const byte of new TextEncoder().encode(topic)) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && SAFE_BYTE.test(ch) ? ch : `_${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** The full subject of a topic under a prefix (e.g. `burrow.bus.device_3a…`). */
export function topicSubject(prefix: string, topic: string): string {
  return `${prefix}.${topicToken(topic)}`;
}
