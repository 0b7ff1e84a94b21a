/**
 * The updates section of the configuration (load-config.ts puts it together):
 *
 *   BURROW_UPDATES_TOKEN   when set, POST /v1/updates accepts bundles with `Authorization: Bearer <it>`;
 *                          unset (the default), bundles are uploaded with `burrow release upload` only.
 */
export interface UpdatesConfig {
  readonly uploadToken: string | null;
}

export class UpdatesConfigError extends Error {}

export function parseUpdatesConfig(env: NodeJS.ProcessEnv): UpdatesConfig {
  const token = env.BURROW_UPDATES_TOKEN?.trim() || null;
  // A short token could be guessed: whoever holds it can fill the mirror (never forge an update).
  if (token !== null && token.length < 32) throw new UpdatesConfigError('BURROW_UPDATES_TOKEN must be at least 32 characters (e.g. `openssl rand -base64 32`).');
  return Object.freeze({ uploadToken: token });
}
