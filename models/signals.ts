// What the analog front end delivers to the ATM90E26's pins, at the two fidelity levels of the plant.

/** One spectral line of a pin voltage. `order` 0 is the DC component (then `rms` is the signed DC value). */
export interface Harmonic {
  order: number;
  /** Volts rms at the pin (differential), or the signed DC volts for order 0. */
  rms: number;
  /** Phase of this line in radians, relative to the grid voltage's fundamental at the source. */
  phaseRad: number;
}

/** Phasor level: the pin signals of one quasi-steady segment. */
export interface AfePinPhasors {
  /** Fundamental frequency in Hz. */
  freqHz: number;
  /** Voltage channel VP-VN. */
  V: Harmonic[];
  /** L current channel I1P-I1N (floating on this board: empty). */
  IL: Harmonic[];
  /** N current channel I2P-I2N (the CT on this board). */
  IN: Harmonic[];
}

/** Waveform level: a block of pin samples at the chip's 8 kHz. */
export interface AfePinSamples {
  sampleRateHz: number;
  V: Float64Array;
  IL: Float64Array;
  IN: Float64Array;
}

/** RMS of a phasor line set (DC counts with its value squared). */
export function rmsOf(lines: readonly Harmonic[]): number {
  let s = 0;
  for (const h of lines) s += h.rms * h.rms;
  return Math.sqrt(s);
}
