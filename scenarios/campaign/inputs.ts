// The scenario files of a campaign, from what the user typed: files, folders (every *.yaml / *.yml below them,
// sub-folders included) and patterns (glob.ts). Each argument expands in sorted order; arguments keep the order they
// were given in; a file named twice runs once. An argument that names nothing is a problem of the campaign, reported
// with the others, not a reason to stop.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GlobError, byCodeUnit, expandGlob, isPattern } from './glob.ts';
import { reasonOf } from '../../io/input-file.ts';

export const SCENARIO_EXTENSIONS = ['.yaml', '.yml'] as const;

export function isScenarioFileName(name: string): boolean {
  return SCENARIO_EXTENSIONS.some((ext) => name.endsWith(ext));
}

/** An argument that names no scenario file. */
export interface InputProblem {
  /** The argument as typed. */
  input: string;
  message: string;
}

/** In the order of the arguments: a scenario file to load, or an argument that named none. */
export type InputEntry = { file: string } | { problem: InputProblem };

function statOf(path: string): ReturnType<typeof statSync> | undefined {
  try { return statSync(path); } catch { return undefined; }
}

/** Why a path that stat cannot follow is not read: most often it does not exist; a link loop or a locked folder says so. */
function whyNoStat(path: string): string {
  try { statSync(path); } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return reasonOf(err);
  }
  return 'no such file or folder';
}

/** Every scenario file below a folder, sorted by path (hidden entries skipped). */
export function scenarioFilesIn(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let names: string[];
    try { names = readdirSync(d); } catch { return; }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const full = join(d, name);
      const st = statOf(full);
      if (st?.isDirectory()) walk(full);
      else if (st?.isFile() && isScenarioFileName(name)) out.push(full);
    }
  };
  walk(dir);
  return out.sort(byCodeUnit);
}

/** How scenarioFilesOfMatches sees the file system (a test gives its own). */
export interface MatchLister {
  /** 'folder', 'file' or undefined (gone, or neither). */
  kind(path: string): 'folder' | 'file' | undefined;
  /** Every scenario file below a folder. */
  filesIn(dir: string): readonly string[];
}

const FILE_SYSTEM: MatchLister = {
  kind: (path) => { const st = statOf(path); return st?.isDirectory() ? 'folder' : st?.isFile() ? 'file' : undefined; },
  filesIn: scenarioFilesIn,
};

/**
 * The scenario files a pattern's matches give, sorted: every scenario file below a matched folder, and a matched
 * scenario file itself. Collected one by one: a folder of more than about 120k files overflowed the stack when its
 * list was spread into push().
 */
export function scenarioFilesOfMatches(matched: readonly string[], fs: MatchLister = FILE_SYSTEM): string[] {
  const found: string[] = [];
  for (const m of matched) {
    const kind = fs.kind(m);
    if (kind === 'folder') { for (const f of fs.filesIn(m)) found.push(f); }
    else if (kind === 'file' && isScenarioFileName(m)) found.push(m);
  }
  return found.sort(byCodeUnit);
}

/** True when `arg` names one existing regular file (what `osm run <scenario.yaml>` has always taken). */
export function isSingleFile(arg: string): boolean {
  return statOf(arg)?.isFile() === true;
}

export function expandInputs(args: readonly string[]): InputEntry[] {
  const out: InputEntry[] = [];
  const seen = new Set<string>();
  const problem = (input: string, message: string): void => { out.push({ problem: { input, message } }); };
  const add = (f: string): void => {
    const key = join(f);
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ file: f });
  };
  for (const arg of args) {
    const st = statOf(arg);
    if (st?.isDirectory()) {
      const found = scenarioFilesIn(arg);
      if (found.length === 0) problem(arg, 'no scenario files (*.yaml, *.yml) in this folder');
      found.forEach(add);
    } else if (st) {
      add(arg);
    } else if (isPattern(arg)) {
      let matched: string[];
      try {
        matched = expandGlob(arg);
      } catch (err) {
        if (!(err instanceof GlobError)) throw err;
        problem(arg, `invalid pattern: ${err.message}`);
        continue;
      }
      const found = scenarioFilesOfMatches(matched);
      if (found.length === 0) problem(arg, 'no scenario file (*.yaml, *.yml) matches this pattern');
      found.forEach(add);
    } else {
      problem(arg, `cannot read the scenario: ${whyNoStat(arg)}`);
    }
  }
  return out;
}
