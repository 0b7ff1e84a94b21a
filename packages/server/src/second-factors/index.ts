/**
 * The public face of second-factors/ for other capabilities: what erasure/ calls to delete an
 * account's factors and a family's requirement through their owner. The service, routes and gate
 * are composed by account-security.ts.
 */
export { deletePasskeysOf } from './passkeys.js';
export { deleteFamilyRequirement, deletePendingLoginsOf } from './service.js';
export { deleteTotpOf } from './totp.js';
