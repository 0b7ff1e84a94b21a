/** `burrow release keygen` then `sign`, in process: the bundle verifies under the printed public key only. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, mock, test } from 'node:test';
import { decodeUpdateBundle, generateReleaseKey, isProtocolError, parseReleasePublicKey, verifyUpdate } from '@burrow/protocol';
import { UsageError } from '../cli-args.js';
import { releaseCommand } from './release-commands.js';

const dir = mkdtempSync(join(tmpdir(), 'burrow-release-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a bundle signed with a fresh release key verifies under its public key and under no other', async () => {
  const log = mock.method(console, 'log', () => undefined);
  try {
    const key = join(dir, 'release-key.json');
    await releaseCommand(['keygen', '--out', key]);
    assert.equal(statSync(key).mode & 0o777, 0o600);
    await assert.rejects(releaseCommand(['keygen', '--out', key]), UsageError, 'never overwritten');
    writeFileSync(join(dir, 'payload'), 'firmware');
    const out = join(dir, 'bundle');
    await releaseCommand(['sign', '--key', key, '--payload', join(dir, 'payload'), '--version', '1.0.0', '--min-version', '0.1.0', '--notes', 'First.', '--out', out]);
    const publicKey = parseReleasePublicKey((JSON.parse(readFileSync(key, 'utf8')) as { publicKey: string }).publicKey);
    const bundle = decodeUpdateBundle(readFileSync(out));
    assert.equal(bundle.manifest.notes, 'First.');
    verifyUpdate(bundle, { releaseKey: publicKey, target: 'burrow-toy', installedVersion: '0.1.0' });
    const other = generateReleaseKey((n) => new Uint8Array(n).fill(7)).publicKey;
    assert.throws(() => verifyUpdate(bundle, { releaseKey: other, target: 'burrow-toy', installedVersion: '0.1.0' }), (e: unknown) => isProtocolError(e, 'bad_signature'));
    await assert.rejects(releaseCommand(['sign', '--key', key, '--payload', join(dir, 'payload'), '--version', '1.0', '--min-version', '0.1.0', '--out', out]), UsageError);
  } finally {
    log.mock.restore();
  }
});
