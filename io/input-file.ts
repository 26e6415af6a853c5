// Reading a file the user names (a scenario, an EEPROM dump, a vectors file) so that no name can hang the command:
// a directory is refused, and whatever the name is (a regular file, a FIFO, `/dev/zero`, `/dev/stdin`) at most
// `maxBytes` are read: a larger input is refused with its limit instead of filling the memory.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** An input that cannot be read; `reason` is the part after "cannot read 'path': ". */
export class InputFileError extends Error {
  override readonly name = 'InputFileError';
  constructor(readonly path: string, readonly reason: string) {
    super(`cannot read '${path}': ${reason}`);
  }
}

/** Why an input cannot be read, in words. */
export function reasonOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  if (code === 'ELOOP') return 'too many levels of symbolic links (a link loop?)';
  if (code === 'ENAMETOOLONG') return 'the file name is too long';
  if (code === 'EIO') return 'input/output error';
  return code ?? String((err as Error)?.message ?? err);
}

function size(n: number): string {
  return n >= 1 << 20 ? `${n / (1 << 20)} MB` : n >= 1024 ? `${n / 1024} KB` : `${n} bytes`;
}

/** A schematic sheet is text of at most 64 MB (the board's own is 0.4 MB). */
export function readSchematicText(path: string): string {
  return readInputFile(path, 64 << 20).toString('utf8');
}

/** Read at most `maxBytes` of `path`; more is an InputFileError saying the limit. */
export function readInputFile(path: string, maxBytes: number): Buffer {
  let fd: number;
  try { fd = openSync(path, 'r'); } catch (err) { throw new InputFileError(path, reasonOf(err)); }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputFileError(path, 'it is a directory');
    if (st.isFile() && st.size > maxBytes) throw new InputFileError(path, `it is larger than ${size(maxBytes)}`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
      let n: number;
      try { n = readSync(fd, buf, 0, buf.length, null); } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        throw new InputFileError(path, reasonOf(err));
      }
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > maxBytes) throw new InputFileError(path, `it is larger than ${size(maxBytes)}`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}
