// The board's analog front end as transfer functions from line quantities to the ATM90E26's pins:
//   voltagePin(f):  VP-VN volts per volt of line-to-neutral voltage (divider with its VP filter);
//   currentPinN(f): I2P-I2N volts per amp of line current (CT + burden + C42, loaded by and followed by the N filter);
//   currentPinL(f): I1P-I1N volts per amp (0: floating on this board; a shunt + L filter when `shunt.fitted`).
// Built once from a BoardProfile; each transfer is cached per frequency (the plant asks for the fundamental and its
// harmonics). The components are public so the waveform level can discretise the same parts. A profile that carries a
// circuit (a netlist whose topology the sections cannot describe) takes its transfers from that circuit's solve
// (CircuitFrontEnd); its components are then the nearest fixed-topology board's, for the CT's knee and saturation.
//
// A CT with an excitation curve has a current channel that depends on the current: its magnetising branch follows the
// flux. `currentPinN(f, drive)` then takes the fundamental's primary current and frequency (they set the core's
// flux), solves the CT's operating point, and gives the transfer of the CT at that point; the harmonics of the same
// current see the same branch (the core's permeability follows the flux amplitude, which the fundamental sets).
// Without `drive`, or without a curve, the transfer is the one of the fixed branch (with a curve: the initial
// permeability, at zero current).
import type { BoardProfile } from '../board-profile.ts';
import { type Complex, ZERO, cmul, checkHz } from './impedance.ts';
import { VoltageDivider } from './voltage-divider.ts';
import { CurrentTransformer, type CtOperatingPoint } from './current-transformer.ts';
import { RcFilter } from './rc-filter.ts';
import { Shunt } from './shunt.ts';
import { CircuitFrontEnd } from './circuit-front-end.ts';

/** The primary current that sets a CT's flux: the fundamental's rms amps and frequency. */
export interface CtDrive {
  amps: number;
  hz: number;
}

/** Operating points kept per front end (each with its transfers per frequency) before the oldest is dropped. */
const OPERATING_POINTS_KEPT = 64;

interface AtPoint { ct: CurrentTransformer; circuit: CircuitFrontEnd | null; iN: Map<number, Complex> }

export class FrontEnd {
  readonly divider: VoltageDivider;
  readonly ct: CurrentTransformer;
  /** N current channel filter (R9/R10, C29/C32, chip input), differential equivalent. */
  readonly filterN: RcFilter;
  /** The L-channel shunt, or null when none is fitted (this board: I1P/I1N floating). */
  readonly shunt: Shunt | null;
  /** L current channel filter, used with the shunt. */
  readonly filterL: RcFilter;
  /** The circuit the transfers come from, when the profile carries one. */
  readonly circuit: CircuitFrontEnd | null;

  #v = new Map<number, Complex>();
  #iN = new Map<number, Complex>();
  #iL = new Map<number, Complex>();
  #points = new Map<string, AtPoint>();

  constructor(profile: BoardProfile) {
    this.divider = new VoltageDivider(profile.divider);
    this.ct = new CurrentTransformer(profile.ct);
    this.filterN = RcFilter.differential(profile.filter);
    const { fitted, ...shunt } = profile.shunt;
    this.shunt = fitted ? new Shunt(shunt) : null;
    this.filterL = RcFilter.differential(profile.filterL);
    this.circuit = profile.circuit ? new CircuitFrontEnd(profile.circuit) : null;
  }

  /** VP-VN volts per line volt at `hz`. */
  voltagePin(hz: number): Complex {
    if (this.circuit) return this.circuit.voltagePin(hz);
    return cached(this.#v, hz, () => this.divider.transfer(hz));
  }

  /**
   * I2P-I2N volts per line amp at `hz` (0 at DC: a CT passes none); with `drive` and a CT with an excitation curve,
   * at the CT's operating point for that primary current.
   */
  currentPinN(hz: number, drive?: CtDrive): Complex {
    if (drive !== undefined && this.ct.curve) return this.#atPoint(this.ctOperatingPoint(drive.amps, drive.hz), hz);
    if (this.circuit) return this.circuit.currentPinN(hz);
    return cached(this.#iN, hz, () => cmul(this.ct.transfer(hz, this.filterN.inputAdmittance(hz)), this.filterN.transfer(hz)));
  }

  /**
   * The CT's operating point at `amps` rms primary current at `hz`, loaded as the front end loads it: the N filter
   * (fixed topology), or the load the circuit puts across it (folded into the profile's burden and C42 for a circuit).
   */
  ctOperatingPoint(amps: number, hz: number): CtOperatingPoint {
    return this.ct.operatingPoint(amps, hz, this.circuit ? ZERO : this.filterN.inputAdmittance(hz));
  }

  #atPoint(op: CtOperatingPoint, hz: number): Complex {
    checkHz(hz, 'front end');
    const key = `${op.magnetisingHenries}|${op.coreLossOhms}`;
    let p = this.#points.get(key);
    if (p === undefined) {
      const ct = this.ct.atOperatingPoint(op);
      p = { ct, circuit: this.circuit ? this.circuit.withMagnetising(op.magnetisingHenries, op.coreLossOhms) : null, iN: new Map() };
      if (this.#points.size >= OPERATING_POINTS_KEPT) this.#points.delete(this.#points.keys().next().value!);
      this.#points.set(key, p);
    }
    const { ct, circuit } = p;
    if (circuit) return circuit.currentPinN(hz);
    return cached(p.iN, hz, () => cmul(ct.transfer(hz, this.filterN.inputAdmittance(hz)), this.filterN.transfer(hz)));
  }

  /** I1P-I1N volts per line amp at `hz`: 0 when nothing is connected (this board). */
  currentPinL(hz: number): Complex {
    if (this.circuit) return this.circuit.currentPinL(hz);
    return cached(this.#iL, hz, () => (this.shunt ? cmul(this.shunt.transfer(hz), this.filterL.transfer(hz)) : ZERO));
  }
}

function cached(map: Map<number, Complex>, hz: number, make: () => Complex): Complex {
  checkHz(hz, 'front end');
  let v = map.get(hz);
  if (v === undefined) { v = make(); map.set(hz, v); }
  return v;
}
