// The test bench's source, a "phantom load" as on a meter test bench (the OSM report used a Forlong FYL-SS1000): an
// independent voltage source and current source, phase-locked, so any current and power factor can be set at any
// voltage. It turns a TestCondition into line phasors, the pin phasors through the unit's front end, the true power
// (the reference), and two checks the phasor chip cannot make by itself: channel clipping and CT knee.
//
// Phasor convention as the plant's (models/grid/grid-source.ts): x(t) = sum over orders h of sqrt 2 X_h cos(h w t + phi_h),
// the voltage fundamental at phase 0; order 0 is signed DC.
import { decodeMMode } from '../../models/afe/registers.ts';
import type { FrontEnd } from '../../models/frontend/front-end.ts';
import type { Complex } from '../../models/frontend/impedance.ts';
import { powerOf, wrapPhase } from '../../models/grid/phasor-lines.ts';
import { ctDriveOf, toPins } from '../../models/plant.ts';
import type { AfePinPhasors, Harmonic } from '../../models/signals.ts';
import type { TestCondition } from './points.ts';

/** Highest even order of the half-wave rectified current synthesised (the 40th is 0.08 % of the fundamental). */
export const HALF_WAVE_MAX_ORDER = 40;

export interface SourceLines {
  v: Harmonic[];
  i: Harmonic[];
}

/** The line voltage and current the bench applies for `c`. */
export function sourceLines(c: TestCondition): SourceLines {
  const phi = c.pf.kind === 'inductive' ? -Math.acos(c.pf.value) : c.pf.kind === 'capacitive' ? Math.acos(c.pf.value) : 0;
  const v: Harmonic[] = [{ order: 1, rms: c.volts, phaseRad: 0 }];
  const i: Harmonic[] = [];
  if (c.amps === 0) return { v, i };
  switch (c.shape) {
    case 'sine':
      i.push({ order: 1, rms: c.amps, phaseRad: phi });
      break;
    case 'fifth': {
      const kv = (c.fifthVoltagePercent ?? 0) / 100;
      const ki = (c.fifthCurrentPercent ?? 0) / 100;
      const i1 = c.amps / Math.hypot(1, ki);
      i.push({ order: 1, rms: i1, phaseRad: phi });
      // In phase with each other at the fundamental's peak: harmonic power factor 1.
      if (kv > 0) v.push({ order: 5, rms: kv * c.volts, phaseRad: 0 });
      if (ki > 0) i.push({ order: 5, rms: ki * i1, phaseRad: wrapPhase(5 * phi) });
      break;
    }
    case 'half-wave': {
      // i(t) = Ipk max(cos(w t + phi), 0), total rms Ipk/2, fundamental I1 = Ipk/(2 sqrt 2) = amps/sqrt 2;
      // DC = Ipk/pi = (2 sqrt 2/pi) I1; even order h: (-1)^(h/2+1) x 4/(pi (h^2 - 1)) x I1 (no odd orders above 1).
      const i1 = c.amps / Math.SQRT2;
      i.push({ order: 0, rms: ((2 * Math.SQRT2) / Math.PI) * i1, phaseRad: 0 });
      i.push({ order: 1, rms: i1, phaseRad: phi });
      for (let h = 2; h <= HALF_WAVE_MAX_ORDER; h += 2) {
        const ratio = (((h / 2) % 2 === 1 ? 1 : -1) * 4) / (Math.PI * (h * h - 1));
        i.push({ order: h, rms: Math.abs(ratio) * i1, phaseRad: wrapPhase(h * phi + (ratio < 0 ? Math.PI : 0)) });
      }
      break;
    }
    default:
      throw new RangeError(`unknown current shape '${String((c as { shape: unknown }).shape)}' (expected sine, fifth or half-wave)`);
  }
  return { v, i };
}

/** True mean active power of the source, watts (all orders; DC x DC; the voltage has no DC). */
export function truthWatts(lines: SourceLines): number {
  return powerOf(lines.v, lines.i).watts;
}


/** The ATM90E26's pin phasors for `lines` at `hz` through the unit's front end (V, IN = the CT, IL = the shunt if fitted). */
export function pinsFor(fe: FrontEnd, lines: SourceLines, hz: number): AfePinPhasors {
  return {
    freqHz: hz,
    V: toPins(lines.v, hz, 0, (f) => fe.voltagePin(f)),
    IL: toPins(lines.i, hz, 0, (f) => fe.currentPinL(f)),
    IN: toPins(lines.i, hz, 0, (f) => fe.currentPinN(f, ctDriveOf(lines.i, hz))),
  };
}

/** Samples per fundamental period used to find a waveform's peak (0.5 degree steps). */
const PEAK_SAMPLES = 720;

/** Largest |x(t)| of a line set over one fundamental period, volts. */
export function peakOf(lines: readonly Harmonic[]): number {
  if (lines.length === 0) return 0;
  if (lines.length === 1) return lines[0].order === 0 ? Math.abs(lines[0].rms) : Math.SQRT2 * Math.abs(lines[0].rms);
  let peak = 0;
  for (let k = 0; k < PEAK_SAMPLES; k++) {
    const th = (2 * Math.PI * k) / PEAK_SAMPLES;
    let x = 0;
    for (const l of lines) x += l.order === 0 ? l.rms : Math.SQRT2 * l.rms * Math.cos(l.order * th + l.phaseRad);
    peak = Math.max(peak, Math.abs(x));
  }
  return peak;
}

/**
 * Input ranges of the ATM90E26 channels, volts rms at gain 1 (docs/atm90e26.md §4.1): 600 mV on V, N and L. The L PGA
 * divides the L range (x4: 150 mV ... x24: 25 mV); the N gain x2/x4 is assumed to do the same ([UNDET], §9.4).
 */
export const FULL_SCALE_RMS_VOLTS = 0.6;

export interface ClipFinding {
  channel: 'V' | 'IN' | 'IL';
  /** Peak differential pin voltage, volts. */
  peakVolts: number;
  /** The channel's peak limit: full scale rms x sqrt 2 / gain (849 mV at gain 1). */
  limitVolts: number;
}

/** Channels whose peak pin voltage exceeds the input range for the chip's MMode (the phasor chip itself never clips). */
export function clippingOf(pins: AfePinPhasors, mmode: number): ClipFinding[] {
  const mm = decodeMMode(mmode);
  const out: ClipFinding[] = [];
  const check = (channel: ClipFinding['channel'], lines: readonly Harmonic[], gain: number): void => {
    const limitVolts = (FULL_SCALE_RMS_VOLTS * Math.SQRT2) / gain;
    const peakVolts = peakOf(lines);
    if (peakVolts > limitVolts) out.push({ channel, peakVolts, limitVolts });
  };
  check('V', pins.V, 1);
  check('IN', pins.IN, mm.nGain);
  if (pins.IL.length) check('IL', pins.IL, mm.lPga);
  return out;
}

/** The primary rms current at which the CT's magnetising EMF reaches its knee at `hz`, with the N filter as its load. */
export function ctKneeAmps(fe: FrontEnd, hz: number): number {
  return fe.ct.kneePrimaryAmps(hz, fe.filterN.inputAdmittance(hz));
}
