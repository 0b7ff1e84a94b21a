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
  confirmTotp: (code: string) =>
    api.request<RecoveryCodesResponse>('POST', '/v1/me/totp/confirm', { code }),
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
    await api.request<SignedInResponse>('POST', '/v1/sessions/second-factor/passkey', { pendingToken, challengeId, response });
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
    signed_up: 'Account created',
    signed_in: 'Signed in with password',
    signed_in_passkey: 'Signed in with a passkey',
    new_browser: 'Signed in from a new browser',
    second_factor_failed: 'A wrong sign-in code was entered',
    password_changed: 'Password changed',
    password_reset: 'Password reset by email link',
    password_reset_recovery_code: 'Password reset with a recovery code',
    totp_enabled: 'Two-step sign-in turned on',
    totp_disabled: 'Two-step sign-in turned off',
    passkey_added: 'Passkey added',
    passkey_renamed: 'Passkey renamed',
    passkey_removed: 'Passkey removed',
    recovery_codes_renewed: 'New recovery codes made',
    recovery_code_used: 'A recovery code was used',
    session_revoked: 'A session was signed out',
    other_sessions_revoked: 'Other sessions signed out',
    sign_up_attempt_existing_email: 'Someone tried to sign up with your email',
    family_second_factor_required: 'Two-step sign-in required for the family',
    family_second_factor_not_required: 'Family two-step requirement turned off',
  };
  return labels[kind] ?? kind;
}
