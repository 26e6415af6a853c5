// The ngspice run of an `osm frontend spice` export held against the project's circuit solver: the two tables
// ngspice prints (VP-VN per line volt, I2P-I2N per line amp; real and imaginary parts per frequency) are read back and
// compared frequency by frequency in gain and phase. Running ngspice is the caller's (cli/commands/frontend.ts).
import { type Complex, cabs, cargDeg } from '../impedance.ts';

export interface SpiceRow { hz: number; re: number; im: number }

export interface SpiceTables {
  /** VP-VN per line volt. */
  v: SpiceRow[];
  /** I2P-I2N per line amp (empty when the front end has no CT). */
  i: SpiceRow[];
}

export class SpiceOutputError extends Error {
  override readonly name = 'SpiceOutputError';
}

/** The tables of `ngspice -b` on an `osm frontend spice` file, in the order printed (voltage, then current). */
export function parseSpiceTables(stdout: string): SpiceTables {
  const tables: SpiceRow[][] = [];
  for (const line of stdout.split('\n')) {
    if (/^Index\s+frequency/.test(line)) { tables.push([]); continue; }
    const m = /^\d+\s+(\S+)\s+(\S+)\s+(\S+)/.exec(line);
    if (m && tables.length) {
      const row = { hz: Number(m[1]), re: Number(m[2]), im: Number(m[3]) };
      if (![row.hz, row.re, row.im].every(Number.isFinite)) throw new SpiceOutputError(`ngspice printed a row that is not three numbers: '${line.trim()}'`);
      tables[tables.length - 1].push(row);
    }
  }
  // ngspice repeats a table's header on every page; rows under a repeated header continue the same table.
  const merged: SpiceRow[][] = [];
  for (const t of tables) {
    const last = merged[merged.length - 1];
    if (last && t.length && last.length && t[0].hz > last[last.length - 1].hz) last.push(...t);
    else if (t.length) merged.push(t);
  }
  if (merged.length === 0) throw new SpiceOutputError('ngspice printed no table (is the file an osm frontend spice export?)');
  return { v: merged[0], i: merged[1] ?? [] };
}

export interface ChannelComparison {
  /** Number of frequencies compared. */
  points: number;
  /** Largest |gain ratio - 1| and |phase difference| (degrees) over the frequencies, and where. */
  gain: number;
  gainHz: number;
  phaseDeg: number;
  phaseHz: number;
  /** At the first frequency (50 Hz): ngspice's and the solver's transfer, magnitude and phase in degrees. */
  first: { hz: number; spice: { abs: number; deg: number }; solver: { abs: number; deg: number } };
}

/** ngspice's rows against `solver(hz)`, the project's transfer at the same frequencies. */
export function compareChannel(rows: readonly SpiceRow[], solver: (hz: number) => Complex): ChannelComparison {
  if (rows.length === 0) throw new SpiceOutputError('no rows to compare');
  let gain = 0, gainHz = rows[0].hz, phaseDeg = 0, phaseHz = rows[0].hz;
  for (const r of rows) {
    const m = solver(r.hz);
    const g = Math.abs(Math.hypot(r.re, r.im) / cabs(m) - 1);
    let d = (Math.atan2(r.im, r.re) * 180) / Math.PI - cargDeg(m);
    d = Math.abs(((d + 540) % 360) - 180);
    if (g > gain) { gain = g; gainHz = r.hz; }
    if (d > phaseDeg) { phaseDeg = d; phaseHz = r.hz; }
  }
  const r0 = rows[0], m0 = solver(r0.hz);
  return {
    points: rows.length, gain, gainHz, phaseDeg, phaseHz,
    first: { hz: r0.hz, spice: { abs: Math.hypot(r0.re, r0.im), deg: (Math.atan2(r0.im, r0.re) * 180) / Math.PI }, solver: { abs: cabs(m0), deg: cargDeg(m0) } },
  };
}

/** The agreement the project holds its solver to against ngspice (docs/front-end.md). */
export const SPICE_AGREEMENT = { gain: 1e-6, phaseDeg: 1e-4 } as const;
