/**
 * Two update slots in the toy's data folder (A/B, as on phones and routers): an update is written to
 * the slot that is not running and only becomes the running one once it has started and checked in.
 * Until then the old slot is untouched, so a failed start, a crash or a power cut during the trial
 * boot falls back to it. The factory image (the code the toy shipped with) is the running version
 * until the first update is committed.
 *
 *   update/state.json         which slot runs, its version, the pending trial, the last outcome
 *   update/slots/a|b/         payload + manifest.json of an installed bundle
 *
 * Every write is atomic (temp file or folder, fsync, rename), so a power cut leaves either the old
 * or the new state, never a torn one.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { decodeUpdateBundle, verifyUpdate, type ReleasePublicKey, type UpdateBundle, type UpdateManifestWire } from '@burrow/protocol';
import { RELEASE_PUBLIC_KEY, TOY_TARGET, TOY_VERSION } from './release-key.js';

export type SlotName = 'a' | 'b';

/** The last install, commit or rollback, for `burrow-toy update status` and the toy's check-in. */
export interface UpdateOutcome {
  kind: 'committed' | 'rolled_back';
  version: string;
  at: number;
  reason?: string;
}

export interface UpdateState {
  v: 1;
  /** The running slot; null while the factory image runs. */
  active: SlotName | null;
  version: string;
  /** An installed update waiting for its first start; `boots` counts trial starts begun. */
  trial: { slot: SlotName; version: string; boots: number } | null;
  last: UpdateOutcome | null;
}

/** Who is checked: tests pass their own key here; everything else gets the pinned one. */
export interface TrustOptions {
  releaseKey?: ReleasePublicKey;
  target?: string;
}

/** Starts the code in a slot and says whether it came up and checked in. */
export type StartSlot = (slotDir: string, manifest: UpdateManifestWire) => Promise<boolean>;

function writeAtomically(path: string, data: string | Uint8Array): void {
  const temp = `${path}.${String(process.pid)}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    if (typeof data === 'string') writeSync(fd, data);
    else writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export class UpdateSlots {
  private readonly root: string;
  private readonly clock: () => number;

  constructor(dataDir: string, options: { now?: () => number } = {}) {
    this.root = join(dataDir, 'update');
    mkdirSync(join(this.root, 'slots'), { recursive: true, mode: 0o700 });
    this.clock = options.now ?? Date.now;
  }

  private get statePath(): string {
    return join(this.root, 'state.json');
  }

  slotDir(slot: SlotName): string {
    return join(this.root, 'slots', slot);
  }

  state(): UpdateState {
    if (!existsSync(this.statePath)) return { v: 1, active: null, version: TOY_VERSION, trial: null, last: null };
    return JSON.parse(readFileSync(this.statePath, 'utf8')) as UpdateState;
  }

  private save(state: UpdateState): void {
    writeAtomically(this.statePath, JSON.stringify(state));
    fsyncDir(this.root);
  }

  /**
   * Checks a bundle against the pinned key, this toy's target and the running version (§13.3) and
   * returns its manifest; throws ProtocolError on any refusal. Writes nothing.
   */
  check(bundle: Uint8Array, trust: TrustOptions = {}): UpdateManifestWire {
    return this.verified(bundle, trust).manifest;
  }

  private verified(bytes: Uint8Array, trust: TrustOptions): UpdateBundle {
    const bundle = decodeUpdateBundle(bytes);
    verifyUpdate(bundle, { releaseKey: trust.releaseKey ?? RELEASE_PUBLIC_KEY, target: trust.target ?? TOY_TARGET, installedVersion: this.state().version });
    return bundle;
  }

  /**
   * Verifies the bundle, writes it to the slot that is not running and marks it for a trial start.
   * The running slot is not touched. A pending trial is replaced.
   */
  install(bundle: Uint8Array, trust: TrustOptions = {}): { slot: SlotName; manifest: UpdateManifestWire } {
    const { manifest, payload } = this.verified(bundle, trust);
    const state = this.state();
    const slot: SlotName = state.active === 'a' ? 'b' : 'a';
    const dir = this.slotDir(slot);
    const staging = `${dir}.staging`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { mode: 0o700 });
    writeAtomically(join(staging, 'payload'), payload);
    writeAtomically(join(staging, 'manifest.json'), JSON.stringify(manifest));
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    fsyncDir(join(this.root, 'slots'));
    this.save({ ...state, trial: { slot, version: manifest.version, boots: 0 } });
    return { slot, manifest };
  }

  /**
   * At start-up: if an update waits for its trial, start it once. It becomes the running version
   * only if `start` says it came up and checked in; otherwise — or if a previous trial start never
   * finished (a crash or power cut: `boots` was already counted) — the trial is dropped and the old
   * slot keeps running. Returns the state after the decision.
   */
  async boot(start: StartSlot): Promise<UpdateState> {
    const state = this.state();
    const trial = state.trial;
    if (!trial) return state;
    if (trial.boots > 0) return this.rollBack(state, 'the previous trial start did not finish');
    // Counted before starting, so a trial that hangs the device is rolled back on the next boot.
    this.save({ ...state, trial: { ...trial, boots: 1 } });
    const dir = this.slotDir(trial.slot);
    let ok = false;
    let reason = 'the new version did not start and check in';
    try {
      ok = await start(dir, JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as UpdateManifestWire);
    } catch (err) {
      reason = `the new version failed to start: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (!ok) return this.rollBack(this.state(), reason);
    const committed: UpdateState = { v: 1, active: trial.slot, version: trial.version, trial: null, last: { kind: 'committed', version: trial.version, at: this.clock() } };
    this.save(committed);
    return committed;
  }

  private rollBack(state: UpdateState, reason: string): UpdateState {
    const version = state.trial?.version ?? state.version;
    const next: UpdateState = { ...state, trial: null, last: { kind: 'rolled_back', version, at: this.clock(), reason } };
    this.save(next);
    return next;
  }
}
