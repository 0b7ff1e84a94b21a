// Fails the build when packages/protocol reaches for Node, the DOM or ambient I/O. ESLint enforces the
// same rules while editing; this scan is the backstop that runs even when lint configuration drifts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// The folder to scan: packages/protocol/src, or the one given (the script's own test uses a temp folder).
const root = process.argv[2] ?? new URL('../packages/protocol/src/', import.meta.url).pathname;
const allowedPackages = /^(@scure\/base|@noble\/(curves|hashes|ciphers)|@hpke\/(core|dhkem-x25519|chacha20poly1305))(\/|$)/;
const forbiddenGlobals = /\b(window|document|navigator|localStorage|indexedDB|fetch|process|Buffer|require|setTimeout|setInterval)\s*[.([]|\bDate\.now\(|\bMath\.random\(|\bnew Date\(\)/;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) yield path;
  }
}

const problems = [];
for (const file of files(root)) {
  const text = readFileSync(file, 'utf8');
  // `from` / `import` as keywords only: not inside a string or a name (parseId(r.from, 'from') is no import).
  for (const [, spec] of text.matchAll(/(?<![\w$.'"`])(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
    if (spec.startsWith('.')) continue;
    if (!allowedPackages.test(spec)) problems.push(`${file}: imports '${spec}'`);
  }
  const code = text.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
  const hit = code.match(forbiddenGlobals);
  if (hit) problems.push(`${file}: uses '${hit[0]}'`);
}
if (problems.length > 0) {
  console.error('packages/protocol must stay isomorphic and free of I/O:\n' + problems.join('\n'));
  process.exit(1);
}
console.log('protocol purity: ok');
