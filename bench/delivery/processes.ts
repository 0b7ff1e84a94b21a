/**
 * Child processes of the delivery benchmark: Burrow (burrow-child.ts) and the bare fsync server
 * (bare-fsync-server.ts), each started with tsx, announced by a {"url"} line and stopped on
 * stop() — and, should the benchmark die, by their stdin closing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface Child {
  url: string;
  pid: number;
  /** Asks the child for a full garbage collection (Burrow only; it runs with --expose-gc). */
  collectGarbage(): void;
  stop(): Promise<void>;
}

/**
 * Starts `entry` (a file beside this one) under tsx; `nodeFlags` go to node (e.g. --cpu-prof).
 * `path` and `cwd` run another checkout's copy of it instead (durable-ab.ts compares trees); `env`
 * adds to its environment (durable-ab.ts --env, e.g. UV_THREADPOOL_SIZE for one of them).
 */
export async function startChild(
  entry: 'burrow-child.ts' | 'bare-fsync-server.ts',
  nodeFlags: readonly string[] = [],
  path = fileURLToPath(new URL(entry, import.meta.url)),
  cwd = fileURLToPath(new URL('../../', import.meta.url)), // where tsx resolves
  env: Readonly<Record<string, string>> = {},
): Promise<Child> {
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', ...nodeFlags, '--import', 'tsx', path], {
    cwd,
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'development', ...env },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      try {
        resolve((JSON.parse(line) as { url: string }).url);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    child.once('exit', (code) => reject(new Error(`${entry} exited (${String(code)}) before it listened.`)));
  });
  return {
    url,
    pid: child.pid!,
    collectGarbage: () => child.kill('SIGUSR2'),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
