// The folder of the installed package (where scenarios/library lives). This module is two folders below the root
// both as TypeScript source (flows/lib/) and compiled for stock Node-RED (flows/dist/).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}
