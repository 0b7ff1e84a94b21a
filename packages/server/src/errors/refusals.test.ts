/**
 * REFUSALS (@burrow/api) is exactly the set of reasons the server sends: every reason a refusal in
 * the server's source names is listed (the compiler also says so), and every listed reason is sent
 * by some refusal — so the apps' translations (packages/web/src/i18n/refusals.test.ts) cover what
 * the server really says, no more and no less.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { REFUSAL_REASONS } from '@burrow/api';

const src = fileURLToPath(new URL('..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'testing' ? [] : sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The reasons the server's refusals name: helper calls, `refuse(code, reason, …)` and `reason:` fields. */
function sentReasons(): Set<string> {
  const found = new Set<string>();
  const patterns = [
    /\b(?:badRequest|unauthenticated|forbidden|notFound|conflict)\(\s*'(\w+)'/g,
    /\brefuse\(\s*'\w+',\s*'(\w+)'/g,
    /\breason: '(\w+)'/g,
    /\bunauthenticated\('(\w+)'/g,
  ];
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of patterns) for (const m of text.matchAll(pattern)) found.add(m[1]!);
  }
  // signInFirst() names it inside app-error.ts; the pattern above finds it there.
  return found;
}

void test('every reason in REFUSALS is sent by some refusal of the server, and every reason sent is in REFUSALS', () => {
  const sent = sentReasons();
  assert.ok(sent.size > 100, `found only ${String(sent.size)} reasons: are the patterns still right?`);
  const listed = new Set<string>(REFUSAL_REASONS);
  assert.deepEqual({ unlisted: [...sent].filter((r) => !listed.has(r)), neverSent: [...listed].filter((r) => !sent.has(r)) }, { unlisted: [], neverSent: [] });
});
