// Benchmark: the sts-day benchmark's simulated day (field firmware, STS mode, household load profile) with the SIM800
// connected, the top-up backend polled every main-loop pass and the daily ThingsBoard telemetry on, against the same
// day with the modem mute. Target: the connected day within 20 % of the mute day's wall time.
import { performance } from 'node:perf_hooks';
import { createBench } from '../twin/kernel/bench.ts';
import { resolveFirmware } from '../twin/profiles/profile.ts';
import type { NetworkSetup } from '../twin/comms/comms.ts';
import { DAILY_PROFILE_W, type Benchmark } from './benchmark.ts';

interface DayRun { wallS: number; cpuS: number; simS: number; polls: number; telemetry: number; credit: number }

async function day(network: NetworkSetup | undefined, progress: (msg: string) => void, label: string): Promise<DayRun> {
  const bench = createBench({
    meter: { build: resolveFirmware({ profile: 'field', mode: 'sts' }), credit: 20000, clock: { year: 2026, month: 3, day: 1, hour: 0, minute: 0, second: 0 } },
    plant: { grid: { vrms: 240, hz: 50 }, loads: [] },
    seed: 1,
    speed: 'max',
    ...(network ? { network } : {}),
  });
  let polls = 0;
  let telemetry = 0;
  bench.trace.subscribe((ev) => {
    if (ev.source === 'backend' && ev.kind === 'request') polls++;
    else if (ev.source === 'broker') telemetry++;
  });
  await bench.start();
  const w0 = performance.now();
  const c0 = process.cpuUsage();
  for (let h = 0; h < 24; h++) {
    const w = DAILY_PROFILE_W[h];
    const evening = h >= 18 && h <= 21;
    bench.setLoad({ id: 'house', kind: evening ? 'motor' : 'resistive', watts: w, pf: evening ? 0.8 : 1 });
    await bench.runFor(3600e6);
    progress(`${label}: hour ${h + 1}/24`);
  }
  const wallS = (performance.now() - w0) / 1000;
  const c = process.cpuUsage(c0);
  const out = { wallS, cpuS: (c.user + c.system) / 1e6, simS: bench.now() / 1e6, polls, telemetry, credit: bench.observe('credit') as number };
  await bench.close();
  return out;
}

export const COMMS_BENCHMARK: Benchmark = {
  name: 'sts-day-comms',
  description: 'the sts-day simulated day with the SIM800 connected (backend polled every loop, telemetry at 23:00) vs the same day with a mute modem',
  async run(progress) {
    const mute = await day(undefined, progress, 'mute modem');
    const net = await day({}, progress, 'modem connected');
    const ratio = net.wallS / mute.wallS;
    const cpuRatio = net.cpuS / mute.cpuS;
    return [
      `mute modem: ${mute.simS.toFixed(0)} s simulated in ${mute.wallS.toFixed(2)} s wall, ${mute.cpuS.toFixed(2)} s CPU (${(mute.simS / mute.wallS).toFixed(0)}x real time)`,
      `modem connected: ${net.simS.toFixed(0)} s simulated in ${net.wallS.toFixed(2)} s wall, ${net.cpuS.toFixed(2)} s CPU (${(net.simS / net.wallS).toFixed(0)}x real time), ${net.polls} backend requests, ${net.telemetry} telemetry messages`,
      `connected / mute: wall time ${ratio.toFixed(2)}, CPU time ${cpuRatio.toFixed(2)} (target <= 1.20: ${ratio <= 1.2 ? 'met' : 'NOT met'})`,
      `credit at the end: mute ${mute.credit.toFixed(2)}, connected ${net.credit.toFixed(2)} (tariff 70 from the backend)`,
    ];
  },
};
