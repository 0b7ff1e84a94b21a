/**
 * `burrow-toy update …`: the toy's side of signed updates (docs/protocol.md §13, packages/toy/README.md
 * "Updates"). Every bundle is checked against the release key pinned in this build; there is no
 * option to trust another.
 *
 *   burrow-toy update status  [--data DIR]
 *   burrow-toy update verify  [--data DIR] BUNDLE…          check bundles, install nothing
 *   burrow-toy update install [--data DIR] BUNDLE           into the idle slot, for a trial start
 *   burrow-toy update boot    [--data DIR] --start-command CMD [--timeout-ms N]
 *   burrow-toy update check   [--data DIR] [--server URL]    download the newest bundle and install it
 *
 * Exit codes: 0 done (or nothing to do), 1 a bundle was refused or the trial was rolled back,
 * 2 a wrong command line.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isProtocolError } from '@burrow/protocol';
import { downloadLatestUpdate } from './download.js';
import { reportUpdateState } from './report.js';
import { UpdateSlots, type UpdateState } from './slots.js';

export const UPDATE_HELP = `Usage: burrow-toy update <status|verify|install|boot|check> [options]

Signed updates, checked against the release key built into this toy (docs/protocol.md §13).
  status                          the running version, a pending trial, the last outcome
  verify BUNDLE…                  check bundles without installing (exit 1 if any is refused)
  install BUNDLE                  install into the idle slot; the next boot tries it
  boot --start-command CMD        start a pending update with CMD (env BURROW_TOY_SLOT = its folder);
                                  exit 0 commits it, anything else rolls back to the old slot
  check [--server URL]            ask the server for a newer bundle and install it
Options:
  --data DIR          the toy's data folder (default ./toy-data)
  --server URL        the Burrow server (default http://localhost:8080)
  --timeout-ms N      how long the start command may take (default 60000)
  -h, --help          show this help`;

const OPTIONS = {
  data: { type: 'string', default: './toy-data' },
  server: { type: 'string', default: 'http://localhost:8080' },
  'start-command': { type: 'string' },
  'timeout-ms': { type: 'string', default: '60000' },
  help: { type: 'boolean', short: 'h' },
} as const;

class Usage extends Error {}

function describe(state: UpdateState): string {
  const lines = [`running ${state.version} (${state.active === null ? 'factory image' : `slot ${state.active}`})`];
  if (state.trial) lines.push(`pending ${state.trial.version} in slot ${state.trial.slot}: started on the next boot`);
  if (state.last) lines.push(`last: ${state.last.kind === 'committed' ? 'updated to' : 'rolled back from'} ${state.last.version} at ${new Date(state.last.at).toISOString()}${state.last.reason ? ` (${state.last.reason})` : ''}`);
  return lines.join('\n');
}

function refusal(err: unknown): string {
  if (isProtocolError(err)) return `refused (${err.code}): ${err.message}`;
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'refused: no such file';
  throw err;
}

/** Runs the start command with the slot's folder in BURROW_TOY_SLOT; true if it exits 0 in time. */
function startCommand(command: string, timeoutMs: number): (dir: string, manifest: { version: string }) => Promise<boolean> {
  return (dir, manifest) =>
    new Promise((resolve) => {
      const child = spawn(command, { shell: true, stdio: 'inherit', env: { ...process.env, BURROW_TOY_SLOT: dir, BURROW_TOY_VERSION: manifest.version } });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', () => resolve(false));
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve(code === 0);
      });
    });
}

/** Runs `burrow-toy update …` with `argv` (after "update"); returns the exit code. */
export async function updateMain(argv: readonly string[]): Promise<number> {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true }));
    if (values.help) {
      console.log(UPDATE_HELP);
      return 0;
    }
    const [command, ...files] = positionals;
    const slots = new UpdateSlots(values.data);
    const timeoutMs = Number(values['timeout-ms']);
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) throw new Usage('--timeout-ms must be a positive integer.');
    if (command === 'status' && files.length === 0) {
      console.log(describe(slots.state()));
      return 0;
    }
    if (command === 'verify' && files.length > 0) {
      let refused = 0;
      for (const file of files) {
        try {
          const m = slots.check(readFileSync(file));
          console.log(`${file}: ok, ${m.target} ${m.version}`);
        } catch (err) {
          refused++;
          console.log(`${file}: ${refusal(err)}`);
        }
      }
      return refused === 0 ? 0 : 1;
    }
    if (command === 'install' && files.length === 1) {
      try {
        const { slot, manifest } = slots.install(readFileSync(files[0]!));
        console.log(`installed ${manifest.version} in slot ${slot}; it starts on the next boot (burrow-toy update boot)`);
        return 0;
      } catch (err) {
        console.error(`${files[0]!}: ${refusal(err)}`);
        return 1;
      }
    }
    if (command === 'boot' && files.length === 0) {
      const start = values['start-command'];
      if (!start) throw new Usage('boot needs --start-command.');
      const before = slots.state();
      const after = await slots.boot(startCommand(start, timeoutMs));
      console.log(describe(after));
      // The check-in guardians see; the new version itself already checked in to pass its start.
      if (before.trial) await reportUpdateState({ server: values.server, dataDir: values.data, state: after });
      return before.trial && after.last?.kind === 'rolled_back' ? 1 : 0;
    }
    if (command === 'check' && files.length === 0) {
      const result = await downloadLatestUpdate({ server: values.server, dataDir: values.data, slots });
      console.log(result.message);
      await reportUpdateState({ server: values.server, dataDir: values.data, state: slots.state() });
      return result.refused ? 1 : 0;
    }
    throw new Usage(command === undefined ? 'Name a command.' : `Wrong use of '${command}'.`);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (err instanceof Usage || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      console.error(`burrow-toy update: ${(err as Error).message}\n\n${UPDATE_HELP}`);
      return 2;
    }
    throw err;
  }
}
