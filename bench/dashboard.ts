// The dashboard under load: one served meter (field firmware, waveform fidelity, household profile) paced at 60x for
// 60 simulated minutes, once with no client and once with 20 websocket clients (in a child process, reading every
// state, LCD, trend and waveform message as a browser does). Reports the achieved simulation rate of both runs
// (target: with clients at most 10 % slower), the server process's CPU time per simulated minute, and its peak
// memory during the loaded run.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { OsmServer } from '../dashboard/server.ts';
import type { Benchmark } from './benchmark.ts';

const SPEED = 60;
const SIM_US = 60 * 60e6;
const CLIENTS = 20;

interface RunResult { rate: number; cpuMsPerSimMin: number; peakRss: number; peakHeap: number; wallS: number; clients?: Record<string, number>; skipped: number; dropped: number }

async function run(clients: number, progress: (msg: string) => void): Promise<RunResult> {
  const server = new OsmServer({ host: '127.0.0.1', port: 0 }, { library: [], meter: { speed: SPEED, fidelity: 'waveform', seed: 1 } });
  await server.hub.addMeters(1);
  await server.listen();
  let child: ReturnType<typeof spawn> | undefined;
  let childOut = '';
  try {
    if (clients > 0) {
      child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./dashboard-clients.ts', import.meta.url)), `ws://127.0.0.1:${server.address().port}/ws`, String(clients)], { stdio: ['pipe', 'pipe', 'inherit'] });
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (d: string) => { childOut += d; });
      while (!childOut.includes('ready')) await new Promise((r) => setTimeout(r, 50));
    }
    const meter = server.hub.meters[0];
    const v0 = meter.now();
    const w0 = performance.now();
    const c0 = process.cpuUsage();
    let peakRss = 0;
    let peakHeap = 0;
    let lastReport = 0;
    while (meter.now() - v0 < SIM_US) {
      await new Promise((r) => setTimeout(r, 100));
      const mem = process.memoryUsage();
      peakRss = Math.max(peakRss, mem.rss);
      peakHeap = Math.max(peakHeap, mem.heapUsed);
      const w = performance.now();
      if (w - lastReport > 1000) {
        lastReport = w;
        progress(`${clients} clients: ${((meter.now() - v0) / 60e6).toFixed(1)} of 60 simulated minutes`);
      }
    }
    const wallS = (performance.now() - w0) / 1000;
    const cpu = process.cpuUsage(c0);
    const simMin = (meter.now() - v0) / 60e6;
    const stats = server.hub.stats();
    const out: RunResult = {
      rate: (meter.now() - v0) / 1e6 / wallS,
      cpuMsPerSimMin: (cpu.user + cpu.system) / 1000 / simMin,
      peakRss, peakHeap, wallS,
      skipped: stats.clients.reduce((a, c) => a + c.skipped, 0),
      dropped: stats.dropped,
    };
    if (child) {
      child.stdin!.end();
      await once(child, 'exit');
      const line = childOut.trim().split('\n').pop() ?? '{}';
      out.clients = JSON.parse(line) as Record<string, number>;
    }
    return out;
  } finally {
    if (child && child.exitCode === null) child.kill();
    await server.close();
  }
}

export const DASHBOARD_BENCHMARK: Benchmark = {
  name: 'dashboard-clients',
  description: `the served meter at ${SPEED}x for 60 simulated minutes, without and with ${CLIENTS} websocket clients`,
  async run(progress) {
    const bare = await run(0, progress);
    const loaded = await run(CLIENTS, progress);
    const slower = (1 - loaded.rate / bare.rate) * 100;
    const mib = (b: number): string => (b / 1048576).toFixed(0);
    const c = loaded.clients ?? {};
    return [
      `simulation rate without clients ${bare.rate.toFixed(2)}x, with ${CLIENTS} clients ${loaded.rate.toFixed(2)}x: ${slower.toFixed(1)} % slower (target <= 10 %)`,
      `server CPU per simulated minute: ${bare.cpuMsPerSimMin.toFixed(0)} ms without clients, ${loaded.cpuMsPerSimMin.toFixed(0)} ms with ${CLIENTS}`,
      `clients received ${c.messages ?? 0} messages (${c.frames ?? 0} waveform frames, ${((c.bytes ?? 0) / 1048576).toFixed(1)} MiB); skipped for slowness ${loaded.skipped}, cut off ${loaded.dropped}`,
      `server peak memory during the loaded run: RSS ${mib(loaded.peakRss)} MiB, JS heap ${mib(loaded.peakHeap)} MiB (without clients: RSS ${mib(bare.peakRss)} MiB, heap ${mib(bare.peakHeap)} MiB)`,
    ];
  },
};
