// Benchmarks of the virtual IEC 62053-21 bench (scenarios/accuracy/): the wall time of one full class-1 suite
// (target under 3 s; phasor level, and the same suite at waveform level for reference) and Monte Carlo units per
// minute on 2 worker threads (target 1000 units in under 2 minutes).
// The lead adds ACCURACY_BENCHMARKS to bench/benchmarks.ts.
import { performance } from 'node:perf_hooks';
import { resolveFirmware } from '../twin/profiles/profile.ts';
import { FIRMWARE_REGISTERS, impliedMeterConstant, nominalUnit } from '../scenarios/accuracy/meter-unit.ts';
import { runMonteCarlo, type MonteCarloJob } from '../scenarios/accuracy/monte-carlo.ts';
import { fullSuite } from '../scenarios/accuracy/points.ts';
import { OSM_RATINGS } from '../scenarios/accuracy/ratings.ts';
import { runSuite, type BenchOptions } from '../scenarios/accuracy/runner.ts';
import type { Benchmark } from './benchmark.ts';

/** Units of the Monte Carlo benchmark (the rate is extrapolated to 1000). */
const MC_UNITS = 300;

function benchOptions(): BenchOptions {
  return {
    meterConstant: impliedMeterConstant(nominalUnit().profile, FIRMWARE_REGISTERS, OSM_RATINGS),
    meterConstantSource: 'implied',
    defects: resolveFirmware({ profile: 'field', mode: 'sts' }).defects,
    firmwareLabel: 'field',
    judge: 'both',
    gatePulses: 10,
    gateCalls: 20,
    billing: {},
  };
}

export const ACCURACY_BENCHMARKS: Benchmark[] = [
  {
    name: 'accuracy-suite',
    description: 'one full class-1 suite (37 points: error table, starting, creep, influence tests) on the nominal board, phasor level',
    async run(progress) {
      const o = benchOptions();
      const spec = fullSuite();
      progress('warm-up run');
      await runSuite(nominalUnit(), spec, o);
      const runs = 3;
      let best = Infinity;
      let total = 0;
      for (let i = 0; i < runs; i++) {
        progress(`run ${i + 1}/${runs}`);
        const t0 = performance.now();
        await runSuite(nominalUnit(), spec, o);
        const s = (performance.now() - t0) / 1000;
        best = Math.min(best, s);
        total += s;
      }
      return [
        `full suite (${spec.points.length} points): best ${best.toFixed(3)} s, mean ${(total / runs).toFixed(3)} s of wall time (target < 3 s)`,
        `ratio to target: ${(3 / best).toFixed(1)} x faster than needed`,
      ];
    },
  },
  {
    name: 'accuracy-suite-waveform',
    description: 'the same full suite at waveform level (8 kHz samples through the sample-level front end, ADC and DSP)',
    async run(progress) {
      const o: BenchOptions = { ...benchOptions(), fidelity: 'waveform', noiseSeed: 1 };
      const spec = fullSuite();
      progress('one run');
      const t0 = performance.now();
      const r = await runSuite(nominalUnit(), spec, o);
      const s = (performance.now() - t0) / 1000;
      const simS = [...new Set(r.points.map((p) => p.measurement))].reduce((a, m) => a + m.durationS, 0);
      return [
        `full suite at waveform level: ${s.toFixed(2)} s of wall time for at least ${simS.toFixed(0)} s of tests on the bench`,
        `(at least ${((simS * 8000) / s / 1e6).toFixed(1)} million samples per second through line synthesis, front end, ADC, DSP and chip; reference-only conditions not counted)`,
      ];
    },
  },
  {
    name: 'accuracy-monte-carlo',
    description: `Monte Carlo yield over ${MC_UNITS} drawn units, full suite each, on 2 worker threads (worker start-up included)`,
    async run(progress) {
      const o = benchOptions();
      const job: MonteCarloJob = {
        units: MC_UNITS, seed: 1, points: 'full', whatIf: [], meterConstant: o.meterConstant, meterConstantSource: o.meterConstantSource,
        defects: [...o.defects], firmwareLabel: o.firmwareLabel, judge: 'chip', gatePulses: o.gatePulses, gateCalls: o.gateCalls, calibrate: false,
      };
      const workers = 2;
      const heapPeak = new Array<number>(workers).fill(0);
      // The main thread is idle while the workers run, so its RSS sampled as their results arrive sees their growth.
      const rss0 = process.memoryUsage().rss;
      let rssPeak = rss0;
      const t0 = performance.now();
      const r = await runMonteCarlo(job, {
        workers,
        onProgress: (d, n) => { rssPeak = Math.max(rssPeak, process.memoryUsage().rss); if (d % 50 === 0 || d === n) progress(`${d}/${n} units`); },
        onWorkerMemory: (w, bytes) => { heapPeak[w] = Math.max(heapPeak[w], bytes); },
      });
      const s = (performance.now() - t0) / 1000;
      const mib = (b: number): string => (b / 1048576).toFixed(0);
      const perMinute = (MC_UNITS / s) * 60;
      const for1000 = (1000 / MC_UNITS) * s;
      return [
        `${MC_UNITS} units in ${s.toFixed(2)} s on 2 workers: ${perMinute.toFixed(0)} units per minute`,
        `1000 units would take about ${for1000.toFixed(1)} s (target < 120 s: ${(120 / for1000).toFixed(1)} x margin)`,
        `yield of this run: ${(r.yield * 100).toFixed(1)} % (${r.passed}/${r.units}, judged on the chip)`,
        `memory per worker (target < 80 MiB): peak V8 heap of each thread ${heapPeak.map(mib).join(' and ')} MiB; `
          + `process RSS grew by ${mib(rssPeak - rss0)} MiB for ${workers} workers (${mib((rssPeak - rss0) / workers)} MiB each, sampled as results arrived)`,
      ];
    },
  },
];
