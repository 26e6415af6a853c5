// A load that follows a time series: rows of (time, watts[, pf]) read from CSV text, held from each row's time to the
// next (sample and hold). Between rows the load is a constant impedance like the phasor level's linear loads
// (models/loads/load.ts: watts at ratedVolts, pf positive = lagging R-L, negative = leading R-C, 1 = resistive), so a
// sag lowers its power as for any impedance. Times count in seconds from the moment the load is connected. Before the
// first row's time the load draws nothing; after the last row it holds the last row, or starts again from the first
// row when `loop` is set (the period is then the last row's time: give a closing row, e.g. "86400,120" for a day).
//
// CSV: one row per line, comma (or semicolon or tab) separated; blank lines and lines starting with # are skipped; an
// optional header line (first field not a number, e.g. "time,watts,pf"). Every problem is reported with its line.
import { Load, type LoadContext } from '../../loads/load.ts';
import type { SampleContext, SampleLoad } from './sample-load.ts';
import { SeriesImpedance } from './series-impedance.ts';

export interface ProfileRow {
  /** Seconds from connection. */
  timeS: number;
  watts: number;
  /** Power factor: > 0 lagging, < 0 leading, 1 resistive; |pf| in (0, 1]. */
  pf: number;
}

export interface ProfileOptions {
  /** Voltage at which the rows' watts hold (default 240 V, the product's Un). */
  ratedVolts: number;
  /** Repeat the profile after its last row's time. */
  loop: boolean;
}

/** Parses CSV text into profile rows; throws an Error naming `source` and the line for any malformed input. */
export function parseLoadProfileCsv(text: string, source = 'load profile'): ProfileRow[] {
  if (typeof text !== 'string') throw new TypeError(`${source}: CSV text must be a string`);
  const rows: ProfileRow[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  let sawData = false;
  lines.forEach((raw, k) => {
    const line = raw.trim();
    const where = `${source} line ${k + 1}`;
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/[,;\t]/).map((f) => f.trim());
    if (!sawData && rows.length === 0 && !isNumber(fields[0])) {
      if (fields.length < 2 || fields.length > 3) {
        throw new Error(`${where}: header must name 2 or 3 columns (time, watts[, pf]), got ${fields.length}: "${line}"`);
      }
      sawData = true; // only the first non-comment line may be a header
      return;
    }
    sawData = true;
    if (fields.length < 2 || fields.length > 3) {
      throw new Error(`${where}: expected 2 or 3 fields (time, watts[, pf]), got ${fields.length}: "${line}"`);
    }
    const [t, w, p] = fields;
    if (!isNumber(t) || Number(t) < 0) throw new Error(`${where}: time must be a number of seconds >= 0, got "${t}"`);
    if (!isNumber(w) || Number(w) < 0) throw new Error(`${where}: watts must be a number >= 0, got "${w}"`);
    let pf = 1;
    if (p !== undefined && p !== '') {
      if (!isNumber(p) || Number(p) === 0 || Math.abs(Number(p)) > 1) {
        throw new Error(`${where}: pf must be a number with 0 < |pf| <= 1 (negative = leading), got "${p}"`);
      }
      pf = Number(p);
    }
    const timeS = Number(t);
    const prev = rows[rows.length - 1];
    if (prev && !(timeS > prev.timeS)) {
      throw new Error(`${where}: times must increase from row to row (${timeS} s follows ${prev.timeS} s)`);
    }
    rows.push({ timeS, watts: Number(w), pf });
  });
  if (rows.length === 0) throw new Error(`${source}: no data rows (expected lines of time, watts[, pf])`);
  return rows;
}

function isNumber(s: string | undefined): boolean {
  return s !== undefined && s !== '' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s);
}

export class ProfileLoad implements SampleLoad {
  readonly id: string;
  readonly kind = 'profile';
  readonly rows: readonly ProfileRow[];
  readonly options: Readonly<ProfileOptions>;
  readonly #branch: SeriesImpedance;
  readonly #z: Array<{ r: number; x: number }>;
  readonly #hz: number;
  #sample = 0;
  #row = -1;

  constructor(id: string, rows: readonly ProfileRow[], grid: LoadContext, sampleRateHz: number, options: Partial<ProfileOptions> = {}) {
    if (typeof id !== 'string' || id.trim() === '') throw new TypeError('a profile load needs an id (a non-empty name)');
    if (!Array.isArray(rows) || rows.length === 0) throw new RangeError(`profile load '${id}': needs at least one row (parseLoadProfileCsv)`);
    const o: ProfileOptions = { ratedVolts: 240, loop: false, ...options };
    if (typeof o.loop !== 'boolean') throw new TypeError(`profile load '${id}': loop must be true or false`);
    if (o.loop && rows[rows.length - 1].timeS <= 0) {
      throw new RangeError(`profile load '${id}': a looping profile needs a last row after 0 s (its time is the period)`);
    }
    this.id = id;
    this.options = Object.freeze(o);
    this.rows = Object.freeze(rows.map((r) => ({ ...r })));
    this.#hz = grid.hz;
    // Each row's impedance, by the phasor level's rules (which also check the values).
    this.#z = rows.map((r, k) => {
      const kind = r.pf < 0 ? 'capacitive' : r.pf < 1 ? 'inductive' : 'resistive';
      try {
        const l = new Load({ id, kind, watts: r.watts, pf: Math.abs(r.pf), ratedVolts: o.ratedVolts }, grid);
        return { r: l.rOhms, x: l.xOhms };
      } catch (err) {
        throw new RangeError(`profile load '${id}' row ${k + 1}: ${(err as Error).message}`);
      }
    });
    this.#branch = new SeriesImpedance(sampleRateHz);
    this.#branch.set(Infinity, 0, grid.hz);
  }

  /** Index of the row in force now (-1 before the first row's time). */
  get row(): number { return this.#row; }

  addCurrent(v: Float64Array, i: Float64Array, n: number, ctx: SampleContext): void {
    const fs = ctx.sampleRateHz;
    let k = 0;
    while (k < n) {
      this.#select(fs);
      const next = this.#nextChangeSample(fs);
      const end = Math.min(n, k + Math.max(1, next - this.#sample));
      this.#branch.addCurrent(v, i, end, k);
      this.#sample += end - k;
      k = end;
    }
  }

  /** Absolute sample index of the next row change after now (Infinity when none). */
  #nextChangeSample(fs: number): number {
    const rows = this.rows;
    const period = rows[rows.length - 1].timeS;
    const t = this.#sample / fs;
    const base = this.options.loop ? Math.floor(t / period) * period : 0;
    const local = t - base;
    for (const r of rows) if (r.timeS > local + 1e-12) return Math.ceil((base + r.timeS) * fs - 1e-9);
    return this.options.loop ? Math.ceil((base + period + rows[0].timeS) * fs - 1e-9) : Infinity;
  }

  #select(fs: number): void {
    const rows = this.rows;
    const period = rows[rows.length - 1].timeS;
    let t = this.#sample / fs;
    if (this.options.loop) t -= Math.floor(t / period) * period;
    let idx = -1;
    for (let k = 0; k < rows.length; k++) if (rows[k].timeS <= t + 1e-12) idx = k;
    if (idx === this.#row) return;
    this.#row = idx;
    if (idx < 0) this.#branch.set(Infinity, 0, this.#hz);
    else this.#branch.set(this.#z[idx].r, this.#z[idx].x, this.#hz);
  }
}
