// A text input read line by line as it comes (a meter's debug log for `osm replay`): a regular file, a FIFO, a device
// or standard input (`-`). Nothing is read whole: a line is handed on as soon as its line feed arrives, and a line
// longer than `maxChars` (a binary capture without line feeds, `/dev/zero`) is cut there and the rest of it skipped,
// so no input can fill the memory. Bytes are read as Latin-1: one character per byte, whatever the input holds.
import { closeSync, createReadStream, fstatSync, openSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { InputFileError, reasonOf } from './input-file.ts';

/** One line without its line feed; or, with `skippedChars`, no line: that many characters of a cut line went by. */
export interface InputLine {
  text: string;
  /** The line went on beyond `maxChars`: `text` is its beginning. */
  tooLong?: boolean;
  skippedChars?: number;
}

/** The lines of a stream of text chunks. A last line without a line feed is a line; nothing after the last line feed is none. */
export async function* linesOf(chunks: AsyncIterable<string | Buffer>, maxChars: number): AsyncGenerator<InputLine> {
  let part = '';
  let cut = false;
  for await (const c of chunks) {
    const s = typeof c === 'string' ? c : c.toString('latin1');
    let from = 0;
    while (from <= s.length) {
      const nl = s.indexOf('\n', from);
      const end = nl < 0 ? s.length : nl;
      if (cut) {
        if (end > from) yield { text: '', skippedChars: end - from };
      } else if (part.length + end - from > maxChars) {
        yield { text: (part + s.slice(from, from + maxChars - part.length)), tooLong: true };
        if (end - from > maxChars - part.length) yield { text: '', skippedChars: end - from - (maxChars - part.length) };
        part = '';
        cut = true;
      } else {
        part += s.slice(from, end);
      }
      if (nl < 0) break;
      if (!cut) yield { text: part };
      part = '';
      cut = false;
      from = nl + 1;
    }
  }
  if (part !== '' && !cut) yield { text: part };
}

/** A line input that a command reads; `rereadable`: a regular file, whose lines can be read again from the start. */
export interface LineInput {
  readonly path: string;
  readonly rereadable: boolean;
  lines(): AsyncGenerator<InputLine>;
}

/**
 * Open `path` (`-`: `stdin`) for reading line by line. A missing file, a directory or a file that cannot be opened is
 * an InputFileError now, before any work.
 */
export function openLineInput(path: string, maxChars: number, stdin: Readable = process.stdin): LineInput {
  if (path === '-') {
    let used = false;
    return {
      path, rereadable: false,
      lines() {
        if (used) throw new Error('standard input is read once');
        used = true;
        return linesOf(stdin as AsyncIterable<Buffer>, maxChars);
      },
    };
  }
  let fd: number;
  try { fd = openSync(path, 'r'); } catch (err) { throw new InputFileError(path, reasonOf(err)); }
  let regular: boolean;
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputFileError(path, 'it is a directory');
    regular = st.isFile();
  } catch (err) {
    closeSync(fd);
    throw err instanceof InputFileError ? err : new InputFileError(path, reasonOf(err));
  }
  // The descriptor opened for the check is the first read's (a FIFO opened twice would wait for a second writer).
  let first: number | null = fd;
  return {
    path, rereadable: regular,
    async *lines() {
      const d = first;
      first = null;
      if (d === null && !regular) throw new Error(`${path} is read once`);
      const stream = d !== null ? createReadStream('', { fd: d, highWaterMark: 1 << 16 }) : createReadStream(path, { highWaterMark: 1 << 16 });
      try {
        yield* linesOf(stream, maxChars);
      } catch (err) {
        throw err instanceof InputFileError ? err : new InputFileError(path, reasonOf(err));
      } finally {
        stream.destroy();
      }
    },
  };
}
