/** Rotated KEM keys (docs/api.md, "Key rotation"; docs/protocol.md §14): publishing and listing key records. */
import type { KemKeyRecord as KemKeyRecordWire } from '@burrow/protocol';
import { Type, type Static } from '@sinclair/typebox';
import { ProtocolJson } from './primitives.js';

export const KemKeyRecord = ProtocolJson<KemKeyRecordWire>(
  'A KEM key record signed by its device (docs/protocol.md §14).',
);

export const PublishKemKeyBody = Type.Object({ record: KemKeyRecord });
export type PublishKemKeyBody = Static<typeof PublishKemKeyBody>;
export const PublishKemKeyResponse = Type.Object({ epoch: Type.Integer({ minimum: 1 }) });
export type PublishKemKeyResponse = Static<typeof PublishKemKeyResponse>;

/** The newest record of each device in the family's current roster that has rotated. */
export const ListKemKeysResponse = Type.Object({ records: Type.Array(KemKeyRecord) });
export type ListKemKeysResponse = Static<typeof ListKemKeysResponse>;
