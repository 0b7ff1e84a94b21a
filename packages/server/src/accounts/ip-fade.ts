/**
 * Client addresses kept for security fade (docs/privacy.md "Client addresses"). A full address
 * serves security while it is fresh — the Security page shows where a session signed in from, the
 * anomaly detectors compare addresses within minutes or hours, an incident looks back a few weeks —
 * and after `IP_KEEP_DAYS` it is cut to its network: an IPv4 address to its /24, an IPv6 address to
 * its /48 (the prefix a site is usually given). That still says "the same network as before" and
 * no longer names one household. The daily maintenance does it in bounded batches, table by table,
 * each in its owner's store (sessions/store.ts, accounts/security-events.ts, audit/recorder.ts).
 */
import { isIPv4, isIPv6 } from 'node:net';

/** How long a full client address is kept (sessions, security log, audit trail). */
export const IP_KEEP_DAYS = 30;
export const IP_KEEP_MS = IP_KEEP_DAYS * 24 * 60 * 60 * 1000;

/** A faded address holds a "/" (its prefix length); a full one never does. For SQL `not like`. */
export const FADED_IP_PATTERN = '%/%';

/**
 * The network of an address: `a.b.c.0/24` or `xxxx:xxxx:xxxx::/48` (an IPv4-mapped IPv6 address
 * counts as IPv4). Anything else (not an address: a test's label, a proxy's odd header) becomes
 * `unknown/0`, which names nobody either. Already faded values are returned as they are.
 */
export function fadeIp(ip: string): string {
  if (ip.includes('/')) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const v4 = mapped ? mapped[1]! : ip;
  if (isIPv4(v4)) return `${v4.split('.').slice(0, 3).join('.')}.0/24`;
  const bare = ip.split('%')[0]!; // a zone id (fe80::1%eth0) names an interface, not a network
  if (isIPv6(bare)) return `${expandIPv6(bare).slice(0, 3).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/48`;
  return 'unknown/0';
}

/** The eight 16-bit groups of a valid IPv6 address, lower-case hex. */
function expandIPv6(ip: string): string[] {
  let text = ip.toLowerCase();
  // A trailing dotted quad (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) is two groups.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right];
}

/**
 * One page of a table, by ascending key after `after`: at most `limit` rows read, those holding a
 * full address older than the cut-off faded. `scanned` under `limit` ends the pass; `wrap` says the
 * next pass starts from the first key again (a table whose keys are not in time order: its rows
 * behind the cursor can age past the cut-off), else it starts at `lastId` (a log in time order).
 */
export type IpPage<Id> = (after: Id | null, limit: number) => Promise<{ lastId: Id | null; scanned: number; faded: number; wrap?: boolean }>;

/**
 * A page over a table keyed by random tokens (sessions, revoked credentials): the next `limit` rows
 * by key — a range of the primary key, so it reads at most `limit` rows however few of them are due —
 * faded where `due`. Each pass walks the whole table once, a bounded page per batch, and wraps.
 */
export function keyPage<Row extends { id: string; ip: string | null }>(
  read: (after: string | null, limit: number) => Promise<Row[]>,
  due: (row: Row) => boolean,
  fade: (groups: Map<string, string[]>) => Promise<void>,
): IpPage<string> {
  return async (after, limit) => {
    const rows = await read(after, limit);
    const groups = fadedGroups(rows.filter(due));
    if (groups.size > 0) await fade(groups);
    const end = rows.length < limit;
    return { lastId: end ? null : (rows.at(-1)?.id ?? null), scanned: rows.length, faded: countFaded(groups), wrap: end };
  };
}

/**
 * A maintenance job (maintenance/batches.ts) over one table: pages through it by id, remembering
 * where it stopped so the next run (the next day) starts there instead of re-reading rows it
 * already faded (unless the page says `wrap`). A restart begins again from the start, once.
 */
export function ipFadeJob<Id>(
  page: IpPage<Id>,
  /** Called when a run that faded something reaches the end (SQLite: checkpoint, so the WAL loses the old frames). */
  finished?: () => Promise<unknown>,
): (limit: number) => Promise<{ scanned: number; deleted: number }> {
  let after: Id | null = null;
  let fadedThisRun = 0;
  return async (limit) => {
    const result = await page(after, limit);
    if (result.wrap === true) after = null;
    else if (result.lastId !== null) after = result.lastId;
    fadedThisRun += result.faded;
    if (result.scanned < limit && fadedThisRun > 0) {
      fadedThisRun = 0;
      await finished?.();
    }
    return { scanned: result.scanned, deleted: result.faded };
  };
}

/** The rows of a page that still hold a full address, grouped by the network they fade to (one UPDATE each). */
export function fadedGroups<Id>(rows: readonly { id: Id; ip: string | null }[]): Map<string, Id[]> {
  const groups = new Map<string, Id[]>();
  for (const { id, ip } of rows) {
    if (ip === null || ip.includes('/')) continue;
    const faded = fadeIp(ip);
    const ids = groups.get(faded);
    if (ids) ids.push(id);
    else groups.set(faded, [id]);
  }
  return groups;
}

/** How many rows the groups hold. */
export const countFaded = (groups: Map<string, unknown[]>): number => [...groups.values()].reduce((n, ids) => n + ids.length, 0);
