// The one place the flows write files (reports), through the project's output writer (io/output-file.ts): a regular
// file appears whole or not at all (a symlink's target is replaced, the link stays); a device or a FIFO is written
// directly, never replaced by a file.
import { writeOutputFile } from '../../io/output-file.ts';

export function writeWhole(file: string, text: string): void {
  writeOutputFile(file, text, '');
}
