/**
 * What the guardian app shows, as one immutable snapshot (GuardianCore keeps it; React reads it
 * through useSyncExternalStore), and the small types the pages share with it.
 */
import type { SecondFactorRequired, SentToyStatus } from '@burrow/api';
import type { PendingReview } from '@burrow/client';
import type { ChildPhoto, RosterWire } from '@burrow/protocol';
import type { ArchivedMessage } from '../../shared/idb-store.js';
import type { UploadProgress } from '../../shared/upload-fetch.js';

export interface Child {
  childId: string;
  name: string;
  /** `YYYY-MM-DD`, from the sealed profile; null when none is set or it could not be opened. */
  birthday: string | null;
  /** The small photo from the sealed profile (a JPEG or WebP, checked by readChildProfile). */
  photo: ChildPhoto | null;
}

export interface Toy {
  toyId: string;
  childId: string | null;
  /** The name a guardian gave it, opened here from its sealed record; null: unnamed or unreadable. */
  name: string | null;
  /** Its stream is connected now (live, from `presence` events). */
  online: boolean;
  lastSeenAt: number | null;
  /** Messages addressed to it that it has not played, from anyone in the family. */
  unplayed: number;
}

export interface Receipt {
  delivered: boolean;
  played: boolean;
  /** A guardian declined it after review (docs/safety.md): it was deleted and will not play. */
  declined: boolean;
  /** Where it is on each toy it was sent to, as the server knows it (docs/api.md, "Where a sent message is"). */
  toys: SentToyStatus[];
}

/** A message waiting for a guardian's review, as the review queue shows it. */
export type WaitingReview = PendingReview;

export type Phase = 'loading' | 'signed-out' | 'setup' | 'ready' | 'failed';

export interface GuardianState {
  phase: Phase;
  /** Why the app could not start (phase `failed`). */
  error: string | null;
  email: string | null;
  deviceId: string;
  /** This browser asked to renew its identity key and waits for a guardian's device (docs/protocol.md §17). */
  renewalPending: boolean;
  familyId: string | null;
  role: string | null;
  children: Child[];
  toys: Toy[];
  roster: RosterWire | null;
  /** The account's registered devices (ids). */
  accountDevices: string[];
  /** This browser is listed in the family roster (it can send and hear). */
  inRoster: boolean;
  messages: ArchivedMessage[];
  receipts: Record<string, Receipt>;
  /** The wake-up socket is connected. */
  live: boolean;
  /** How this browser's user is named to the child ("Grandma"), sealed into each message. */
  senderName: string;
  /** This browser has signed in before (sign-in rather than sign-up is offered first). */
  returning: boolean;
  /** Recovery codes from sign-up, shown once until the person confirms they saved them (Security.tsx). */
  recoveryCodes: string[] | null;
  /** A family requires a second factor this account has not added (family operations are refused). */
  mustAddSecondFactor: boolean;
  /** Messages waiting for a guardian's review (guardians only; docs/safety.md). */
  reviews: PendingReview[];
  /** Devices the roster lists whose account was deleted: a guardian signs them out (Family page). */
  departedDevices: string[];
  /** The name each person's device goes by ("Grandma"), opened here from sealed records (protocol §15). */
  memberNames: Record<string, string>;
  /** Guardians: people asking to join and admitted people's devices waiting for approval (polled). */
  waiting: { joins: number; devices: number };
  /** Guardians: what each toy is asked to keep (docs/protocol.md §18) and how many it can. */
  favourites: { slots: number; kept: { toyId: string; messageId: string }[] };
}

/** The state of a browser whose keys exist but whose session is not known yet. */
export function initialState(deviceId: string): GuardianState {
  return {
    phase: 'loading',
    error: null,
    email: null,
    deviceId,
    renewalPending: false,
    familyId: null,
    role: null,
    children: [],
    toys: [],
    roster: null,
    accountDevices: [],
    inRoster: false,
    messages: [],
    receipts: {},
    live: false,
    senderName: '',
    returning: false,
    recoveryCodes: null,
    mustAddSecondFactor: false,
    reviews: [],
    departedDevices: [],
    memberNames: {},
    waiting: { joins: 0, devices: 0 },
    favourites: { slots: 5, kept: [] },
  };
}

/** What a family's pages show, emptied when the family is left behind (sign-out, deletion). */
export const NO_FAMILY = {
  familyId: null,
  role: null,
  roster: null,
  children: [],
  toys: [],
  messages: [],
  receipts: {},
  reviews: [],
  departedDevices: [],
  memberNames: {},
} satisfies Partial<GuardianState>;

/** A password sign-in that waits for its second factor: its token and the methods it can use. */
export type PendingSignIn = Pick<SecondFactorRequired, 'pendingToken' | 'methods'>;

export type SendStage =
  { stage: 'sealing' } | { stage: 'uploading'; progress: UploadProgress } | { stage: 'posting' };
