/**
 * The family archive, built in this browser (issue 13 item 3; docs/privacy.md "Export"): every
 * message this browser can open — it first fetches and decrypts any the server still holds for it,
 * then takes the ones it keeps (encrypted at rest under its own key) — as audio files, with
 * index.json and index.csv (archive-index.ts) and the account data the server exports
 * (GET /v1/me/export) as account.json, zipped with fflate. The server never sees a decrypted byte:
 * it only answers the fetches it answers every day.
 *
 * Audio is already compressed, so the files are stored, not deflated: building costs a copy, not CPU.
 */
import type { AccountExport } from '@burrow/api';
import { ApiClient } from '@burrow/client';
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { Guardian } from '../guardian.js';
import { archiveIndex, indexCsv } from './archive-index.js';

/** Where the build is: `done` of `total` steps (fetching, then one per message, then zipping). */
export interface ArchiveProgress {
  stage: 'fetching' | 'adding' | 'zipping';
  done: number;
  total: number;
}

/** Builds the ZIP; resolves with it and how many messages it holds. */
export async function buildFamilyArchive(guardian: Guardian, onProgress: (p: ArchiveProgress) => void): Promise<{ zip: Blob; messages: number }> {
  onProgress({ stage: 'fetching', done: 0, total: 1 });
  await guardian.messages.sync();
  // "Played" of the messages sent from here comes from the toys' receipts: the latest ones.
  await guardian.messages.refreshReceipts();
  const account = await new ApiClient({ baseUrl: window.location.origin }).request<AccountExport>('GET', '/v1/me/export');
  const state = guardian.snapshot();
  const messages = state.messages.filter((m) => m.familyId === state.familyId);
  const index = archiveIndex(messages, {
    from: (m) => guardian.names.senderLabel(m),
    to: (toyId) => guardian.names.toyName(toyId),
    played: (m) => (m.from === state.deviceId ? state.receipts[m.messageId]?.played === true : m.heard === true),
  });
  const total = index.length + 2;
  const files: Zippable = {};
  for (const [i, entry] of index.entries()) {
    onProgress({ stage: 'adding', done: i + 1, total });
    const message = messages.find((m) => m.messageId === entry.messageId);
    if (message) files[entry.file] = [new Uint8Array(await message.audio.arrayBuffer()), { level: 0 }];
  }
  onProgress({ stage: 'zipping', done: total - 1, total });
  const exportedAt = new Date().toISOString();
  files['index.json'] = strToU8(JSON.stringify({ familyId: state.familyId, exportedAt, messages: index }, null, 2));
  files['index.csv'] = strToU8(indexCsv(index));
  files['account.json'] = strToU8(JSON.stringify(account, null, 2));
  files['README.txt'] = strToU8(
    'Your Burrow family archive.\r\n\r\naudio/       every message this browser could open, oldest first\r\nindex.json   who sent each, to which toy, when, how long, whether it was played\r\nindex.csv    the same, for a spreadsheet\r\naccount.json what Burrow’s server holds about your account (as on the Security page)\r\n\r\nThe messages were decrypted in your browser; Burrow’s server cannot open them.\r\n',
  );
  const zipped = zipSync(files);
  onProgress({ stage: 'zipping', done: total, total });
  return { zip: new Blob([zipped], { type: 'application/zip' }), messages: index.length };
}
