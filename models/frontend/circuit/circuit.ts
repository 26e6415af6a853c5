// A linear circuit solved by modified nodal analysis over complex admittances, one frequency at a time.
//
// Elements (SPICE sign conventions):
//   R, C: admittance stamps between two nets;
//   L:    a branch with its own current unknown, V(a) - V(b) = jwL i (so an inductor is an exact short at 0 Hz);
//   V:    independent voltage source, V(a) - V(b) = value;
//   I:    independent current source, `amps` flowing from `a` through the source to `b` (it drives b);
//   CT:   a current transformer driven by its primary current, referred to the secondary exactly as
//         models/frontend/current-transformer.ts draws it: a current source Ip/ratio across the magnetising branch
//         (Lm || Rc), then the winding resistance and leakage inductance in series to the terminals. Current entering
//         the dotted primary end leaves the `plus` secondary terminal into the circuit (`reversed` swaps them).
// Sources carry a named `drive` so one factorisation serves several excitations (the line voltage, the line
// current): solve(hz, { LINE: 1 }) sets every source whose drive is LINE to 1 and every other source to 0.
import { createRequire } from 'node:module';
import { type C, C0, add, c, div, neg } from './complex.ts';

export type Element =
  | { kind: 'R'; ref: string; a: string; b: string; ohms: number }
  | { kind: 'C'; ref: string; a: string; b: string; farads: number }
  | { kind: 'L'; ref: string; a: string; b: string; henries: number }
  | { kind: 'V'; ref: string; a: string; b: string; drive: string }
  | { kind: 'I'; ref: string; a: string; b: string; drive: string }
  | {
    kind: 'CT'; ref: string; plus: string; minus: string; drive: string;
    ratio: number; windingOhms: number; leakageHenries: number; magnetisingHenries: number; coreLossOhms: number;
  };

/** Node voltages of one solution, by net name (the ground net reads 0). */
export interface Solution {
  hz: number;
  v(net: string): C;
  /** Current through an inductor or a voltage source (from a to b inside the element). */
  i(ref: string): C;
}

export class CircuitError extends Error {
  override readonly name = 'CircuitError';
}

export class Circuit {
  readonly ground: string;
  readonly elements: readonly Element[];
  readonly nets: readonly string[];
  #index = new Map<string, number>();

  constructor(elements: readonly Element[], ground = '0') {
    this.ground = ground;
    this.elements = elements;
    const refs = new Set<string>();
    for (const e of elements) {
      if (refs.has(e.ref)) throw new CircuitError(`${e.ref}: the reference is used twice`);
      refs.add(e.ref);
      checkValue(e);
      for (const n of terminals(e)) if (n !== ground && !this.#index.has(n)) this.#index.set(n, this.#index.size);
    }
    this.nets = [...this.#index.keys()];
  }

  /** Solves at `hz` with the given drive amplitudes (volts for V sources, amps for I and CT primaries). */
  solve(hz: number, drives: Readonly<Record<string, number | C>>): Solution {
    return this.solveMany(hz, [drives])[0];
  }

  /** One factorisation, several excitations. */
  solveMany(hz: number, excitations: readonly Readonly<Record<string, number | C>>[]): Solution[] {
    if (!Number.isFinite(hz) || hz < 0) throw new CircuitError(`frequency must be a finite number of hertz >= 0, got ${hz}`);
    const w = 2 * Math.PI * hz;
    // Unknowns: node voltages, then branch currents (L, V) and the CT's internal nodes.
    const idx = new Map(this.#index);
    const branch = new Map<string, number>();
    let n = idx.size;
    const internal = (name: string): number => { idx.set(name, n); return n++; };
    for (const e of this.elements) {
      if (e.kind === 'L' || e.kind === 'V') branch.set(e.ref, n++);
      if (e.kind === 'CT') { internal(`${e.ref}:emf`); branch.set(`${e.ref}:mag`, n++); if (e.leakageHenries > 0) { internal(`${e.ref}:w`); branch.set(`${e.ref}:leak`, n++); } }
    }
    const A: C[][] = Array.from({ length: n }, () => new Array<C>(n).fill(C0));
    const B: C[][] = excitations.map(() => new Array<C>(n).fill(C0));
    const at = (net: string): number => (net === this.ground ? -1 : idx.get(net)!);
    const put = (r: number, col: number, y: C): void => { if (r >= 0 && col >= 0) A[r][col] = add(A[r][col], y); };
    const admit = (a: string, b: string, y: C): void => {
      const i = at(a), j = at(b);
      put(i, i, y); put(j, j, y); put(i, j, neg(y)); put(j, i, neg(y));
    };
    const inject = (k: number, net: string, amps: C): void => { const i = at(net); if (i >= 0) B[k][i] = add(B[k][i], amps); };
    const drive = (k: number, name: string): C => { const d = excitations[k][name]; return d === undefined ? C0 : typeof d === 'number' ? c(d) : d; };
    const inductor = (ref: string, a: string, b: string, henries: number): void => {
      const bi = branch.get(ref)!, i = at(a), j = at(b);
      put(i, bi, c(1)); put(j, bi, c(-1)); put(bi, i, c(1)); put(bi, j, c(-1)); put(bi, bi, c(0, -w * henries));
    };
    for (const e of this.elements) {
      switch (e.kind) {
        case 'R': admit(e.a, e.b, c(1 / e.ohms)); break;
        case 'C': admit(e.a, e.b, c(0, w * e.farads)); break;
        case 'L': inductor(e.ref, e.a, e.b, e.henries); break;
        case 'V': {
          const bi = branch.get(e.ref)!, i = at(e.a), j = at(e.b);
          put(i, bi, c(1)); put(j, bi, c(-1)); put(bi, i, c(1)); put(bi, j, c(-1));
          excitations.forEach((_, k) => { B[k][bi] = drive(k, e.drive); });
          break;
        }
        case 'I':
          excitations.forEach((_, k) => { const d = drive(k, e.drive); inject(k, e.a, neg(d)); inject(k, e.b, d); });
          break;
        case 'CT': {
          const [p, m] = [e.plus, e.minus];
          const emf = `${e.ref}:emf`;
          // Magnetising branch Lm || Rc across the ideal secondary (emf to minus): a short at 0 Hz, so a CT passes no DC.
          admit(emf, m, c(1 / e.coreLossOhms));
          inductor(`${e.ref}:mag`, emf, m, e.magnetisingHenries);
          if (e.leakageHenries > 0) {
            const mid = `${e.ref}:w`;
            admit(emf, mid, c(1 / e.windingOhms));
            inductor(`${e.ref}:leak`, mid, p, e.leakageHenries);
          } else {
            admit(emf, p, c(1 / e.windingOhms));
          }
          excitations.forEach((_, k) => { const is = div(drive(k, e.drive), c(e.ratio)); inject(k, emf, is); inject(k, m, neg(is)); });
          break;
        }
      }
    }
    const X = luSolve(A, B, (row) => this.describeUnknown(row, idx, branch));
    return X.map((x) => ({
      hz,
      v: (net: string): C => {
        if (net === this.ground) return C0;
        const i = idx.get(net);
        if (i === undefined) throw new CircuitError(`no net named '${net}'`);
        return x[i];
      },
      i: (ref: string): C => {
        const i = branch.get(ref);
        if (i === undefined) throw new CircuitError(`${ref} carries no branch current (only inductors and voltage sources do)`);
        return x[i];
      },
    }));
  }

  private describeUnknown(row: number, idx: Map<string, number>, branch: Map<string, number>): string {
    for (const [k, v] of idx) if (v === row) return `net ${k}`;
    for (const [k, v] of branch) if (v === row) return `the current of ${k}`;
    return `unknown ${row}`;
  }
}

function terminals(e: Element): string[] {
  return e.kind === 'CT' ? [e.plus, e.minus] : [e.a, e.b];
}

function checkValue(e: Element): void {
  const pos = (v: number, what: string, zero = false): void => {
    if (!(typeof v === 'number' && Number.isFinite(v) && (zero ? v >= 0 : v > 0))) {
      throw new CircuitError(`${e.ref}: ${what} must be a finite number ${zero ? '>= 0' : '> 0'}, got ${String(v)}`);
    }
  };
  switch (e.kind) {
    case 'R': pos(e.ohms, 'resistance'); break;
    case 'C': pos(e.farads, 'capacitance'); break;
    case 'L': pos(e.henries, 'inductance'); break;
    case 'CT':
      pos(e.ratio, 'ratio'); pos(e.windingOhms, 'windingOhms'); pos(e.leakageHenries, 'leakageHenries', true);
      pos(e.magnetisingHenries, 'magnetisingHenries'); pos(e.coreLossOhms, 'coreLossOhms');
      break;
    default: break;
  }
}

/**
 * The complex linear solve A X = B by LU decomposition with partial pivoting (mathjs `lup` + `lusolve`), one
 * factorisation for every right-hand side. A pivot that vanishes against the matrix's scale means an unknown the
 * circuit does not determine (a net with no path to ground at this frequency): that is an error naming it, because
 * mathjs would return a meaningless solution for it.
 */
function luSolve(A: C[][], Bs: C[][], name: (row: number) => string): C[][] {
  const m = mathjs();
  const n = A.length;
  let scaleMax = 0;
  for (const row of A) for (const v of row) scaleMax = Math.max(scaleMax, Math.abs(v.re) + Math.abs(v.im));
  const tiny = scaleMax * 1e-18;
  const lu = m.lup(A.map((row) => row.map((v) => m.complex(v.re, v.im))));
  const U = lu.U.valueOf() as unknown as (MathComplex | number)[][];
  for (let k = 0; k < n; k++) {
    const d = U[k][k];
    if ((typeof d === 'number' ? Math.abs(d) : Math.hypot(d.re, d.im)) <= tiny) {
      throw new CircuitError(`the circuit has no unique solution: ${name(k)} is floating (no path to ground at this frequency)`);
    }
  }
  return Bs.map((col) => {
    const x = m.lusolve(lu, col.map((v) => m.complex(v.re, v.im))).valueOf() as unknown as (MathComplex | number)[][];
    return x.map(([v]) => (typeof v === 'number' ? { re: v, im: 0 } : { re: v.re, im: v.im }));
  });
}

type MathComplex = { re: number; im: number };
type MathJs = Pick<typeof import('mathjs'), 'lup' | 'lusolve' | 'complex'>;
let loaded: MathJs | null = null;

/**
 * mathjs, loaded on the first solve: it is a large library (about 90 MB resident, most of a second to load), used only
 * where a circuit is solved (at setup, per frequency, cached by CircuitFrontEnd), so whatever merely imports this module
 * (the accuracy bench, a Monte Carlo worker on the fixed-topology board) does not carry it.
 */
function mathjs(): MathJs {
  loaded ??= createRequire(import.meta.url)('mathjs') as MathJs;
  return loaded;
}
