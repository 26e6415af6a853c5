// Benchmark: the CPU time `osm` takes to answer, as a user waits for it: `osm --help`, `osm sts generate` and a heavy
// command's help. Each runs in a child process (`node cli/osm.js ...`, as `npx osm` does); its CPU time, and that of
// every process it waited for (tsx's esbuild service), is read from this process's cutime/cstime in /proc/self/stat,
// as /usr/bin/time reports it. Target: under 0.5 s of CPU.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from './benchmark.ts';

const OSM = fileURLToPath(new URL('../cli/osm.js', import.meta.url));
const RUNS = 5;
/** Clock ticks per second of /proc times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** CPU seconds of this process's waited-for children so far (cutime + cstime), or null without /proc. */
export function childrenCpuS(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces) in parentheses; cutime and cstime are fields 16 and 17.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / USER_HZ;
  } catch {
    return null;
  }
}

/** CPU and wall seconds of one `osm ARGS` run. */
function measure(args: string[], env: Record<string, string> = {}): { cpuS: number | null; wallS: number; status: number | null } {
  const c0 = childrenCpuS();
  const w0 = performance.now();
  const r = spawnSync(process.execPath, [OSM, ...args], { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, ...env } });
  const wallS = (performance.now() - w0) / 1000;
  const c1 = childrenCpuS();
  return { cpuS: c0 === null || c1 === null ? null : c1 - c0, wallS, status: r.status };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export const CLI_STARTUP_BENCHMARK: Benchmark = {
  name: 'cli-startup',
  description: `CPU time of osm --help, osm sts generate (prebuilt and through tsx) and osm accuracy --help in a child process (median of ${RUNS})`,
  async run(progress) {
    const out: string[] = [];
    // The light commands run from cli/dist/ (built at npm install); build it now if the sources changed since.
    const { lightBundleSpec } = await import('../cli/light.ts');
    const { bundleStale } = await import('../io/bundle.ts');
    const root = fileURLToPath(new URL('..', import.meta.url));
    if (bundleStale(lightBundleSpec(root))) {
      progress('building the light commands (cli/build.ts)');
      await (await import('../cli/build.ts')).buildLightCommands();
    }
    const cases: { args: string[]; env?: Record<string, string>; note?: string }[] = [
      { args: ['--help'] },
      { args: ['sts', 'generate', '--amount', '500'] },
      { args: ['opaygo', 'generate', '--help'] },
      { args: ['sts', 'generate', '--amount', '500'], env: { OSM_NO_BUNDLE: '1' }, note: ' (sources through tsx, no bundle)' },
      { args: ['accuracy', '--help'] },
      { args: ['--version'] },
    ];
    for (const { args, env, note = '' } of cases) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) {
        progress(`osm ${args.join(' ')}${note} (${i + 1}/${RUNS})`);
        runs.push(measure(args, env));
      }
      const name = `osm ${args.join(' ')}${note}`;
      if (runs.some((r) => r.status !== 0)) { out.push(`${name}: exited ${runs.map((r) => r.status).join(', ')}`); continue; }
      const cpu = runs.map((r) => r.cpuS);
      const wall = median(runs.map((r) => r.wallS));
      out.push(cpu.includes(null)
        ? `${name}: wall ${wall.toFixed(2)} s (CPU not measurable here: no /proc)`
        : `${name}: CPU ${median(cpu as number[]).toFixed(2)} s (target < 0.5 s), wall ${wall.toFixed(2)} s`);
    }
    return out;
  },
};

/** The terminal demo's pacing: the speed it reaches when asked for more than 40x (a fixed 20 ms timer per frame capped it there). */
export const DEMO_SPEED_BENCHMARK: Benchmark = {
  name: 'demo-speed',
  description: 'osm demo --speed 400 for 10 simulated minutes after boot: the speed reached (the machine permitting)',
  async run(progress) {
    const { runDemoCommand } = await import('../cli/commands/demo-run.ts');
    const { Readable } = await import('node:stream');
    const io = { stdout: { write: () => true, isTTY: false }, stderr: { write: () => true } };
    const out: string[] = [];
    for (const speed of ['400', 'max']) {
      progress(`--speed ${speed}`);
      const w0 = performance.now();
      await runDemoCommand(['--speed', speed, '--duration', '630'], io, Readable.from([]) as unknown as NodeJS.ReadStream);
      const wallS = (performance.now() - w0) / 1000;
      out.push(`--speed ${speed}: 630 simulated s in ${wallS.toFixed(2)} s of wall time, x${(630 / wallS).toFixed(0)}`);
    }
    return out;
  },
};
