/** Helpers for tests that run real processes on loopback: a free port, and a child's output watched. */
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

/** A port nothing listens on (bound on 127.0.0.1, then released). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export interface WatchedChild {
  /** Everything the child wrote so far, stdout and stderr as they came. */
  output(): string;
  /** True once the output holds `text` after a write to stdout; false if the child exits or `ms` pass first. */
  until(text: string, ms: number): Promise<boolean>;
  /** The child's exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Collects a piped child's stdout and stderr from now on. */
export function watchChild(child: ChildProcess & { stdout: Readable; stderr: Readable }): WatchedChild {
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return {
    output: () => out,
    exited,
    async until(text, ms) {
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          new Promise<boolean>((resolve) => {
            if (out.includes(text)) resolve(true);
            child.stdout.on('data', () => {
              if (out.includes(text)) resolve(true);
            });
          }),
          exited.then(() => false),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * The node arguments that run the TypeScript module `source` (a path under `root`) as a new process:
 * its compiled twin where `npm test` compiled the tree (scripts/build-tests.mjs writes `x.js` beside
 * every `x.ts` in test-output/js), else the source with tsx as a loader. A start through tsx compiles
 * and loads ~400 modules again (≈ 3–5 CPU-s on 2 cores; tsx's own CLI also runs a second node
 * process), the twin ≈ 1 CPU-s.
 */
export function nodeEntry(root: string, source: string): string[] {
  const twin = join(root, source.replace(/\.tsx?$/, '.js'));
  return existsSync(twin) ? [twin] : ['--import', 'tsx', join(root, source)];
}
