/** The family activity log (docs/api.md "Activity log"; docs/privacy.md). */
import { Type, type Static } from '@sinclair/typebox';

/** How long the log keeps an event, in days; older ones are deleted by the daily maintenance. */
export const ACTIVITY_DAYS = 90;

/**
 * What the log records. Never content: a message event says who sent or played it, when and which
 * toy, not what was said; a settings event says that settings changed, not to what.
 */
export const ACTIVITY_KINDS = [
  'sign_in',
  'family_created',
  'device_added',
  'device_removed',
  'toy_paired',
  'toy_unpaired',
  'toy_renamed',
  'toy_online',
  'toy_offline',
  'child_added',
  'child_profile_changed',
  'child_deleted',
  'invitation_created',
  'invitation_revoked',
  'join_requested',
  'join_approved',
  'join_declined',
  'member_removed',
  'member_blocked',
  'member_unblocked',
  'toy_settings_changed',
  'retention_changed',
  'second_factor_rule_changed',
  'message_sent',
  'message_played',
  'message_deleted',
  'message_approved',
  'message_declined',
] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];
export const ActivityKindSchema = Type.Union(ACTIVITY_KINDS.map((k) => Type.Literal(k)));

export const ActivityEvent = Type.Object({
  seq: Type.Integer({ description: "The event's place in the family's hash chain." }),
  at: Type.Integer(),
  kind: ActivityKindSchema,
  accountId: Type.Union([Type.String(), Type.Null()], { description: 'Who acted (null: a toy or the server).' }),
  deviceId: Type.Union([Type.String(), Type.Null()], { description: 'The device they acted from.' }),
  toyId: Type.Union([Type.String(), Type.Null()], { description: 'The toy concerned, if any.' }),
  subject: Type.Union([Type.String(), Type.Null()], {
    description: 'The id of what the event concerns: a message, device, account, invitation or child.',
  }),
});
export type ActivityEvent = Static<typeof ActivityEvent>;

export const ActivityQuery = Type.Object(
  {
    kind: Type.Optional(
      Type.String({ pattern: '^[a-z_]{1,40}(,[a-z_]{1,40}){0,40}$', description: 'Only these kinds, comma-separated.' }),
    ),
    accountId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Only what this account did.' })),
    toyId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Only events about this toy.' })),
    since: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Only events at or after (ms).' })),
    before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Only events with seq below this (paging).' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);
export type ActivityQuery = Static<typeof ActivityQuery>;

export const ActivityResponse = Type.Object({
  events: Type.Array(ActivityEvent, { description: 'Newest first.' }),
  keptDays: Type.Integer(),
  nextBefore: Type.Union([Type.Integer(), Type.Null()], { description: 'Pass as `before` for older events; null: no more.' }),
});
export type ActivityResponse = Static<typeof ActivityResponse>;

/** The activity summary mail a guardian can opt in to: every this many days, counts of the log's events. */
export const ACTIVITY_SUMMARY_DAYS = 7;

export const ActivitySummarySetting = Type.Object(
  { enabled: Type.Boolean({ description: 'Mail me a summary of the family’s activity (counts, never content).' }) },
  { additionalProperties: false },
);
export type ActivitySummarySetting = Static<typeof ActivitySummarySetting>;

export const ActivitySummaryState = Type.Object({
  enabled: Type.Boolean(),
  everyDays: Type.Integer({ description: 'How often the summary is mailed (ACTIVITY_SUMMARY_DAYS).' }),
  lastSentAt: Type.Union([Type.Integer(), Type.Null()], { description: 'When the last summary was mailed (null: never).' }),
});
export type ActivitySummaryState = Static<typeof ActivitySummaryState>;
