/**
 * What a sender may know about a message on each toy it was sent to (docs/api.md, "Sent messages"),
 * from state the server really has: a review hold (review/), the toy's guardian-signed quiet hours
 * (toys/settings), and the toy's own receipts — `delivered` when it fetched and checked the message
 * (its heart glows), `played` when the child heard it. Pure, so each state is unit-tested.
 */
import { isQuietAt, type QuietHours } from '@burrow/protocol';

export type SentToyState = 'review' | 'quiet_hours' | 'waiting' | 'delivered' | 'played' | 'declined';

export interface SentToyStatus {
  toyId: string;
  state: SentToyState;
  /** With `quiet_hours`: when they end, "HH:MM" in the toy's time zone. */
  quietUntil?: string;
}

export interface SentToyFacts {
  toyId: string;
  declined: boolean;
  played: boolean;
  delivered: boolean;
  /** A guardian's review is still awaited for this toy. */
  inReview: boolean;
  /** The toy's latest signed settings (time zone and quiet hours), or null when none were set. */
  settings: { timeZone: string; quietHours: QuietHours | null } | null;
}

/** "HH:MM" of minutes after midnight. */
export function clockTime(minutes: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(minutes / 60) % 24)}:${pad(minutes % 60)}`;
}

/**
 * The furthest a message got on one toy. Receipts win over holds (a toy that played it has played
 * it); a review hold comes before quiet hours (the guardian must act first); a message neither held
 * nor fetched yet is `waiting` (the toy is off or offline).
 */
export function sentToyStatus(facts: SentToyFacts, nowMs: number): SentToyStatus {
  const { toyId } = facts;
  if (facts.declined) return { toyId, state: 'declined' };
  if (facts.played) return { toyId, state: 'played' };
  if (facts.delivered) return { toyId, state: 'delivered' };
  if (facts.inReview) return { toyId, state: 'review' };
  const quiet = facts.settings?.quietHours;
  if (quiet && isQuietAt(facts.settings, nowMs)) return { toyId, state: 'quiet_hours', quietUntil: clockTime(quiet.end) };
  return { toyId, state: 'waiting' };
}
