/**
 * The running headless toy checks for updates on its own (docs/updates.md "On the toy"): once at
 * start, then every `intervalMs` (the CLI's `--update-check-hours`, default daily). Each check asks
 * the mirror for a newer bundle, installs it into the idle slot only if it verifies under the pinned
 * release key (it is tried at the next start, `burrow-toy update boot`), and checks in what the toy
 * runs — so guardians see the version of a toy nobody runs `burrow-toy update check` on.
 *
 * A check never throws and never stops the toy: an unreachable server or a refused bundle is logged
 * and tried again at the next check.
 */
import { downloadLatestUpdate, type DownloadResult } from './download.js';
import { reportUpdateState } from './report.js';
import { UpdateSlots, type TrustOptions } from './slots.js';

export interface UpdateCheckOptions {
  server: string;
  dataDir: string;
  intervalMs: number;
  log: (line: string) => void;
  /** Called after each check with what it found (tests wait on it). */
  onChecked?: (result: DownloadResult | { error: string }) => void;
  /** Tests only: the CLI never passes one, so only the pinned key is trusted. */
  trust?: TrustOptions;
}

export interface UpdateChecks {
  /** Runs a check now (after any check in progress); the schedule goes on. */
  checkNow(): Promise<void>;
  stop(): void;
}

/** Starts the schedule: a first check at once, then one every `intervalMs` (the timer is unref'd). */
export function startUpdateChecks(options: UpdateCheckOptions): UpdateChecks {
  const slots = new UpdateSlots(options.dataDir);
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const check = async (): Promise<void> => {
    if (stopped) return;
    let result: DownloadResult | { error: string };
    try {
      result = await downloadLatestUpdate({ server: options.server, dataDir: options.dataDir, slots, ...(options.trust ? { trust: options.trust } : {}) });
      options.log(`update check: ${result.message}`);
    } catch (err) {
      result = { error: err instanceof Error ? err.message : String(err) };
      options.log(`update check failed: ${result.error}`);
    }
    // Best effort (report.ts): what the toy runs, and a pending or rolled-back update.
    await reportUpdateState({ server: options.server, dataDir: options.dataDir, state: slots.state() });
    options.onChecked?.(result);
  };
  let busy = 0;
  const checkNow = (): Promise<void> => {
    busy++;
    return (running = running.then(check).finally(() => busy--));
  };

  void checkNow();
  // A tick while a check still runs (a slow server) is skipped, not queued behind it.
  const timer = setInterval(() => {
    if (busy === 0) void checkNow();
  }, options.intervalMs);
  timer.unref();
  return {
    checkNow,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
