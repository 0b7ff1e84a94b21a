/**
 * Table types for Kysely. Zero knowledge shows here: ciphertext columns say so (`*_ciphertext`),
 * `roster` and `envelope` hold signed protocol JSON the server can check but not open, and there is
 * no column for anything the server must not know — no names, no audio, no plaintext profile.
 * Times are integer milliseconds since the Unix epoch.
 */
import type { Generated, Kysely } from 'kysely';

export interface AccountsTable {
  id: string;
  /**
   * HMAC-SHA-256 (hex) of the normalised address under a key derived from the pepper: the blind index
   * that finds and keeps addresses unique (accounts/email-store.ts). Read it only there.
   */
  email_index: string;
  /** The address, sealed (XChaCha20-Poly1305) to the account; null only before start-up converted the row (0830). */
  email_ciphertext: string | null;
  /** argon2id PHC string. */
  password_hash: string;
  created_at: number;
  /** Which server pepper (argon2 secret) the hash was made with; null: none (hashed before peppers). */
  pepper_id: string | null;
  email_verified_at: number | null;
}

export interface SessionsTable {
  /** SHA-256 hex of the session token; the token itself is never stored. */
  token_hash: string;
  account_id: string;
  created_at: number;
  /** Absolute expiry. */
  expires_at: number;
  /** Public id to list and revoke it by (null for sessions opened before 0100). */
  id: string | null;
  /** For idle expiry and the sessions list (updated at most once a minute). */
  last_used_at: number | null;
  ip: string | null;
  user_agent: string | null;
}

export type AccountLinkPurpose = 'verify_email' | 'reset_password';

/** Single-use links mailed to an account: only SHA-256 of the link's token is kept. */
export interface AccountLinksTable {
  token_hash: string;
  account_id: string;
  purpose: AccountLinkPurpose;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** Failed-attempt counters for online-guessing limits, keyed by `<action>:<ip|account>:<value>`. */
export interface AuthThrottleTable {
  key: string;
  failures: number;
  window_start: number;
  blocked_until: number;
}

/** Browsers (SHA-256 of account id + user agent) an account has signed in from. */
export interface SignInBrowsersTable {
  account_id: string;
  browser_hash: string;
  first_seen_at: number;
}

/** A WebAuthn credential (passkey): only its public key and signature counter are kept. */
export interface PasskeysTable {
  /** Our public id for the passkey (list, rename, remove). */
  id: string;
  /** The credential id the authenticator chose (base64url). */
  credential_id: string;
  account_id: string;
  /** COSE public key, base64url. */
  public_key: string;
  counter: number;
  /** JSON array of transports ("internal", "usb", ...) or null. */
  transports: string | null;
  /** The user's name for it, sealed with the server's secret box (second-factors/passkeys.ts). */
  name_ciphertext: string;
  created_at: number;
  last_used_at: number | null;
}

export type WebauthnChallengePurpose = 'register' | 'sign_in' | 'second_factor';

/** A WebAuthn challenge, single use (deleted when redeemed) and short-lived. */
export interface WebauthnChallengesTable {
  id: string;
  challenge: string;
  purpose: WebauthnChallengePurpose;
  /** The account it was made for (registration, second factor); null for a usernameless sign-in. */
  account_id: string | null;
  expires_at: number;
}

/** A TOTP (RFC 6238) second factor; the secret is encrypted (second-factors/secret-box.ts). */
export interface TotpFactorsTable {
  account_id: string;
  secret_ciphertext: string;
  /** Which server key sealed it (derived from the pepper; its id). */
  key_id: string;
  created_at: number;
  /** Null until a code confirmed the enrolment. */
  enabled_at: number | null;
  /** The last time step accepted: a code is never accepted twice. */
  last_step: number | null;
}

/** Single-use recovery codes; only their keyed hash (HMAC-SHA-256 with the pepper) is kept. */
export interface RecoveryCodesTable {
  code_hash: string;
  account_id: string;
  created_at: number;
  used_at: number | null;
}

/** A password sign-in waiting for its second factor (SHA-256 of the pending token). */
export interface PendingLoginsTable {
  token_hash: string;
  account_id: string;
  created_at: number;
  expires_at: number;
}

/** What happened to an account's security, for the account's own Security page. */
export interface SecurityEventsTable {
  id: Generated<number>;
  account_id: string;
  kind: string;
  at: number;
  ip: string | null;
  browser: string | null;
  detail: string | null;
}

/** Families whose guardian requires a second factor of every member. */
export interface FamilySecondFactorRulesTable {
  family_id: string;
  required_at: number;
  required_by: string;
}

export type DeviceKind = 'person' | 'toy';

export interface DevicesTable {
  /** deviceIdFromSigningKey(sign_public_key). */
  id: string;
  kind: DeviceKind;
  /** The owning account for a person's device; null for toys. */
  account_id: string | null;
  sign_public_key: string;
  kem_public_key: string;
  /** SHA-256 hex of a toy's bearer token; null for a person's device. */
  token_hash: string | null;
  /** For toys: the family and child they are paired to. */
  family_id: string | null;
  child_id: string | null;
  created_at: number;
}

export interface FamiliesTable {
  id: string;
  created_at: number;
}

export type MemberRole = 'guardian' | 'member';

/** Derived from the current roster on every roster change: who may read the family over HTTP. */
export interface FamilyMembersTable {
  family_id: string;
  account_id: string;
  role: MemberRole;
}

export interface ChildrenTable {
  id: string;
  family_id: string;
  /** A sealed envelope (kind `record`) as JSON: the profile is readable only by family devices. */
  profile_ciphertext: string;
  created_at: number;
}

export interface RostersTable {
  family_id: string;
  version: number;
  /** The signed roster JSON, exactly as verified. */
  roster: string;
  roster_hash: string;
  created_at: number;
}

/** One row per toy: its current (or last) pairing window. */
export interface PairingsTable {
  toy_id: string;
  /** The code part the server sees; null once the window is closed by a claim. */
  lookup: string | null;
  keys_tag: string;
  opened_at: number;
  expires_at: number;
  claimed_at: number | null;
  family_id: string | null;
  roster_version: number | null;
  roster_tag: string | null;
}

/** A family's stored ciphertext in bytes, kept with every blob row (the storage quota reads it). */
export interface FamilyBlobUsageTable {
  family_id: string;
  bytes: number;
}

export interface BlobsTable {
  family_id: string;
  /** base64url SHA-256 of the ciphertext. */
  hash: string;
  size: number;
  uploaded_by: string;
  created_at: number;
}

export interface MessagesTable {
  seq: Generated<number>;
  id: string;
  family_id: string;
  sender_id: string;
  /** The signed envelope JSON (routing plus ciphertext; the server cannot open it). */
  envelope: string;
  blob_hash: string | null;
  created_at: number;
  /** Set when the message expired unfetched (retention/): envelope and blob are gone, a tombstone stays. */
  expired_at: Generated<number | null>;
}

export interface MessageRecipientsTable {
  message_seq: number;
  device_id: string;
}

export type ReceiptKind = 'delivered' | 'played';

export interface ReceiptsTable {
  message_seq: number;
  device_id: string;
  kind: ReceiptKind;
  created_at: number;
}

/** An invitation to a family; only SHA-256 of its code is stored. Single use: `used_at` is set once. */
export interface InvitationsTable {
  id: string;
  family_id: string;
  code_hash: string;
  created_by: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export type JoinRequestStatus = 'pending' | 'approved' | 'declined' | 'removed' | 'blocked';

/** A person's request to join, made by redeeming an invitation; a guardian decides. */
export interface JoinRequestsTable {
  id: string;
  family_id: string;
  account_id: string;
  invitation_id: string | null;
  status: JoinRequestStatus;
  created_at: number;
  decided_at: number | null;
}

/** Accounts a guardian blocked: they cannot send, be listed in a roster or ask to join again. */
export interface FamilyBlocksTable {
  family_id: string;
  account_id: string;
  created_at: number;
}

/** The latest guardian-signed settings record of a toy (docs/protocol.md §10), as verified. */
export interface ToySettingsTable {
  toy_id: string;
  family_id: string;
  version: number;
  settings: string;
  updated_at: number;
}

/** A message held for a guardian's review before a toy may play it (docs/protocol.md §11). */
export interface MessageReviewsTable {
  message_seq: number;
  toy_id: string;
  family_id: string;
  state: 'waiting' | 'approved' | 'declined';
  /** The guardian-signed review JSON, once approved. */
  review: string | null;
  created_at: number;
  decided_at: number | null;
}

/** The order approved messages reach each toy: the toy's review feed and its cursor. */
export interface ReviewReleasesTable {
  seq: Generated<number>;
  message_seq: number;
  toy_id: string;
  created_at: number;
}

/** An incident (issue 6, docs/operations.md): `scope` is `all`, `family:<id>` or `account:<id>`. */
export interface IncidentsTable {
  id: string;
  /** "What Happened", as the notice and the regulator report say it. */
  summary: string;
  scope: string;
  /** "What Information Was Involved". */
  information: string;
  /** "What We Are Doing". */
  actions: string;
  occurred_from: number | null;
  occurred_to: number | null;
  discovered_at: number;
  opened_at: number;
}

/** One per affected account and incident: the notice was sent, or its last attempt failed. */
export interface IncidentNoticesTable {
  incident_id: string;
  account_id: string;
  /** The recipient's address sealed to the account (accounts/email-store.ts `seal`); clear in rows written before 0830. */
  email: string;
  status: 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  sent_at: number | null;
  updated_at: number;
}

/** One audited request (issue 6): append-only, pruned after the retention period (audit/). */
export interface AuditEventsTable {
  id: Generated<number>;
  at: number;
  /** What was done: `sign_in`, `read_messages`, `read_blob`, `roster_change`, `member_change`, … (audit/actions.ts). */
  action: string;
  /** The HTTP status answered: refused attempts are kept too. */
  status: number;
  account_id: string | null;
  device_id: string | null;
  /** The first 16 hex characters of the session's token hash: links events, opens nothing. */
  session_ref: string | null;
  ip: string | null;
  family_id: string | null;
  /** A message id, blob hash, toy or account id the request named. */
  resource: string | null;
}

/** An incident's in-app notice to one account, and what notify forced on it (0351). */
export interface IncidentInboxTable {
  incident_id: string;
  account_id: string;
  created_at: number;
  read_at: number | null;
  signed_out_at: number | null;
  reset_required_at: number | null;
}

/** An account that must reset its password before it can sign in again (until its hash changes). */
export interface ForcedPasswordResetsTable {
  account_id: string;
  incident_id: string;
  password_hash_at: string;
  created_at: number;
}

/** SHA-256 of tokens an incident revoked, so one presented again raises an alert. */
export interface RevokedCredentialsTable {
  token_hash: string;
  kind: 'session' | 'toy';
  account_id: string | null;
  /** Where the session was last used from (a stale cookie from there is not an attack). */
  last_ip: string | null;
  reason: string;
  revoked_at: number;
}

/** A toy's display name: a sealed record (kind `record`) only family devices can open. */
export interface ToyNamesTable {
  toy_id: string;
  family_id: string;
  name_ciphertext: string;
  updated_at: number;
}

/** The sealed name a person's device goes by in a family (member-names/store.ts; migrations/0790). */
export interface MemberNamesTable {
  family_id: string;
  device_id: string;
  name_ciphertext: string;
  updated_at: number;
}

/** Whether a toy's stream is open (1/0) and when it was last seen (stream/presence.ts). */
export interface ToyPresenceTable {
  toy_id: string;
  connected: number;
  /** The toy's last check-in: when its stream last opened or closed (or its dead node last refreshed). */
  last_seen_at: number;
  /** The node holding the toy's stream (`stream_nodes`); null for rows from before migration 0840. */
  node_id: string | null;
}

/** One liveness row per server node, refreshed every stream ping interval (stream/presence.ts). */
export interface StreamNodesTable {
  node_id: string;
  alive_at: number;
}

/** Single-use stream tickets for the toy simulator; only SHA-256 of the ticket is kept. */
export interface StreamTicketsTable {
  ticket_hash: string;
  device_id: string;
  created_at: number;
  expires_at: number;
}

/** Signed toy update bundles (updates/store.ts owns it; migrations/0600_toy_updates.ts). */
export interface ToyUpdatesTable {
  target: string;
  version: string;
  version_key: string;
  min_version: string;
  manifest_json: string;
  bundle_base64: string;
  uploaded_at: number;
}

/** What each toy last reported about its software (updates/store.ts owns it; migrations/0601). */
export interface ToyUpdateReportsTable {
  toy_id: string;
  target: string;
  version: string;
  /** 'current' | 'pending' | 'rolled_back' */
  state: string;
  detail: string | null;
  reported_at: number;
}

/** Who claimed each scheduled job's current run, and when (leases/store.ts owns it; migrations/0750). */
export interface ScheduledRunsTable {
  job: string;
  /** ms since the epoch; 0 for a job never run. */
  claimed_at: number;
  node: string;
}

/** A family's retention period (retention/store.ts); no row means the default. */
export interface FamilyRetentionTable {
  family_id: string;
  /** 1-365: how long the server keeps a message every recipient has fetched. */
  days: number;
  updated_by: string;
  updated_at: number;
}

/** The newest KEM key record of each device that rotated (kem-keys/store.ts owns it; migrations/0740). */
export interface DeviceKemKeysTable {
  device_id: string;
  epoch: number;
  /** The device-signed record (docs/protocol.md §14), public keys only. */
  record_json: string;
  published_at: number;
}

/**
 * The family activity log (audit/activity-store.ts; migration 0770): one hash-chained event, for the
 * family's guardians. Never content: who, when, which toy, and the id of what it concerns.
 */
export interface FamilyActivityTable {
  id: Generated<number>;
  family_id: string;
  /** 1, 2, 3 … per family: the event's place in the family's chain. */
  seq: number;
  at: number;
  kind: string;
  account_id: string | null;
  device_id: string | null;
  toy_id: string | null;
  /** The id of what the event concerns (a message, an invitation, an account, a child), or null. */
  subject: string | null;
  /** The previous event's hash (the head's anchor for the first event). */
  prev_hash: string;
  /** SHA-256 hex over prev_hash and this event's fields (audit/activity-chain.ts). */
  hash: string;
}

/** Where each family's activity chain starts (after pruning) and ends. */
export interface FamilyActivityHeadsTable {
  family_id: string;
  first_seq: number;
  anchor_hash: string;
  last_seq: number;
  last_hash: string;
}

/** Identity successions (docs/protocol.md §17): pending requests and the countersigned ones. */
export interface DeviceSuccessionsTable {
  family_id: string;
  from_id: string;
  to_id: string;
  record: string;
  roster_version: number | null;
  created_at: number;
}

export interface LostToysTable {
  toy_id: string;
  family_id: string;
  child_id: string | null;
  lost_at: number;
  /** When the toy last checked in before it was marked lost (null: never seen). */
  last_seen_at: number | null;
}

/** A toy's signature over a recovery roster it pinned (recovery/endorsements.ts; protocol §5.1). */
export interface RecoveryEndorsementsTable {
  family_id: string;
  version: number;
  toy_id: string;
  signature: string;
  created_at: number;
}

export interface ToyFavouritesTable {
  seq: Generated<number>;
  family_id: string;
  toy_id: string;
  message_id: string;
  /** 1: keep the message on the toy; 0: forget it. */
  keep: number;
  /** The guardian device's signed instruction (docs/protocol.md §18): ids, the flag and a signature. */
  instruction_json: string;
  created_at: number;
}

export interface MessageDeletionsTable {
  seq: Generated<number>;
  family_id: string;
  message_id: string;
  /** The deleting device's signed instruction (docs/protocol.md §16): ids and a signature. */
  instruction_json: string;
  created_at: number;
}

/** Inactive families (inactivity/store.ts; migration 0870). */
export interface FamilyInactivityTable {
  family_id: string;
  /** The latest sign-in (or session use) of any member the daily maintenance has seen. */
  last_sign_in_at: number;
  /** When the guardians were mailed that the family will be deleted (null: not warned). */
  warned_at: number | null;
  /** The family is deleted at the first maintenance run after this, unless someone signs in. */
  delete_after: number | null;
}

/** A guardian's opt-in to the weekly activity summary mail (audit/activity-summary-store.ts; migration 0871). */
export interface ActivitySummariesTable {
  family_id: string;
  account_id: string;
  created_at: number;
  last_sent_at: number | null;
}

export interface Database {
  accounts: AccountsTable;
  sessions: SessionsTable;
  account_links: AccountLinksTable;
  auth_throttle: AuthThrottleTable;
  sign_in_browsers: SignInBrowsersTable;
  passkeys: PasskeysTable;
  webauthn_challenges: WebauthnChallengesTable;
  totp_factors: TotpFactorsTable;
  recovery_codes: RecoveryCodesTable;
  pending_logins: PendingLoginsTable;
  security_events: SecurityEventsTable;
  family_second_factor_rules: FamilySecondFactorRulesTable;
  devices: DevicesTable;
  families: FamiliesTable;
  family_members: FamilyMembersTable;
  children: ChildrenTable;
  rosters: RostersTable;
  pairings: PairingsTable;
  blobs: BlobsTable;
  family_blob_usage: FamilyBlobUsageTable;
  messages: MessagesTable;
  message_recipients: MessageRecipientsTable;
  receipts: ReceiptsTable;
  invitations: InvitationsTable;
  join_requests: JoinRequestsTable;
  family_blocks: FamilyBlocksTable;
  toy_settings: ToySettingsTable;
  message_reviews: MessageReviewsTable;
  review_releases: ReviewReleasesTable;
  toy_names: ToyNamesTable;
  member_names: MemberNamesTable;
  toy_presence: ToyPresenceTable;
  stream_nodes: StreamNodesTable;
  stream_tickets: StreamTicketsTable;
  incidents: IncidentsTable;
  incident_notices: IncidentNoticesTable;
  audit_events: AuditEventsTable;
  family_activity: FamilyActivityTable;
  family_activity_heads: FamilyActivityHeadsTable;
  incident_inbox: IncidentInboxTable;
  toy_updates: ToyUpdatesTable;
  toy_update_reports: ToyUpdateReportsTable;
  scheduled_runs: ScheduledRunsTable;
  family_retention: FamilyRetentionTable;
  device_kem_keys: DeviceKemKeysTable;
  message_deletions: MessageDeletionsTable;
  toy_favourites: ToyFavouritesTable;
  lost_toys: LostToysTable;
  recovery_endorsements: RecoveryEndorsementsTable;
  family_inactivity: FamilyInactivityTable;
  activity_summaries: ActivitySummariesTable;
  device_successions: DeviceSuccessionsTable;
  forced_password_resets: ForcedPasswordResetsTable;
  revoked_credentials: RevokedCredentialsTable;
}

export type Db = Kysely<Database>;
export type Dialect = 'sqlite' | 'postgres';
