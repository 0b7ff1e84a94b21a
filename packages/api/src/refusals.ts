/**
 * Why a request was refused: one stable machine code (`error.reason`) per kind of refusal, with the
 * names of the values its sentence needs (`error.params`). The server's `message` stays an English
 * sentence for people reading raw answers; apps show their own text for the reason, in their own
 * language (docs/api.md, "Errors"). A reason is never renamed once it has shipped: add a new one.
 *
 * The value of each entry lists its params, in the order a sentence usually names them. Reasons that
 * only a broken or hostile client can cause (a bad signature, another family's record) are grouped
 * coarsely on purpose: a person cannot act on the finer difference, and the English `message` still
 * says exactly what was wrong for whoever writes the client.
 */
export const REFUSALS = {
  // --- any route: the request itself ---
  invalid_request: [],
  json_invalid: [],
  url_invalid: [],
  body_too_large: [],
  body_too_slow: [],
  content_type_wrong: [],
  no_route: [],
  protocol_rejected: [],
  too_many_requests: ['seconds'],
  too_many_attempts: ['seconds'],
  unusual_activity: ['minutes'],
  cross_origin: [],

  // --- signing in, sessions and devices of an account ---
  sign_in_required: [],
  session_ended: [],
  session_not_found: [],
  credentials_wrong: [],
  authorization_malformed: [],
  device_header_required: [],
  device_header_invalid: [],
  device_not_yours: [],
  device_exists: [],
  key_proof_invalid: [],
  second_factor_required: [],
  password_reset_required: [],
  password_short_only_factor: ['min'],

  // --- accounts: email, passwords, links, recovery codes ---
  email_invalid: [],
  link_invalid: [],
  password_too_short: ['min', 'length'],
  password_too_long: ['max'],
  password_bad_character: [],
  password_common: [],
  password_guessable: [],
  password_breached: ['count'],
  password_wrong: [],
  current_password_wrong: [],
  reset_code_wrong: [],
  recovery_code_wrong: [],
  recovery_code_just_used: [],

  // --- two-step sign-in and passkeys ---
  sign_in_expired: [],
  code_wrong: [],
  code_required: [],
  password_or_code_required: [],
  password_or_code_wrong: [],
  two_step_on: [],
  two_step_off: [],
  two_step_off_needs_longer_password: ['min'],
  own_second_factor_required: [],
  passkey_request_expired: [],
  passkey_not_verified: [],
  passkey_exists: [],
  passkey_wrong: [],
  passkey_name_required: [],
  passkey_not_found: [],

  // --- families, members and invitations ---
  family_not_found: [],
  family_id_taken: [],
  guardian_only: [],
  guardian_device_required: [],
  guardian_device_exists: [],
  last_guardian: [],
  roster_needs_guardian: [],
  child_not_found: [],
  child_has_toys: ['count'],
  member_not_found: [],
  invitation_unknown: [],
  invitation_used: [],
  invitation_expired: [],
  invitation_not_found: [],
  invitation_ttl_too_long: ['days'],
  blocked_by_family: [],
  already_member: [],
  already_asked: [],
  join_request_not_found: [],
  cannot_block_self: [],
  not_blocked: [],
  activity_kind_unknown: ['kind'],
  notice_not_found: [],

  // --- rosters and signed records (only a broken or outdated client causes most of these) ---
  roster_changed: [],
  roster_invalid: [],
  roster_version_unknown: [],
  roster_device_unknown: [],
  roster_keys_mismatch: [],
  roster_toy_not_paired: [],
  roster_creator_only: [],
  roster_lists_blocked: [],
  roster_lists_non_member: [],
  device_not_in_roster: [],
  wrong_family: [],
  signer_not_caller: [],
  signature_invalid: [],
  record_malformed: [],
  record_too_large: [],
  record_from_future: [],
  key_epoch_taken: [],
  successor_invalid: [],
  succession_not_requested: [],

  // --- toys, pairing, settings and favourites ---
  toy_not_found: [],
  toy_not_in_family: [],
  toy_not_paired: [],
  toy_exists: [],
  toy_already_claimed: [],
  toy_token_required: [],
  toy_token_unknown: [],
  pairing_code_unknown: [],
  pairing_code_taken: [],
  pairing_code_changed: [],
  settings_invalid: [],
  settings_outdated: ['version'],
  favourites_full: ['slots'],

  // --- messages, audio and review ---
  message_not_found: [],
  message_not_for_toy: [],
  message_audio_missing: [],
  message_already_sent: [],
  message_id_taken: [],
  send_not_allowed: [],
  send_rate_limited: ['count', 'minutes'],
  delete_not_allowed: [],
  recipient_invalid: [],
  recipient_key_stale: [],
  review_needs_guardians: [],
  review_not_found: [],
  review_toy_mismatch: [],
  review_incomplete: [],
  review_already_decided: [],
  blob_missing: [],
  blob_empty: [],
  blob_hash_mismatch: [],
  blob_size_mismatch: [],
  family_storage_full: ['usedMiB', 'limitMiB'],

  // --- the live stream ---
  ticket_unknown: [],
  ticket_expired: [],
  ticket_other_device: [],
  websocket_required: [],

  // --- toy software updates (operator and toy) ---
  operator_token_required: [],
  uploads_off: [],
  bundle_invalid: [],
  update_exists: [],
  update_not_found: [],
} as const satisfies Record<string, readonly string[]>;

/** A stable machine code for why a request was refused. */
export type RefusalReason = keyof typeof REFUSALS;

/** Every reason, in the order above: the list apps translate and tests walk. */
export const REFUSAL_REASONS = Object.keys(REFUSALS) as RefusalReason[];

/** The values a reason's sentence names, e.g. `{min: 15, length: 13}` for `password_too_short`. */
export type RefusalParams<R extends RefusalReason = RefusalReason> = {
  [K in (typeof REFUSALS)[R][number]]: string | number;
};

export function isRefusalReason(value: unknown): value is RefusalReason {
  return typeof value === 'string' && Object.hasOwn(REFUSALS, value);
}
