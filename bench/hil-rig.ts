// HIL rig benchmarks: the AFE round trip through the emulated Firmata link, and the real-time mode's timer jitter.
import { performance } from 'node:perf_hooks';
import type { Benchmark } from './benchmark.ts';
import { openRig, parseBoardChoice } from '../hil-rig/rig-bench.ts';
import { emulatedMeterParts } from '../hil-rig/emulated-meter-parts.ts';
import { measureAfe, percentile, AFE_WINDOW_MS } from '../hil-rig/board-check.ts';
import { VirtualClock } from '../twin/kernel/clock.ts';
import { runPaced } from '../twin/kernel/realtime.ts';

export const HIL_BENCHMARKS: Benchmark[] = [
  {
    name: 'hil-afe-round-trip',
    description: 'ATM90E26 register read through johnny-five, Firmata SERIAL on the emulated Mega 2560 (57600 baud link), 200 frames',
    async run(progress) {
      const rig = await openRig(parseBoardChoice({ board: 'emulated', parts: 'afe' })!);
      try {
        emulatedMeterParts(rig.emulator!, rig.wiring, rig.time);
        progress('200 frames');
        const w0 = performance.now();
        const r = await measureAfe(rig, 200);
        const wallS = (performance.now() - w0) / 1000;
        return [
          `round trip median ${r.medianMs.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms (virtual time on the emulated link; locally the reply lands at ~6.3 ms)`,
          `${r.withinWindow}/${r.frames} replies within the firmware's ${AFE_WINDOW_MS} ms window: the rig stretches the wait and records a deviation`,
          `${r.frames} frames in ${wallS.toFixed(2)} s of wall time (${(r.frames / wallS).toFixed(0)} frames/s through the whole emulated path)`,
        ];
      } finally {
        await rig.close();
      }
    },
  },
  {
    name: 'realtime-jitter',
    description: 'real-time mode: a 50 ms timer (the firmware\'s 20 Hz interrupt) on the virtual clock locked to wall time, 10 s',
    async run(progress) {
      const clock = new VirtualClock();
      const late: number[] = [];
      let w0 = 0;
      clock.every(50_000, () => { late.push((performance.now() - (w0 + clock.now() / 1000)) * 1000); });
      progress('10 s of wall time');
      w0 = performance.now();
      await runPaced(clock, 10_000_000, 1);
      late.sort((a, b) => a - b);
      return [
        `${late.length} ticks: lateness against wall time median ${(percentile(late, 50) / 1000).toFixed(3)} ms, p99 ${(percentile(late, 99) / 1000).toFixed(3)} ms, max ${(late.at(-1)! / 1000).toFixed(3)} ms (target p99 < 5 ms)`,
      ];
    },
  },
];
