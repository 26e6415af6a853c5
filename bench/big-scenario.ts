// Benchmark: loading a large generated scenario (a temp file of N steps), the steps parsed in groups (the default
// above 1 MB, scenarios/step-groups.ts) against the whole document at once (how every scenario was read before):
// wall time, the time to the first progress report, and the child process's peak resident memory (getrusage maxRSS).
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
function load(file: string, whole: boolean): { ms: number; firstMs: number | null; maxRssMiB: number; steps: number } | string {
  const code = `const m = await import(${JSON.stringify(LOADER)}); const t = performance.now(); let first = null;
const s = await m.loadScenario(${JSON.stringify(file)}, { ${whole ? 'streamAboveChars: Infinity, ' : ''}onProgress: () => { first ??= performance.now() - t; } });
process.stdout.write(JSON.stringify({ ms: performance.now() - t, firstMs: first, maxRssMiB: process.resourceUsage().maxRSS / 1024, steps: s.steps.length }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return `exit ${r.status}: ${(r.stderr || '').split('\n')[0]}`;
  return JSON.parse(r.stdout) as { ms: number; firstMs: number | null; maxRssMiB: number; steps: number };
}

export const BIG_SCENARIO_BENCHMARK: Benchmark = {
  name: 'big-scenario',
  description: 'load a generated 200 000-step scenario (about 6 MB): steps parsed in groups against the whole document at once',
  async run(progress) {
    const dir = mkdtempSync(join(tmpdir(), 'osm-big-'));
    const out: string[] = [];
    try {
      const file = join(dir, 'big.yaml');
      const text = scenarioText(200_000);
      writeFileSync(file, text);
      for (const whole of [false, true]) {
        const what = whole ? 'whole document at once (before)' : 'in groups of 2000 steps';
        progress(what);
        const r = load(file, whole);
        out.push(typeof r === 'string'
          ? `${what}: ${r}`
          : `${what}: ${r.steps} steps of ${(text.length / 1e6).toFixed(1)} MB in ${(r.ms / 1000).toFixed(1)} s, first progress after ${r.firstMs === null ? 'none' : `${(r.firstMs / 1000).toFixed(1)} s`}, peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
      }
    } finally { rmSync(dir, { recursive: true, force: true }); }
    return out;
  },
};
