/**
 * The hash chain of a family's activity log: each event's hash is SHA-256 over the previous event's
 * hash and every field of the event, so editing an event changes its hash, and deleting or swapping
 * one breaks the link of the next (`burrow audit verify`, activity-verify.ts). SHA-256 from node:crypto.
 */
import { createHash } from 'node:crypto';

/** `prev_hash` of a family's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields an event's hash covers, as stored. */
export interface ChainedFields {
  family_id: string;
  seq: number;
  at: number;
  kind: string;
  account_id: string | null;
  device_id: string | null;
  toy_id: string | null;
  subject: string | null;
}

/**
 * hash = hex(SHA-256("burrow-activity-v1" ‖ JSON of [prev, fields in a fixed order])). A JSON array
 * keeps the fields apart (no ambiguity between "ab","c" and "a","bc") and nulls distinct from "".
 */
export function activityHash(prevHash: string, e: ChainedFields): string {
  const body = JSON.stringify([prevHash, e.family_id, e.seq, e.at, e.kind, e.account_id, e.device_id, e.toy_id, e.subject]);
  return createHash('sha256').update('burrow-activity-v1').update(body).digest('hex');
}
