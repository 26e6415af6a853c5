// The line-by-line comparison of a replay (replay.ts), made as the log is read and the twin runs: a log line is
// decided once the twin has run past its time and the tolerance, and only the lines not yet decided are held (the
// log's since then, the twin's since the comparison's place), so a long log takes no more memory than a short one.
//
// The comparison is positional, resynchronised after each gap of the capture (what the twin printed while the capture
// was missing has no counterpart in the log) and after each line that differs: a line the twin printed later, within
// the time tolerance, means the log lacks the twin's lines before it (cut out of the capture); a line found nowhere
// is either one the twin replaced (both move on) or one the log has in excess (the next log line is the twin's).
import type { LogLine } from './field-log.ts';

export interface Divergence {
  lineNo: number;
  t: number;
  expected: string;
  /** The twin's line at that position (null: the twin printed nothing more). */
  observed: string | null;
  observedT: number | null;
  /**
   * `text`: the twin printed something else there; `time`: the same text beyond the tolerance; `missing`: the twin
   * printed nothing more; `unlogged`: the twin printed `observed` (and maybe more) before this line, which the log lacks.
   */
  reason: 'text' | 'time' | 'missing' | 'unlogged';
}

export interface TwinLine { t: number; text: string }

/** The twin's lines behind the log (older than its next line) held once the two have parted; see #compact. */
export const BEHIND_KEPT = 10_000;

export class LineComparison {
  agreeing = 0;
  /** Lines the twin printed that the log lacks (cut out of the capture), outside the gaps. */
  twinOnly = 0;
  /** Log lines decided so far. */
  compared = 0;
  first: Divergence | null = null;
  /** Of `twinOnly`, the lines counted so because more than BEHIND_KEPT were behind the log. */
  get dropped(): number { return this.#dropped; }
  #dropped = 0;

  /** The twin's lines from #base on (#head: the first one kept); `#p` is the comparison's place among them. */
  #twin: TwinLine[] = [];
  #head = 0;
  #base = 0;
  #p = 0;
  #twinNow = -Infinity;
  #twinEnded = false;
  #log: LogLine[] = [];
  #logHead = 0;
  #logEnded = false;
  /**
   * Log lines the twin ran past without printing a line for them (it fell silent): each takes the next line the twin
   * prints, whatever it is, so only their number is kept, the first (for the report) and the last (whose follower
   * may be the twin's line).
   */
  #silent = 0;
  #silentFirst: LogLine | null = null;
  #silentLast: LogLine | null = null;

  /** `tol`: a line's time may differ by this much (s) and still agree. */
  constructor(private readonly tol: number) {}

  addLog(l: LogLine): void { this.#log.push(l); }
  logEnded(): void { this.#logEnded = true; }
  addTwin(t: number, text: string): void { this.#twin.push({ t, text }); }
  /** The twin has run to `s` seconds: every line it prints from now on is later. */
  twinAt(s: number): void { this.#twinNow = s; }
  twinEnded(): void { this.#twinEnded = true; }

  /** Log and twin lines held (for the benchmark's figures and tests). */
  get held(): { log: number; twin: number } { return { log: this.#log.length - this.#logHead, twin: this.#twin.length - this.#head }; }

  #at(i: number): TwinLine | undefined { return i - this.#base < this.#twin.length ? this.#twin[i - this.#base] : undefined; }
  get #twinEnd(): number { return this.#base + this.#twin.length; }

  /** Decide every log line that can be decided now. */
  step(): void {
    const tol = this.tol;
    for (;;) {
      if (this.#silent > 0) {
        if (this.#p < this.#twinEnd) {
          if (this.#silent > 1) {
            const l = this.#silentFirst;
            const w = this.#at(this.#p)!;
            if (l) this.first ??= { lineNo: l.lineNo, t: l.t, expected: l.text, observed: w.text, observedT: w.t, reason: w.text !== l.text ? 'text' : 'time' };
            this.#silentFirst = null;
            this.#p++;
            this.#silent--;
            continue;
          }
          const next = this.#nextLog(0);
          if (next === null) break;
          this.#silent = 0;
          this.#silentFirst = null;
          this.#decide(this.#silentLast!, next);
          continue;
        }
        if (this.#twinEnded) {
          const l = this.#silentFirst ?? this.#silentLast!;
          this.first ??= { lineNo: l.lineNo, t: l.t, expected: l.text, observed: null, observedT: null, reason: 'missing' };
          this.#silent = 0;
          this.#silentFirst = null;
          continue;
        }
      }
      if (this.#logHead >= this.#log.length) break;
      const l = this.#log[this.#logHead];
      if (!this.#twinEnded && !(this.#twinNow > l.t + tol)) break;
      const next = this.#nextLog(1);
      if (next === null) break;
      this.#logHead++;
      this.compared++;
      if (l.gapStart) this.#resync(l);
      if (this.#p >= this.#twinEnd && !this.#twinEnded) {
        // The twin printed nothing since: whatever it prints next is beyond this line's tolerance.
        if (this.#silent === 0) this.#silentFirst = l;
        this.#silentLast = l;
        this.#silent++;
        continue;
      }
      this.#decide(l, next);
    }
    this.#compact();
  }

  /** The log line `k` places after the next undecided one; undefined at the log's end; null: not read yet. */
  #nextLog(k: number): LogLine | undefined | null {
    const i = this.#logHead + k;
    if (i < this.#log.length) return this.#log[i];
    return this.#logEnded ? undefined : null;
  }

  /** After a gap: skip what the twin printed while the capture was missing, up to this line if the twin has it. */
  #resync(l: LogLine): void {
    const tol = this.tol;
    let w = this.#at(this.#p);
    while (w && w.t < l.t - tol) w = this.#at(++this.#p);
    let q = this.#p;
    while ((w = this.#at(q)) && w.t <= l.t + tol && w.text !== l.text) q++;
    if (w && w.text === l.text && w.t <= l.t + tol) this.#p = q;
  }

  #decide(l: LogLine, next: LogLine | undefined): void {
    const tol = this.tol;
    const p = this.#p;
    const w = this.#at(p);
    let reason: Divergence['reason'] | null = null;
    if (!w) reason = 'missing';
    else if (w.text !== l.text) reason = 'text';
    else if (Math.abs(w.t - l.t) > tol) reason = 'time';
    if (reason === null) { this.agreeing++; this.#p++; return; }
    if (reason === 'text') {
      const q = this.#find(l, p + 1);
      if (q >= 0) {
        this.first ??= { lineNo: l.lineNo, t: l.t, expected: l.text, observed: w!.text, observedT: w!.t, reason: 'unlogged' };
        this.twinOnly += q - p;
        this.agreeing++;
        this.#p = q + 1;
        return;
      }
      const logHasMore = next !== undefined && next.text === w!.text && Math.abs(w!.t - next.t) <= tol;
      if (!logHasMore) this.#p++;
    } else if (w) this.#p++;
    this.first ??= { lineNo: l.lineNo, t: l.t, expected: l.text, observed: w ? w.text : null, observedT: w ? w.t : null, reason };
  }

  /** The twin's line for `l` at or after `from`, within the tolerance; -1: none. */
  #find(l: LogLine, from: number): number {
    const tol = this.tol;
    // The first kept line at or after l.t - tol (the kept lines are in time order).
    let lo = Math.max(from, this.#base + this.#head);
    let hi = this.#twinEnd;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#at(mid)!.t < l.t - tol) lo = mid + 1; else hi = mid;
    }
    for (let q = lo, w = this.#at(q); w && w.t <= l.t + tol; w = this.#at(++q)) {
      if (w.text === l.text) return q;
    }
    return -1;
  }

  /**
   * Let go of the decided lines. Once the twin and the log have parted, the twin's lines older than the next log line
   * (by more than the tolerance) can agree with no line any more; they only keep their places. Of those, at most
   * BEHIND_KEPT are held: the oldest beyond are counted as lines the twin printed that the log lacks, so a twin that
   * prints far more than the log does not fill the memory.
   */
  #compact(): void {
    const l = this.#log[this.#logHead];
    if (this.first !== null && l !== undefined && this.#silent === 0) {
      const limit = l.t - this.tol;
      const from = this.#p - this.#base;
      if (from + BEHIND_KEPT < this.#twin.length && this.#twin[from + BEHIND_KEPT].t < limit) {
        let old = BEHIND_KEPT;
        while (from + old < this.#twin.length && this.#twin[from + old].t < limit) old++;
        const drop = old - BEHIND_KEPT;
        this.#p += drop;
        this.twinOnly += drop;
        this.#dropped += drop;
      }
    }
    this.#head = Math.max(this.#head, this.#p - this.#base);
    if (this.#head > 1024 && this.#head * 2 > this.#twin.length) {
      this.#twin = this.#twin.slice(this.#head);
      this.#base += this.#head;
      this.#head = 0;
    }
    if (this.#logHead > 1024 && this.#logHead * 2 > this.#log.length) {
      this.#log = this.#log.slice(this.#logHead);
      this.#logHead = 0;
    }
  }
}
