/**
 * `burrow release …` — the maker's side of signed toy updates (docs/updates.md, docs/protocol.md §13).
 * keygen and sign run on an offline machine and never touch a server or its configuration; upload
 * stores a signed bundle in the server's database (it needs BURROW_DATABASE_URL / BURROW_DATA_DIR,
 * never the release key).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { encodeUpdateBundle, fromBase64url, generateReleaseKey, releaseKeyFromSeed, signUpdate, toBase64url, type ReleaseSecretKey } from '@burrow/protocol';
import { HelpRequested, parseCommand, required, UsageError } from '../cli-args.js';
import { systemClock } from '../clock/index.js';
import { migrate, openDb } from '../db/index.js';
import { parseConfig } from '../load-config.js';
import { createUpdates } from './service.js';

export const RELEASE_HELP = `  release keygen --out KEYFILE          make the offline release key; prints the public key to pin in
                                        packages/toy/src/update/release-key.ts
  release sign --key KEYFILE --payload FILE --version X.Y.Z --min-version X.Y.Z [--target burrow-toy]
               [--notes TEXT] --out BUNDLE
                                        sign a toy update bundle (offline)
  release upload BUNDLE                 store a signed bundle for toys to download`;

const USAGE = `Usage: burrow release <keygen|sign|upload> [options]

Signed toy updates (docs/updates.md):
${RELEASE_HELP}`;

const KEYGEN_USAGE = `Usage: burrow release keygen --out KEYFILE

Makes a release key pair. KEYFILE (mode 0600) holds the secret: keep it offline, never on a server.`;
const SIGN_USAGE = `Usage: burrow release sign --key KEYFILE --payload FILE --version X.Y.Z --min-version X.Y.Z
                          [--target burrow-toy] [--notes TEXT] --out BUNDLE

Signs FILE as a toy update bundle (docs/protocol.md §13).`;
const UPLOAD_USAGE = `Usage: burrow release upload BUNDLE

Stores a signed bundle in the server's database; toys download it with their token.`;

interface KeyFile {
  v: 1;
  kind: 'burrow-release-key';
  secretKey: string;
  publicKey: string;
}

function readKey(path: string): ReleaseSecretKey {
  const file = JSON.parse(readFileSync(path, 'utf8')) as Partial<KeyFile>;
  if (file.kind !== 'burrow-release-key' || typeof file.secretKey !== 'string') throw new UsageError(`${path} is not a release key file.`, SIGN_USAGE);
  return releaseKeyFromSeed(fromBase64url(file.secretKey, 32)).secretKey;
}

/** Runs `burrow release <subcommand> …`. */
export async function releaseCommand(args: readonly string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') throw new HelpRequested(USAGE);
  if (sub === 'keygen') {
    const { values } = parseCommand(rest, KEYGEN_USAGE, { out: { type: 'string' } });
    const out = required(values.out, '--out', KEYGEN_USAGE);
    if (existsSync(out)) throw new UsageError(`${out} exists: a release key is never overwritten.`, KEYGEN_USAGE);
    const key = generateReleaseKey((n) => new Uint8Array(randomBytes(n)));
    const file: KeyFile = { v: 1, kind: 'burrow-release-key', secretKey: toBase64url(key.secretKey), publicKey: toBase64url(key.publicKey) };
    writeFileSync(out, JSON.stringify(file, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    console.log(`Release key written to ${out} (keep it offline). Public key to pin in packages/toy/src/update/release-key.ts:\n${file.publicKey}`);
  } else if (sub === 'sign') {
    const s = { type: 'string' } as const;
    const { values } = parseCommand(rest, SIGN_USAGE, { key: s, payload: s, version: s, 'min-version': s, target: s, notes: s, out: s });
    const secretKey = readKey(required(values.key, '--key', SIGN_USAGE));
    const payload = new Uint8Array(readFileSync(required(values.payload, '--payload', SIGN_USAGE)));
    const body = {
      target: values.target ?? 'burrow-toy',
      version: required(values.version, '--version', SIGN_USAGE),
      minVersion: required(values['min-version'], '--min-version', SIGN_USAGE),
      releasedAt: systemClock.now(),
      notes: values.notes ?? '',
    };
    let bundle;
    try {
      bundle = signUpdate(body, payload, secretKey);
    } catch (err) {
      throw new UsageError(`Cannot sign: ${(err as Error).message} (versions are X.Y.Z, --min-version below --version, notes ≤ 4096 characters).`, SIGN_USAGE);
    }
    const out = required(values.out, '--out', SIGN_USAGE);
    writeFileSync(out, encodeUpdateBundle(bundle));
    console.log(`Signed ${bundle.manifest.target} ${bundle.manifest.version} (${String(payload.length)} bytes, sha256 ${bundle.manifest.sha256}) → ${out}`);
  } else if (sub === 'upload') {
    const { positionals } = parseCommand(rest, UPLOAD_USAGE, {}, { min: 1, max: 1 });
    const bytes = new Uint8Array(readFileSync(positionals[0]!));
    const config = parseConfig();
    const { db, dialect } = openDb(config.database);
    try {
      await migrate(db, dialect);
      const stored = await createUpdates({ db, clock: systemClock }).upload(bytes);
      console.log(`Stored ${stored.target} ${stored.version}; toys download it at their next check.`);
    } finally {
      await db.destroy();
    }
  } else throw new UsageError(`Unknown release command '${sub}'.`, USAGE);
}
