// The benchmarks of `npm run bench`. Each returns the lines it reports; targets are printed beside the figures.
import { performance } from 'node:perf_hooks';
import { createBench } from '../twin/kernel/bench.ts';
import { resolveFirmware } from '../twin/profiles/profile.ts';
import { ACCURACY_BENCHMARKS } from './accuracy.ts';
import { WAVEFORM_BENCHMARK } from './waveform.ts';
import { FIRMWARE_BENCHMARK } from './firmware.ts';
import { NODE_RED_BENCHMARK } from './node-red.ts';

export interface Benchmark {
  name: string;
  description: string;
  run(progress: (msg: string) => void): Promise<string[]>;
}

/** A household's day in watts per hour of the day (00:00 .. 23:00), resistive and motor loads mixed. */
export const DAILY_PROFILE_W = [120, 100, 100, 100, 100, 150, 600, 900, 500, 300, 300, 400, 500, 400, 300, 300, 400, 800, 1500, 1800, 1600, 1200, 600, 200];

async function simulateDays(days: number, progress: (msg: string) => void): Promise<{ simS: number; wallS: number; isr: number; credit: unknown; energy: unknown }> {
  const bench = createBench({
    meter: { build: resolveFirmware({ profile: 'field', mode: 'sts' }), credit: 20000, clock: { year: 2026, month: 3, day: 1, hour: 0, minute: 0, second: 0 } },
    plant: { grid: { vrms: 240, hz: 50 }, loads: [] },
    seed: 1,
    speed: 'max',
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
  FIRMWARE_BENCHMARK,
  WAVEFORM_BENCHMARK,
  ...ACCURACY_BENCHMARKS,
  NODE_RED_BENCHMARK,
];
