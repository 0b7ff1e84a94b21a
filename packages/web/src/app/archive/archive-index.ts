/**
 * What the family archive's index says about each message (index.json and index.csv): who sent it,
 * to whom, when, how long, whether it was played, and which audio file holds it. Pure, so it is
 * tested in Node (archive-index.test.ts) and the browser only adds the bytes.
 */

/** One message as the index lists it. */
export interface ArchiveIndexEntry {
  /** The audio file's path inside the ZIP. */
  file: string;
  messageId: string;
  /** Who sent it, as the app names them ("You", "Sam’s toy", "Grandma"). */
  from: string;
  fromDeviceId: string;
  /** The toys it was sent to, when it was sent from this browser (else empty). */
  to: string[];
  /** ISO 8601, UTC. */
  sentAt: string;
  durationMs: number | null;
  /** Sent from here: a toy played it. Received here: you listened to it. */
  played: boolean;
  mimeType: string;
}

/** The message as the archive builder gets it (from the browser's own archive). */
export interface ArchiveSource {
  messageId: string;
  from: string;
  createdAt: number;
  mimeType: string;
  durationMs: number | null;
  to?: string[];
}

/** A file extension for an audio type the app records or a toy sends. */
export function audioExtension(mimeType: string): string {
  const base = mimeType.split(';')[0]?.trim().toLowerCase() ?? '';
  const known: Record<string, string> = {
    'audio/webm': 'webm',
    'audio/ogg': 'ogg',
    'audio/mp4': 'm4a',
    'audio/mpeg': 'mp3',
    'audio/wav': 'wav',
    'audio/x-wav': 'wav',
  };
  return known[base] ?? 'bin';
}

/** Index entries, oldest first, with file names that sort in that order and say when and from whom. */
export function archiveIndex<T extends ArchiveSource>(
  messages: readonly T[],
  describe: { from: (m: T) => string; to: (toyId: string) => string; played: (m: T) => boolean },
): ArchiveIndexEntry[] {
  const sorted = [...messages].sort((a, b) => a.createdAt - b.createdAt || a.messageId.localeCompare(b.messageId));
  const width = Math.max(3, String(sorted.length).length);
  return sorted.map((m, i) => {
    const from = describe.from(m);
    const sentAt = new Date(m.createdAt).toISOString();
    // Only letters, digits and dashes from the sender's name: a name is the family's own text.
    const who = from.normalize('NFKD').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 32) || 'message';
    const stamp = sentAt.slice(0, 19).replace(/:/g, '-');
    return {
      file: `audio/${String(i + 1).padStart(width, '0')}-${stamp}-${who}.${audioExtension(m.mimeType)}`,
      messageId: m.messageId,
      from,
      fromDeviceId: m.from,
      to: (m.to ?? []).map(describe.to),
      sentAt,
      durationMs: m.durationMs,
      played: describe.played(m),
      mimeType: m.mimeType,
    };
  });
}

/** RFC 4180 CSV: fields with a comma, quote or line break are quoted, quotes doubled; CRLF lines. */
function csvField(value: string): string {
  // A leading = + - @ would run as a formula in a spreadsheet: prefix it (OWASP CSV injection).
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function indexCsv(entries: readonly ArchiveIndexEntry[]): string {
  const header = ['file', 'messageId', 'from', 'fromDeviceId', 'to', 'sentAt', 'durationMs', 'played', 'mimeType'];
  const rows = entries.map((e) =>
    [e.file, e.messageId, e.from, e.fromDeviceId, e.to.join('; '), e.sentAt, e.durationMs === null ? '' : String(e.durationMs), e.played ? 'yes' : 'no', e.mimeType].map(csvField).join(','),
  );
  return [header.join(','), ...rows].join('\r\n') + '\r\n';
}
