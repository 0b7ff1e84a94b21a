/**
 * npm run bench [-- <name> [options]] — each benchmark prints its figures as ratios against a peer
 * measured in the same run.
 *
 *   (none)     sealing cost and sign-in throughput (seal.ts, login.ts)
 *   verify     one Ed25519 signature check: noble vs node:crypto vs WebCrypto (verify.ts)
 *   first-message  a scripted newcomer in Chromium, landing page to the toy's heart (first-message.ts)
 *   statements SQL statements and HTTP requests per delivered message (delivery/statements.ts; --messages N)
 *   delivery   Burrow against Mosquitto and a bare fsync server (delivery/; --quick, --toys N,
 *              --reps N, --profile DIR for a CPU profile of the Burrow process)
 *   toy-memory the delivery benchmark's memory phase alone: memory per connected toy and the time to
 *              open the streams (delivery/toy-memory.ts; --toys N, --reps N, --heap DIR for snapshots)
 */
import { parseArgs } from 'node:util';
import { benchLogin } from './login.js';
import { benchSeal } from './seal.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    toys: { type: 'string' },
    reps: { type: 'string' },
    rounds: { type: 'string' },
    profile: { type: 'string' },
    messages: { type: 'string' },
    heap: { type: 'string' },
  },
});
const which = positionals[0] ?? 'default';

if (which === 'verify') {
  const { printVerify } = await import('./verify.js');
  await printVerify(values.rounds === undefined ? undefined : Number(values.rounds));
} else if (which === 'first-message') {
  await import('./first-message.js');
} else if (which === 'statements') {
  const { countPerMessage } = await import('./delivery/statements.js');
  await countPerMessage(values.messages === undefined ? 20 : Number(values.messages));
} else if (which === 'delivery') {
  const { fullPlan, quickPlan, runDelivery, formatTable } = await import('./delivery/index.js');
  const plan = { ...(values.quick ? quickPlan : fullPlan) };
  if (values.toys !== undefined) plan.toys = Number(values.toys);
  if (values.reps !== undefined) plan.reps = Number(values.reps);
  const started = performance.now();
  console.log(`Delivery benchmark (${values.quick ? 'quick' : 'full'}): ${new Date().toISOString()}\n`);
  const reps = await runDelivery(plan, {
    log: (line) => console.log(`  ${line}`),
    ...(values.profile === undefined ? {} : { burrowFlags: ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] }),
  });
  console.log(`\n${formatTable(plan, reps)}\n\n(${((performance.now() - started) / 1000).toFixed(0)} s; median (min–max) over repetitions; Burrow ÷ anchor: above 1 is slower, bigger or, for messages per second, faster)`);
} else if (which === 'toy-memory') {
  const { runToyMemory } = await import('./delivery/toy-memory.js');
  console.log(`Memory per connected toy (fresh Burrow per repetition): ${new Date().toISOString()}, load ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  await runToyMemory(values.toys === undefined ? 10_000 : Number(values.toys), values.reps === undefined ? 1 : Number(values.reps), values.heap);
} else if (which === 'default') {
  console.log('Sealing a voice message for 3 devices (HPKE per device + XChaCha20-Poly1305 + Ed25519)');
  console.log('peer: one plain XChaCha20-Poly1305 encryption of the same bytes, same run\n');
  for (const r of await benchSeal()) {
    console.log(
      `${r.label}: plaintext ${r.plaintextBytes} B → blob ${r.blobBytes} B + envelope ${r.envelopeBytes} B ` +
        `(overhead ${r.overheadBytes} B, ${((100 * r.overheadBytes) / r.plaintextBytes).toFixed(2)} %); ` +
        `seal ${r.sealMs.toFixed(2)} ms vs peer ${r.peerMs.toFixed(2)} ms = ${r.ratio.toFixed(1)}×; open ${r.openMs.toFixed(2)} ms`,
    );
  }

  console.log('\nSign-in throughput (argon2id m=19456 t=2 p=1, 16 concurrent clients, 5 s)');
  console.log('peer: GET /healthz latency on the idle server, same run\n');
  const l = await benchLogin();
  console.log(
    `${l.loginsPerSecond.toFixed(1)} sign-ins/s (${l.failures} refused); /healthz p50 ${l.loaded.p50.toFixed(2)} ms vs idle ${l.idle.p50.toFixed(2)} ms ` +
      `= ${(l.loaded.p50 / l.idle.p50).toFixed(1)}×, p99 ${l.loaded.p99.toFixed(2)} ms vs ${l.idle.p99.toFixed(2)} ms = ${(l.loaded.p99 / l.idle.p99).toFixed(1)}×`,
  );
  console.log('\nMore: npm run bench -- verify | delivery [--quick]; backups: npx tsx bench/backup.ts (10,000 messages; minutes).');
} else {
  console.error(`Unknown benchmark "${which}". Try: npm run bench, npm run bench -- verify, npm run bench -- delivery --quick`);
  process.exit(2);
}
