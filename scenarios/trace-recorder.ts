// Records every event of a TraceBus as JSONL: one `traceLine` (twin/kernel/trace.ts: keys t, source, kind, data in
// that order) per line, buffered. The same scenario and seed give a byte-identical file.
//
// A file is written whole or not at all (io/output-file.ts): close() makes it appear under its name, abort()
// leaves nothing; a device or a pipe is streamed to directly.
import { checkOutputPath, openOutputStream, type OutputTarget } from '../io/output-file.ts';
import { traceLine, type TraceBus, type TraceEvent } from '../twin/kernel/trace.ts';

/** Where recorded text goes. */
export interface TraceSink {
  write(chunk: string): void;
  /** Called once after the last write; `keep` is false when the recording was aborted. */
  close(keep: boolean): void;
}

export interface TraceRecorderOptions {
  /** Hand the buffer to the sink once it holds this many characters (default 64 Ki). */
  flushChars?: number;
}

/**
 * A sink writing `path` through io/'s output stream: a regular file is written to a temporary file renamed into
 * place on a kept close (removed on abort); a device, a FIFO or `-` is written directly. Throws an OutputError (exit
 * 2) when the path cannot be written.
 */
export function fileSink(path: string | OutputTarget): TraceSink {
  const out = openOutputStream(typeof path === 'string' ? checkOutputPath(path, '--trace') : path);
  return {
    write(chunk) { out.write(chunk); },
    close(keep) {
      if (keep) out.commit();
      else out.abort();
    },
  };
}

export class TraceRecorder {
  readonly #sink: TraceSink;
  readonly #flushChars: number;
  readonly #unsubscribe: () => void;
  #buffer: string[] = [];
  #buffered = 0;
  #closed = false;
  /** Events recorded so far. */
  events = 0;

  constructor(bus: TraceBus, sink: TraceSink, opts: TraceRecorderOptions = {}) {
    this.#sink = sink;
    this.#flushChars = opts.flushChars ?? 65536;
    this.#unsubscribe = bus.subscribe((ev) => this.#record(ev));
  }

  /** Record `bus` into the file at `path` (throws a clear Error if it cannot be created). */
  static toFile(bus: TraceBus, path: string, opts?: TraceRecorderOptions): TraceRecorder {
    return new TraceRecorder(bus, fileSink(path), opts);
  }

  #record(ev: TraceEvent): void {
    if (this.#closed) return;
    const line = `${traceLine(ev)}\n`;
    this.#buffer.push(line);
    this.#buffered += line.length;
    this.events++;
    if (this.#buffered >= this.#flushChars) this.flush();
  }

  /**
   * Hand buffered lines to the sink. A write that fails (a full disk, a reader that closed the pipe) throws its
   * error once and ends the recording: the sink has given up the file, so a later close() or abort() has nothing
   * left to do and must not hide that error behind one of its own.
   */
  flush(): void {
    if (this.#buffer.length === 0) return;
    const chunk = this.#buffer.join('');
    this.#buffer = [];
    this.#buffered = 0;
    try {
      this.#sink.write(chunk);
    } catch (err) {
      this.#closed = true;
      this.#unsubscribe();
      throw err;
    }
  }

  /** Stop recording, flush, and keep the file. */
  close(): void {
    if (this.#closed) return;
    this.#unsubscribe();
    this.flush();
    this.#closed = true;
    this.#sink.close(true);
  }

  /** Stop recording and discard the file. */
  abort(): void {
    if (this.#closed) return;
    this.#unsubscribe();
    this.#buffer = [];
    this.#closed = true;
    this.#sink.close(false);
  }
}
