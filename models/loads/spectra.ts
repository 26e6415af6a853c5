// Current spectra of the non-linear load kinds, relative to their fundamental current. Each line's `ratio` is the
// signed rms of that harmonic over the fundamental's rms (for order 0: the signed DC over the fundamental's rms). A
// non-linear load's current is a fixed waveform shape shifted in time with its fundamental, so the line of order h
// has phase h x (phase of the fundamental) (+ pi where the ratio is negative).

export interface SpectrumLine {
  order: number;
  ratio: number;
}

/**
 * Capacitor-input rectifier (an SMPS without PFC: phone chargers, LED drivers, TVs, PCs). Its current flows in
 * narrow pulses near the voltage peaks: odd harmonics only, all in phase with the pulse centre. 3rd 80 %, 5th 60 %,
 * 7th 40 % of the fundamental (current THD about 108 %) is the usual order of magnitude for such supplies; higher
 * orders are left out (they fall off quickly and lie near the edge of the chip's 1.1 kHz band).
 */
export const SMPS_SPECTRUM: readonly SpectrumLine[] = Object.freeze([
  { order: 3, ratio: 0.80 },
  { order: 5, ratio: 0.60 },
  { order: 7, ratio: 0.40 },
]);

/** Highest even order kept for the half-wave rectifier (the 12th is below 1 % of the fundamental). */
export const RECTIFIER_MAX_ORDER = 10;

/**
 * Half-wave rectifier into a resistance (a diode in series with a heater or a hair dryer on half power; a classic
 * DC tamper). i(t) = Ipk x max(cos wt, 0) has, with I1 = Ipk / (2 sqrt 2) the fundamental's rms:
 *   DC = Ipk/pi = (2 sqrt 2 / pi) x I1 = 0.900 I1,
 *   even order h: rms = (4 / (pi (h^2 - 1))) x I1 with sign (-1)^(h/2 + 1): 2nd +42.4 %, 4th -8.5 %, 6th +3.6 %, ...
 * No odd harmonics above the fundamental. Its total rms is sqrt 2 x I1 (Ipk/2).
 */
export const RECTIFIER_SPECTRUM: readonly SpectrumLine[] = Object.freeze(rectifierLines());

function rectifierLines(): SpectrumLine[] {
  const lines: SpectrumLine[] = [{ order: 0, ratio: (2 * Math.SQRT2) / Math.PI }];
  for (let h = 2; h <= RECTIFIER_MAX_ORDER; h += 2) {
    const sign = (h / 2) % 2 === 1 ? 1 : -1;
    lines.push({ order: h, ratio: (sign * 4) / (Math.PI * (h * h - 1)) });
  }
  return lines;
}

/** Total rms over fundamental rms for a spectrum (the fundamental counts as 1). */
export function rmsOverFundamental(spectrum: readonly SpectrumLine[]): number {
  let s = 1;
  for (const l of spectrum) s += l.ratio * l.ratio;
  return Math.sqrt(s);
}
