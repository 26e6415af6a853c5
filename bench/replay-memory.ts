// Benchmark: `osm replay` of a long debug log, each replay in a fresh process (the operating system's peak, getrusage
// maxRSS, of the whole command: start-up, reading the log, the twin's run, the report). The log is the twin's own: a
// fixed build with a mute modem through 30 household days (`osm run --debug-log`, about 74 000 lines, 2.6 MB), replayed
// whole and cut to its first week, so the two peaks show whether memory grows with the log's length; the rate is the
// log's lines per second of wall time and per CPU second (on a shared machine the second is the steadier figure).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from './benchmark.ts';

const MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const TUNING = fileURLToPath(new URL('../twin/kernel/heap-tuning.ts', import.meta.url));
const DAYS = 30;

/** A household's days from midnight: a fridge always, a kettle every morning, a heater every evening. */
function householdDays(days: number): string {
  const day = ['  - delay: 7h', '  - set-load: { id: kettle, kind: kettle, watts: 2000 }', '  - delay: 15min', '  - set-load: { id: kettle, remove: true }',
    '  - delay: 645min', '  - set-load: { id: heater, kind: resistive, watts: 1500 }', '  - delay: 3h', '  - set-load: { id: heater, remove: true }', '  - delay: 3h'];
  return ['name: household month', 'version: 1', 'meter: { firmware: fixed, mode: sts, credit: 20000, clock: "2026-03-01T00:00:00" }',
    'plant: { grid: { vrms: 230, hz: 50 }, loads: [ { id: fridge, kind: motor, watts: 150, pf: 0.75 } ] }', 'steps:',
    ...Array.from({ length: days }, () => day).flat()].join('\n') + '\n';
}

/** `osm <args>` in a fresh process, as cli/osm.ts runs it: exit code, wall and CPU seconds, peak RSS, standard output. */
function osm(args: string[]): { code: number; wallS: number; cpuS: number; maxRssMiB: number; out: string } | string {
  const code = `const { tuneHeapForSimulation } = await import(${JSON.stringify(TUNING)}); tuneHeapForSimulation();
const { main } = await import(${JSON.stringify(MAIN)});
const t0 = performance.now();
const code = await main(${JSON.stringify(args)});
const wallS = (performance.now() - t0) / 1000;
const u = process.resourceUsage();
process.stdout.write('\\n' + JSON.stringify({ code, wallS, cpuS: (u.userCPUTime + u.systemCPUTime) / 1e6, maxRssMiB: u.maxRSS / 1024 }));
process.exit(0);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) return `exit ${r.status}: ${(r.stderr || '').split('\n')[0]}`;
  const lines = r.stdout.trim().split('\n');
  return { ...(JSON.parse(lines.pop()!) as { code: number; wallS: number; cpuS: number; maxRssMiB: number }), out: lines.join('\n') };
}

export const REPLAY_MEMORY_BENCHMARK: Benchmark = {
  name: 'replay-memory',
  description: `peak RSS and rate of \`osm replay\` in a fresh process: the twin's own ${DAYS}-day debug log (fixed build, modem mute), its first week and the whole`,
  async run(progress) {
    const dir = mkdtempSync(join(tmpdir(), 'osm-replay-memory-'));
    const out: string[] = [];
    try {
      progress(`the twin's ${DAYS}-day debug log (osm run --debug-log)`);
      const scenario = join(dir, 'month.yaml');
      writeFileSync(scenario, householdDays(DAYS));
      const month = join(dir, 'month.log');
      const made = osm(['run', scenario, '--debug-log', month, '--quiet']);
      if (typeof made === 'string') return [`osm run --debug-log: ${made}`];
      const text = readFileSync(month, 'latin1');
      const week = join(dir, 'week.log');
      const weekLines = text.split('\n').filter((l) => Number(/^\[\s*([\d.]+)\]/.exec(l)?.[1] ?? Infinity) < 7 * 86400);
      writeFileSync(week, weekLines.join('\n') + '\n');
      for (const [label, file] of [['first week', week], [`${DAYS} days`, month]] as const) {
        const lines = readFileSync(file, 'latin1').split('\n').length - 1;
        const bytes = readFileSync(file).length;
        progress(`osm replay of ${label}`);
        const r = osm(['replay', file, '--firmware', 'fixed', '--clock', '2026-03-01T00:00:00']);
        if (typeof r === 'string') { out.push(`${label}: ${r}`); continue; }
        const summary = /summary: .*/.exec(r.out)?.[0] ?? '';
        out.push(`${label} (${lines} lines, ${(bytes / 1e6).toFixed(1)} MB): peak RSS ${r.maxRssMiB.toFixed(0)} MiB, ${(lines / r.wallS).toFixed(0)} lines/s of wall time, `
          + `${(lines / r.cpuS).toFixed(0)} per CPU second (${r.wallS.toFixed(1)} s wall, ${r.cpuS.toFixed(1)} s CPU; exit ${r.code}, ${summary})`);
      }
    } finally { rmSync(dir, { recursive: true, force: true }); }
    return out;
  },
};
