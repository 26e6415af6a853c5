// The meter's debug port as a time-stamped text log (scenarios/field-log.ts format), recorded from a bench's trace.
// The log is written through io/output-file.ts like every other output (`osm run --debug-log`, `osm replay --twin-log`).
import type { BenchControl } from '../twin/kernel/bench-types.ts';
import { formatLogLine } from '../scenarios/field-log.ts';

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
