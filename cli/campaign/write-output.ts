// Writing a campaign's output file (`osm run --junit FILE`): checked before any work starts, written whole or not at
// all. PRIVATE TO THE CAMPAIGN: to be replaced by the project-wide safe writer of cli/io/ (issue 18) when it is on
// main; keep every write of the campaign going through these two functions so that the switch is one import.
import { accessSync, constants, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../command.ts';

function statOrUndefined(path: string): Stats | undefined {
  try { return statSync(path); } catch { return undefined; }
}

/** A character device (`/dev/stdout`, a tty) or a FIFO: written directly, never replaced. */
function isStream(st: Stats): boolean {
  return st.isCharacterDevice() || st.isFIFO();
}

/**
 * Refuse, with one clear line (a UsageError: exit 2), a path the output cannot be written to: a folder, a path
 * whose folder does not exist or cannot be written, anything but a regular file, a device or a FIFO.
 */
export function checkOutputPath(option: string, path: string): void {
  const st = statOrUndefined(path);
  if (st?.isDirectory()) throw new UsageError(`${option}: '${path}' is a folder (give a file name, e.g. ${join(path, 'junit.xml')})`);
  if (st && isStream(st)) {
    try { accessSync(path, constants.W_OK); } catch { throw new UsageError(`${option}: '${path}' cannot be written (no permission)`); }
    return;
  }
  if (st && !st.isFile()) throw new UsageError(`${option}: '${path}' is neither a regular file nor a device or pipe`);
  const dir = dirname(resolve(path));
  const ds = statOrUndefined(dir);
  if (!ds) throw new UsageError(`${option}: cannot write '${path}': the folder '${dirname(path)}' does not exist`);
  if (!ds.isDirectory()) throw new UsageError(`${option}: cannot write '${path}': '${dirname(path)}' is not a folder`);
  try { accessSync(dir, constants.W_OK | constants.X_OK); } catch {
    throw new UsageError(`${option}: cannot write '${path}': the folder '${dirname(path)}' is not writable`);
  }
}

/**
 * Write `text` to `path`: a regular file (new or existing) through a temporary file in the same folder renamed over
 * it, so a reader never sees half a file; a character device or FIFO directly.
 */
export function writeOutput(path: string, text: string): void {
  const st = statOrUndefined(path);
  if (st && isStream(st)) { writeFileSync(path, text); return; }
  const tmp = join(dirname(resolve(path)), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (err) {
    try { unlinkSync(tmp); } catch { /* not created */ }
    throw err;
  }
}
