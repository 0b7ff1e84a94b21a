/**
 * Messages: the server routes signed envelopes and stores ciphertext blobs it cannot open. It checks
 * what it can without keys — the signature, the family's current roster and each device's rights —
 * so a stranger cannot even get a message queued for a toy. The toy checks again itself (P2).
 */
import { createHash } from 'node:crypto';
import {
  findDevice,
  fromBase64url,
  parseEnvelope,
  parseToySettings,
  verifyEnvelopeSignature,
  type EnvelopeWire,
  type QuietHours,
  type RosterWire,
} from '@burrow/protocol';
import { nativeVerify } from '../signatures/native-ed25519.js';
import type { Logger } from 'pino';
import type { DeviceCaller } from '../auth/index.js';
import type { Blobs } from '../blobs/index.js';
import { topics, type Bus } from '../bus/index.js';
import type { Clock } from '../clock/index.js';
import { isForeignKeyViolation, isUniqueViolation, type Db, type ReceiptKind } from '../db/index.js';
import { compiledStatement } from '../db/compiled.js';
import { badRequest, conflict, forbidden, notFound, refuse, type AppError } from '../errors/index.js';
import type { RateLimitRule } from '../config.js';
import { noSuchFamily, requireFamilyDevice } from '../families/access.js';
import { toysHoldingForReview } from '../review/hold.js';
import { holdForReview } from '../review/store.js';
import { toySettingsOf } from '../toys/store.js';
import { DEFAULT_FAMILY_STORAGE_BYTES } from './config.js';
import { createGroupCommit } from './group-commit.js';
import { createRosterCache } from './roster-cache.js';
import { deleteMessage } from './deletion.js';
import { sentToyStatus, type SentToyStatus } from './sent-status.js';
import { readSendFacts, type SendFacts } from './send-facts.js';
import { blobKey, deleteBlobBytes, insertBlob, insertMessage, insertReceipt, toyRecipientsOf, uploadFacts } from './store.js';

export interface InboxPage {
  messages: { seq: number; envelope: EnvelopeWire }[];
  next: number;
}

export interface SentMessage {
  seq: number;
  messageId: string;
  /** `declined`: a guardian declined it after review (docs/safety.md); the message is deleted. */
  receipts: { deviceId: string; kind: ReceiptKind | 'declined'; at: number }[];
  /** Where it is on each toy it was sent to (sent-status.ts). */
  toys: SentToyStatus[];
  /** When it expired before every recipient fetched it (retention/); its content is deleted. */
  expiredAt?: number;
}

export interface Messages {
  uploadBlob(
    caller: DeviceCaller,
    familyId: string,
    hash: string,
    bytes: Uint8Array,
  ): Promise<{ hash: string; size: number }>;
  sendMessage(
    caller: DeviceCaller,
    familyId: string,
    envelopeJson: unknown,
    keyEpochs?: Readonly<Record<string, number>>,
  ): Promise<{ messageId: string; seq: number }>;
  listMessages(caller: DeviceCaller, after: number, limit: number): Promise<InboxPage>;
  listSent(caller: DeviceCaller, after: number, limit: number): Promise<{ messages: SentMessage[] }>;
  /** `from`: the reading request's client address, for the canary tripwire around the blob store. */
  downloadMessageBlob(caller: DeviceCaller, messageId: string, from?: { readonly ip: string }): Promise<Uint8Array>;
  sendReceipt(caller: DeviceCaller, messageId: string, kind: ReceiptKind): Promise<void>;
  /** Its sender or a guardian deletes a message: row and blob (deletion.ts). */
  deleteMessage(caller: DeviceCaller, messageId: string, instruction?: unknown): Promise<void>;
}

export { blobKey };

export { DEFAULT_FAMILY_STORAGE_BYTES } from './config.js';

export interface MessageLimits {
  /** Messages per sending device per window; max 0: no limit (messages/config.ts). */
  sendMessage: RateLimitRule;
  /** 0: no quota. */
  familyStorageBytes: number;
}
const noSuchMessage = () => notFound('message_not_found', 'No such message.');

// The reads every delivery makes, built and compiled once (db/compiled.ts; issue #11).
/** A message and whether `deviceId` is one of its recipients (a left join on the recipient's row). */
const messageForDevice = compiledStatement(2, (db, messageId: string, deviceId: string) =>
  db
    .selectFrom('messages')
    .leftJoin('message_recipients', (join) =>
      join.onRef('message_recipients.message_seq', '=', 'messages.seq').on('message_recipients.device_id', '=', deviceId),
    )
    .select(['messages.seq', 'messages.family_id', 'messages.sender_id', 'messages.blob_hash', 'message_recipients.device_id as recipient'])
    .where('messages.id', '=', messageId),
);
/** A device's inbox page after `after`. */
const inboxPage = compiledStatement(3, (db, deviceId: string, after: number, limit: number) =>
  db
    .selectFrom('message_recipients')
    .innerJoin('messages', 'messages.seq', 'message_recipients.message_seq')
    .select(['messages.seq', 'messages.envelope'])
    .where('message_recipients.device_id', '=', deviceId)
    .where('message_recipients.message_seq', '>', after)
    // A message held for this toy's review comes through the review feed instead (review/).
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('message_reviews')
            .select('message_reviews.message_seq')
            .whereRef('message_reviews.message_seq', '=', 'messages.seq')
            .where('message_reviews.toy_id', '=', deviceId),
        ),
      ),
    )
    .orderBy('message_recipients.message_seq', 'asc')
    .limit(limit),
);

/** The stored settings of the message's toys (the combined read asked for every recipient's). */
function settingsOfToys(facts: SendFacts, toyIds: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const id of toyIds) {
    const json = facts.settings.get(id);
    if (json !== undefined) out.set(id, json);
  }
  return out;
}

export function createMessages({
  db,
  blobs,
  bus,
  clock,
  log,
  limits = { sendMessage: { max: 60, windowMs: 600_000 }, familyStorageBytes: DEFAULT_FAMILY_STORAGE_BYTES },
}: {
  db: Db;
  blobs: Blobs;
  bus: Bus;
  clock: Clock;
  log: Logger;
  limits?: MessageLimits;
}): Messages {
  // Blob index rows and envelope rows of concurrent requests share one durable commit (group-commit.ts).
  const commits = createGroupCommit(db);
  // The roster parsed once per version, checked against the database's current one on every send.
  const rosters = createRosterCache(db);

  /**
   * A sender cannot flood the family or the toy: at most `max` messages per device per window.
   * Bounded, not a count over the sender's history: the sender is over the limit exactly when its
   * max-th most recent message is inside the window — one read at offset max-1 of the
   * (sender_id, seq) index, whatever the sender sent before; read in the send's combined read (send-facts.ts).
   */
  function checkSendRate(facts: SendFacts): void {
    const { max, windowMs } = limits.sendMessage;
    if (max === 0) return; // turned off by the operator (burrow doctor flags it)
    const oldestOfLastMax = facts.nthLastSentAt;
    const over = (oldestOfLastMax !== undefined && oldestOfLastMax > clock.now() - windowMs);
    if (over)
      throw refuse('rate_limited', 'send_rate_limited',
        `This device sent ${String(max)} messages in the last ${String(Math.round(windowMs / 60_000))} minutes; wait a little before sending more.`,
        { count: max, minutes: Math.round(windowMs / 60_000) },
      );
  }

  /** Which of the sender's messages, newest first, decides the send rate: the max-th. */
  const sendRateOffset = (): number => Math.max(0, limits.sendMessage.max - 1);

  /**
   * A sender sealed to each recipient's newest published KEM key (protocol §14.2): a recipient that
   * rotated since would have to keep its retired key for this message, so the sender re-seals. The
   * epochs are the sender's word (HPKE does not show the key); an honest sender's stale cache is what
   * this catches, and a recipient that erased the key refuses what slips through. `latest`: the
   * recipients' newest epochs, from the send's combined read (send-facts.ts).
   */
  function checkKeyEpochs(
    recipients: readonly string[],
    latest: ReadonlyMap<string, number>,
    keyEpochs: Readonly<Record<string, number>>,
  ): void {
    const stale = recipients.filter((id) => (latest.get(id) ?? 0) > (keyEpochs[id] ?? 0));
    if (stale.length > 0)
      throw conflict('recipient_key_stale', `${String(stale.length)} recipient device(s) published a newer key: fetch the family's keys (listKemKeys) and seal again.`);
  }

  /** The family's stored ciphertext (`used`, read with the blob's size: store.ts uploadFacts) stays under its quota. */
  function checkQuota(used: number, adding: number): void {
    if (limits.familyStorageBytes === 0) return; // no quota: turned off by the operator (burrow doctor flags it)
    if (used + adding > limits.familyStorageBytes) {
      const mib = (n: number) => (n / (1024 * 1024)).toFixed(1);
      throw refuse('payload_too_large', 'family_storage_full',
        `This family's storage is full (${mib(used)} of ${mib(limits.familyStorageBytes)} MiB used); delete old messages to make room.`,
        { usedMiB: mib(used), limitMiB: mib(limits.familyStorageBytes) },
      );
    }
  }

  /** The roster and each device's rights allow this envelope (`facts`: read with it, send-facts.ts). */
  async function checkRouting(envelope: EnvelopeWire, familyId: string, facts: SendFacts): Promise<{ roster: RosterWire; toyIds: string[] }> {
    const current = await rosters.atHead(familyId, facts.rosterHead);
    if (!current) throw notFound('family_not_found', 'No such family.');
    const roster = current.roster;
    const sender = findDevice(roster, envelope.sender);
    if (!sender) throw forbidden('device_not_in_roster', 'This device is not in the family roster.');
    if (!verifyEnvelopeSignature(envelope, fromBase64url(sender.signPublicKey, 32), nativeVerify))
      throw badRequest('signature_invalid', 'The envelope signature does not verify.');
    if (envelope.rosterVersion > current.version)
      throw badRequest('roster_version_unknown', 'The envelope names a roster version the family does not have.');
    const toyIds: string[] = [];
    for (const r of envelope.recipients) {
      const recipient = findDevice(roster, r.deviceId);
      if (!recipient) throw badRequest('recipient_invalid', `Recipient ${r.deviceId} is not in the family roster.`);
      if (recipient.role === 'toy') {
        // Only people a guardian approved can make the toy speak (P2); toys never address toys.
        if (sender.role === 'toy' || !sender.sendToToy)
          throw forbidden('send_not_allowed', 'This device may not send to the toy.');
        toyIds.push(r.deviceId);
      }
      // A guardian hears everything the child says (docs/protocol.md §7), whatever its hearChild.
      if (sender.role === 'toy' && !recipient.hearChild && recipient.role !== 'guardian')
        throw forbidden('recipient_invalid', `Recipient ${r.deviceId} may not hear the child.`);
    }
    if (!toyIds.every((id) => facts.paired.has(id))) throw badRequest('recipient_invalid', 'A recipient toy is not paired to this family.');
    if (envelope.blob) {
      if (facts.blobSize === undefined) throw badRequest('blob_missing', 'Upload the blob before sending the message.');
      if (facts.blobSize !== envelope.blob.size) throw badRequest('blob_size_mismatch', 'The blob size does not match the envelope.');
    }
    return { roster, toyIds };
  }

  /**
   * The answer to a send whose id is taken: `already_sent` when the stored message is this very
   * envelope from this sender (a retry of a send that landed although its caller saw an error, e.g. a
   * 503 after the commit), so the client can count it as delivered once; otherwise `conflict`.
   */
  async function duplicateOf(envelope: EnvelopeWire, familyId: string, stored: string): Promise<AppError | undefined> {
    const row = await db
      .selectFrom('messages')
      .select(['family_id', 'sender_id', 'envelope'])
      .where('id', '=', envelope.id)
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.family_id === familyId && row.sender_id === envelope.sender && row.envelope === stored)
      return refuse('already_sent', 'message_already_sent', 'This message was already sent; it is delivered once.');
    return conflict('message_id_taken', 'A message with that id was already sent.');
  }

  /**
   * The message and whether the caller's device is one of its recipients, in one query (a left join
   * on the recipient's row): the toy's blob download and receipt, on every delivery, each read both.
   * The auth hook read them already with the caller when the route asked (auth PathMessage).
   */
  async function findMessageFor(
    caller: DeviceCaller,
    messageId: string,
  ): Promise<{ seq: number; family_id: string; sender_id: string; blob_hash: string | null; recipient: boolean } | undefined> {
    if (caller.message?.messageId === messageId) {
      const m = caller.message.found;
      return m === null ? undefined : { seq: m.seq, family_id: m.familyId, sender_id: m.senderId, blob_hash: m.blobHash, recipient: m.recipient };
    }
    const row = await messageForDevice.first(db, messageId, caller.deviceId);
    return row && { seq: row.seq, family_id: row.family_id, sender_id: row.sender_id, blob_hash: row.blob_hash, recipient: row.recipient !== null };
  }

  /**
   * The caller may act in this family: a person's role as the auth hook read it with the session, when
   * it read it for this family (no second look-up on every upload and send); otherwise families/access.ts.
   */
  async function requireFamily(caller: DeviceCaller, familyId: string): Promise<void> {
    if (caller.kind === 'person' && caller.membership?.familyId === familyId) {
      if (caller.membership.role === null) throw noSuchFamily();
      return;
    }
    await requireFamilyDevice(db, familyId, caller);
  }

  return {
    async uploadBlob(caller, familyId, hash, bytes) {
      await requireFamily(caller, familyId);
      if (bytes.length === 0) throw badRequest('blob_empty', 'The blob is empty.');
      const actual = createHash('sha256').update(bytes).digest('base64url');
      if (actual !== hash) throw badRequest('blob_hash_mismatch', "The body's SHA-256 does not match the hash in the path.");
      // Read with the session by the auth hook for this family and hash (auth PathBlob), else here.
      const pathBlob = caller.blob?.familyId === familyId && caller.blob.hash === hash ? caller.blob : undefined;
      const { size: existing, used } = pathBlob ?? (await uploadFacts(db, familyId, hash));
      if (existing !== undefined) return { hash, size: existing };
      checkQuota(used, bytes.length);
      // Bytes first, then the index row: a row always means the bytes are stored. Both are durable
      // before the 2xx: put() returns once the file and its folder are fsynced (batched with other
      // uploads), the row once its shared transaction committed.
      await blobs.put(blobKey(familyId, hash), bytes);
      const row = { familyId, hash, size: bytes.length, uploadedBy: caller.deviceId, createdAt: clock.now() };
      try {
        await commits.run((trx) => insertBlob(trx, row));
      } catch (err) {
        if (!isForeignKeyViolation(err)) throw err;
        // The family was erased after the checks above (its row is the index row's only foreign key):
        // its bytes, stored after the erasure deleted the family's, go too, and the answer is a 404.
        await deleteBlobBytes(blobs, familyId, [hash]);
        throw noSuchFamily();
      }
      return { hash, size: bytes.length };
    },

    async sendMessage(caller, familyId, envelopeJson, keyEpochs = {}) {
      await requireFamily(caller, familyId);
      const envelope = parseEnvelope(envelopeJson);
      if (envelope.familyId !== familyId) throw badRequest('wrong_family', 'The envelope belongs to another family.');
      if (envelope.sender !== caller.deviceId)
        throw badRequest('signer_not_caller', "The envelope's sender must be the device making this request.");
      const recipients = envelope.recipients.map((r) => r.deviceId);
      // What every check below reads, in one statement (send-facts.ts).
      const facts = await readSendFacts(db, familyId, recipients, envelope.blob?.hash ?? null, envelope.sender, sendRateOffset());
      const { roster, toyIds } = await checkRouting(envelope, familyId, facts);
      const stored = JSON.stringify(envelope);
      try {
        checkKeyEpochs(recipients, facts.epochs, keyEpochs);
        checkSendRate(facts);
      } catch (err) {
        // A retry of a send that landed counts against the rate and may meet a key published since;
        // it is answered as the duplicate it is, so its sender neither re-seals nor waits. Looked up
        // only on refusal: a first send pays nothing for it.
        throw (await duplicateOf(envelope, familyId, stored)) ?? err;
      }
      // Review before play (protocol §11): toys whose signed settings put the sender under review get
      // the message only once a guardian approves it. Guardians it is sealed to are its reviewers:
      // they reach it through the review queue, not their inbox.
      const held = await toysHoldingForReview(db, settingsOfToys(facts, toyIds), envelope.sender, caller.accountId);
      const isReviewer = (deviceId: string) =>
        held.length > 0 && deviceId !== envelope.sender && findDevice(roster, deviceId)?.role === 'guardian';
      if (held.length > 0 && !envelope.recipients.some((r) => findDevice(roster, r.deviceId)?.role === 'guardian'))
        throw badRequest('review_needs_guardians', "This message waits for a guardian's review: seal it to the family's guardian devices too.");
      const inbox = envelope.recipients.map((r) => r.deviceId).filter((id) => !isReviewer(id));
      const now = clock.now();
      let seq: number;
      let queued: string[];
      try {
        // Durable before the 201: the row commits in a transaction shared with concurrent sends.
        ({ seq, queued } = await commits.run(async (trx) => {
          const message = await insertMessage(
            trx,
            {
              id: envelope.id,
              familyId,
              senderId: envelope.sender,
              envelope: stored,
              blobHash: envelope.blob?.hash ?? null,
              createdAt: now,
            },
            inbox,
          );
          // Only toys still there to queue for: a toy unpaired since the checks above gets no review
          // row, and those queued keep their device row (key share) until this commits (store.ts).
          const heldQueued = held.filter((id) => message.queued.includes(id));
          if (heldQueued.length > 0) await holdForReview(trx, message.seq, familyId, heldQueued, now);
          return message;
        }));
      } catch (err) {
        if (isUniqueViolation(err)) throw (await duplicateOf(envelope, familyId, stored)) ?? conflict('message_id_taken', 'A message with that id was already sent.');
        // The send's rows name the family, the message itself and recipient devices by foreign key;
        // the devices' key cannot fail (only existing rows, held, are queued: store.ts insertMessage),
        // so the family was erased after the checks above. A 404, as for any gone family, read from the failed insert
        // itself, so a send pays no statement for it (the erasure takes its family row FOR UPDATE
        // first: the insert waits for it, then fails on the key).
        if (isForeignKeyViolation(err)) throw noSuchFamily();
        throw err;
      }
      // A recipient deleted since the checks is not queued (store.ts insertMessage): the send answers
      // for the devices that remain, and only they are told.
      for (const id of queued) if (!held.includes(id)) bus.publish(topics.device(id), { type: 'message', seq });
      if (held.some((id) => queued.includes(id))) bus.publish(topics.family(familyId), { type: 'review', familyId, messageId: envelope.id, state: 'waiting' });
      return { messageId: envelope.id, seq };
    },

    async listMessages(caller, after, limit) {
      const rows = await inboxPage.all(db, caller.deviceId, after, limit);
      const messages = rows.map((r) => ({ seq: r.seq, envelope: JSON.parse(r.envelope) as EnvelopeWire }));
      return { messages, next: messages.at(-1)?.seq ?? after };
    },

    async listSent(caller, after, limit) {
      const rows = await db
        .selectFrom('messages')
        .select(['seq', 'id', 'expired_at'])
        .where('sender_id', '=', caller.deviceId)
        .where('seq', '>', after)
        .orderBy('seq', 'asc')
        .limit(limit)
        .execute();
      const seqs = rows.map((r) => r.seq);
      const receipts =
        seqs.length === 0
          ? []
          : await db
              .selectFrom('receipts')
              .select(['message_seq', 'device_id', 'kind', 'created_at'])
              .where('message_seq', 'in', seqs)
              .orderBy('created_at')
              .orderBy('device_id')
              .execute();
      const reviews =
        seqs.length === 0
          ? []
          : await db
              .selectFrom('message_reviews')
              .select(['message_seq', 'toy_id', 'state', 'decided_at'])
              .where('message_seq', 'in', seqs)
              .orderBy('toy_id')
              .execute();
      const declined = reviews.filter((x) => x.state === 'declined');
      // Each toy's state as the sender may know it: holds, signed quiet hours, the toy's receipts.
      const toysBySeq = await toyRecipientsOf(db, seqs);
      for (const x of reviews) {
        const toys = toysBySeq.get(x.message_seq) ?? [];
        if (!toys.includes(x.toy_id)) toysBySeq.set(x.message_seq, [...toys, x.toy_id].sort());
      }
      const settings = new Map<string, { timeZone: string; quietHours: QuietHours | null } | null>();
      for (const [toyId, json] of await toySettingsOf(db, [...new Set([...toysBySeq.values()].flat())])) {
        try {
          settings.set(toyId, parseToySettings(JSON.parse(json)));
        } catch {
          settings.set(toyId, null); // stored settings were checked when signed; unreadable ones are no quiet hours
        }
      }
      const now = clock.now();
      const has = (seq: number, deviceId: string, kind: ReceiptKind) =>
        receipts.some((x) => x.message_seq === seq && x.device_id === deviceId && x.kind === kind);
      const review = (seq: number, toyId: string, state: string) =>
        reviews.some((x) => x.message_seq === seq && x.toy_id === toyId && x.state === state);
      return {
        messages: rows.map((r) => ({
          seq: r.seq,
          messageId: r.id,
          ...(r.expired_at === null ? {} : { expiredAt: Number(r.expired_at) }),
          receipts: [
            ...receipts
              .filter((x) => x.message_seq === r.seq)
              .map((x) => ({ deviceId: x.device_id, kind: x.kind, at: x.created_at })),
            ...declined
              .filter((x) => x.message_seq === r.seq)
              .map((x) => ({ deviceId: x.toy_id, kind: 'declined' as const, at: x.decided_at ?? 0 })),
          ],
          toys: (toysBySeq.get(r.seq) ?? []).map((toyId) =>
            sentToyStatus(
              {
                toyId,
                declined: review(r.seq, toyId, 'declined'),
                played: has(r.seq, toyId, 'played'),
                delivered: has(r.seq, toyId, 'delivered'),
                inReview: review(r.seq, toyId, 'waiting'),
                settings: settings.get(toyId) ?? null,
              },
              now,
            ),
          ),
        })),
      };
    },

    async downloadMessageBlob(caller, messageId, from) {
      const message = await findMessageFor(caller, messageId);
      if (!message || (message.sender_id !== caller.deviceId && !message.recipient)) throw noSuchMessage();
      if (message.blob_hash === null) throw notFound('message_audio_missing', 'This message has no blob.');
      const bytes = await blobs.get(blobKey(message.family_id, message.blob_hash), from);
      if (!bytes) {
        log.error({ messageId }, 'blob missing from the blob store');
        throw notFound('message_audio_missing', 'The blob for this message is missing.');
      }
      return bytes;
    },

    async sendReceipt(caller, messageId, kind) {
      const message = await findMessageFor(caller, messageId);
      if (!message?.recipient) throw noSuchMessage();
      let added: boolean;
      try {
        added = await insertReceipt(db, { messageSeq: message.seq, deviceId: caller.deviceId, kind, createdAt: clock.now() });
      } catch (err) {
        // The message was deleted (by its sender, a guardian, retention or its family's erasure) after
        // it was read above: its row is the receipt's only foreign key. The same 404 as a receipt for a
        // message already gone, read from the failed insert so a receipt pays no statement for it.
        if (isForeignKeyViolation(err)) throw noSuchMessage();
        throw err;
      }
      if (added) {
        bus.publish(topics.device(message.sender_id), {
          type: 'receipt',
          messageId,
          deviceId: caller.deviceId,
          kind,
        });
      }
    },

    async deleteMessage(caller, messageId, instruction) {
      await deleteMessage({ db, blobs, bus, log, clock }, caller, messageId, instruction);
    },
  };
}
