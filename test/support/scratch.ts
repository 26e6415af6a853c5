// Scratch folders for tests: made in the temporary folder, removed when the test process exits (a test that fails
// half-way leaves nothing behind either).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
process.on('exit', () => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

/** A new empty folder `<tmpdir>/<prefix>XXXXXX`, removed at exit. */
export function scratchDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}
