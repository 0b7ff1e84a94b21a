/**
 * Which requests the audit trail records, and under what action name: every route that reads or
 * changes a family's data, and sign-ins. Keyed by the route's operationId (docs/api.md), so the
 * routes themselves carry no audit code. A route missing here is not audited.
 */
export const AUDITED_ACTIONS: Readonly<Record<string, string>> = Object.freeze({
  // Sign-ins (failed ones too: the status says which).
  logIn: 'sign_in',
  signUp: 'sign_up',
  logOut: 'sign_out',
  // Family data read.
  getFamily: 'read_family',
  listRosters: 'read_roster',
  listMessages: 'read_messages',
  listSent: 'read_sent',
  downloadMessageBlob: 'read_blob',
  listJoinRequests: 'read_members',
  listPendingDevices: 'read_members',
  listBlocks: 'read_members',
  getToySettings: 'read_toy_settings',
  getMyToySettings: 'read_toy_settings',
  stream: 'open_stream',
  // Family data written.
  createFamily: 'roster_change',
  publishRoster: 'roster_change',
  createChild: 'roster_change',
  claimToy: 'roster_change',
  putToySettings: 'toy_settings_change',
  uploadBlob: 'upload_blob',
  sendMessage: 'send_message',
  sendReceipt: 'send_receipt',
  // Membership.
  createInvitation: 'member_change',
  revokeInvitation: 'member_change',
  redeemInvitation: 'join_request',
  approveJoinRequest: 'member_change',
  declineJoinRequest: 'member_change',
  removeJoinRequest: 'member_change',
  blockAccount: 'member_change',
  unblockAccount: 'member_change',
});

/**
 * Actions only a guardian of the family can succeed at (families/access.ts requireGuardian): an
 * account with one of these answered 2xx in a family's trail was its guardian at the time.
 * Incidents use this to reach guardians removed since.
 */
export const GUARDIAN_ACTIONS: readonly string[] = ['roster_change', 'member_change', 'toy_settings_change'];

/** Read actions that count towards "a session reading far more than its families hold". */
export const READ_ACTIONS: ReadonlySet<string> = new Set(['read_blob', 'read_messages', 'read_sent', 'read_family', 'read_roster']);
