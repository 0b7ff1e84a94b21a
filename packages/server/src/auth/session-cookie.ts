/**
 * The session cookie browsers carry (`burrow_session`): HttpOnly, SameSite=Strict, path `/`, Secure
 * when the server speaks TLS, expiring with the session. Set by sign-up and every way of signing in,
 * cleared by signing out and by a password reset.
 */
import type { FastifyReply } from 'fastify';
import { SESSION_COOKIE } from './hooks.js';

/** Puts the session's token in the cookie; `secure` is whether the server speaks TLS. */
export function setSessionCookie(
  reply: FastifyReply,
  session: { token: string; expiresAt: number },
  secure: boolean,
): void {
  void reply.setCookie(SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure,
    expires: new Date(session.expiresAt),
  });
}

/** Tells the browser to drop the session cookie (same attributes, so it matches). */
export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure });
}
