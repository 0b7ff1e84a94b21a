/**
 * Which answered requests become family activity, and as what (issue 13 item 4). Keyed by
 * operationId like the audit trail (actions.ts); only successful answers (2xx) count. Presence
 * (toy_online, toy_offline) comes from the stream instead (stream/presence.ts).
 */
import type { ActivityKind } from '@burrow/api';

export const ACTIVITY_OF_OPERATION: Readonly<Record<string, ActivityKind>> = Object.freeze({
  logIn: 'sign_in',
  completeSignIn: 'sign_in',
  signInWithPasskey: 'sign_in',
  completeSignInWithPasskey: 'sign_in',
  createFamily: 'family_created',
  // publishRoster becomes device_added / device_removed per device (activity-log.ts).
  publishRoster: 'device_added',
  claimToy: 'toy_paired',
  unpairToy: 'toy_unpaired',
  renameToy: 'toy_renamed',
  createChild: 'child_added',
  replaceChildProfile: 'child_profile_changed',
  deleteChild: 'child_deleted',
  createInvitation: 'invitation_created',
  revokeInvitation: 'invitation_revoked',
  redeemInvitation: 'join_requested',
  approveJoinRequest: 'join_approved',
  declineJoinRequest: 'join_declined',
  removeJoinRequest: 'member_removed',
  blockAccount: 'member_blocked',
  unblockAccount: 'member_unblocked',
  putToySettings: 'toy_settings_changed',
  setRetention: 'retention_changed',
  setFamilySecondFactorRequirement: 'second_factor_rule_changed',
  sendMessage: 'message_sent',
  // Only receipts of kind 'played' (activity-log.ts).
  sendReceipt: 'message_played',
  deleteMessage: 'message_deleted',
  approveMessage: 'message_approved',
  declineMessage: 'message_declined',
});

/** Operations whose answer names what the event is about (its id is read from the JSON answer). */
export const ID_FROM_ANSWER: Readonly<Record<string, RegExp>> = Object.freeze({
  logIn: /"accountId":"([A-Za-z0-9_-]{1,64})"/,
  completeSignIn: /"accountId":"([A-Za-z0-9_-]{1,64})"/,
  signInWithPasskey: /"accountId":"([A-Za-z0-9_-]{1,64})"/,
  completeSignInWithPasskey: /"accountId":"([A-Za-z0-9_-]{1,64})"/,
  claimToy: /"toyId":"([A-Za-z0-9_-]{1,64})"/,
  sendMessage: /"messageId":"([A-Za-z0-9_-]{1,64})"/,
  createChild: /"childId":"([A-Za-z0-9_-]{1,64})"/,
  createInvitation: /"invitationId":"([A-Za-z0-9_-]{1,64})"/,
  redeemInvitation: /"familyId":"([A-Za-z0-9_-]{1,64})"/,
});
