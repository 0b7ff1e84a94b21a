/**
 * Asks the server for the newest bundle for this toy's target and installs it (docs/api.md
 * "Updates"). The server is only a mirror: whatever it returns goes through the same checks as a
 * bundle from a file (slots.ts), so a server that lies can withhold an update, never forge one.
 */
import { isProtocolError, type UpdateManifestWire } from '@burrow/protocol';
import { FileStore } from '../file-store.js';
import { TOY_TARGET } from './release-key.js';
import type { TrustOptions, UpdateSlots } from './slots.js';

export interface DownloadResult {
  /** True when a bundle was downloaded and refused. */
  refused: boolean;
  installed?: string;
  message: string;
}

/** Checks for, downloads and installs the newest update; uses the toy token kept in `dataDir`. */
export async function downloadLatestUpdate({ server, dataDir, slots, trust }: { server: string; dataDir: string; slots: UpdateSlots; /** Tests only: the CLI never passes one. */ trust?: TrustOptions }): Promise<DownloadResult> {
  const token = await new FileStore(dataDir).get<string>('token');
  if (!token) return { refused: false, message: 'This toy has no token yet: start it once (burrow-toy) so it registers.' };
  const base = server.replace(/\/+$/, '');
  const headers = { authorization: `Bearer ${token}` };
  const current = slots.state().version;
  const query = `target=${encodeURIComponent(TOY_TARGET)}&current=${encodeURIComponent(current)}`;
  const found = await fetch(`${base}/v1/toys/me/update?${query}`, { headers });
  if (!found.ok) throw new Error(`The server answered ${String(found.status)} to the update check.`);
  const { manifest } = (await found.json()) as { manifest: UpdateManifestWire | null };
  if (!manifest) return { refused: false, message: `up to date (${current})` };
  // Checked daily by the running toy (schedule.ts): neither download again an update that already
  // waits for its trial start, nor install again one that failed its start here — that would try a
  // broken version at every boot. A newer release is taken as usual.
  const { trial, last } = slots.state();
  if (trial?.version === manifest.version) return { refused: false, message: `${manifest.version} is installed already; it starts on the next boot` };
  if (last?.kind === 'rolled_back' && last.version === manifest.version)
    return { refused: false, message: `${manifest.version} failed to start on this toy and was rolled back; waiting for a newer release (running ${current})` };
  const bundle = await fetch(`${base}/v1/toys/me/update/bundle?target=${encodeURIComponent(TOY_TARGET)}&version=${encodeURIComponent(manifest.version)}`, { headers });
  if (!bundle.ok) throw new Error(`The server answered ${String(bundle.status)} to the bundle download.`);
  try {
    const { manifest: installed, slot } = slots.install(new Uint8Array(await bundle.arrayBuffer()), trust);
    return { refused: false, installed: installed.version, message: `installed ${installed.version} in slot ${slot}; it starts on the next boot` };
  } catch (err) {
    if (!isProtocolError(err)) throw err;
    return { refused: true, message: `refused the server's bundle ${manifest.version} (${err.code}): ${err.message}` };
  }
}
