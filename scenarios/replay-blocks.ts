// Credit and energy of a replay (replay.ts): each readings block of the log against the twin's block printed nearest
// to it (within a minute), summed up as they are decided: how many, how many agree on the credit, the largest credit
// difference and the last pair. A block is decided once the twin has run a minute past it, so only the last minute's
// blocks are held.
import type { Reading } from './field-log.ts';

export interface BlockComparison { lineNo: number; t: number; credit: number; twinCredit: number | null; kwh: number; twinKwh: number | null }

export interface BlockSummary {
  /** Readings blocks of the log. */
  count: number;
  /** Blocks with a twin block near them and a credit the log gives as a number. */
  paired: number;
  /** Blocks whose twin block shows the same credit. */
  sameCredit: number;
  /** The paired block with the largest credit difference (the first of equals). */
  worst: BlockComparison | null;
  last: BlockComparison | null;
}

interface TwinBlock { t: number; credit: number; kwh: number }

export class BlockComparisons {
  readonly summary: BlockSummary = { count: 0, paired: 0, sameCredit: 0, worst: null, last: null };
  #log: Reading[] = [];
  #twin: TwinBlock[] = [];
  #kwh = NaN;
  #twinNow = -Infinity;
  #twinEnded = false;
  /** How far (s) a twin block may be from the log's and still be its counterpart. */
  readonly #window: number;

  constructor(tol: number) { this.#window = Math.max(tol, 60); }

  addLog(r: Reading): void { this.#log.push(r); }

  /** Every line the twin prints: ENERGY gives the energy of the next CREDIT line's block. */
  addTwin(t: number, text: string): void {
    if (text.startsWith('ENERGY : ')) this.#kwh = Number(text.slice(9));
    else if (text.startsWith('CREDIT : ')) this.#twin.push({ t, credit: Number(text.slice(9)), kwh: this.#kwh });
  }

  twinAt(s: number): void { this.#twinNow = s; }
  twinEnded(): void { this.#twinEnded = true; }

  /** Decide the log's blocks the twin has run a window past. */
  step(): void {
    const win = this.#window;
    let done = 0;
    for (const r of this.#log) {
      if (!this.#twinEnded && !(this.#twinNow > r.t + win)) break;
      // The twin's block nearest to this one (the later of two as near); blocks too early for it are too early for
      // every later one as well.
      let k = 0;
      while (k < this.#twin.length && this.#twin[k].t < r.t && r.t - this.#twin[k].t > win) k++;
      if (k > 0) this.#twin.splice(0, k);
      let w: TwinBlock | null = null;
      for (const b of this.#twin) {
        if (Math.abs(b.t - r.t) > win) break;
        if (w === null || Math.abs(b.t - r.t) <= Math.abs(w.t - r.t)) w = b;
      }
      this.#add({ lineNo: r.lineNo, t: r.t, credit: r.credit, kwh: r.kwh, twinCredit: w?.credit ?? null, twinKwh: w?.kwh ?? null });
      done++;
    }
    if (done > 0) this.#log.splice(0, done);
  }

  #add(b: BlockComparison): void {
    const s = this.summary;
    s.count++;
    if (b.twinCredit === null || !Number.isFinite(b.credit)) return;
    s.paired++;
    if (b.twinCredit === b.credit) s.sameCredit++;
    if (s.worst === null || Math.abs(b.twinCredit - b.credit) > Math.abs(s.worst.twinCredit! - s.worst.credit)) s.worst = b;
    s.last = b;
  }
}
