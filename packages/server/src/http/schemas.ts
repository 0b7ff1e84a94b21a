/**
 * The TypeBox building blocks of route schemas now live in @burrow/api (written once, shared with the
 * client and the web app). Kept as a re-export while route files move to importing @burrow/api directly.
 */
export { Base64url, ChildId, Cursor, DeviceId, Envelope, FamilyId, Id, MessageId, NoContent, ProtocolJson, Roster } from '@burrow/api';
