// Benchmark: library scenarios on the rig path for the original firmware without hardware (--target rig-emulated:
// johnny-five, the emulated Firmata rig board, the AFE responder's image in avr8js, a twin standing in for the meter)
// against the plain twin: simulated time per wall second on each, their ratio, and how much of the responder's time
// avr8js actually simulated (the rest is idle time skipped).
import { performance } from 'node:perf_hooks';
import { toolchainProblem } from '../hil-rig/firmware/build-sketch.ts';
import { createOriginalRigBench, parseRigTarget } from '../hil-rig/rig-original/original-bench.ts';
import { createBench } from '../twin/kernel/bench.ts';
import { loadScenario } from '../scenarios/loader.ts';
import { runScenario } from '../scenarios/runner.ts';
import type { Benchmark } from './benchmark.ts';

const SCENARIOS = ['scenarios/library/tamper-outputs.yaml', 'scenarios/library/credit-runs-out-outputs.yaml'];

export const RIG_ORIGINAL_BENCHMARK: Benchmark = {
  name: 'rig-emulated',
  description: 'rig-observable library scenarios on --target rig-emulated (the original firmware\'s rig path, hardware emulated) against the plain twin',
  async run(progress) {
    const problem = toolchainProblem();
    if (problem) return [`not run: ${problem}`];
    const out: string[] = [];
    for (const file of SCENARIOS) {
      const s = await loadScenario(file);
      const cfg = { meter: s.meter, plant: s.plant, seed: 1 };
      progress(`${file} on the twin`);
      const t0 = performance.now();
      const twin = await runScenario(s, createBench(cfg), { seed: 1 });
      const twinS = (performance.now() - t0) / 1000;
      progress(`${file} on rig-emulated`);
      const t1 = performance.now();
      const b = await createOriginalRigBench(cfg, parseRigTarget({ target: 'rig-emulated' })!);
      const rig = await runScenario(s, b, { seed: 1 });
      const rigS = (performance.now() - t1) / 1000;
      const r = b.world!.responder;
      await b.close();
      const simS = rig.endUs / 1e6;
      out.push(`${file}: ${simS.toFixed(0)} s simulated; twin ${(simS / twinS).toFixed(0)}x real time (${twinS.toFixed(2)} s), `
        + `rig-emulated ${(simS / rigS).toFixed(0)}x (${rigS.toFixed(2)} s, set-up included): ${(rigS / twinS).toFixed(1)}x the twin's wall time; `
        + `verdicts ${twin.status}/${rig.status}; avr8js simulated ${r.runUs / 1e6 < 10 ? (r.runUs / 1e6).toFixed(2) : (r.runUs / 1e6).toFixed(0)} s of the responder's ${((r.runUs + r.skippedUs) / 1e6).toFixed(0)} s`);
    }
    return out;
  },
};
