// The scenarios a dashboard user can pick: every `*.yaml` under the library folder, named by its path without the
// extension (`sts-tokens`, `opaygo/g04-reuse`). A name from a client is only ever looked up in this list, never
// joined onto a path.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_LIBRARY_DIR = fileURLToPath(new URL('../scenarios/library/', import.meta.url));

export interface LibraryEntry { name: string; file: string }

export function listScenarios(dir: string = DEFAULT_LIBRARY_DIR): LibraryEntry[] {
  const out: LibraryEntry[] = [];
  const walk = (d: string): void => {
    let names: string[];
    try { names = readdirSync(d).sort(); } catch { return; }
    for (const n of names) {
      if (n.startsWith('.')) continue;
      const full = join(d, n);
      let st;
      try { st = statSync(full); } catch { continue; }
      if (st.isDirectory()) walk(full);
      else if (n.endsWith('.yaml') || n.endsWith('.yml')) {
        out.push({ name: relative(dir, full).split(sep).join('/').replace(/\.ya?ml$/, ''), file: full });
      }
    }
  };
  walk(dir);
  // top-level scenarios first, then the folders
  return out.sort((a, b) => Number(a.name.includes('/')) - Number(b.name.includes('/')) || a.name.localeCompare(b.name));
}
