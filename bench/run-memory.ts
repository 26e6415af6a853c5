// Benchmark: the peak resident memory of `osm run` on single-meter days, each in a fresh process (the operating
// system's peak, getrusage maxRSS, of the whole run: start-up, the TypeScript loader, the run, the report), against
// the target of 150 MiB for a single-meter day. A benchmark inside `npm run bench` cannot give this figure: the
// process holds every earlier benchmark's memory, and a timer cannot sample while a simulation holds the event loop.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from './benchmark.ts';

const MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const TUNING = fileURLToPath(new URL('../twin/kernel/heap-tuning.ts', import.meta.url));
/** Target for a single-meter day's peak RSS. */
const DAY_TARGET_MIB = 150;

/** A household day from midnight (fridge, a kettle in the morning, a heater in the evening), then `days - 1` more. */
function dayScenario(name: string, firmware: 'field' | 'fixed', connected: boolean, days: number, mode = 'sts'): string {
  return `name: ${name}
version: 1
meter: { firmware: ${firmware}, mode: ${mode}, credit: 20000, clock: "2026-03-01T00:00:00" }
plant: { grid: { vrms: 240, hz: 50 }, loads: [ { id: house, kind: resistive, watts: 300, pf: 1 } ] }
${connected ? 'network: {}\n' : ''}steps:
  - set-load: { id: fridge, kind: motor, watts: 150, pf: 0.75 }
  - delay: 6h
  - set-load: { id: kettle, kind: kettle, watts: 2000 }
  - delay: 20min
  - set-load: { id: kettle, remove: true }
  - delay: 700min
  - set-load: { id: heater, kind: resistive, watts: 1500 }
  - delay: 4h
  - set-load: { id: heater, remove: true }
  - delay: ${2 + (days - 1) * 24}h
`;
}

interface Case { label: string; firmware: 'field' | 'fixed'; connected: boolean; days: number; mode?: string }

const CASES: Case[] = [
  { label: 'field day, modem mute (frozen from 23:00)', firmware: 'field', connected: false, days: 1 },
  { label: 'field day, modem connected (GPRS cycle, backend, 23:00 telemetry)', firmware: 'field', connected: true, days: 1 },
  // The OpenPAYGO modes flood the modem line (D39) and never read its replies: held replies once grew without bound.
  { label: 'field day in OpenPAYGO energy mode, modem connected', firmware: 'field', connected: true, days: 1, mode: 'opaygo-energy' },
  { label: 'fixed day, modem mute', firmware: 'fixed', connected: false, days: 1 },
  { label: '30 field days, modem mute', firmware: 'field', connected: false, days: 30 },
];

/** `osm run -q FILE` in a fresh process, as cli/osm.ts runs it; its exit code, CPU seconds and peak RSS. */
function osmRun(file: string): { code: number; cpuS: number; maxRssMiB: number } | string {
  const code = `const { tuneHeapForSimulation } = await import(${JSON.stringify(TUNING)}); tuneHeapForSimulation();
const { main } = await import(${JSON.stringify(MAIN)});
const code = await main(['run', '-q', ${JSON.stringify(file)}]);
const u = process.resourceUsage();
process.stdout.write('\\n' + JSON.stringify({ code, cpuS: (u.userCPUTime + u.systemCPUTime) / 1e6, maxRssMiB: u.maxRSS / 1024 }));
process.exit(0);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return `exit ${r.status}: ${(r.stderr || '').split('\n')[0]}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { code: number; cpuS: number; maxRssMiB: number };
}

export const RUN_MEMORY_BENCHMARK: Benchmark = {
  name: 'run-memory',
  description: `peak RSS of \`osm run\` in a fresh process: a field day with the modem mute and connected (STS and OpenPAYGO), a fixed day, 30 days (target < ${DAY_TARGET_MIB} MiB for a single-meter day)`,
  async run(progress) {
    const dir = mkdtempSync(join(tmpdir(), 'osm-run-memory-'));
    const out: string[] = [];
    try {
      for (const c of CASES) {
        progress(c.label);
        const file = join(dir, `${c.firmware}-${c.mode ?? 'sts'}-${c.connected ? 'connected' : 'mute'}-${c.days}d.yaml`);
        writeFileSync(file, dayScenario(c.label, c.firmware, c.connected, c.days, c.mode));
        const r = osmRun(file);
        out.push(typeof r === 'string' ? `${c.label}: ${r}`
          : `${c.label}: peak RSS ${r.maxRssMiB.toFixed(0)} MiB (${(r.maxRssMiB / DAY_TARGET_MIB).toFixed(2)} of the ${DAY_TARGET_MIB} MiB target; `
            + `${r.cpuS.toFixed(1)} s CPU${r.code === 0 ? '' : `, osm run exit ${r.code}`})`);
      }
    } finally { rmSync(dir, { recursive: true, force: true }); }
    return out;
  },
};
