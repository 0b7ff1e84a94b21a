/**
 * The account-security calls of the web app (docs/api.md, "Accounts"): passkeys through
 * @simplewebauthn/browser, TOTP, recovery codes, sessions and security events. Authenticated by
 * the HttpOnly session cookie, like everything else here.
 */
import type {
  Accepted,
  FamilyRequirementResponse,
  PasskeysResponse,
  PasskeyView,
  RecoveryCodesResponse,
  RevokedResponse,
  SecurityEventsResponse,
  SecurityStatus,
  SessionsResponse,
  SignedInResponse,
  TotpEnrolmentResponse,
  WebAuthnOptionsResponse,
} from '@burrow/api';
import { ApiClient } from '@burrow/client';
import { t } from '../i18n/index.js';
import { startAuthentication, startRegistration } from '@simplewebauthn/browser';

const api = new ApiClient({ baseUrl: window.location.origin });

type Options = WebAuthnOptionsResponse;

export const passkeysSupported = (): boolean => typeof window.PublicKeyCredential === 'function';

export const securityApi = {
  status: () => api.request<SecurityStatus>('GET', '/v1/me/security'),
  events: () => api.request<SecurityEventsResponse>('GET', '/v1/me/security-events'),
  sessions: () => api.request<SessionsResponse>('GET', '/v1/sessions'),
  revokeSession: (id: string) => api.request<void>('DELETE', `/v1/sessions/${encodeURIComponent(id)}`),
  revokeOthers: () => api.request<RevokedResponse>('DELETE', '/v1/sessions'),
  passkeys: () => api.request<PasskeysResponse>('GET', '/v1/me/passkeys'),
  async addPasskey(name: string): Promise<PasskeyView> {
    const { challengeId, options } = await api.request<Options>('POST', '/v1/me/passkeys/options');
    const response = await startRegistration({
      optionsJSON: options as unknown as Parameters<typeof startRegistration>[0]['optionsJSON'],
    });
    return api.request<PasskeyView>('POST', '/v1/me/passkeys', { challengeId, response, name });
  },
  renamePasskey: (id: string, name: string) =>
    api.request<void>('PATCH', `/v1/me/passkeys/${encodeURIComponent(id)}`, { name }),
  removePasskey: (id: string) => api.request<void>('DELETE', `/v1/me/passkeys/${encodeURIComponent(id)}`),
  beginTotp: () => api.request<TotpEnrolmentResponse>('POST', '/v1/me/totp'),
  confirmTotp: (code: string) => api.request<RecoveryCodesResponse>('POST', '/v1/me/totp/confirm', { code }),
  disableTotp: (password: string) => api.request<void>('DELETE', '/v1/me/totp', { password }),
  renewCodes: (password: string) =>
    api.request<RecoveryCodesResponse>('POST', '/v1/me/recovery-codes', { password }),
  familyRequirement: (familyId: string) =>
    api.request<FamilyRequirementResponse>(
      'GET',
      `/v1/families/${encodeURIComponent(familyId)}/second-factor-requirement`,
    ),
  setFamilyRequirement: (familyId: string, required: boolean) =>
    api.request<FamilyRequirementResponse>(
      'PUT',
      `/v1/families/${encodeURIComponent(familyId)}/second-factor-requirement`,
      { required },
    ),

  // --- signed out ---

  /** Usernameless: the browser offers the passkeys it holds for this site. Sets the session cookie. */
  async signInWithPasskey(): Promise<void> {
    const { challengeId, options } = await api.request<Options>('POST', '/v1/passkey-sign-ins/options');
    const response = await startAuthentication({
      optionsJSON: options as unknown as Parameters<typeof startAuthentication>[0]['optionsJSON'],
    });
    await api.request<SignedInResponse>('POST', '/v1/passkey-sign-ins', { challengeId, response });
  },
  secondFactorCode: (pendingToken: string, code: string) =>
    api.request<SignedInResponse>('POST', '/v1/sessions/second-factor', { pendingToken, code }),
  async secondFactorPasskey(pendingToken: string): Promise<void> {
    const { challengeId, options } = await api.request<Options>(
      'POST',
      '/v1/sessions/second-factor/passkey-options',
      { pendingToken },
    );
    const response = await startAuthentication({
      optionsJSON: options as unknown as Parameters<typeof startAuthentication>[0]['optionsJSON'],
    });
    await api.request<SignedInResponse>('POST', '/v1/sessions/second-factor/passkey', {
      pendingToken,
      challengeId,
      response,
    });
  },
  verifyEmail: (token: string) => api.request<void>('POST', '/v1/email-verifications', { token }),
  requestReset: (email: string) => api.request<Accepted>('POST', '/v1/password-resets', { email }),
  resetPassword: (token: string, password: string) =>
    api.request<void>('POST', '/v1/password-resets/complete', { token, password }),
  resetWithCode: (email: string, recoveryCode: string, password: string) =>
    api.request<void>('POST', '/v1/password-resets/recovery-code', { email, recoveryCode, password }),
};

/** The token of a mailed link (`#token=bl_…`); the fragment never reaches a server. */
export function linkToken(): string | null {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  return match?.[1] ?? null;
}

/** What a security event means, in a sentence. */
export function describeEvent(kind: string): string {
  const labels: Record<string, string> = {
    signed_up: t('securityEvents.signedUp'),
    signed_in: t('securityEvents.signedIn'),
    signed_in_passkey: t('securityEvents.signedInPasskey'),
    new_browser: t('securityEvents.newBrowser'),
    second_factor_failed: t('securityEvents.secondFactorFailed'),
    password_changed: t('securityEvents.passwordChanged'),
    password_reset: t('securityEvents.passwordReset'),
    password_reset_recovery_code: t('securityEvents.passwordResetRecoveryCode'),
    totp_enabled: t('securityEvents.totpEnabled'),
    totp_disabled: t('securityEvents.totpDisabled'),
    passkey_added: t('securityEvents.passkeyAdded'),
    passkey_renamed: t('securityEvents.passkeyRenamed'),
    passkey_removed: t('securityEvents.passkeyRemoved'),
    recovery_codes_renewed: t('securityEvents.recoveryCodesRenewed'),
    recovery_code_used: t('securityEvents.recoveryCodeUsed'),
    session_revoked: t('securityEvents.sessionRevoked'),
    other_sessions_revoked: t('securityEvents.otherSessionsRevoked'),
    sign_up_attempt_existing_email: t('securityEvents.signUpAttemptExistingEmail'),
    family_second_factor_required: t('securityEvents.familySecondFactorRequired'),
    family_second_factor_not_required: t('securityEvents.familySecondFactorNotRequired'),
  };
  return labels[kind] ?? kind;
}
