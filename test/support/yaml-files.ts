// Every scenario file (*.yaml, *.yml) below a folder, sorted by path: what the tests run over the library and fixtures.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...yamlFiles(join(dir, e.name)));
    else if (/\.ya?ml$/.test(e.name)) out.push(join(dir, e.name));
  }
  return out.sort();
}
