/**
 * Import rules for packages/ (docs/architecture.md "Dependency rules"), checked by `npm run depcheck`
 * and by `npm test` as a static step. Dependencies point one way:
 *
 *   protocol  <-  api  <-  client  <-  toy, web       (server builds on api and protocol)
 *   server: composition (app.ts, main.ts, cli.ts, index.ts, account-security.ts, load-config.ts, testing/)
 *             -> capabilities (accounts, families, messages, tripwires, ...)
 *             -> ports (db, blobs, bus, mail, clock, errors, http, alerts, signatures, leases),
 *                config.ts (the core settings, a leaf) and load-config.ts (the composed Config)
 *
 * A capability may use another capability only through its public face: `index.ts`, its config
 * section (`config.ts`), its wire schemas (`schemas.ts`), its table owner (`store.ts`), or a file
 * named in PUBLIC_FILES below. Everything else in a folder is that folder's own business.
 *
 * Rules that other work in progress still breaks are `warn`, each with the reason; turn them into
 * `error` (and shorten PENDING) as that work lands.
 */

const SERVER = '^packages/server/src/';

/**
 * Ports: small interfaces with their adapters, knowing no capability. Anyone may import any file of
 * them. `signatures` is the protocol's Ed25519 verification seam implemented on node:crypto.
 */
const PORTS = ['db', 'blobs', 'bus', 'mail', 'clock', 'errors', 'http', 'alerts', 'signatures', 'leases'];

/**
 * Files other than index.ts / config.ts / schemas.ts that a folder publishes on purpose, each with
 * what it is for.
 */
const PUBLIC_FILES = [
  // Authentication: the request's principal, tokens and hooks (index.ts re-exports them too).
  'auth/[^/]+\\.ts',
  // Who may act in a family, the current signed roster, the "sealed by a guardian device" check.
  'families/access\\.ts',
  'families/rosters\\.ts',
  'families/sealed-records\\.ts',
  // Whether a toy holds new messages for a guardian's review (messages asks before delivering).
  'review/hold\\.ts',
  // Which toys are online (toys show it on the family page).
  'stream/presence\\.ts',
  // The web app's content security policy (security-headers applies it to scripts as well).
  'web/serve-web\\.ts',
  // Progress reporting shared by the operator's long commands (backups, incident scopes).
  'backup/progress\\.ts',
  // The signed deletion instructions kept for a family's toys (messages keeps one as it deletes).
  'toys/deletions\\.ts',
];

/**
 * Cross-capability imports of internals that exist today and belong to someone else's work in
 * progress (issue #10). They warn instead of failing; remove a line once its import is gone.
 */
const PENDING = [
  // (none: the table owners landed — plant.ts, toys/ and review/ call store modules, devices/index.ts
  // and families/rosters.ts.)
];

const either = (list) => `(${list.join('|')})`;
const capabilityFile = `${SERVER}([^/]+)/`;
const notTests = '\\.test\\.ts$|/test-[^/]+\\.ts$';
// The composition roots, which may import anything of the server.
const COMPOSITION = `${SERVER}[^/]+\\.ts$|${SERVER}testing/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import circles anywhere in packages/: a circle makes every file in it depend on all the others.',
      from: { path: '^packages/' },
      to: { circular: true },
    },
    {
      name: 'protocol-imports-nothing-of-ours',
      severity: 'error',
      comment: 'packages/protocol is the pure core (wire format, keys, envelopes): it depends on no other package of ours.',
      from: { path: '^packages/protocol/' },
      to: { path: '^packages/', pathNot: '^packages/protocol/' },
    },
    {
      name: 'api-imports-only-protocol',
      severity: 'error',
      comment: 'packages/api (the HTTP API contract: TypeBox schemas of every body) builds on the protocol alone; its tests may start a server.',
      from: { path: '^packages/api/', pathNot: notTests },
      to: { path: '^packages/', pathNot: '^packages/(api|protocol)/' },
    },
    {
      name: 'client-imports-only-protocol',
      severity: 'error',
      comment: 'packages/client (the API client shared by web and toy) builds on the protocol and its wire contract (packages/api) alone.',
      from: { path: '^packages/client/' },
      to: { path: '^packages/', pathNot: '^packages/(client|protocol|api)/' },
    },
    {
      name: 'only-tests-import-the-server',
      severity: 'error',
      comment: 'No other package runs server code; their tests may start a test server (@burrow/server/testing).',
      from: { path: '^packages/(protocol|api|client|toy|web)/', pathNot: notTests },
      to: { path: '^packages/server/' },
    },
    {
      name: 'server-imports-no-client-side-package',
      severity: 'error',
      comment: 'The server builds on the protocol, never on the client, the toy or the web app.',
      from: { path: '^packages/server/' },
      to: { path: '^packages/(client|toy|web)/' },
    },
    {
      name: 'config-is-a-leaf',
      severity: 'error',
      comment: 'config.ts parses the core of the environment and imports nothing of ours; capabilities parse their own sections and load-config.ts composes them.',
      from: { path: `${SERVER}config\\.ts$` },
      to: { path: '^packages/' },
    },
    {
      name: 'ports-import-only-ports',
      severity: 'error',
      comment: 'A port knows no capability: capabilities depend on ports, never the reverse. Ports read the core config (config.ts), not the composed one.',
      from: { path: `${SERVER}${either(PORTS)}/`, pathNot: notTests },
      to: { path: `${SERVER}`, pathNot: `${SERVER}(${either(PORTS)}/|config\\.ts$|logger\\.ts$)` },
    },
    {
      name: 'nothing-imports-the-composition',
      severity: 'error',
      comment: 'app.ts, main.ts, cli.ts and index.ts put the server together; no capability or port imports them (test support may).',
      from: { path: `${SERVER}[^/]+/`, pathNot: `${SERVER}testing/|${notTests}` },
      to: { path: `${SERVER}(app|main|cli|index)\\.ts$` },
    },
    {
      name: 'no-capability-internals',
      severity: 'error',
      comment:
        "A capability uses another only through its public face: index.ts, config.ts, schemas.ts or a file in PUBLIC_FILES (.dependency-cruiser.cjs). Export what you need from there, or move it to a port.",
      from: { path: capabilityFile, pathNot: `${COMPOSITION}|${notTests}` },
      to: {
        path: `${SERVER}[^/]+/`,
        pathNot: [
          `${SERVER}$1/`,
          `${SERVER}${either(PORTS)}/`,
          `${SERVER}[^/]+/(index|config|schemas|store)\\.ts$`,
          `${SERVER}${either(PUBLIC_FILES)}$`,
          `${SERVER}${either(PENDING)}$`,
        ],
      },
    },
    {
      name: 'no-capability-internals-pending',
      severity: 'warn',
      comment: 'Known imports of another capability\'s internals, each waiting for a named piece of work (PENDING in .dependency-cruiser.cjs).',
      from: { path: capabilityFile, pathNot: `${COMPOSITION}|${notTests}` },
      to: { path: `${SERVER}${either(PENDING)}$`, pathNot: `${SERVER}$1/` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    // Type-only imports are dependencies too: a type pulled from another folder ties the two.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'],
    },
    cache: { folder: 'node_modules/.cache/dependency-cruiser', strategy: 'content' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
