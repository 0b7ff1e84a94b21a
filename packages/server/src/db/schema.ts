/**
 * Table types for Kysely. Zero knowledge shows here: ciphertext columns say so (`*_ciphertext`),
 * `roster` and `envelope` hold signed protocol JSON the server can check but not open, and there is
 * no column for anything the server must not know — no names, no audio, no plaintext profile.
 * Times are integer milliseconds since the Unix epoch.
 */
import type { Generated, Kysely } from 'kysely';

export interface AccountsTable {
  id: string;
  /** Normalized (trimmed, lowercase). */
  email: string;
  /** argon2id PHC string. */
  password_hash: string;
  created_at: number;
}

export interface SessionsTable {
  /** SHA-256 hex of the session token; the token itself is never stored. */
  token_hash: string;
  account_id: string;
  created_at: number;
  expires_at: number;
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

export interface Database {
  accounts: AccountsTable;
  sessions: SessionsTable;
  devices: DevicesTable;
  families: FamiliesTable;
  family_members: FamilyMembersTable;
  children: ChildrenTable;
  rosters: RostersTable;
  pairings: PairingsTable;
  blobs: BlobsTable;
  messages: MessagesTable;
  message_recipients: MessageRecipientsTable;
  receipts: ReceiptsTable;
}

export type Db = Kysely<Database>;
export type Dialect = 'sqlite' | 'postgres';
