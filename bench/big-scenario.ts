// Benchmark: loading a large generated scenario (a temp file of N steps): the steps parsed in groups (the default
// above 1 MB, scenarios/step-groups.ts) and kept packed as `osm run` keeps them (scenarios/packed-steps.ts), in groups
// kept as step objects, and the whole document at once (how every scenario was read before): wall time, the time to
// the first progress report, and the child process's peak resident memory (getrusage maxRSS).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from './benchmark.ts';

const LOADER = fileURLToPath(new URL('../scenarios/loader.ts', import.meta.url));

function scenarioText(steps: number): string {
  const out = ['name: big', 'version: 1', 'meter: { credit: 100000 }', 'plant: { grid: { vrms: 240, hz: 50 } }', 'steps:'];
  for (let i = 0; i < steps; i++) {
    out.push(i % 3 === 0 ? `  - set-load: { id: heater, watts: ${100 + (i % 2000)}, pf: 1 }` : i % 3 === 1 ? '  - delay: 2s' : '  - expect: { relay: closed }');
  }
  return `${out.join('\n')}\n`;
}

/** Load `file` in a child process; its load time, first progress and peak RSS. */
type Mode = 'packed' | 'grouped' | 'whole';
const OPTIONS: Record<Mode, string> = { packed: 'packSteps: true, ', grouped: '', whole: 'streamAboveChars: Infinity, ' };

function load(file: string, mode: Mode): { ms: number; firstMs: number | null; maxRssMiB: number; steps: number } | string {
  const code = `const m = await import(${JSON.stringify(LOADER)}); const t = performance.now(); let first = null;
const s = await m.loadScenario(${JSON.stringify(file)}, { ${OPTIONS[mode]}onProgress: () => { first ??= performance.now() - t; } });
process.stdout.write(JSON.stringify({ ms: performance.now() - t, firstMs: first, maxRssMiB: process.resourceUsage().maxRSS / 1024, steps: s.packed?.length ?? s.steps.length }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return `exit ${r.status}: ${(r.stderr || '').split('\n')[0]}`;
  return JSON.parse(r.stdout) as { ms: number; firstMs: number | null; maxRssMiB: number; steps: number };
}

export const BIG_SCENARIO_BENCHMARK: Benchmark = {
  name: 'big-scenario',
  description: 'load a generated 200 000-step scenario (about 6 MB): steps parsed in groups and kept packed (osm run), in groups kept as objects, and the whole document at once',
  async run(progress) {
    const dir = mkdtempSync(join(tmpdir(), 'osm-big-'));
    const out: string[] = [];
    try {
      const file = join(dir, 'big.yaml');
      const text = scenarioText(200_000);
      writeFileSync(file, text);
      const what: Record<Mode, string> = {
        packed: 'in groups of 2000 steps, kept packed (osm run)',
        grouped: 'in groups of 2000 steps, kept as objects',
        whole: 'whole document at once',
      };
      for (const mode of ['packed', 'grouped', 'whole'] as const) {
        progress(what[mode]);
        const r = load(file, mode);
        out.push(typeof r === 'string'
          ? `${what[mode]}: ${r}`
          : `${what[mode]}: ${r.steps} steps of ${(text.length / 1e6).toFixed(1)} MB in ${(r.ms / 1000).toFixed(1)} s, first progress after ${r.firstMs === null ? 'none' : `${(r.firstMs / 1000).toFixed(1)} s`}, peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
      }
    } finally { rmSync(dir, { recursive: true, force: true }); }
    return out;
  },
};
