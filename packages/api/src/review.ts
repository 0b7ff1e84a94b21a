/** Review before play: a guardian approves or declines a message for the family's toys (docs/api.md, "Review"). */
import type { ReviewWire } from '@burrow/protocol';
import { Type, type Static } from '@sinclair/typebox';
import { Cursor, DeviceId, Envelope, FamilyId, MessageId, PageLimit, ProtocolJson } from './primitives.js';

const Review = ProtocolJson<ReviewWire>("A guardian's signed review of one message for one toy (docs/protocol.md §11).");

export const ReviewParams = Type.Object({ familyId: FamilyId, messageId: MessageId });

/** A message waiting for a guardian's review before the toys it names may play it (protocol §11). */
export const PendingReview = Type.Object({
  messageId: MessageId,
  envelope: Envelope,
  toyIds: Type.Array(DeviceId, { description: 'The toys the message waits for.' }),
  senderDeviceId: DeviceId,
  senderEmail: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Integer(),
});
export type PendingReview = Static<typeof PendingReview>;
export const ListReviewsResponse = Type.Object({ reviews: Type.Array(PendingReview) });
export type ListReviewsResponse = Static<typeof ListReviewsResponse>;

export const ApproveBody = Type.Object({ reviews: Type.Array(Review, { minItems: 1, maxItems: 64 }) });
export type ApproveBody = Static<typeof ApproveBody>;
export const ApproveResponse = Type.Object({ released: Type.Array(DeviceId) });
export type ApproveResponse = Static<typeof ApproveResponse>;

export const ReviewedQuery = Type.Object({
  after: Type.Optional(Cursor),
  limit: Type.Optional(PageLimit),
});
export type ReviewedQuery = Static<typeof ReviewedQuery>;

/** A message a guardian approved, as the toy fetches it: the envelope and the guardian's review. */
export const ReviewedItem = Type.Object({ seq: Type.Integer(), envelope: Envelope, review: Review });
export type ReviewedItem = Static<typeof ReviewedItem>;
export const ReviewedResponse = Type.Object({ messages: Type.Array(ReviewedItem) });
export type ReviewedResponse = Static<typeof ReviewedResponse>;
