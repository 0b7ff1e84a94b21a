/** The archive's index (archive-index.ts): file names in order, CSV that a spreadsheet reads as text. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { archiveIndex, audioExtension, indexCsv } from './archive-index.js';

const describe = { from: (m: { from: string }) => (m.from === 'me' ? 'You' : '=HYPERLINK("x"), "Gran"'), to: (id: string) => `${id}’s toy`, played: () => true };

void test('entries are oldest first, numbered, named by time and sender, with the audio type’s extension', () => {
  const entries = archiveIndex(
    [
      { messageId: 'b', from: 'gran', createdAt: Date.UTC(2026, 10, 2, 9, 30), mimeType: 'audio/ogg', durationMs: null },
      { messageId: 'a', from: 'me', createdAt: Date.UTC(2026, 10, 1, 8, 0, 5), mimeType: 'audio/webm;codecs=opus', durationMs: 2100, to: ['sam'] },
    ],
    describe,
  );
  assert.deepEqual(entries.map((e) => e.file), ['audio/001-2026-11-01T08-00-05-You.webm', 'audio/002-2026-11-02T09-30-00-HYPERLINK-x-Gran.ogg']);
  assert.deepEqual(entries[0]?.to, ['sam’s toy']);
  assert.equal(audioExtension('application/octet-stream'), 'bin');
});

void test('the CSV quotes commas and quotes and defuses formulas', () => {
  const entries = archiveIndex([{ messageId: 'b', from: 'gran', createdAt: 0, mimeType: 'audio/ogg', durationMs: 5 }], describe);
  const [header, row] = indexCsv(entries).split('\r\n');
  assert.equal(header, 'file,messageId,from,fromDeviceId,to,sentAt,durationMs,played,mimeType');
  assert.equal(row, `audio/001-1970-01-01T00-00-00-HYPERLINK-x-Gran.ogg,b,"'=HYPERLINK(""x""), ""Gran""",gran,,1970-01-01T00:00:00.000Z,5,yes,audio/ogg`);
});
