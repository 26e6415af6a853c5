// The one place the flows write files (reports): whole or not at all, through a temporary file renamed over the
// target. (To be switched to the project's shared output module when it exists.)
import { renameSync, rmSync, writeFileSync } from 'node:fs';

export function writeWhole(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
