// The `osm` dispatcher: `osm <command> [args]`, `osm --help`, `osm help <command>`, `osm <command> --help`.
// User errors print one line on stderr and exit 2; nothing prints a stack trace unless OSM_DEBUG=1.
import { readFileSync } from 'node:fs';
import { closest } from '../scenarios/suggest.ts';
import { EXIT, InputError, UsageError, printable, processIo, type CliIo, type Command, type CommandEntry } from './command.ts';
import { OutputError, PipeClosedError, why } from '../io/output-file.ts';
import { InterruptedError, SIGNAL_EXIT } from '../io/interrupt.ts';

/** Exit code when the reader of our output went away: 128 + SIGPIPE, as a Unix tool killed by it. */
export const EXIT_PIPE_CLOSED = 141;

/**
 * A reader that goes away (`osm demo | head -2`) ends the command quietly, as any Unix tool: exit 141 (SIGPIPE).
 * Any other failed write to standard output or error (`osm run s.yaml > /dev/full`, a full disk, an I/O error) ends
 * it with one line on standard error, if that still works, and exit 2.
 */
export function exitQuietlyOnClosedPipe(): void {
  for (const [stream, name] of [[process.stdout, 'standard output'], [process.stderr, 'standard error']] as const) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      const end = onStdioError(err, name);
      if (end.message !== undefined) { try { process.stderr.write(end.message); } catch { /* standard error failed too */ } }
      process.exit(end.code);
    });
  }
}

/** What a failed write to standard output or error ends in: the exit code and the line to print, if any. */
export function onStdioError(err: NodeJS.ErrnoException, name: 'standard output' | 'standard error'): { code: number; message?: string } {
  if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return { code: EXIT_PIPE_CLOSED };
  if (name === 'standard error') return { code: EXIT.invalid };
  return { code: EXIT.invalid, message: `osm: cannot write ${name}: ${why(err)}\n` };
}

/** A stream `exitAfterOutput` waits for: what of process.stdout and process.stderr it uses. */
export interface FlushableStream {
  write(chunk: string, callback: (err?: Error | null) => void): boolean;
}

/**
 * Exit with `code` once everything written to `streams` has been handed to the system. Standard output into a pipe
 * whose reader is slower than the command (`osm opaygo check big.json | less`, `osm run dir/ --json | jq`) holds the
 * rest in memory, and process.exit() alone would drop it: the reader got a cut report and exit 0. A reader that went
 * away ends the command through exitQuietlyOnClosedPipe (141), as before.
 */
export async function exitAfterOutput(code: number, streams: readonly FlushableStream[] = [process.stdout, process.stderr],
  exit: (code: number) => void = (c) => process.exit(c)): Promise<void> {
  // A write's callback runs after every write before it has gone out (or failed): an empty one marks the end.
  await Promise.all(streams.map((s) => new Promise<void>((resolve) => {
    try { s.write('', () => resolve()); } catch { resolve(); }
  })));
  exit(code);
}

export interface MainOptions {
  /** The commands (default: cli/commands/index.ts, whose modules load only when their command is used). */
  commands?: readonly (Command | CommandEntry)[];
  io?: CliIo;
  env?: Record<string, string | undefined>;
}

export function generalHelp(commands: readonly { name: string; summary: string }[]): string {
  const width = Math.max(8, ...commands.map((c) => c.name.length)) + 2;
  return `osm: the OpenSmartMeter Twin, a simulator and digital twin of the EnAccess OpenSmartMeter prepaid meter

Usage: osm <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}

Options:
  --help, -h    show this help
  --version     show the version

'osm help <command>' or 'osm <command> --help' shows a command's options.
`;
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function isError(err: unknown, name: string): err is Error {
  return err instanceof Error && err.name === name;
}

function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

export async function main(argv: readonly string[], opts: MainOptions = {}): Promise<number> {
  const commands = opts.commands ?? (await import('./commands/index.ts')).COMMANDS;
  const io = opts.io ?? processIo;
  const env = opts.env ?? process.env;
  const names = commands.map((c) => c.name);
  const find = async (name: string): Promise<Command | undefined> => {
    const c = commands.find((x) => x.name === name);
    return c === undefined ? undefined : 'load' in c ? c.load() : c;
  };
  const unknown = (name: string): number => {
    const near = closest(name, names);
    io.stderr.write(`osm: unknown command '${printable(name)}'${near ? ` (did you mean '${near}'?)` : ''}; see 'osm --help'\n`);
    return EXIT.invalid;
  };

  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(generalHelp(commands));
    return EXIT.invalid;
  }
  if (first === '--help' || first === '-h') { io.stdout.write(generalHelp(commands)); return EXIT.ok; }
  if (first === '--version') {
    if (rest.length > 0) {
      io.stderr.write(`osm: --version takes no argument, got '${printable(rest[0])}'; see 'osm --help'\n`);
      return EXIT.invalid;
    }
    io.stdout.write(`osm ${version()}\n`);
    return EXIT.ok;
  }
  if (first === 'help') {
    if (rest.length === 0) { io.stdout.write(generalHelp(commands)); return EXIT.ok; }
    if (rest.length > 1) {
      io.stderr.write(`osm help: one command at a time, got '${printable(rest.join(' '))}'; see 'osm --help'\n`);
      return EXIT.invalid;
    }
    const c = await find(rest[0]);
    if (!c) return unknown(rest[0]);
    io.stdout.write(`${c.usage.trimEnd()}\n`);
    return EXIT.ok;
  }
  if (first.startsWith('-')) {
    io.stderr.write(`osm: unknown option '${printable(first)}' (a command comes first: osm <command> [options]); see 'osm --help'\n`);
    return EXIT.invalid;
  }
  const cmd = await find(first);
  if (!cmd) return unknown(first);
  if (wantsHelp(rest)) { io.stdout.write(`${cmd.usage.trimEnd()}\n`); return EXIT.ok; }

  try {
    return await cmd.run(rest);
  } catch (err) {
    // By name, not instanceof: importing the scenario modules here would load them for every command and --help.
    if (isError(err, 'ScenarioError')) {
      io.stderr.write(`${printable(err.message)}\n`);
      return EXIT.invalid;
    }
    // A CT excitation curve too steep to solve at a test current (models/frontend/current-transformer.ts): the input.
    if (isError(err, 'CtOperatingPointError')) {
      io.stderr.write(`osm ${cmd.name}: ${printable(err.message)}\n`);
      return EXIT.invalid;
    }
    // Ctrl-C or SIGTERM in a long command: one line, where it stopped, and 128 + the signal's number.
    if (err instanceof InterruptedError) {
      io.stderr.write(`${io.stderr.isTTY ? '\r\x1b[K' : ''}osm ${cmd.name}: stopped by ${err.signal}${err.detail ? `: ${printable(err.detail)}` : ''}\n`);
      return SIGNAL_EXIT[err.signal];
    }
    if (err instanceof UsageError) {
      io.stderr.write(`osm ${cmd.name}: ${printable(err.message)}; see 'osm help ${cmd.name}'\n`);
      return EXIT.invalid;
    }
    // A path or a setting the user can change, also when it surfaced inside the simulation (a full disk under --trace).
    const input = [err, (err as { cause?: unknown })?.cause].find((e) => e instanceof OutputError || e instanceof InputError) as Error | undefined;
    if (input instanceof PipeClosedError) return EXIT_PIPE_CLOSED;
    if (input) {
      io.stderr.write(`osm ${cmd.name}: ${printable(input.message)}\n`);
      return EXIT.invalid;
    }
    const debug = env.OSM_DEBUG !== undefined && env.OSM_DEBUG !== '' && env.OSM_DEBUG !== '0';
    const what = isError(err, 'ScenarioRunError') ? 'simulation error' : 'internal error';
    const msg = (err as Error)?.message ?? String(err);
    io.stderr.write(`osm ${cmd.name}: ${what}: ${printable(msg)}\n`);
    if (debug) io.stderr.write(`${(err as Error)?.stack ?? ''}\n${(err as Error & { cause?: Error })?.cause?.stack ?? ''}\n`);
    else io.stderr.write('(set OSM_DEBUG=1 to see the stack trace)\n');
    return EXIT.internal;
  }
}
