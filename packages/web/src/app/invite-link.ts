/**
 * Invitation links: `/join#CODE?from=Dad&child=Ada`. Besides the code, the fragment says who sent it
 * to talk with which child, as the guardian's browser wrote them, so the join page can say so before
 * the person makes an account. A fragment never reaches a server: the names stay between the
 * guardian and the person they send the link to.
 */
import { t } from '../i18n/index.js';

export interface InviteLink {
  code: string;
  /** The inviter's name as the child knows them ("Dad"), if the link says. */
  from: string | null;
  /** The children's names ("Ada and Ben"), if the link says. */
  child: string | null;
}

const MAX_NAME = 60;

/** The link a guardian shares. */
export function inviteLink(origin: string, code: string, from: string, children: readonly string[]): string {
  const params = new URLSearchParams();
  if (from.trim()) params.set('from', from.trim());
  if (children.length > 0) params.set('child', children.join(' and '));
  const extra = params.toString();
  return `${origin}/join#${code}${extra ? `?${extra}` : ''}`;
}

/** Reads a link's fragment (`#CODE`, or `#CODE?from=…&child=…`); names are trimmed and capped. */
export function parseInviteFragment(hash: string): InviteLink {
  const raw = hash.replace(/^#/, '');
  const at = raw.indexOf('?');
  const params = new URLSearchParams(at < 0 ? '' : raw.slice(at + 1));
  const clean = (v: string | null) => (v ? v.trim().slice(0, MAX_NAME) || null : null);
  let code = at < 0 ? raw : raw.slice(0, at);
  try {
    code = decodeURIComponent(code);
  } catch {
    // A malformed escape: keep the text as typed; the server answers whether it is a code.
  }
  return { code: code.trim(), from: clean(params.get('from')), child: clean(params.get('child')) };
}

/** "Dad invited you to talk with Ada on Burrow." — as much as the link says. */
export function invitedBy(link: InviteLink): string {
  const who = link.from ?? t('join.someone');
  return link.child
    ? t('join.invitedToTalk', { who, child: link.child })
    : t('join.invitedToFamily', { who });
}
