/**
 * The public face of recovery/: the recovery codes, which second-factors/ also accepts in place of
 * a second factor and renews from the Security page.
 */
export { deleteRecoveryCodesOf, looksLikeRecoveryCode, RECOVERY_CODE_COUNT, type RecoveryCodes } from './recovery-codes.js';
