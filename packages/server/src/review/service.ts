/**
 * Review before play (docs/safety.md, docs/protocol.md §11): guardians list the messages waiting for
 * their review, listen (they are recipients of such messages), approve — their device signs a review
 * of the exact envelope for each toy, which the server checks as the toy will and then releases to
 * the toy's review feed — or decline, which deletes the envelope and the audio and tells the sender.
 * The toy verifies the review itself, so this server's checks are for honesty, not for trust.
 */
import { parseEnvelope, parseReview, verifyReview, type EnvelopeWire, type ReviewWire } from '@burrow/protocol';
import { nativeVerify } from '../signatures/native-ed25519.js';
import type { Logger } from 'pino';
import type { Blobs } from '../blobs/index.js';
import { topics, type Bus } from '../bus/index.js';
import type { Clock } from '../clock/index.js';
import type { AccountEmails } from '../accounts/index.js';
import type { Db } from '../db/index.js';
import { badRequest, conflict, notFound } from '../errors/index.js';
import { requireGuardian } from '../families/access.js';
import { currentRoster } from '../families/rosters.js';
import { blankMessage, blobKey, deleteBlobUnlessReferenced } from '../messages/store.js';
import { approveForToy, declineWaiting } from './store.js';

export interface PendingReview {
  messageId: string;
  envelope: EnvelopeWire;
  toyIds: string[];
  senderDeviceId: string;
  senderEmail: string | null;
  createdAt: number;
}

export interface ReviewedItem {
  seq: number;
  envelope: EnvelopeWire;
  review: ReviewWire;
}

export interface Reviews {
  list(accountId: string, familyId: string): Promise<PendingReview[]>;
  /** `from`: the reading request's client address, for the canary tripwire around the blob store. */
  downloadBlob(accountId: string, familyId: string, messageId: string, from?: { readonly ip: string }): Promise<Uint8Array>;
  approve(actor: { accountId: string; deviceId: string }, familyId: string, messageId: string, reviews: unknown[]): Promise<{ released: string[] }>;
  decline(accountId: string, familyId: string, messageId: string): Promise<void>;
  /** The toy's feed of approved messages, each with its guardian's review. */
  released(toyId: string, after: number, limit: number): Promise<ReviewedItem[]>;
}

const noSuchReview = () => notFound('review_not_found', 'No message of this family waits for review with that id.');

export function createReviews({ db, blobs, bus, clock, log, emails }: { db: Db; blobs: Blobs; bus: Bus; clock: Clock; log: Logger; emails: AccountEmails }): Reviews {
  /** The message and the toys it still waits for; 404 unless it waits in this family. */
  async function waiting(familyId: string, messageId: string) {
    const rows = await db
      .selectFrom('message_reviews')
      .innerJoin('messages', 'messages.seq', 'message_reviews.message_seq')
      .select(['messages.seq', 'messages.envelope', 'messages.sender_id', 'messages.blob_hash', 'message_reviews.toy_id'])
      .where('messages.id', '=', messageId)
      .where('message_reviews.family_id', '=', familyId)
      .where('message_reviews.state', '=', 'waiting')
      .orderBy('message_reviews.toy_id')
      .execute();
    const first = rows[0];
    if (!first) throw noSuchReview();
    return { seq: first.seq, envelope: parseEnvelope(JSON.parse(first.envelope)), senderId: first.sender_id, blobHash: first.blob_hash, toyIds: rows.map((r) => r.toy_id) };
  }

  return {
    async list(accountId, familyId) {
      await requireGuardian(db, familyId, accountId);
      const rows = await db
        .selectFrom('message_reviews')
        .innerJoin('messages', 'messages.seq', 'message_reviews.message_seq')
        .leftJoin('devices', 'devices.id', 'messages.sender_id')
        .select(['messages.seq', 'messages.id', 'messages.envelope', 'messages.sender_id', 'messages.created_at', 'message_reviews.toy_id', 'devices.account_id'])
        .where('message_reviews.family_id', '=', familyId)
        .where('message_reviews.state', '=', 'waiting')
        .orderBy('messages.seq')
        .orderBy('message_reviews.toy_id')
        .execute();
      // Sender addresses are sealed at rest: opened through their owner (accounts/email-store.ts).
      const senderEmails = await emails.emailsOf(db, rows.flatMap((r) => (r.account_id === null ? [] : [r.account_id])));
      const bySeq = new Map<number, PendingReview>();
      for (const r of rows) {
        const item = bySeq.get(r.seq);
        if (item) item.toyIds.push(r.toy_id);
        else
          bySeq.set(r.seq, {
            messageId: r.id,
            envelope: JSON.parse(r.envelope) as EnvelopeWire,
            toyIds: [r.toy_id],
            senderDeviceId: r.sender_id,
            senderEmail: (r.account_id === null ? undefined : senderEmails.get(r.account_id)) ?? null,
            createdAt: r.created_at,
          });
      }
      return [...bySeq.values()];
    },

    async downloadBlob(accountId, familyId, messageId, from) {
      await requireGuardian(db, familyId, accountId);
      const message = await waiting(familyId, messageId);
      if (message.blobHash === null) throw notFound('message_audio_missing', 'This message has no blob.');
      const bytes = await blobs.get(blobKey(familyId, message.blobHash), from);
      if (!bytes) {
        log.error({ messageId }, 'blob missing from the blob store');
        throw notFound('message_audio_missing', 'The blob for this message is missing.');
      }
      return bytes;
    },

    async approve(actor, familyId, messageId, reviewsJson) {
      await requireGuardian(db, familyId, actor.accountId);
      const message = await waiting(familyId, messageId);
      const current = await currentRoster(db, familyId);
      if (!current) throw noSuchReview();
      // The checks the toy will make (protocol §11), so a bad review is refused here, not just there.
      const reviews = reviewsJson.map(parseReview);
      const byToy = new Map<string, ReviewWire>();
      for (const review of reviews) {
        if (review.signer !== actor.deviceId) throw badRequest('signer_not_caller', 'A review must be signed by the device making this request.');
        if (!message.toyIds.includes(review.toyId)) throw badRequest('review_toy_mismatch', `The message does not wait for review on toy ${review.toyId}.`);
        verifyReview(review, message.envelope, current.roster, review.toyId, nativeVerify);
        byToy.set(review.toyId, review);
      }
      const missing = message.toyIds.filter((t) => !byToy.has(t));
      if (missing.length > 0) throw badRequest('review_incomplete', `Sign a review for every toy the message waits for (missing: ${missing.join(', ')}).`);
      const now = clock.now();
      const released = await db.transaction().execute(async (trx) => {
        const out: { toyId: string; seq: number }[] = [];
        for (const [toyId, review] of byToy) {
          const seq = await approveForToy(trx, message.seq, toyId, JSON.stringify(review), now);
          // Another guardian decided first: nothing is released twice.
          if (seq === null) throw conflict('review_already_decided', 'Another guardian already decided on this message.');
          out.push({ toyId, seq });
        }
        return out;
      });
      for (const r of released) bus.publish(topics.device(r.toyId), { type: 'message', seq: r.seq });
      bus.publish(topics.family(familyId), { type: 'review', familyId, messageId, state: 'approved' });
      return { released: released.map((r) => r.toyId) };
    },

    async decline(accountId, familyId, messageId) {
      await requireGuardian(db, familyId, accountId);
      const message = await waiting(familyId, messageId);
      const now = clock.now();
      // The envelope goes and so do its recipients' rows; a tombstone row stays so the sender's sent
      // list can say "declined" (listSent), and the review rows say by when.
      await db.transaction().execute(async (trx) => {
        if (!(await declineWaiting(trx, message.seq, now))) throw conflict('review_already_decided', 'Another guardian already decided on this message.');
        await blankMessage(trx, message.seq);
      });
      // The audio too, unless another message of the family points at the same ciphertext.
      if (message.blobHash !== null) await deleteBlobUnlessReferenced(db, blobs, familyId, message.blobHash);
      for (const toyId of message.toyIds) bus.publish(topics.device(message.senderId), { type: 'receipt', messageId, deviceId: toyId, kind: 'declined' });
      bus.publish(topics.family(familyId), { type: 'review', familyId, messageId, state: 'declined' });
    },

    async released(toyId, after, limit) {
      const rows = await db
        .selectFrom('review_releases')
        .innerJoin('messages', 'messages.seq', 'review_releases.message_seq')
        .innerJoin('message_reviews', (join) =>
          join.onRef('message_reviews.message_seq', '=', 'review_releases.message_seq').onRef('message_reviews.toy_id', '=', 'review_releases.toy_id'),
        )
        .select(['review_releases.seq', 'messages.envelope', 'message_reviews.review'])
        .where('review_releases.toy_id', '=', toyId)
        .where('review_releases.seq', '>', after)
        .where('message_reviews.state', '=', 'approved')
        .orderBy('review_releases.seq')
        .limit(limit)
        .execute();
      return rows.flatMap((r) => (r.review ? [{ seq: r.seq, envelope: JSON.parse(r.envelope) as EnvelopeWire, review: JSON.parse(r.review) as ReviewWire }] : []));
    },
  };
}
