/**
 * The server the crash test (durable-crash.test.ts) kills: a real Burrow on an installation it is
 * given (BURROW_CRASH_INSTALLATION: {"dataDir", "database"}), so a second process can reopen what the
 * first one left. Prints {"url"} on its first line. SIGTERM stops it cleanly; a closed stdin (the test
 * went away) ends it at once. Not meant to be run by hand.
 */
import { startTestServer } from '../packages/server/src/testing/start-test-server.js';
import type { DatabaseConfig } from '../packages/server/src/config.js';

const installation = JSON.parse(process.env.BURROW_CRASH_INSTALLATION ?? '') as { dataDir: string; database: DatabaseConfig };
const server = await startTestServer({ existing: installation, postgresUrl: null });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);

process.stdin.on('end', () => process.exit(1));
process.stdin.resume();
process.once('SIGTERM', () => {
  setTimeout(() => process.exit(1), 10_000).unref();
  void server.app.close().then(() => process.exit(0));
});
