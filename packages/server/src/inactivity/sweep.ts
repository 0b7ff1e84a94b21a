/**
 * Inactive families (issue 13 item 6; docs/privacy.md "Inactive families"), a job of the daily
 * maintenance (maintenance/, claimed across nodes by its lease). It pages through the families in id
 * order, a bounded page per batch (yielding to the event loop every few ms inside it), and for each:
 *
 * - records the latest sign-in (or session use) of any member it sees in the sessions table. A
 *   session lives at least a week, so a daily run sees every sign-in; a family it meets for the first
 *   time counts from that run (an installation that upgrades deletes nothing before a full period);
 * - a family warned earlier whose member signed in since is kept: the warning is cleared;
 * - a family with no sign-in for `inactiveAfterDays` is warned: every guardian is mailed, and the
 *   family is due for deletion `graceDays` later;
 * - a warned family past that date is deleted by the family erasure (erasure/family.ts), which mails
 *   the members that it happened.
 *
 * Every decision is read from and written to the database, so a run that stops halfway (or runs
 * twice) repeats nothing: a family is warned once (markWarned claims it) and deleted once.
 */
import type { Logger } from 'pino';
import type { AccountEmails } from '../accounts/index.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { guardiansOf, memberAccountIdsOf } from '../families/store.js';
import type { Mailer } from '../mail/index.js';
import { createSlicer } from '../maintenance/index.js';
import { latestSessionUseByAccount } from '../sessions/store.js';
import type { InactivityConfig } from './config.js';
import { inactivityWarning } from './mail.js';
import { clearWarning, familyPage, markWarned, recordSignIns, type FamilyInactivity, type SignInSeen } from './store.js';

const DAY = 24 * 60 * 60 * 1000;
/** Sign-ins recorded per transaction (recordSignIns): one commit for up to this many families. */
const SIGN_IN_BATCH = 100;

/** A sign-in the page will record, and whether it takes back a warning (logged once recorded). */
type Seen = SignInSeen & { wasWarned: boolean };

export interface InactivityPorts {
  db: Db;
  clock: Clock;
  log: Logger;
  mailer: Mailer;
  /** Account addresses, sealed at rest (accounts/email-store.ts). */
  emails: AccountEmails;
  config: InactivityConfig;
  /** Deletes the family as a guardian's deletion would (erasure/family.ts), mailing its members. */
  deleteFamily: (familyId: string) => Promise<void>;
  /** Families this job leaves alone (the tripwires' canary family, which nobody signs in to). */
  exempt?: (familyId: string) => boolean;
}

/** One page of families (a maintenance job); `deleted` counts the families deleted. */
export function createInactivitySweep({ db, clock, log, mailer, emails, config, deleteFamily, exempt }: InactivityPorts): (limit: number) => Promise<{ scanned: number; deleted: number; busyMs: number }> {
  let afterId = '';

  async function warn(f: FamilyInactivity, now: number): Promise<void> {
    const deleteAfter = now + config.graceDays * DAY;
    if (!(await markWarned(db, f.familyId, now, deleteAfter))) return;
    let sent = 0;
    let failed = 0;
    for (const accountId of await guardiansOf(db, f.familyId)) {
      const to = await emails.emailOf(db, accountId);
      if (to === undefined) continue;
      try {
        await mailer.send(inactivityWarning(to, config.inactiveAfterDays, deleteAfter));
        sent++;
      } catch (err) {
        failed++;
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'inactive family: warning mail failed');
      }
    }
    // Nobody told: no deletion clock runs yet; the next run tries the mail again.
    if (sent === 0 && failed > 0) await clearWarning(db, f.familyId);
    else log.info({ guardiansMailed: sent }, 'inactive family warned');
  }

  /**
   * The latest sign-in (or session use) of any member of each family of the page, null for a family
   * whose members have no session: two statements for the whole page. Asked per family it was two
   * statements a family (90,000 a pass at CloudPets ÷ 10), each a native call whose row
   * iterator left garbage for the collector (docs/performance.md, "The inactivity sweep's stall").
   */
  async function latestSignIns(families: readonly FamilyInactivity[]): Promise<Map<string, number | null>> {
    const members = await memberAccountIdsOf(
      db,
      families.map((f) => f.familyId),
    );
    const used = await latestSessionUseByAccount(db, [...members.values()].flat());
    const latest = new Map<string, number | null>();
    for (const f of families) {
      const times = (members.get(f.familyId) ?? []).flatMap((a) => used.get(a) ?? []);
      latest.set(f.familyId, times.length === 0 ? null : Math.max(...times));
    }
    return latest;
  }

  /**
   * What the sweep does with one family whose members last signed in at `latest`: a sign-in to
   * record (`seen`, written in batches by the page), a warning, a deletion (true), or nothing.
   */
  async function consider(f: FamilyInactivity, latest: number | null, now: number, seen: (s: Seen) => void): Promise<boolean> {
    if (f.lastSignInAt === null) {
      seen({ familyId: f.familyId, at: now, wasWarned: false });
      return false;
    }
    if (latest !== null && latest > f.lastSignInAt) {
      seen({ familyId: f.familyId, at: latest, wasWarned: f.warnedAt !== null });
      return false;
    }
    if (f.warnedAt === null) {
      if (f.lastSignInAt <= now - config.inactiveAfterDays * DAY) await warn(f, now);
      return false;
    }
    if (f.deleteAfter !== null && f.deleteAfter <= now) {
      await deleteFamily(f.familyId);
      log.info('inactive family deleted');
      return true;
    }
    return false;
  }

  /** Records the sign-ins seen so far (one transaction; `pending` is emptied) and logs the warnings they took back. */
  async function record(pending: Seen[]): Promise<void> {
    const batch = pending.splice(0);
    const recorded = await recordSignIns(db, batch);
    for (const s of batch) if (s.wasWarned && recorded.has(s.familyId)) log.info('inactive family kept: a member signed in after the warning');
  }

  return async (limit) => {
    // A family is several statements (on SQLite each holds the event loop, and awaiting one yields to
    // nothing but promises): the page is cut into slices with a turn of the event loop between them.
    const slicer = createSlicer();
    const page = await familyPage(db, afterId, limit);
    const considered = exempt ? page.filter((f) => !exempt(f.familyId)) : page;
    const latest = await latestSignIns(considered);
    const now = clock.now();
    let deleted = 0;
    const pending: Seen[] = [];
    for (const f of considered) {
      if (await consider(f, latest.get(f.familyId) ?? null, now, (s) => pending.push(s))) deleted++;
      if (pending.length >= SIGN_IN_BATCH) await record(pending);
      await slicer.next();
    }
    await record(pending);
    // A short page ends the pass; the next run starts from the first family again.
    afterId = page.length < limit ? '' : (page.at(-1)?.familyId ?? '');
    return { scanned: page.length, deleted, busyMs: slicer.longestMs() };
  };
}
