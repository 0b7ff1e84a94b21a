/**
 * npm run demo [-- --server URL --audio FILE]
 *
 * Walks through Burrow against a running server, printing each step: a guardian signs up, a headless
 * toy boots with its own keys and shows a pairing code, the guardian claims it, sends a voice message
 * sealed in this process, the toy plays it (bytes identical), records an answer, and the guardian
 * receives it. Nothing here is faked: it is the same code the web app and the toy CLI run.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { ApiClient, FamilyDevice, MemoryStore } from '@burrow/client';
import { fileRecorder, filePlayer, HeadlessToy, mimeTypeForFile } from '@burrow/toy';

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: 'http://localhost:8080' },
    audio: { type: 'string', default: fileURLToPath(new URL('../packages/toy/assets/hello-from-grandma.wav', import.meta.url)) },
    answer: { type: 'string', default: fileURLToPath(new URL('../packages/toy/assets/hello.wav', import.meta.url)) },
  },
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex').slice(0, 16);
let stepNo = 0;
const step = (text: string) => console.log(`\n${++stepNo}. ${text}`);
const detail = (text: string) => console.log(`   ${text}`);

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  const server = values.server;
  try {
    const health = await fetch(`${server}/healthz`);
    if (!health.ok) throw new Error(`HTTP ${health.status}`);
  } catch (err) {
    console.error(`Cannot reach a Burrow server at ${server} (${err instanceof Error ? err.message : String(err)}).\nStart one with \`npm start\` in another terminal, then run \`npm run demo\` again.`);
    process.exit(1);
  }
  const audio = new Uint8Array(readFileSync(values.audio));
  const answer = values.answer;
  const work = mkdtempSync(join(tmpdir(), 'burrow-demo-'));
  console.log(`Burrow demo against ${server}`);

  step('A guardian signs up in their browser (here: this process). Their device makes its own keys.');
  const mum = await FamilyDevice.open({ api: new ApiClient({ baseUrl: server }), store: new MemoryStore() });
  const email = `demo-${randomBytes(4).toString('hex')}@example.com`;
  await mum.signUp(email, `plush toys ${randomBytes(6).toString('hex')} carry love`);
  detail(`account ${email}, device ${mum.deviceId}`);

  step('They create a family (a roster signed by their device) and a child profile (the name is sealed).');
  const familyId = await mum.createFamily();
  const childId = await mum.createChild(familyId, 'Mia');
  detail(`family ${familyId}, child ${childId}`);

  step('A headless toy boots for the first time: it generates its own Ed25519 and X25519 keys.');
  const toy = await HeadlessToy.start({
    server,
    dataDir: join(work, 'toy-data'),
    player: filePlayer(join(work, 'played')),
    recorder: fileRecorder(answer),
    recordMimeType: mimeTypeForFile(answer),
    onEvent: (e) => {
      if (e.type === 'queued') detail(`toy: ♥ the heart glows — ${e.unplayed} message(s) waiting`);
      if (e.type === 'refused') detail(`toy: refused ${e.messageId} (${e.reason})`);
    },
  });
  detail(`toy id ${toy.device.toyId}, keys in ${join(work, 'toy-data')} (owner-only files)`);

  step('The guardian holds the pairing button on the toy; it shows a code. Its secret half never reaches the server.');
  const code = await toy.holdPairingButton();
  detail(`pairing code: ${code}`);

  step('The guardian types the code. Their device checks the toy keys against it and signs a new roster with the toy.');
  const toyId = await mum.claimToy(familyId, childId, code);
  await waitFor('the toy to accept the roster', () => toy.device.isPaired());
  detail(`toy ${toyId} pinned roster v${(await toy.device.roster())?.version} — authenticated by the code's secret`);

  step(`The guardian records a message (${values.audio}, ${audio.length} bytes, sha256 ${sha(audio)}…) and sends it.`);
  const messageId = await mum.sendVoice(familyId, [toyId], audio, { senderName: 'Mum', mimeType: mimeTypeForFile(values.audio) });
  detail(`sealed with HPKE to the toy and to Mum's device, signed, uploaded: message ${messageId}`);
  await waitFor('the toy to receive it', async () => (await toy.device.unplayedCount()) > 0);

  step('The child squeezes the play paw.');
  const played = await toy.playNext();
  if (!played) throw new Error('the toy had nothing to play');
  const same = sha(played.audio) === sha(audio);
  detail(`toy played ${played.audio.length} bytes from ${String(played.meta.senderName)} → ${played.output}`);
  detail(`sha256 ${sha(played.audio)}… ${same ? '= identical to what Mum sent ✓' : '≠ MISMATCH ✗'}`);

  step('Mum sees the receipts.');
  const sent = await waitFor('receipts', async () => {
    const { messages } = await mum.api.listSent(0);
    const m = messages.find((x) => x.messageId === messageId);
    return m && m.receipts.some((r) => r.kind === 'played') ? m : undefined;
  });
  detail(`receipts: ${sent.receipts.map((r) => r.kind).join(', ')}`);

  step('The child holds the record paw and answers.');
  const answerBytes = new Uint8Array(readFileSync(answer));
  const answerId = await toy.recordAnswer();
  detail(`toy sealed ${answerBytes.length} bytes to every family device allowed to hear the child: message ${answerId}`);

  step("Mum's phone receives the answer.");
  const got = await waitFor('the answer', async () => (await mum.sync()).find((m) => m.messageId === answerId));
  const answerSame = sha(got.audio) === sha(answerBytes);
  detail(`received ${got.audio.length} bytes, sha256 ${sha(got.audio)}… ${answerSame ? '= identical ✓' : '≠ MISMATCH ✗'}`);

  await toy.stop();
  rmSync(work, { recursive: true, force: true });
  console.log(same && answerSame ? '\nDone: both messages arrived byte-identical; the server only ever held ciphertext.' : '\nDone, but the bytes differed.');
  process.exit(same && answerSame ? 0 : 1);
}

await main();
