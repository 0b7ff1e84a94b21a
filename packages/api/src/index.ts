/**
 * @burrow/api — the HTTP API contract, written once: the TypeBox schema of every request and response
 * body, query and params of `/v1` (docs/api.md), each with its static type under the same name
 * (`Static<typeof X>`). The server validates and describes its routes with these schemas, the client
 * and the web app type their calls with them. Isomorphic: no Node, no DOM; imports @burrow/protocol
 * (for its wire types) and TypeBox only.
 */
export * from './primitives.js';
export * from './errors.js';
export * from './refusals.js';
export * from './accounts.js';
export * from './devices.js';
export * from './kem-keys.js';
export * from './successions.js';
export * from './families.js';
export * from './toys.js';
export * from './toy-sync.js';
export * from './invitations.js';
export * from './messages.js';
export * from './review.js';
export * from './incidents.js';
export * from './stream.js';
export * from './updates.js';
export * from './erasure.js';
export * from './retention.js';
export * from './member-names.js';
export * from './activity.js';
export * from './guardian-recovery.js';
export * from './favourites.js';
