import { Type } from '@sinclair/typebox';
import { Base64url, Cursor, DeviceId, Envelope, FamilyId, MessageId } from '../http/schemas.js';

export const BlobParams = Type.Object({
  familyId: FamilyId,
  hash: Base64url({ bytes: 32, description: 'base64url SHA-256 of the body.' }),
});
export const UploadBlobResponse = Type.Object({ hash: Type.String(), size: Type.Integer() });

export const FamilyMessagesParams = Type.Object({ familyId: FamilyId });
export const SendMessageBody = Type.Object({ envelope: Envelope });
export const SendMessageResponse = Type.Object({ messageId: MessageId, seq: Type.Integer() });

export const PageQuery = Type.Object({
  after: Type.Optional(Cursor),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

export const InboxResponse = Type.Object({
  messages: Type.Array(Type.Object({ seq: Type.Integer(), envelope: Envelope })),
  next: Type.Integer({ description: 'Pass as `after` to continue; equals `after` when nothing is new.' }),
});

const ReceiptKind = Type.Union([Type.Literal('delivered'), Type.Literal('played')]);
/** `declined`: set by the server when a guardian declined the message after review. */
const SentReceiptKind = Type.Union([Type.Literal('delivered'), Type.Literal('played'), Type.Literal('declined')]);

export const SentResponse = Type.Object({
  messages: Type.Array(
    Type.Object({
      seq: Type.Integer(),
      messageId: MessageId,
      receipts: Type.Array(Type.Object({ deviceId: DeviceId, kind: SentReceiptKind, at: Type.Integer() })),
    }),
  ),
});

export const MessageParams = Type.Object({ messageId: MessageId });
export const ReceiptBody = Type.Object({ kind: ReceiptKind });
export const BinaryBody = Type.Unsafe<Uint8Array>({
  type: 'string',
  format: 'binary',
  description: 'Ciphertext blob.',
});
