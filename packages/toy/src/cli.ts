/**
 * burrow-toy: the headless toy for a Raspberry-Pi-class device.
 *
 *   burrow-toy --server http://localhost:8080 --data ./toy-data \
 *     [--play-command "aplay -q -" (or "mpv --volume={volume} -": the toy settings' volume, 0-100)] [--play-dir ./toy-data/played] \
 *     [--record-command "arecord -q -d 10 -t wav -"] [--record-file answer.ogg]
 *
 * Keys: [b] hold/release the pairing button, [p] play the next message, [r] record an answer,
 * [s] status, [q] quit. Without a terminal, the same letters are read line by line from stdin.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { commandPlayer, commandRecorder, filePlayer, fileRecorder, mimeTypeForFile } from './audio-io.js';
import { isApiError } from '@burrow/client';
import QRCode from 'qrcode';
import { HeadlessToy } from './headless-toy.js';
import { updateMain } from './update/command.js';
import { rotationFromOptions } from './rotation-options.js';
import { identityRenewalFromOptions } from './identity-renewal-options.js';
import { updateChecksFromOptions } from './update-check-options.js';
import { startUpdateChecks } from './update/schedule.js';

const KEYS = 'Keys: b = pairing button, p = play next, f = replay a favourite (the paw held long), r = record answer, s = status, q = quit';

/** The usage `--help` prints (exit 0) and a wrong command line prints on stderr (exit 2). */
export const HELP = `Usage: burrow-toy [--server URL] [--data DIR] [--play-command CMD | --play-dir DIR]
                  [--record-command CMD | --record-file FILE]
                  [--key-rotation-days N] [--key-grace-days N] [--identity-renewal-days N]
                  [--update-check-hours N]

The headless toy: pairs with a family, then plays and records through commands or files.
  --server URL          the Burrow server (default http://localhost:8080)
  --data DIR            where the toy keeps its keys and messages (default ./toy-data)
  --play-command CMD    play each message through CMD on stdin, e.g. "aplay -q -" or "mpv --volume={volume} -"
  --play-dir DIR        or write each played message to DIR (default DATA/played)
  --record-command CMD  record an answer from CMD's stdout, e.g. "arecord -q -d 10 -t wav -"
  --record-file FILE    or send FILE as the answer (default: a bundled hello.wav)
  --key-rotation-days N rotate the message key every N days (default 7; env BURROW_TOY_KEY_ROTATION_DAYS)
  --key-grace-days N    keep a retired key N days for messages in flight (default 2; env BURROW_TOY_KEY_GRACE_DAYS)
  --identity-renewal-days N  ask to renew the identity key every N days (default off;
                        env BURROW_TOY_IDENTITY_RENEWAL_DAYS; a guardian's app completes it)
  --update-check-hours N  check for a signed update at start and every N hours, install it for
                        the next start (default 24; 'off'; env BURROW_TOY_UPDATE_CHECK_HOURS)
  -h, --help            show this help
Signed updates: burrow-toy update <status|verify|install|boot|check> (burrow-toy update --help)
${KEYS}`;

const OPTIONS = {
  server: { type: 'string', default: 'http://localhost:8080' },
  data: { type: 'string', default: './toy-data' },
  'play-command': { type: 'string' },
  'play-dir': { type: 'string' },
  'record-command': { type: 'string' },
  'record-file': { type: 'string' },
  'key-rotation-days': { type: 'string' },
  'key-grace-days': { type: 'string' },
  'identity-renewal-days': { type: 'string' },
  'update-check-hours': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Parses the command line strictly (node:util parseArgs). Returns null after printing the usage
 * for `--help`; on an unknown option or a stray argument prints the usage on stderr, sets exit code
 * 2 and returns null.
 */
export function parseToyArgs(argv: readonly string[]): ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; strict: true }>>['values'] | null {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(HELP);
    return null;
  }
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, strict: true }).values;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) throw err;
    console.error(`burrow-toy: ${(err as Error).message.replace(/\. To specify a positional argument.*$/s, '.')}\n\n${HELP}`);
    process.exitCode = 2;
    return null;
  }
}

function printQr(text: string): void {
  QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'M' }).then(
    (qr) => console.log(qr),
    () => undefined,
  );
}

/** A toy may boot before its network is up: keep trying to reach the server instead of crashing. */
async function startWhenReachable(options: Parameters<typeof HeadlessToy.start>[0]): Promise<HeadlessToy> {
  for (;;) {
    try {
      return await HeadlessToy.start(options);
    } catch (err) {
      if (!isApiError(err, 'unreachable')) throw err;
      console.error(`${err.message} Retrying in 5 s…`);
      await new Promise((r) => setTimeout(r, 5000));
    }
  }
}

export async function main(argv = process.argv.slice(2)): Promise<void> {
  // `burrow-toy update …`: signed updates (update/command.ts), a command of its own.
  if (argv[0] === 'update') {
    process.exitCode = await updateMain(argv.slice(1));
    return;
  }
  const values = parseToyArgs(argv);
  if (values === null) return;
  const rotation = rotationFromOptions(values, process.env);
  if ('error' in rotation) {
    console.error(`burrow-toy: ${rotation.error}\n\n${HELP}`);
    process.exitCode = 2;
    return;
  }
  const renewal = identityRenewalFromOptions(values, process.env);
  if ('error' in renewal) {
    console.error(`burrow-toy: ${renewal.error}\n\n${HELP}`);
    process.exitCode = 2;
    return;
  }
  const updateChecks = updateChecksFromOptions(values, process.env);
  if ('error' in updateChecks) {
    console.error(`burrow-toy: ${updateChecks.error}\n\n${HELP}`);
    process.exitCode = 2;
    return;
  }
  const dataDir = values.data;
  const recordFile = values['record-file'] ?? fileURLToPath(new URL('../assets/hello.wav', import.meta.url));
  const toy = await startWhenReachable({
    server: values.server,
    dataDir,
    player: values['play-command'] ? commandPlayer(values['play-command']) : filePlayer(values['play-dir'] ?? join(dataDir, 'played')),
    recorder: values['record-command'] ? commandRecorder(values['record-command']) : fileRecorder(recordFile),
    recordMimeType: values['record-command'] ? 'audio/wav' : mimeTypeForFile(recordFile),
    log: (line) => console.log(line),
    rotation: rotation.policy,
    ...(renewal.intervalMs ? { identityRenewalMs: renewal.intervalMs } : {}),
    onEvent: (e) => {
      if (e.type === 'pairing') {
        console.log(`\n  Pairing code: ${e.code}   (valid until ${new Date(e.expiresAt).toLocaleTimeString()})\n`);
        // On a terminal, also as a QR code for the app's scanner (Toys → Scan): the same link the
        // simulator shows, with the code in the fragment (never sent to the server).
        if (process.stdout.isTTY) printQr(`${values.server.replace(/\/+$/, '')}/toys#pair=${e.code}`);
      }
      else if (e.type === 'paired') console.log(`paired with a family (roster v${e.rosterVersion})`);
      else if (e.type === 'renewal_requested') console.log(`asked to renew this toy's identity (${e.from} → ${e.to}); a guardian's app completes it`);
      else if (e.type === 'identity_renewed') console.log(`identity renewed: this toy is now ${e.to}`);
      else if (e.type === 'renewal_refused') console.log(`an identity renewal was refused (${e.reason}); the toy keeps its identity`);
      else if (e.type === 'queued') console.log(`♥ new message waiting (${e.unplayed} unplayed) — press p to play`);
      else if (e.type === 'refused') console.log(`refused message ${e.messageId}: ${e.reason}`);
      else if (e.type === 'roster_refused') console.log(`refused a roster update: ${e.reason}`);
      else if (e.type === 'roster') console.log(`roster updated to v${e.version}`);
      else if (e.type === 'key_rotated') console.log(`rotated its message key (epoch ${e.epoch})`);
      else if (e.type === 'keys_erased') console.log(`erased retired message key(s) ${e.epochs.join(', ')}`);
      else if (e.type === 'dropped') console.log(`dropped deleted message ${e.messageId} (${e.unplayed} unplayed)`);
      else if (e.type === 'deletion_refused') console.log(`refused a deletion of ${e.messageId}: ${e.reason}`);
      else if (e.type === 'key_record_refused') console.log(`refused a key record for ${e.deviceId}: ${e.reason}`);
      else if (e.type === 'favourite_kept') console.log(`★ kept ${e.messageId} as a favourite (${e.kept} kept) — press f to replay`);
      else if (e.type === 'favourite_released') console.log(`let go of favourite ${e.messageId} (${e.kept} kept)`);
      else if (e.type === 'favourite_refused') console.log(`refused a favourite instruction for ${e.messageId}: ${e.reason}`);
    },
  });
  console.log(`Burrow toy ${toy.device.toyId} — ${(await toy.device.isPaired()) ? 'paired' : 'not paired: press b to pair'}`);
  // After start: the toy has registered, so the check has a token to ask with.
  const updates = updateChecks.intervalMs === undefined ? undefined : startUpdateChecks({ server: values.server, dataDir, intervalMs: updateChecks.intervalMs, log: (line) => console.log(line) });
  console.log(KEYS);

  let pairing = false;
  const onKey = async (key: string) => {
    try {
      if (key === 'b') {
        if (!pairing) {
          pairing = true;
          await toy.holdPairingButton();
        } else {
          pairing = false;
          toy.releasePairingButton();
          console.log('pairing button released');
        }
      } else if (key === 'p') {
        const played = await toy.playNext();
        console.log(played ? `▶ played ${played.messageId} from ${String(played.meta.senderName ?? 'family')} (${played.audio.length} bytes) → ${played.output}` : 'no message waiting');
      } else if (key === 'f') {
        const replayed = await toy.replayFavourite();
        console.log(replayed ? `★ replayed favourite ${replayed.messageId} from ${String(replayed.meta.senderName ?? 'family')} (${replayed.audio.length} bytes) → ${replayed.output}` : 'no favourite kept');
      } else if (key === 'r') {
        console.log(`● recorded and sent ${await toy.recordAnswer()}`);
      } else if (key === 's') {
        console.log(`${(await toy.device.isPaired()) ? 'paired' : 'not paired'}, ${await toy.device.unplayedCount()} unplayed, ${(await toy.device.favourites()).length} favourite(s) kept`);
      } else if (key === 'q' || key === '\u0003') {
        updates?.stop();
        await toy.stop();
        process.exit(0);
      }
    } catch (err) {
      console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  if (process.stdin.isTTY) {
    process.stdin.setRawMode(true);
    process.stdin.on('data', (d: Buffer) => void onKey(d.toString('utf8').toLowerCase()));
  } else {
    process.stdin.on('data', (d: Buffer) => {
      for (const line of d.toString('utf8').split(/\s+/)) if (line) void onKey(line.toLowerCase());
    });
  }
  process.stdin.resume();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
