/**
 * The weekly activity summary mail (issue 13 item 4; docs/privacy.md "Activity log"): a guardian who
 * opted in (Activity page) gets, every ACTIVITY_SUMMARY_DAYS, how many events of each kind the family's
 * activity log holds for the period — counts only, never who said what. A job of the daily
 * maintenance (claimed across nodes by its lease): it pages through the subscriptions that are due,
 * mails each and records when, so a second run the same day sends nothing again. A subscriber who is
 * no longer a guardian of the family is dropped instead; whether they are is asked last, just before
 * the send, so a family erased while its summary was being read gets none.
 */
import { ACTIVITY_KINDS, ACTIVITY_SUMMARY_DAYS, type ActivityKind } from '@burrow/api';
import type { Logger } from 'pino';
import type { AccountEmails } from '../accounts/index.js';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/index.js';
import { memberRole } from '../families/access.js';
import type { Mail, Mailer } from '../mail/index.js';
import type { BatchDelete } from '../maintenance/index.js';
import { activityCounts, dueSummaries, markSummarySent, setSummarySubscription } from './activity-summary-store.js';

const DAY = 24 * 60 * 60 * 1000;

const LABELS: Record<ActivityKind, string> = {
  sign_in: 'sign-ins',
  family_created: 'family created',
  device_added: 'devices added',
  device_removed: 'devices removed',
  toy_paired: 'toys paired',
  toy_unpaired: 'toys unpaired',
  toy_renamed: 'toys renamed',
  toy_online: 'toy came online',
  toy_offline: 'toy went offline',
  child_added: 'child profiles added',
  child_profile_changed: 'child profiles changed',
  child_deleted: 'child profiles deleted',
  invitation_created: 'invitations created',
  invitation_revoked: 'invitations revoked',
  join_requested: 'requests to join',
  join_approved: 'requests approved',
  join_declined: 'requests declined',
  member_removed: 'members removed',
  member_blocked: 'members blocked',
  member_unblocked: 'members unblocked',
  toy_settings_changed: 'toy settings changed',
  retention_changed: 'message retention changed',
  second_factor_rule_changed: 'second-factor rule changed',
  message_sent: 'messages sent',
  message_played: 'messages played',
  message_deleted: 'messages deleted',
  message_approved: 'messages approved',
  message_declined: 'messages declined',
};

/** The summary mail: counts per kind, in the log's order; no names, ids of people or content. */
export function summaryMail(to: string, familyId: string, from: number, until: number, counts: ReadonlyMap<string, number>): Mail {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const lines = ACTIVITY_KINDS.filter((k) => (counts.get(k) ?? 0) > 0).map((k) => `  ${LABELS[k]}: ${String(counts.get(k))}`);
  return {
    to,
    subject: 'Your Burrow family this week',
    text:
      `What happened in your Burrow family (${familyId.slice(0, 8)}…) from ${day(from)} to ${day(until)} (UTC):\n\n` +
      (lines.length > 0 ? `${lines.join('\n')}\n` : '  Nothing: no sign-ins, messages or changes.\n') +
      '\nCounts only: what was said stays between your family’s devices. The Activity page in Burrow shows who and when; turn this mail off there.\n',
  };
}

export function createActivitySummaries({ db, clock, log, mailer, emails }: { db: Db; clock: Clock; log: Logger; mailer: Mailer; emails: AccountEmails }): BatchDelete {
  // Subscriptions already handled in this pass (sent, dropped or failed): a failed mail waits for tomorrow.
  let done = new Set<string>();
  return async (limit) => {
    const now = clock.now();
    const page = (await dueSummaries(db, now - ACTIVITY_SUMMARY_DAYS * DAY, limit + done.size)).filter((s) => !done.has(`${s.familyId} ${s.accountId}`)).slice(0, limit);
    let sent = 0;
    for (const s of page) {
      done.add(`${s.familyId} ${s.accountId}`);
      const to = await emails.emailOf(db, s.accountId);
      if (to === undefined) continue;
      const from = now - ACTIVITY_SUMMARY_DAYS * DAY;
      const counts = await activityCounts(db, s.familyId, from);
      // Still a guardian of a family that still exists, asked after everything the mail holds was
      // read and with nothing awaited between the answer and the send: a family erased (or a
      // guardian gone) while this page was read gets no summary. Checked first, as it once was, an
      // erasure committing meanwhile let a summary of the erased family go out after it.
      if ((await memberRole(db, s.familyId, s.accountId)) !== 'guardian') {
        await setSummarySubscription(db, s.familyId, s.accountId, false, now);
        continue;
      }
      try {
        await mailer.send(summaryMail(to, s.familyId, from, now, counts));
        await markSummarySent(db, s.familyId, s.accountId, now);
        sent++;
      } catch (err) {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'activity summary mail failed');
      }
    }
    if (page.length < limit) done = new Set();
    return { scanned: page.length, deleted: sent };
  };
}
