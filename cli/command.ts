// What a command of `osm` is, and the error a command throws for a bad invocation.

/**
 * One of a command's output streams. `isTTY`: a terminal that takes escape sequences (a line rewritten in place, a
 * screen redrawn); `color`: whether to colour the text (default: `isTTY`).
 */
export interface CliStream { write(text: string): unknown; isTTY?: boolean; color?: boolean }

/** Where a command writes: the process's streams, or buffers in tests. */
export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
}

/** Whether to colour what goes to `s`. */
export function colorOn(s: CliStream): boolean {
  return s.color ?? s.isTTY === true;
}

/**
 * A process stream as a command sees it: a terminal whose TERM is `dumb` takes no escape sequences, so it counts as
 * no terminal (plain progress lines, no colour); NO_COLOR (https://no-color.org, any non-empty value) turns colour off.
 */
export function terminalStream(s: { write(text: string): unknown; isTTY?: boolean }, env: Record<string, string | undefined> = process.env): CliStream {
  const tty = s.isTTY === true && env.TERM !== 'dumb';
  return { write: (text: string) => s.write(text), isTTY: tty, color: tty && !env.NO_COLOR };
}

export const processIo: CliIo = { stdout: terminalStream(process.stdout), stderr: terminalStream(process.stderr) };

/** What a long-running command can be given in tests: its streams and the wall clock of its progress lines (ms). */
export interface CommandDeps {
  io?: CliIo;
  wallMs?: () => number;
}

/**
 * One `osm <name>` command. `run` receives the arguments after the command name (never `--help`: the dispatcher
 * answers that from `usage`) and resolves to the process exit code.
 */
export interface Command {
  name: string;
  /** One line for `osm --help`. */
  summary: string;
  /** The full help text for `osm help <name>` and `osm <name> --help`. */
  usage: string;
  run(argv: string[]): Promise<number>;
}

/**
 * A command as `osm --help` lists it, before its module is loaded: `load` imports the module (once the command is
 * asked for) and gives the Command. The dispatcher accepts loaded Commands too (tests pass them directly).
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

/** Bad arguments: the dispatcher prints `osm <command>: <message>` and a pointer to the help, and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * The user's input cannot be used (a setting that makes the meter measure nothing, a file in the wrong format): the
 * dispatcher prints `osm <command>: <message>` (the message says what to change) and exits 2, without the pointer to
 * the help that a UsageError gets.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** Exit codes shared by all commands (README.md "Scenarios", `osm run`). */
export const EXIT = { ok: 0, failed: 1, invalid: 2, internal: 3 } as const;

/**
 * Text safe to print in a one-line message: control characters (a NUL or an escape sequence read from a file, a line
 * break inside a key) are shown as escapes (`\x00`, `\n`), never sent to the terminal as they are.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}
