/**
 * The protocol's test vectors in Chromium: the signature checks run on the browser's own WebCrypto
 * Ed25519 (the native path, Chromium ≥ 137) and on the pure-JavaScript default, from the same code
 * the Node tests run (packages/protocol/src/testing/signature-vectors.ts), bundled as it is.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { chromiumPath } from './harness.js';

const protocol = fileURLToPath(new URL('../../packages/protocol/', import.meta.url));

/** A script that puts `runVectors()` on the page: the vector checks with noble, then with WebCrypto. */
async function bundle(): Promise<string> {
  const entry = `
    import { webCryptoVerifier } from './src/signature.ts';
    import { checkAsyncVerifier, checkVectorSignatures } from './src/testing/signature-vectors.ts';
    import vectors from './test-vectors/v1.json';
    globalThis.runVectors = async () => {
      const cases = checkVectorSignatures(vectors);
      const verify = webCryptoVerifier();
      return { cases: cases.length, native: await verify.native(), problems: await checkAsyncVerifier(verify, cases) };
    };`;
  const out = await build({ stdin: { contents: entry, resolveDir: protocol, loader: 'ts' }, bundle: true, format: 'iife', platform: 'browser', write: false, logLevel: 'silent' });
  return out.outputFiles[0]!.text;
}

void test('the protocol vectors verify in Chromium, on its native WebCrypto Ed25519 and on noble', { timeout: 120_000 }, async () => {
  const script = await bundle();
  // Served from 127.0.0.1, a secure context, so crypto.subtle exists.
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>vectors</title>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  const profile = mkdtempSync(join(tmpdir(), 'burrow-vectors-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`http://127.0.0.1:${String(address.port)}/`);
    await page.addScriptTag({ content: script });
    const result = await page.evaluate(() => (globalThis as unknown as { runVectors: () => Promise<{ cases: number; native: boolean; problems: string[] }> }).runVectors());
    assert.deepEqual(result, { cases: 18, native: true, problems: [] });
  } finally {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
