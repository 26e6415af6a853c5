// What the waveform level's pin samples carry at one frequency: a fresh front end is driven with a line-voltage and a
// line-current tone, and the pins' tones over whole periods (after a settling time) are divided by the line's, the
// front end's latency removed. For checks against the circuit and ngspice (tests, `osm frontend show`); not a hot path.
import { Complex } from 'complex.js';
import type { BoardProfile } from '../board-profile.ts';
import { FrontEndWaveform } from './front-end-waveform.ts';
import { toneAt } from './tone-analysis.ts';

export interface SampledTransfers {
  hz: number;
  /** VP-VN per line volt. */
  v: Complex;
  /** I2P-I2N per line amp. */
  iN: Complex;
  /** I1P-I1N per line amp, null when no shunt is fitted. */
  iL: Complex | null;
}

export interface SampledTransferOptions {
  sampleRateHz?: number;
  /** Seconds run before the measurement (default 0.3). */
  settleSeconds?: number;
  /** Seconds measured (default 0.2; whole periods of `hz` when hz x this is whole). */
  measureSeconds?: number;
  /** Line current amplitude, amps rms (default 1: far below the CT's knee). */
  amps?: number;
}

/** The waveform front end's transfers at each of `frequencies`, each from its own fresh front end. */
export function sampledTransfers(profile: BoardProfile, frequencies: readonly number[], options: SampledTransferOptions = {}): SampledTransfers[] {
  const fs = options.sampleRateHz ?? 8000;
  const settle = Math.round((options.settleSeconds ?? 0.3) * fs);
  const n = Math.round((options.measureSeconds ?? 0.2) * fs);
  const amps = options.amps ?? 1;
  const fe = new FrontEndWaveform(profile, fs);
  return frequencies.map((hz) => {
    if (!(hz > 0 && hz < fs / 2)) throw new RangeError(`sampled transfer: ${hz} Hz is not between 0 and half the sample rate`);
    fe.reset();
    const total = settle + n;
    const v = new Float64Array(total), i = new Float64Array(total);
    for (let k = 0; k < total; k++) { const c = Math.cos((2 * Math.PI * hz * k) / fs); v[k] = Math.SQRT2 * c; i[k] = Math.SQRT2 * amps * c; }
    const vp = new Float64Array(total), ip = new Float64Array(total), lp = new Float64Array(total);
    fe.process(v, i, vp, ip, lp, total);
    const w = (2 * Math.PI * hz * fe.latencySamples) / fs;
    const ratio = (pin: Float64Array, line: Float64Array): Complex => {
      const a = toneAt(pin.subarray(settle), hz, fs, settle, n), b = toneAt(line.subarray(settle), hz, fs, settle, n);
      return new Complex({ abs: a.rms / b.rms, arg: a.phaseRad - b.phaseRad + w });
    };
    return { hz, v: ratio(vp, v), iN: ratio(ip, i), iL: fe.shunt ? ratio(lp, i) : null };
  });
}
