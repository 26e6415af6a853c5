// The front end solved as a circuit: the netlist (built-in board or a KiCad import) becomes a Circuit, and the chip's
// pin voltages per line volt and per line amp are solved by modified nodal analysis at each frequency the plant asks
// for. The same interface as FrontEnd (voltagePin, currentPinN, currentPinL: complex transfers, cached per frequency),
// so either can feed the plant.
import { type Complex, ZERO, checkHz, cx } from './impedance.ts';
import { Circuit, type Solution } from './circuit/circuit.ts';
import { type FrontEndNetlist, NetlistError, circuitElements, where } from './circuit/netlist.ts';
import { sub, type C } from './circuit/complex.ts';
import { parseValue } from './circuit/values.ts';

interface Transfers { v: Complex; iN: Complex; iL: Complex }

export class CircuitFrontEnd {
  readonly netlist: Readonly<FrontEndNetlist>;
  readonly circuit: Circuit;
  #cache = new Map<number, Transfers>();

  constructor(netlist: FrontEndNetlist) {
    this.netlist = netlist;
    this.circuit = new Circuit(circuitElements(netlist), netlist.chip.ground);
  }

  /** VP-VN volts per line volt at `hz`. */
  voltagePin(hz: number): Complex { return this.#at(hz).v; }
  /** I2P-I2N volts per line amp at `hz`. */
  currentPinN(hz: number): Complex { return this.#at(hz).iN; }
  /** I1P-I1N volts per line amp at `hz` (0 when the pins are not connected, as on this board). */
  currentPinL(hz: number): Complex { return this.#at(hz).iL; }

  /**
   * The same front end with the CT's magnetising branch set to `henries` and `lossOhms` (a CT with an excitation
   * curve at one operating point); the netlist is otherwise unchanged.
   */
  withMagnetising(henries: number, lossOhms: number): CircuitFrontEnd {
    if (!this.netlist.ct) throw new NetlistError(`${this.netlist.board}: no CT to set the magnetising branch of`);
    return new CircuitFrontEnd({ ...this.netlist, ct: { ...this.netlist.ct, magnetisingHenries: henries, coreLossOhms: lossOhms } });
  }

  /** Both excitations at `hz`: [line voltage 1 V, line current 1 A]. */
  solutions(hz: number): [Solution, Solution] {
    const [sv, si] = this.circuit.solveMany(hz, [{ line: 1 }, { current: 1 }]);
    return [sv, si];
  }

  #at(hz: number): Transfers {
    checkHz(hz, 'circuit front end');
    let t = this.#cache.get(hz);
    if (t === undefined) {
      const [sv, si] = this.solutions(hz);
      const pins = this.netlist.chip.pins;
      const diff = (s: Solution, p: string | null, n: string | null): Complex => {
        const vp: C = p === null ? { re: 0, im: 0 } : s.v(p);
        const vn: C = n === null ? { re: 0, im: 0 } : s.v(n);
        const d = sub(vp, vn);
        return d.re === 0 && d.im === 0 ? ZERO : cx(d.re, d.im);
      };
      t = {
        v: diff(sv, pins.VP, pins.VN),
        iN: diff(si, pins.I2P, pins.I2N),
        iL: pins.I1P === null && pins.I1N === null ? ZERO : diff(si, pins.I1P, pins.I1N),
      };
      this.#cache.set(hz, t);
    }
    return t;
  }
}

/**
 * The netlist with parts' values replaced by reference designator (`{ R12: '150k' }`), as `--set R12=150k` asks.
 * An unknown reference or an unreadable value is an error naming it.
 */
export function withValues(n: FrontEndNetlist, values: Readonly<Record<string, string>>): FrontEndNetlist {
  const parts = n.parts.map((p) => ({ ...p, nets: [...p.nets] as [string, string] }));
  for (const [ref, value] of Object.entries(values)) {
    const p = parts.find((q) => q.ref === ref);
    if (!p) throw new NetlistError(`${ref}: no such part in ${n.board} (parts: ${n.parts.map((q) => q.ref).join(', ')})`);
    parseValue(value, p.kind, where(p));
    p.value = value;
  }
  return { ...n, parts };
}
