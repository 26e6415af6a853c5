// The benchmarks of `npm run bench`. Each returns the lines it reports; targets are printed beside the figures.
import { performance } from 'node:perf_hooks';
import { createBench } from '../twin/kernel/bench.ts';
import { resolveFirmware } from '../twin/profiles/profile.ts';
import { ACCURACY_BENCHMARKS } from './accuracy.ts';
import { WAVEFORM_BENCHMARK } from './waveform.ts';
import { FIRMWARE_BENCHMARK } from './firmware.ts';
import { CLI_STARTUP_BENCHMARK, DEMO_SPEED_BENCHMARK } from './cli-startup.ts';
import { RESPONDER_BENCHMARK } from './responder.ts';
import { DASHBOARD_BENCHMARK } from './dashboard.ts';
import { DAILY_PROFILE_W, type Benchmark } from './benchmark.ts';
import { COMMS_BENCHMARK } from './comms.ts';
import { HIL_BENCHMARKS } from './hil-rig.ts';
import { NODE_RED_BENCHMARK } from './node-red.ts';

interface DayOptions { profile?: 'field' | 'fixed'; exactSlow?: boolean }

async function simulateDays(days: number, progress: (msg: string) => void, o: DayOptions = {}): Promise<{ simS: number; wallS: number; isr: number; credit: unknown; energy: unknown }> {
  const bench = createBench({
    meter: { build: resolveFirmware({ profile: o.profile ?? 'field', mode: 'sts' }), credit: 20000, clock: { year: 2026, month: 3, day: 1, hour: 0, minute: 0, second: 0 } },
    plant: { grid: { vrms: 240, hz: 50 }, loads: [] },
    seed: 1,
    speed: 'max',
    exactSlow: o.exactSlow ?? false,
  });
  await bench.start();
  const w0 = performance.now();
  for (let h = 0; h < days * 24; h++) {
    const w = DAILY_PROFILE_W[h % 24];
    bench.setLoad({ id: 'house', kind: h % 24 >= 18 && h % 24 <= 21 ? 'motor' : 'resistive', watts: w, pf: h % 24 >= 18 && h % 24 <= 21 ? 0.8 : 1 });
    await bench.runFor(3600e6);
    progress(`${days > 1 ? `day ${Math.floor(h / 24) + 1}/${days} ` : ''}hour ${(h % 24) + 1}/24`);
  }
  const wallS = (performance.now() - w0) / 1000;
  const out = { simS: bench.now() / 1e6, wallS, isr: 0, credit: bench.observe('credit'), energy: bench.observe('energy') };
  await bench.close();
  return out;
}

export const BENCHMARKS: Benchmark[] = [
  {
    name: 'sts-day',
    description: 'one simulated day of the field firmware in STS mode with a household load profile (phasor plant)',
    async run(progress) {
      const r = await simulateDays(1, progress);
      return [
        `simulated ${r.simS.toFixed(0)} s in ${r.wallS.toFixed(2)} s of wall time`,
        `speed ${(r.simS / r.wallS).toFixed(0)} simulated seconds per wall second (target >= 10000)`,
        `firmware at the end: credit ${String(r.credit)}, energy ${String(r.energy)} kWh`,
      ];
    },
  },
  {
    name: 'fixed-day',
    description: 'one simulated day of the fixed firmware in STS mode (it keeps reading the chip: no 23:00 freeze)',
    async run(progress) {
      const r = await simulateDays(1, progress, { profile: 'fixed' });
      return [`speed ${(r.simS / r.wallS).toFixed(0)} simulated seconds per wall second (${r.wallS.toFixed(2)} s for the day)`];
    },
  },
  {
    name: 'fast-paths',
    description: 'the sts-day and fixed-day runs with the exact shortcuts and with --exact-slow: the speed-up on the same day',
    async run(progress) {
      const out: string[] = [];
      for (const profile of ['field', 'fixed'] as const) {
        const fast = await simulateDays(1, (m) => progress(`${profile} fast ${m}`), { profile });
        const slow = await simulateDays(1, (m) => progress(`${profile} exact-slow ${m}`), { profile, exactSlow: true });
        out.push(`${profile} day: ${(fast.simS / fast.wallS).toFixed(0)}x with the shortcuts, ${(slow.simS / slow.wallS).toFixed(0)}x exact-slow: speed-up ${(slow.wallS / fast.wallS).toFixed(2)}x (skipped LCD redraws)`);
      }
      return out;
    },
  },
  FIRMWARE_BENCHMARK,
  RESPONDER_BENCHMARK,
  COMMS_BENCHMARK,
  WAVEFORM_BENCHMARK,
  ...ACCURACY_BENCHMARKS,
  DASHBOARD_BENCHMARK,
  CLI_STARTUP_BENCHMARK,
  DEMO_SPEED_BENCHMARK,
  ...HIL_BENCHMARKS,
  NODE_RED_BENCHMARK,
];
