// Benchmark: the AFE responder image in avr8js answering the meter firmware's reads at its timing: the reply's
// latency (when its last byte is complete, after the frame was queued; the firmware reads at 10 ms) and how fast
// avr8js runs the board here.
import { performance } from 'node:perf_hooks';
import { buildSketch, toolchainProblem } from '../hil-rig/firmware/build-sketch.ts';
import { ResponderSim, FIRMWARE_WINDOW_US } from '../hil-rig/responder/responder-sim.ts';
import { AfeMirror } from '../hil-rig/responder/afe-mirror.ts';
import { ATM90E26 } from '../models/afe/atm90e26.ts';
import { REG } from '../models/afe/registers.ts';
import { VirtualClock } from '../twin/kernel/clock.ts';
import type { Benchmark } from './benchmarks.ts';

const READS = 1000;

export const RESPONDER_BENCHMARK: Benchmark = {
  name: 'afe-responder',
  description: `${READS} register reads answered by the AFE responder sketch in avr8js (Mega 2560), at the firmware's timing`,
  async run(progress) {
    const problem = toolchainProblem();
    if (problem) return [`not run: ${problem}`];
    const sim = new ResponderSim(buildSketch('afe-responder').image);
    sim.host(new AfeMirror(new ATM90E26(new VirtualClock())).configure());
    const ends: number[] = [];
    const w0 = performance.now();
    const s0 = sim.us;
    let t = sim.us + 100;
    for (let k = 0; k < READS; k++) {
      // the request starts at every phase of the sketch's loop: 37 us steps across the run
      const r = sim.transaction(ResponderSim.readFrame(k % 2 ? REG.Urms : REG.Irms2), t + (k * 37) % 1000);
      ends.push(r.lastEndUs);
      t += FIRMWARE_WINDOW_US + 1000;
      if (k % 250 === 249) progress(`${k + 1}/${READS} reads`);
    }
    const wallS = (performance.now() - w0) / 1000;
    const simS = (sim.us - s0) / 1e6;
    const sorted = [...ends].sort((a, b) => a - b);
    const missed = ends.filter((x) => !(x <= FIRMWARE_WINDOW_US)).length;
    return [
      `reply complete after the frame was queued: median ${(sorted[Math.floor(sorted.length / 2)] / 1000).toFixed(3)} ms, worst ${(sorted[sorted.length - 1] / 1000).toFixed(3)} ms (window ${FIRMWARE_WINDOW_US / 1000} ms, ${missed} missed)`,
      `avr8js: ${simS.toFixed(2)} s of the Mega's time in ${wallS.toFixed(2)} s of wall time (${(simS / wallS).toFixed(2)}x real time)`,
    ];
  },
};
