// Every file `osm` writes goes through here (`--report`, `--trace`, `--save-eeprom`, `eeprom make`, and any writer
// to come), so that writing a file never destroys one:
// - the path is checked before the work starts (`checkOutputPath`): a missing, read-only or unwritable folder, a
//   read-only file, a directory, a socket or a block device is an OutputError (exit 2) saying what to change;
// - a regular file (new or existing, also behind a symlink: the link's target is replaced, the link stays) is written
//   to a hidden temporary file in the same folder and renamed over the target, so it is whole or untouched;
// - a character device (`/dev/null`, a terminal), a FIFO, `/dev/stdout` or `-` (standard output) is written directly,
//   as a stream: a device is never replaced by a file; a FIFO is opened when its path is checked, and one that no
//   process reads within FIFO_READER_WAIT_MS is refused (opening it would block the process where not even Ctrl-C
//   stops it);
// - a failed write (a full disk, ENOSPC) removes the temporary file and says so; no message names the temporary file;
// - a streaming writer (`openOutputStream`) is committed or aborted by its owner; one still open when the process
//   exits is aborted (its temporary file removed), so nothing half-written is ever left behind;
// - an output naming one of the command's inputs, or another output, is refused before the work
//   (`checkDistinctOutputs`); a full pipe on standard output is waited for, not an error.
//
//   const out = checkOutputPath(args.report, '--report');   // before the work
//   ...the work...
//   writeOutputFile(out, html);
import {
  accessSync, chmodSync, closeSync, constants, fsyncSync, lstatSync, openSync, readlinkSync, realpathSync, renameSync,
  statSync, unlinkSync, writeSync, type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** A path that cannot be written, or a write that failed for a reason the user can change: exit 2. */
export class OutputError extends Error {
  override readonly name: string = 'OutputError';
}

/** The reader of a pipe went away (`osm run --trace - | head`): the command ends quietly, as a Unix tool does. */
export class PipeClosedError extends OutputError {
  override readonly name: string = 'PipeClosedError';
}

/** Where the bytes go: a regular file replaced atomically, or a stream written directly. */
export interface OutputTarget {
  /** The path as the user gave it (used in every message). */
  readonly path: string;
  /** The option or role the path was given for (`--report`), the start of every message. */
  readonly what: string;
  /** `file`: a regular file (new or existing); `stream`: a device, a FIFO or standard output. */
  readonly kind: 'file' | 'stream';
  /** The file actually written: symlinks followed, absolute; `-` for standard output. */
  readonly target: string;
}

/** Stat without throwing: undefined when the path does not exist. */
function stat(path: string, follow: boolean): Stats | undefined {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') return undefined;
    if (code === 'ELOOP') throw new Error('ELOOP');
    throw err;
  }
}

/** Follow symlinks to the path that a write would land on (the link target, even when it does not exist yet). */
function followLinks(full: string): string {
  let p = full;
  for (let hops = 0; hops < 40; hops++) {
    const l = stat(p, false);
    if (!l || !l.isSymbolicLink()) {
      // The folder part may itself hold links; resolve it when it exists.
      const d = dirname(p);
      try { return join(realpathSync(d), basename(p)); } catch { return p; }
    }
    p = resolve(dirname(p), readlinkSync(p));
  }
  throw new Error('ELOOP');
}

/** The start of a message: the option the path was given for, if any. */
function pre(what: string): string {
  return what ? `${what}: ` : '';
}

function describeKind(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isSocket()) return 'a socket';
  if (s.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** Why a write or an open failed, in words (`no space left on the device`), for a one-line message. */
export function why(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EROFS': return 'the file system is read-only';
    case 'ENOSPC': return 'no space left on the device';
    case 'EDQUOT': return 'the disk quota is exceeded';
    case 'EISDIR': return 'it is a directory';
    case 'ENOENT': return 'no such file or directory';
    case 'ENOTDIR': return 'a part of the path is not a directory';
    case 'EPIPE': return 'the reader closed the pipe';
    case 'ENXIO': return 'no reader is attached to it';
    case 'EFBIG': return 'the file is too large for the file system';
    case 'EIO': return 'input/output error';
    default: return code ? `${code}` : String((err as Error)?.message ?? err);
  }
}

let probeSerial = 0;
function tempName(dir: string, base: string): string {
  probeSerial++;
  return join(dir, `.${base}.osm-${process.pid}-${probeSerial}.tmp`);
}

/** Whether files can be created in `dir`: try it (root ignores permission bits; /proc and read-only mounts do not). */
function probeFolder(dir: string, path: string, what: string): void {
  const probe = tempName(dir, 'probe');
  let fd: number;
  try {
    fd = openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' || code === 'EPERM' || code === 'EACCES' ? 'permission denied' : why(err);
    const fix = (err as NodeJS.ErrnoException).code === 'EROFS' ? 'choose a writable place'
      : 'choose another place or make the folder writable';
    throw new OutputError(`${pre(what)}cannot write '${path}': cannot create files in the folder '${dir}' (${reason}); ${fix}`);
  }
  closeSync(fd);
  try { unlinkSync(probe); } catch { /* it was just made; nothing else to do */ }
}

/** A synchronous pause: a full pipe (EAGAIN) or a FIFO without a reader yet is retried after it, not busy-waited. */
const pause = new Int32Array(new SharedArrayBuffer(4));

/** How long a FIFO given as an output waits for a process to open it for reading before it is refused. */
export const FIFO_READER_WAIT_MS = 3000;

/**
 * FIFOs opened for writing when their path was checked, held for the writers: absolute path -> one descriptor per
 * check (two outputs on one FIFO each hold theirs, so its reader sees the end only when both are done).
 */
const fifoFds = new Map<string, number[]>();

/**
 * Open a FIFO for writing without blocking. A plain open waits for a reader inside the system call, where no signal
 * handler of this process runs: `osm run --trace FIFO` with nothing reading the FIFO hung for good and Ctrl-C did not
 * stop it. Retried every 20 ms for FIFO_READER_WAIT_MS (a reader started just after the command), then refused.
 * Writes to the descriptor may say EAGAIN while the reader lags: `writeAll` waits for it.
 */
function openFifo(full: string, path: string, what: string): number {
  const deadline = Date.now() + FIFO_READER_WAIT_MS;
  for (;;) {
    try {
      return openSync(full, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENXIO') throw new OutputError(`${pre(what)}cannot write '${path}': ${why(err)}`);
    }
    if (Date.now() >= deadline) {
      throw new OutputError(`${pre(what)}cannot write the FIFO '${path}': no process opened it for reading within ${FIFO_READER_WAIT_MS / 1000} s; start its reader first (e.g. cat ${path} > copy &)`);
    }
    Atomics.wait(pause, 0, 0, 20);
  }
}

/** Whether this process may write the file (root may write any). */
function writable(file: string): boolean {
  try { accessSync(file, constants.W_OK); return true; } catch { return false; }
}

/** Paths that name one of this process's open descriptors: always written directly, never replaced. */
const OWN_FD = /^\/(?:dev\/(?:stdout|stderr|fd\/\d+)|proc\/self\/fd\/\d+)$/;

/**
 * Check that `path` can be written, before any work starts. Throws an OutputError (exit 2) that names `what` (the
 * option), the path and what to change. `-` means standard output. `example`: a file name of the output's kind, for
 * the message when `path` is a directory (default: from the option's name).
 */
export function checkOutputPath(path: string, what: string, example?: string): OutputTarget {
  if (typeof path !== 'string' || path === '') throw new OutputError(`${pre(what)}needs a file name`);
  if (path === '-') return { path, what, kind: 'stream', target: '-' };
  if (path.includes('\0')) throw new OutputError(`${pre(what)}the file name contains a NUL byte`);
  const full = resolve(path);
  const cannot = (err: unknown): OutputError => new OutputError(`${pre(what)}cannot write '${path}': ${why(err)}`);
  let s: Stats | undefined;
  try { s = stat(full, true); } catch (err) {
    if ((err as Error).message === 'ELOOP') throw new OutputError(`${pre(what)}cannot write '${path}': too many levels of symbolic links`);
    throw cannot(err);
  }
  if (OWN_FD.test(full) && s) return { path, what, kind: 'stream', target: full };
  if (s) {
    if (s.isDirectory()) {
      throw new OutputError(`${pre(what)}'${path}' is a directory; give a file name (e.g. ${join(path, example ?? exampleName(what))})`);
    }
    // A device or a FIFO is written as it is (opening the path follows any symlink to it).
    if (s.isFIFO()) fifoFds.set(full, [...(fifoFds.get(full) ?? []), openFifo(full, path, what)]);
    if (s.isCharacterDevice() || s.isFIFO()) return { path, what, kind: 'stream', target: full };
    if (!s.isFile()) throw new OutputError(`${pre(what)}cannot write '${path}': it is ${describeKind(s)}; give a regular file name`);
    let target: string;
    try { target = realpathSync(full); } catch (err) { throw cannot(err); }
    // Replacing goes through a rename in the folder, which the file's own permissions do not stop: a file made
    // read-only (chmod a-w), or one this user may not write, is refused as a shell's `>` refuses it, also for root.
    if ((s.mode & 0o222) === 0 || !writable(target)) {
      throw new OutputError(`${pre(what)}cannot write '${path}': the file is read-only; make it writable (chmod u+w ${path}) or give another file name`);
    }
    probeFolder(dirname(target), path, what);
    return { path, what, kind: 'file', target };
  }
  // A new file, perhaps behind a dangling symlink: the file is created where the link points.
  let target: string;
  try { target = followLinks(full); } catch (err) {
    if ((err as Error).message === 'ELOOP') throw new OutputError(`${pre(what)}cannot write '${path}': too many levels of symbolic links`);
    throw cannot(err);
  }
  const dir = dirname(target);
  let d: Stats | undefined;
  try { d = stat(dir, true); } catch (err) { throw cannot(err); }
  const shownDir = target === full ? dirname(path) : dir;
  if (!d) {
    throw new OutputError(`${pre(what)}cannot write '${path}': the folder '${shownDir}' does not exist; create it first (mkdir -p ${shownDir})`);
  }
  if (!d.isDirectory()) throw new OutputError(`${pre(what)}cannot write '${path}': '${shownDir}' is not a folder`);
  probeFolder(dir, path, what);
  return { path, what, kind: 'file', target };
}

/** An output that is this process's standard output (`-`, `/dev/stdout`): the command's own text must go elsewhere. */
export function isStandardOutput(t: OutputTarget | undefined): boolean {
  return t !== undefined && /^(?:-|\/dev\/stdout|\/dev\/fd\/1|\/proc\/self\/fd\/1)$/.test(t.target);
}

/** A file a command reads (the scenario, the log it replays, a dump): `what` says what it is in a message. */
export interface InputFile {
  readonly path: string;
  readonly what: string;
  /** An output option that may name this file, because the command reads it whole first (`--save-eeprom` over `--eeprom`). */
  readonly mayBe?: string;
}

/** The file a path names, links followed; undefined when it does not exist. */
function realFile(path: string): string | undefined {
  try { return realpathSync(resolve(path)); } catch { return undefined; }
}

/**
 * Refuse, before any work, outputs that would replace one of the command's inputs or each other: `osm run s.yaml
 * --trace s.yaml` would replace the scenario with its trace, and two options naming one file would keep only the
 * last one written. Streams (a device, a FIFO, standard output) replace nothing and are left alone.
 */
export function checkDistinctOutputs(outputs: readonly (OutputTarget | undefined)[], inputs: readonly InputFile[] = []): void {
  const files = outputs.filter((o): o is OutputTarget => o !== undefined && o.kind === 'file');
  if (files.length === 0) return;
  const real = inputs.map((f) => realFile(f.path)); // once each: a campaign may read thousands of scenarios
  for (const [i, out] of files.entries()) {
    const input = inputs.find((f, k) => f.mayBe !== out.what && real[k] === out.target);
    if (input) throw new OutputError(`${pre(out.what)}'${out.path}' is ${input.what} this command reads; give another file name`);
    const other = files.slice(0, i).find((o) => o.target === out.target);
    if (other) throw new OutputError(`${pre(out.what)}'${out.path}' is also the ${other.what} file; give each output its own file`);
  }
}

function exampleName(what: string): string {
  if (/report/.test(what)) return 'report.html';
  if (/trace/.test(what)) return 'trace.jsonl';
  if (/junit/.test(what)) return 'junit.xml';
  if (/log/.test(what)) return 'debug.log';
  if (/json/.test(what)) return 'out.json';
  if (/eeprom/.test(what) || what === '') return 'eeprom.bin';
  return 'out.txt';
}

function asTarget(out: OutputTarget | string, what: string): OutputTarget {
  return typeof out === 'string' ? checkOutputPath(out, what) : out;
}

function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off, data.length - off);
    } catch (err) {
      // Node puts standard output in non-blocking mode when it is a pipe: a reader slower than the writer (`| gzip`,
      // `| less`) fills it and the write says EAGAIN. Wait for the reader, as a blocking write would.
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(pause, 0, 0, 5);
    }
  }
}

function bytesOf(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/**
 * Write `data` whole to a checked target (or a path, checked now): a regular file through a temporary file renamed
 * over it, a device or FIFO directly. Any failure is an OutputError and leaves the target as it was.
 */
export function writeOutputFile(out: OutputTarget | string, data: string | Uint8Array, what = 'output'): void {
  const s = openOutputStream(asTarget(out, what));
  try {
    s.write(data);
  } catch (err) {
    s.abort();
    throw err;
  }
  s.commit();
}

/** A file being written piece by piece; `commit()` makes it appear whole, `abort()` leaves nothing. */
export interface OutputStream {
  readonly target: OutputTarget;
  /** Bytes written so far. */
  readonly bytes: number;
  write(chunk: string | Uint8Array): void;
  /** Finish: close, and for a regular file rename the temporary file over the target. */
  commit(): void;
  /** Give up: close and remove the temporary file (a stream keeps what it has written). */
  abort(): void;
}

const open = new Set<OutputStream>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Whatever ends the process (an error, process.exit, a second Ctrl-C), no temporary file stays behind.
  process.on('exit', () => { for (const s of [...open]) { try { s.abort(); } catch { /* exiting */ } } });
}

/** Streams opened and neither committed nor aborted (for a signal handler that must close them). */
export function openStreams(): readonly OutputStream[] {
  return [...open];
}

/** Open a checked target (or a path, checked now) for streaming writes. */
export function openOutputStream(out: OutputTarget | string, what = 'output'): OutputStream {
  const t = asTarget(out, what);
  const fail = (err: unknown): OutputError => {
    if (err instanceof OutputError) return err;
    const text = `${pre(t.what)}cannot write '${t.path}': ${why(err)}`;
    return t.kind === 'stream' && (err as NodeJS.ErrnoException)?.code === 'EPIPE' ? new PipeClosedError(text) : new OutputError(text);
  };
  let fd: number;
  let tmp: string | undefined;
  let mode: number | undefined;
  if (t.kind === 'stream') {
    const held = fifoFds.get(t.target)?.shift();
    if (held !== undefined) {
      fd = held;
    } else if (t.target !== '-' && stat(t.target, true)?.isFIFO()) {
      fd = openFifo(t.target, t.path, t.what);
    } else {
      try {
        fd = t.target === '-' ? 1 : openSync(t.target, constants.O_WRONLY | constants.O_APPEND);
      } catch (err) { throw fail(err); }
    }
  } else {
    const existing = stat(t.target, true);
    mode = existing?.isFile() ? existing.mode & 0o7777 : undefined;
    tmp = tempName(dirname(t.target), basename(t.target));
    try {
      fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666);
    } catch (err) { throw fail(err); }
  }
  let done = false;
  let bytes = 0;
  const release = (): void => {
    done = true;
    open.delete(stream);
    if (t.target !== '-') { try { closeSync(fd); } catch { /* already closed */ } }
  };
  const stream: OutputStream = {
    target: t,
    get bytes() { return bytes; },
    write(chunk) {
      if (done) throw new Error(`${pre(t.what)}write after the output was closed`);
      const b = bytesOf(chunk);
      try {
        writeAll(fd, b);
      } catch (err) {
        stream.abort();
        throw fail(err);
      }
      bytes += b.length;
    },
    commit() {
      if (done) return;
      if (tmp === undefined) { release(); return; }
      try {
        fsyncSync(fd);
        if (mode !== undefined) chmodSync(tmp, mode);
      } catch (err) {
        stream.abort();
        throw fail(err);
      }
      release();
      try {
        renameSync(tmp, t.target);
      } catch (err) {
        try { unlinkSync(tmp); } catch { /* gone already */ }
        throw fail(err);
      }
    },
    abort() {
      if (done) return;
      release();
      if (tmp !== undefined) { try { unlinkSync(tmp); } catch { /* gone already */ } }
    },
  };
  open.add(stream);
  installExitHook();
  return stream;
}
