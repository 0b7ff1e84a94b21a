/**
 * The security.txt section of the configuration (RFC 9116; load-config.ts puts it together). Every
 * value has a default built from BURROW_PUBLIC_URL, so a deployment publishes a valid file untouched:
 *
 *   BURROW_SECURITY_CONTACT     Contact: (default mailto:security@<public host>; several, comma-separated)
 *   BURROW_SECURITY_POLICY      Policy: URL of the disclosure policy (default <public URL>/security-policy)
 *   BURROW_SECURITY_LANGUAGES   Preferred-Languages: (default "en")
 *   BURROW_SECURITY_EXPIRES_DAYS  Expires: this many days after each request (default 180; RFC 9116 §2.5.5
 *                               advises less than a year), so the file never goes stale on a running server
 */
export interface SecurityTxtConfig {
  readonly contacts: readonly string[] | null;
  readonly policy: string | null;
  readonly languages: string;
  readonly expiresDays: number;
}

export class SecurityTxtConfigError extends Error {}

export const defaultSecurityTxtConfig: SecurityTxtConfig = Object.freeze({ contacts: null, policy: null, languages: 'en', expiresDays: 180 });

function isContact(value: string): boolean {
  // RFC 9116 §2.5.3: a URI — mailto:, tel: or https:.
  return /^(mailto:[^\s@]+@[^\s@]+|tel:\+?[0-9 ()-]+|https:\/\/\S+)$/.test(value);
}

export function parseSecurityTxtConfig(env: NodeJS.ProcessEnv): SecurityTxtConfig {
  const contacts = env.BURROW_SECURITY_CONTACT?.split(',').map((c) => c.trim()).filter(Boolean) ?? [];
  for (const c of contacts) if (!isContact(c)) throw new SecurityTxtConfigError(`BURROW_SECURITY_CONTACT: '${c}' is not a mailto:, tel: or https: URI.`);
  const policy = env.BURROW_SECURITY_POLICY?.trim() || null;
  if (policy !== null && !/^https:\/\/\S+$/.test(policy)) throw new SecurityTxtConfigError('BURROW_SECURITY_POLICY must be an https: URL.');
  const languages = env.BURROW_SECURITY_LANGUAGES?.trim() || 'en';
  if (!/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*(\s*,\s*[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*)*$/.test(languages)) throw new SecurityTxtConfigError('BURROW_SECURITY_LANGUAGES must be language tags, e.g. "en, fr".');
  const days = env.BURROW_SECURITY_EXPIRES_DAYS === undefined || env.BURROW_SECURITY_EXPIRES_DAYS === '' ? 180 : Number(env.BURROW_SECURITY_EXPIRES_DAYS);
  if (!Number.isSafeInteger(days) || days < 1 || days > 365) throw new SecurityTxtConfigError('BURROW_SECURITY_EXPIRES_DAYS must be a whole number of days from 1 to 365.');
  return Object.freeze({ contacts: contacts.length > 0 ? Object.freeze(contacts) : null, policy, languages, expiresDays: days });
}
