// The meter's debug port as a time-stamped text log (scenarios/field-log.ts format), recorded from a bench's trace,
// and the one function that writes a text output file (whole or not at all; only a regular file is replaced).
import { renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import type { BenchControl } from '../twin/kernel/bench-types.ts';
import { formatLogLine } from '../scenarios/field-log.ts';
import { UsageError } from './command.ts';

/** Start recording the debug port's lines; the returned function gives the log so far. */
export function recordDebugLog(bench: BenchControl): () => string {
  const lines: string[] = [];
  bench.trace.subscribe((ev) => {
    if (ev.source !== 'meter' || ev.kind !== 'serial') return;
    const d = ev.data as { port?: string; line?: string };
    if (d.port === 'debug' && typeof d.line === 'string') lines.push(formatLogLine(ev.t, d.line));
  });
  return () => (lines.length ? `${lines.join('\n')}\n` : '');
}

/** Refuse, before any work, a path that is not a regular file (a directory, a device) or whose folder is missing. */
export function checkTextOutput(path: string, option: string): void {
  let st;
  try { st = statSync(path); } catch { st = null; }
  if (st && !st.isFile()) throw new UsageError(`${option}: '${path}' exists and is not a regular file`);
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, '');
    unlinkSync(tmp);
  } catch (err) {
    throw new UsageError(`${option}: cannot write '${path}': ${(err as Error).message}`);
  }
}

/** Write `text` whole: a temporary file renamed into place. */
export function writeTextFile(path: string, text: string, option: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (err) {
    try { unlinkSync(tmp); } catch { /* nothing left */ }
    throw new UsageError(`${option}: cannot write '${path}': ${(err as Error).message}`);
  }
}
