import { generateX25519Identity, identityToRecipient } from 'age-encryption';

/** A fresh age X25519 identity (`AGE-SECRET-KEY-1…`) and its recipient (`age1…`). */
export async function generateBackupIdentity(): Promise<{ identity: string; recipient: string }> {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}
