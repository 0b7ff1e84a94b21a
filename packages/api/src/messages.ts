/** Blobs, messages, inbox, sent receipts (docs/api.md, "Messages"). */
import type { DeletionWire } from '@burrow/protocol';
import { Type, type Static } from '@sinclair/typebox';
import { Base64url, Cursor, DeviceId, Envelope, FamilyId, MessageId, PageLimit } from './primitives.js';

export const BlobParams = Type.Object({
  familyId: FamilyId,
  hash: Base64url({ bytes: 32, description: 'base64url SHA-256 of the body.' }),
});
export const UploadBlobResponse = Type.Object({ hash: Type.String(), size: Type.Integer() });
export type UploadBlobResponse = Static<typeof UploadBlobResponse>;

export const SendMessageBody = Type.Object({
  envelope: Envelope,
  /**
   * The KEM key epoch the sender sealed to, per recipient device (docs/protocol.md §14.2; 0 or absent:
   * the roster's key). A recipient that has published a newer one makes the message a 409: re-seal.
   */
  keyEpochs: Type.Optional(
    Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]{22}$' }), Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), { maxProperties: 256 }),
  ),
});
export type SendMessageBody = Static<typeof SendMessageBody>;
export const SendMessageResponse = Type.Object({ messageId: MessageId, seq: Type.Integer() });
export type SendMessageResponse = Static<typeof SendMessageResponse>;

/** A page of a cursor-ordered list: items after `after`, at most `limit`. */
export const PageQuery = Type.Object({
  after: Type.Optional(Cursor),
  limit: Type.Optional(PageLimit),
});
export type PageQuery = Static<typeof PageQuery>;

export const InboxItem = Type.Object({ seq: Type.Integer(), envelope: Envelope });
export type InboxItem = Static<typeof InboxItem>;
export const InboxResponse = Type.Object({
  messages: Type.Array(InboxItem),
  next: Type.Integer({ description: 'Pass as `after` to continue; equals `after` when nothing is new.' }),
});
export type InboxResponse = Static<typeof InboxResponse>;

export const ReceiptKind = Type.Union([Type.Literal('delivered'), Type.Literal('played')]);
export type ReceiptKind = Static<typeof ReceiptKind>;
/** `declined`: set by the server when a guardian declined the message after review. */
const SentReceiptKind = Type.Union([Type.Literal('delivered'), Type.Literal('played'), Type.Literal('declined')]);

/**
 * Where a sent message is on one toy, from what the server knows: `review` (held for a guardian's
 * approval), `quiet_hours` (the toy's signed quiet hours; `quietUntil` says when they end),
 * `waiting` (on the server, not fetched yet: the toy is off or offline), `delivered` (the toy fetched
 * it; its heart glows), `played`, `declined` (a guardian declined it; it was deleted).
 */
export const SentToyState = Type.Union([
  Type.Literal('review'),
  Type.Literal('quiet_hours'),
  Type.Literal('waiting'),
  Type.Literal('delivered'),
  Type.Literal('played'),
  Type.Literal('declined'),
]);
export type SentToyState = Static<typeof SentToyState>;
export const SentToyStatus = Type.Object({
  toyId: DeviceId,
  state: SentToyState,
  quietUntil: Type.Optional(
    Type.String({ pattern: '^[0-2][0-9]:[0-5][0-9]$', description: "With `quiet_hours`: their end, HH:MM in the toy's time zone." }),
  ),
});
export type SentToyStatus = Static<typeof SentToyStatus>;

export const SentItem = Type.Object({
  seq: Type.Integer(),
  messageId: MessageId,
  receipts: Type.Array(Type.Object({ deviceId: DeviceId, kind: SentReceiptKind, at: Type.Integer() })),
  toys: Type.Array(SentToyStatus, { description: 'One entry per toy the message was sent to.' }),
  expiredAt: Type.Optional(
    Type.Integer({ description: 'Set when the message expired before every recipient fetched it: the server deleted it (docs/privacy.md).' }),
  ),
});
export type SentItem = Static<typeof SentItem>;
export const SentResponse = Type.Object({ messages: Type.Array(SentItem) });
export type SentResponse = Static<typeof SentResponse>;

export const MessageParams = Type.Object({ messageId: MessageId });
export const ReceiptBody = Type.Object({ kind: ReceiptKind });
export type ReceiptBody = Static<typeof ReceiptBody>;

/**
 * DELETE /v1/messages/:id may carry the deleting device's signed instruction (docs/protocol.md §16),
 * kept for the family's toys so one that already queued the message drops it. Without it the server
 * still deletes its copy; a toy that holds the message then plays it.
 */
export const DeleteMessageBody = Type.Unsafe<{ instruction?: DeletionWire } | undefined>({
  description: 'Optional: { instruction: a signed deletion (docs/protocol.md §16) }.',
});
export type DeleteMessageBody = Static<typeof DeleteMessageBody>;
