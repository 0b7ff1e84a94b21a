/** A family's retention period (docs/api.md, "Retention"; docs/privacy.md). */
import { Type, type Static } from '@sinclair/typebox';

/**
 * How long the server keeps a message once every recipient device has fetched it: 30 days unless a
 * guardian chooses otherwise, between 1 and 365 days. There is no "forever".
 */
export const RETENTION_DAYS = Object.freeze({ default: 30, min: 1, max: 365 });
/** A message some recipient device has not fetched after this many days expires; its sender is told. */
export const UNFETCHED_EXPIRY_DAYS = 30;

export const RetentionDays = Type.Integer({
  minimum: RETENTION_DAYS.min,
  maximum: RETENTION_DAYS.max,
  description: 'Days the server keeps a message after every recipient device fetched it (1-365).',
});

export const RetentionResponse = Type.Object({
  days: RetentionDays,
  defaultDays: Type.Integer(),
  minDays: Type.Integer(),
  maxDays: Type.Integer(),
  unfetchedExpiryDays: Type.Integer({ description: 'A message not fetched by every recipient within this many days expires.' }),
});
export type RetentionResponse = Static<typeof RetentionResponse>;

export const SetRetentionBody = Type.Object({ days: RetentionDays });
export type SetRetentionBody = Static<typeof SetRetentionBody>;
