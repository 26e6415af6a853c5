// What osm-scenario runs: the scenario library (all of it, or the files whose path matches), one file, or YAML
// written in the node. Each scenario runs on a fresh meter of its own (its `meter:` and `plant:` sections), with
// the seed of the flow's meter, as `osm run` would run it: on the twin, or on the rig board the flow's meter targets
// (`osm run --board emulated|johnny-five`).
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { formatTime } from '../../twin/kernel/clock.ts';
import { ScenarioError, loadScenario, parseScenario } from '../../scenarios/loader.ts';
import { runScenario, type ScenarioResult } from '../../scenarios/runner.ts';
import type { Scenario } from '../../scenarios/schema.ts';
import type { Bench } from '../../twin/kernel/bench.ts';
import { openBench } from './meter-session.ts';
import type { MeterSetup } from './meter-settings.ts';
import { packageRoot } from './package-root.ts';
import { NodeInputError } from './step-parse.ts';
import type { Verdict } from './verdict.ts';
import { plural } from '../../io/plural.ts';

export interface ScenarioNodeSettings {
  /** `library`, `file` or `inline`. */
  source?: string;
  /** With `library`: a regular expression (or plain text) the file's path in the library must match; blank: all. */
  match?: string;
  /** With `file`: a path, absolute or relative to the working folder of Node-RED (`osm flow run`: the shell's). */
  file?: string;
  /** With `inline`: the scenario's YAML. */
  yaml?: string;
}

/** A scenario to run: a file path, or inline text with its label. */
export type ScenarioItem = { file: string } | { inline: string; label: string };

export function libraryDir(): string { return join(packageRoot(), 'scenarios', 'library'); }

function yamlFiles(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) yamlFiles(full, out);
    else if (/\.ya?ml$/.test(name)) out.push(full);
  }
  return out;
}

function matcher(text: string): (s: string) => boolean {
  try {
    const re = new RegExp(text);
    return (s) => re.test(s);
  } catch {
    return (s) => s.includes(text);
  }
}

/**
 * The scenarios a node's settings select. `payload` may replace them: a path (`.yaml`), YAML text (several lines),
 * or a list of paths. Throws NodeInputError when nothing is selected or a file is missing.
 */
export function scenarioItems(s: ScenarioNodeSettings, payload?: unknown, cwd = process.cwd()): ScenarioItem[] {
  const asFile = (p: string): ScenarioItem => {
    const full = isAbsolute(p) ? p : resolve(cwd, p);
    let ok = false;
    try { ok = statSync(full).isFile(); } catch { ok = false; }
    if (!ok) throw new NodeInputError(`file: no scenario file at '${p}'`);
    return { file: full };
  };
  if (typeof payload === 'string' && payload.trim() !== '') {
    return payload.includes('\n') ? [{ inline: payload, label: 'msg.scenario' }] : [asFile(payload.trim())];
  }
  if (Array.isArray(payload) && payload.length > 0) {
    return payload.map((p) => {
      if (typeof p !== 'string') throw new NodeInputError('msg.scenario: expected scenario paths (strings)');
      return asFile(p);
    });
  }
  const source = (s.source ?? '').trim() || 'library';
  if (source === 'library') {
    const dir = libraryDir();
    const all = yamlFiles(dir, []);
    const m = (s.match ?? '').trim();
    const picked = m === '' ? all : all.filter((f) => matcher(m)(relative(dir, f)));
    if (picked.length === 0) throw new NodeInputError(`match: no library scenario matches '${m}' (the library has ${all.map((f) => relative(dir, f)).join(', ')})`);
    return picked.map((file) => ({ file }));
  }
  if (source === 'file') {
    if (!s.file || s.file.trim() === '') throw new NodeInputError('file: give the path of a scenario file');
    return [asFile(s.file.trim())];
  }
  if (source === 'inline') {
    if (!s.yaml || s.yaml.trim() === '') throw new NodeInputError('yaml: write the scenario');
    try {
      parseScenario(s.yaml, 'inline');
    } catch (err) {
      if (err instanceof ScenarioError) throw new NodeInputError(`yaml: ${err.message}`);
      throw err;
    }
    return [{ inline: s.yaml, label: 'inline' }];
  }
  throw new NodeInputError(`source: expected library, file or inline, got '${source}'`);
}

export interface ScenarioRun { result?: ScenarioResult; verdict: Verdict }

/**
 * Run one scenario on a fresh meter: the twin, or the board `target` names (its firmware and plant are the
 * scenario's). An invalid scenario, or a board that cannot be opened, gives an `error` verdict, not an exception.
 */
export async function runScenarioItem(item: ScenarioItem, seed: number, suite: string, source: Verdict['source'], target: Pick<MeterSetup, 'board'> | null = null): Promise<ScenarioRun> {
  const label = 'file' in item ? relativeLabel(item.file) : item.label;
  let scenario: Scenario;
  try {
    scenario = 'file' in item ? await loadScenario(item.file) : parseScenario(item.inline, item.label);
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return { verdict: { suite, name: label, status: 'error', message: `invalid scenario: ${err.message}`, timeUs: 0, durationUs: 0, source } };
  }
  const name = `${scenario.name} (${label})`;
  let bench: Bench;
  try {
    bench = await openBench(target?.board ?? null, {
      meter: scenario.meter, plant: scenario.plant, seed, speed: 'max', ...(scenario.network ? { network: scenario.network } : {}),
    });
  } catch (err) {
    return { verdict: { suite, name, status: 'error', message: (err as Error).message, timeUs: 0, durationUs: 0, source } };
  }
  try {
    const result = await runScenario(scenario, bench, { seed });
    const f = result.failure;
    const details = result.steps.filter((o) => o.status !== 'not-run').map((o) => `${o.status === 'ok' ? 'ok  ' : 'FAIL'} ${o.step}. ${o.name ?? o.text}`);
    return {
      result,
      verdict: {
        suite,
        name,
        status: result.status,
        message: f ? `step ${f.step}${f.stepName ? ` (${f.stepName})` : ''} at ${f.time}: ${f.reason}` : `${plural(result.checks.held, 'check')} held in ${formatTime(result.endUs)}`,
        timeUs: result.endUs,
        durationUs: result.endUs,
        details,
        source,
      },
    };
  } catch (err) {
    return { verdict: { suite, name, status: 'error', message: (err as Error).message, timeUs: bench.now(), durationUs: bench.now(), source } };
  } finally {
    await bench.close();
  }
}

function relativeLabel(file: string): string {
  const lib = libraryDir();
  const r = relative(lib, file);
  return r.startsWith('..') ? file : `library/${r}`;
}
