/** Identity succession (docs/api.md, "Renewing a device's identity"; docs/protocol.md §17). */
import type { SuccessionRequest as SuccessionRequestWire, SuccessionWire } from '@burrow/protocol';
import { Type, type Static } from '@sinclair/typebox';
import { ProtocolJson, Roster } from './primitives.js';

export const SuccessionRequest = ProtocolJson<SuccessionRequestWire>('A succession request signed by the old and the new identity (docs/protocol.md §17.1).');
export const Succession = ProtocolJson<SuccessionWire>('A succession countersigned by a guardian device (docs/protocol.md §17.2).');

export const RequestSuccessionBody = Type.Object({ request: SuccessionRequest });
export type RequestSuccessionBody = Static<typeof RequestSuccessionBody>;

export const ListSuccessionRequestsResponse = Type.Object({ requests: Type.Array(SuccessionRequest) });
export type ListSuccessionRequestsResponse = Static<typeof ListSuccessionRequestsResponse>;

/** The roster version that swaps the device, and the countersigned succession, published together. */
export const PublishSuccessionBody = Type.Object({ roster: Roster, succession: Succession });
export type PublishSuccessionBody = Static<typeof PublishSuccessionBody>;
export const PublishSuccessionResponse = Type.Object({ version: Type.Integer({ minimum: 2 }) });
export type PublishSuccessionResponse = Static<typeof PublishSuccessionResponse>;

export const ListSuccessionsResponse = Type.Object({ successions: Type.Array(Succession) });
export type ListSuccessionsResponse = Static<typeof ListSuccessionsResponse>;
