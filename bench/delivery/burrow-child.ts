/**
 * The Burrow the delivery benchmark measures, run as its own process: the real app (buildApp) on
 * SQLite in a fresh temp folder, argon2id at the production cost, logs off. Rate limits are raised
 * because every simulated device shares one loopback address. Prints {"url"} on its first line;
 * SIGUSR2 runs a full garbage collection (for memory readings); SIGTERM or a closed stdin stops it
 * and removes its data. Spawned by processes.ts; not meant to be run by hand.
 */
import { defaultArgon2 } from '../../packages/server/src/config.js';
import { defaultAdmission } from '../../packages/server/src/http/admission-config.js';
import { startTestServer } from '../../packages/server/src/testing/start-test-server.js';

const unlimited = { max: 10_000_000, windowMs: 60_000 };
const server = await startTestServer({
  postgresUrl: null,
  argon2: defaultArgon2,
  // As a production node has it (the test server turns the event-loop lag limit off), except the
  // per-caller share: the benchmark's senders are devices of one guardian, standing in for many
  // families' senders, so a share per account would measure that share instead of the node.
  admission: { ...defaultAdmission, maxInflightWritesPerCaller: defaultAdmission.maxInflightWrites },
  rateLimits: {
    global: unlimited,
    signUp: unlimited,
    logIn: unlimited,
    registerToy: unlimited,
    lookupPairing: unlimited,
    redeemInvitation: unlimited,
    sendMessage: unlimited,
  },
});
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(1), 10_000).unref(); // a request that never ends must not keep it alive
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop); // the parent went away
process.stdin.resume();
process.on('SIGUSR2', () => {
  (globalThis as { gc?: () => void }).gc?.();
});
