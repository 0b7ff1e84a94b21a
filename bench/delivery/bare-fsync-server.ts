/**
 * The durable-throughput anchor: a bare node:http server that writes each request body to a new
 * file and fsyncs it before answering 201 — the least any store that promises durability must do.
 * Prints {"url"} on its first line; SIGTERM or a closed stdin stops it and removes its folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'burrow-bench-fsync-'));
let n = 0;
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const path = join(dir, String(n++));
    void (async () => {
      const file = await open(path, 'w');
      try {
        await file.writeFile(Buffer.concat(chunks));
        await file.sync();
      } finally {
        await file.close();
      }
    })().then(
      () => response.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}'),
      () => response.writeHead(500).end(),
    );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${String(address.port)}` })}\n`);
});
const stop = (): void => {
  server.close();
  server.closeAllConnections();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
