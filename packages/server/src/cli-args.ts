/**
 * The one argument helper every `burrow` command uses: node:util `parseArgs` in strict mode plus the
 * conventions they all share (docs/operations.md, "The CLI"):
 *
 * - `--help` / `-h` prints the command's usage on stdout and exits 0;
 * - an unknown option, a missing or extra argument, or an unknown subcommand prints the problem and
 *   the usage on stderr and exits 2.
 *
 * Both travel as exceptions so a command deep in a dispatch does not have to thread exit codes back:
 * `runCli` (below) turns them into output and an exit code.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The command was asked for its usage (`--help`, `-h`): print it and exit 0. */
export class HelpRequested extends Error {
  constructor(readonly usage: string) {
    super('help requested');
    this.name = 'HelpRequested';
  }
}

/** The command line is wrong: print the message and the usage on stderr, exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** How many positional arguments a command takes (both bounds inclusive). */
export interface PositionalCount {
  readonly min?: number;
  readonly max?: number;
}

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/** What `parseCommand` returns: the option values (typed by the spec) and the positionals. */
export interface ParsedCommand<O extends Options> {
  readonly values: ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>['values'];
  readonly positionals: string[];
}

/**
 * Parses one command's arguments strictly. Throws HelpRequested on `--help`/`-h` (wherever it
 * appears) and UsageError on anything parseArgs rejects or a positional count outside `positionals`.
 */
export function parseCommand<const O extends Options>(
  args: readonly string[],
  usage: string,
  options: O,
  positionals: PositionalCount = { max: 0 },
): ParsedCommand<O> {
  // `--help` wins over every other problem on the line: someone asking for help gets it.
  if (args.includes('--help') || args.includes('-h')) throw new HelpRequested(usage);
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: { ...options, ...HELP_OPTION }, allowPositionals: true, strict: true });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    // parseArgs appends advice about `--` that helps nobody who mistyped an option: keep the first sentence.
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
      throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, '.'), usage);
    throw err;
  }
  const count = parsed.positionals.length;
  if (positionals.min !== undefined && count < positionals.min)
    throw new UsageError(count === 0 ? 'An argument is missing.' : `Too few arguments (${String(count)}).`, usage);
  if (positionals.max !== undefined && count > positionals.max)
    throw new UsageError(`Unexpected argument: ${String(parsed.positionals[positionals.max])}`, usage);
  return parsed;
}

/** Throws UsageError unless `value` is set: for options a command cannot do without. */
export function required<T>(value: T | undefined, what: string, usage: string): T {
  if (value === undefined || value === '') throw new UsageError(`${what} is required.`, usage);
  return value;
}

/** Where `runCli` writes; the process's streams unless a test passes its own. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: CliOutput = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
};

/**
 * Runs a command and applies the conventions: usage on stdout and 0 for help, message + usage on
 * stderr and 2 for a usage error. Any other exit code is the command's own (`process.exitCode`).
 */
export async function runCli(program: string, run: () => Promise<void>, output: CliOutput = processOutput): Promise<number> {
  try {
    await run();
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof HelpRequested) {
      output.out(err.usage);
      return 0;
    }
    if (err instanceof UsageError) {
      output.err(`${program}: ${err.message}\n\n${err.usage}`);
      return 2;
    }
    throw err;
  }
}
