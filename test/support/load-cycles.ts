// Test support for the sample-level load tests: run a load on an ideal 50 Hz grid, cycle by cycle.
import { GridWaveform } from '../../models/waveform/grid-waveform.ts';
import type { SampleLoad } from '../../models/waveform/loads/sample-load.ts';

export const FS = 8000;

export interface Cycle { v: Float64Array; i: Float64Array }

/** Runs `load` on `volts` rms at 50 Hz for `cycles` cycles; returns voltage and current, cycle by cycle. */
export function runCycles(load: SampleLoad, cycles: number, volts = 240): Cycle[] {
  const grid = new GridWaveform({ vrms: volts, hz: 50 }, FS);
  const out: Cycle[] = [];
  for (let c = 0; c < cycles; c++) {
    const v = new Float64Array(160);
    const i = new Float64Array(160);
    grid.render(v, 160);
    load.addCurrent(v, i, 160, { sampleRateHz: FS, cos1: grid.cos1, sin1: grid.sin1 });
    out.push({ v, i });
  }
  return out;
}

/** Mean power of one cycle. */
export const cyclePower = (c: Cycle): number => c.v.reduce((s, x, k) => s + x * c.i[k], 0) / c.v.length;
