// The grid/load timeline a debug log implies (field-log.ts), rebuilt as the log is read: each readings block's supply
// and load from the end of the block before it (at most LONGEST_PASS_S before it), a power cut and restore at each `Device Powered!` line after the
// first, and the backend's pending top-up at each poll that answered one. An event is handed out once no line still
// to come can put an event before it, so the twin runs while the log is read and only a pass or two of the log's
// events are held, whatever its length.
import type { LogLine, Reading } from './field-log.ts';

/** A change of the world the log implies, at `t` seconds. */
export type TimelineEvent =
  | { t: number; kind: 'supply'; vrms: number; hz: number; watts: number; pf: number; amps: number; from: number }
  | { t: number; kind: 'power'; on: boolean; from: number }
  /** The backend's pending top-up as the poll answered it (`topup:` and its value), set as the poll's POST starts. */
  | { t: number; kind: 'pending'; amount: number; from: number };

/**
 * The longest a block's load is taken to have held before it. A pass of the main loop lasts seconds to minutes (the
 * modem's timeouts); a log that prints lines but no readings block for longer (a firmware stuck printing faults)
 * does not say what the load was then: the twin keeps the last known one until an hour before the next block,
 * instead of holding every line of the stretch until that block comes.
 */
export const LONGEST_PASS_S = 3600;

/**
 * Events in time order; at the same time, the supply and power events in the order of the log, then the top-ups
 * (`group` 0 before 1, then `seq`).
 */
interface Queued { ev: TimelineEvent; group: 0 | 1; seq: number }

function before(a: Queued, b: Queued): boolean {
  return a.ev.t !== b.ev.t ? a.ev.t < b.ev.t : a.group !== b.group ? a.group < b.group : a.seq < b.seq;
}

export interface TimelineOptions {
  /**
   * The build measures while the modem waits (D21 fixed): a block then shows the load near its own time and the
   * meter bills the load as it changes, so a change of load inside a pass is placed where the block's ENERGY says it
   * was (see #decide); without it (D21) a pass bills the load measured at its start, the end of the block before.
   */
  measuresDuringPoll?: boolean;
  /**
   * When a twin runs the timeline as it is built: its ENERGY (kWh) now and the time it has run to (s), or null. A
   * load change inside a pass is then placed so that the twin's own energy lands where the log's later blocks put
   * the meter's, whatever the twin's energy was before.
   */
  twinEnergy?: () => { t: number; kwh: number } | null;
}

/**
 * A load change inside a pass (D21 fixed) is placed once this many blocks after it are read, or the load changes
 * again, or a restart or the log's end comes: each later block's ENERGY narrows where the meter's energy was at the
 * change's block (the twin waits at the pass's start meanwhile).
 */
export const LOOKAHEAD_BLOCKS = 128;

/** A change of load inside a pass whose moment is not decided yet, and the blocks read after it. */
interface PendingSwitch { r: Reading; from: number; before: number; later: { r: Reading; from: number }[] }

/** Half the ENERGY line's resolution (two decimals of kWh). */
const ENERGY_HALF_STEP_KWH = 0.005;
const WS_PER_KWH = 3.6e6;

export class TimelineBuilder {
  #queue: Queued[] = [];
  readonly #measuresDuringPoll: boolean;
  /**
   * Where the meter's energy (kWh) was at the last block, as far as the log says: each block's printed ENERGY, and
   * the blocks before it carried forward by the loads between; NaN until a block starts it.
   */
  #eLo = NaN;
  #eHi = NaN;
  /** The last block whose supply was placed, while no restart came after it. */
  #prevBlock: Reading | null = null;

  readonly #twinEnergy: TimelineOptions['twinEnergy'];
  #pending: PendingSwitch | null = null;

  constructor(o: TimelineOptions = {}) {
    this.#measuresDuringPoll = o.measuresDuringPoll ?? false;
    this.#twinEnergy = o.twinEnergy;
  }
  #seq = [0, 0];
  /** Where the next block's supply starts: the end of the block before it, or the last restart. */
  #prevEnd = 0;
  /** Blocks read whose supply waits for a line of a later time (a restart at their very time comes first). */
  #blocks: Reading[] = [];
  #powered = false;
  #last: LogLine | null = null;
  /** The last line of a time before the last line's. */
  #beforeLast: LogLine | null = null;
  /** The poll request a `topup:` answers: the last POST line, until a readings block closes its pass. */
  #post: LogLine | null = null;
  #topup: LogLine | null = null;
  #ended = false;

  /** Every line the firmware printed, in order (before `reading` for the CREDIT line that closes a block). */
  line(l: LogLine): void {
    const last = this.#last;
    if (last !== null && l.t > last.t) {
      this.#beforeLast = last;
      for (const r of this.#blocks) this.#supply(r);
      this.#blocks.length = 0;
    }
    this.#last = l;
    if (l.text === 'Device Powered! ') {
      if (this.#powered) {
        if (this.#pending !== null) this.#decide();
        // A restart: the cut goes right after the last line before it.
        const b = this.#beforeLast;
        this.#push(0, { t: b ? b.t : l.t, kind: 'power', on: false, from: b?.lineNo ?? 0 });
        this.#push(0, { t: l.t, kind: 'power', on: true, from: b?.lineNo ?? 0 });
        this.#prevEnd = l.t;
        this.#prevBlock = null;
      }
      this.#powered = true;
    }
    if (this.#topup !== null) {
      const amount = Number(l.text);
      if (Number.isFinite(amount) && amount >= 0 && this.#post !== null) this.#push(1, { t: this.#post.t, kind: 'pending', amount, from: this.#topup.lineNo });
    }
    this.#topup = l.text === 'topup:' ? l : null;
    if (l.text === 'Performing HTTP POST request...') this.#post = l;
  }

  /** A readings block, once its CREDIT line has gone through `line`. */
  reading(r: Reading): void {
    this.#blocks.push(r);
    this.#post = null;
  }

  /** The log has ended: every event is known. */
  end(): void {
    for (const r of this.#blocks) this.#supply(r);
    this.#blocks.length = 0;
    if (this.#pending !== null) this.#decide();
    this.#ended = true;
  }

  /**
   * Lower bounds of the times of events still to come, of the supply and power events (`b0`) and of the top-ups
   * (`b1`): the next block's supply starts at #prevEnd; a restart's cut goes after the last line before it (at the
   * earliest the last line of an earlier time); a top-up at the open POST, else at a POST still to come.
   */
  #bounds(): { b0: number; b1: number } {
    const last = this.#last;
    if (this.#ended) return { b0: Infinity, b1: Infinity };
    if (last === null) return { b0: -Infinity, b1: -Infinity };
    const b0 = Math.min(Math.max(this.#prevEnd, last.t - LONGEST_PASS_S), this.#beforeLast?.t ?? last.t);
    // An undecided change comes at the earliest at the start of its pass.
    return { b0: this.#pending !== null ? Math.min(b0, this.#pending.from) : b0, b1: this.#post?.t ?? last.t };
  }

  /** Events no line still to come can precede, in order; they leave the builder. */
  take(): TimelineEvent[] {
    const q = this.#queue;
    const { b0, b1 } = this.#bounds();
    let n = 0;
    while (n < q.length && q[n].ev.t <= b1 && (q[n].group === 0 ? q[n].ev.t <= b0 : q[n].ev.t < b0)) n++;
    return n === 0 ? [] : q.splice(0, n).map((x) => x.ev);
  }

  /** The earliest time (s) an event not yet taken can have: the twin may run up to it without missing one. */
  horizon(): number {
    const { b0, b1 } = this.#bounds();
    return Math.min(b0, b1, this.#queue[0]?.ev.t ?? Infinity);
  }

  #supply(r: Reading): void {
    const from = Math.max(this.#prevEnd, r.t - LONGEST_PASS_S);
    if (this.#measuresDuringPoll) {
      const p = this.#pending;
      if (p !== null) {
        if (!this.#placeable(r, from)) {
          p.later.push({ r, from });
          this.#prevEnd = r.t;
          this.#prevBlock = r;
          if (p.later.length >= LOOKAHEAD_BLOCKS) this.#decide();
          return;
        }
        this.#decide();
      }
      if (this.#placeable(r, from)) {
        this.#pending = { r, from, before: Math.max(0, this.#prevBlock!.watts), later: [] };
        this.#prevEnd = r.t;
        this.#prevBlock = r;
        return;
      }
    }
    this.#steady(r, from);
  }

  /** A block whose load held since `from` (or is taken so): its supply at `from`. */
  #steady(r: Reading, from: number): void {
    if (this.#measuresDuringPoll) {
      const prev = this.#prevBlock;
      const usable = prev !== null && prev.t === from && Number.isFinite(prev.watts) && Number.isFinite(r.kwh) && Number.isFinite(this.#eLo);
      const added = usable ? (Math.max(0, prev.watts) * (r.t - from)) / WS_PER_KWH : 0;
      this.#narrow(r, usable ? this.#eLo + added : -Infinity, usable ? this.#eHi + added : Infinity);
    }
    this.#push(0, { t: from, kind: 'supply', vrms: r.vrms, hz: r.hz, watts: r.watts, pf: r.pf, amps: r.amps, from: r.lineNo });
    this.#prevEnd = r.t;
    this.#prevBlock = r;
  }

  /**
   * The block's load differs from the one before it by enough for the ENERGY line to place the change inside the
   * pass from `from` (at least two of its steps over the pass), and the pass follows that block directly.
   */
  #placeable(r: Reading, from: number): boolean {
    const prev = this.#prevBlock;
    if (prev === null || prev.t !== from || !Number.isFinite(prev.watts) || !Number.isFinite(r.watts) || !Number.isFinite(r.kwh)) return false;
    return Math.abs(Math.max(0, r.watts) - Math.max(0, prev.watts)) * (r.t - from) >= 4 * ENERGY_HALF_STEP_KWH * WS_PER_KWH;
  }

  /**
   * The meter's energy at block `r`: within [lo, hi] by what came before, and within the block's printed ENERGY
   * (that alone where the two part: a log the account cannot follow starts it again).
   */
  #narrow(r: Reading, lo: number, hi: number): void {
    if (!Number.isFinite(r.kwh)) { this.#eLo = NaN; this.#eHi = NaN; return; }
    const plo = r.kwh - ENERGY_HALF_STEP_KWH;
    const phi = r.kwh + ENERGY_HALF_STEP_KWH;
    const nlo = Math.max(lo, plo);
    const nhi = Math.min(hi, phi);
    if (nlo <= nhi) { this.#eLo = nlo; this.#eHi = nhi; } else { this.#eLo = plo; this.#eHi = phi; }
  }

  /**
   * Where inside its pass the pending change of load came, for a build that bills the load as it changes: the energy
   * the pass added is the old load's until then and the new one's after. The block's ENERGY and those of the blocks
   * read after it (less what their loads added since) bound the meter's energy at the block; the moment is the one
   * that puts the twin's energy (or, without a twin, the timeline's own account of it) in the middle of those bounds.
   * The later blocks then follow at the ends of the blocks before them.
   */
  #decide(): void {
    const p = this.#pending!;
    this.#pending = null;
    const { r, from, before, later } = p;
    const after = Math.max(0, r.watts);
    const span = r.t - from;
    const h = ENERGY_HALF_STEP_KWH;
    let lo = r.kwh - h;
    let hi = r.kwh + h;
    let added = 0;
    for (const k of later) {
      added += (Math.max(0, k.r.watts) * (k.r.t - k.from)) / WS_PER_KWH;
      const klo = k.r.kwh - h - added;
      const khi = k.r.kwh + h - added;
      if (Math.max(lo, klo) > Math.min(hi, khi)) break; // a block the others contradict: the bounds so far
      lo = Math.max(lo, klo);
      hi = Math.min(hi, khi);
    }
    const e0 = this.#energyAt(from, before);
    // What the pass adds with the change at its end (the old load throughout) and at its start (the new one).
    const cOld = (before * span) / WS_PER_KWH;
    const cNew = (after * span) / WS_PER_KWH;
    const rlo = e0 + Math.min(cOld, cNew);
    const rhi = e0 + Math.max(cOld, cNew);
    const target = Math.min(Math.max((lo + hi) / 2, Math.max(lo, rlo)), Math.min(hi, rhi));
    const x = Math.min(span, Math.max(0, (e0 + cNew - target) / ((after - before) / WS_PER_KWH)));
    // The meter's energy at the block: what the bounds allow of what the pass could add to the energy before it.
    const known = Number.isFinite(this.#eLo);
    this.#narrow(r, Math.max(lo, known ? this.#eLo + Math.min(cOld, cNew) : -Infinity), Math.min(hi, known ? this.#eHi + Math.max(cOld, cNew) : Infinity));
    this.#push(0, { t: from + x, kind: 'supply', vrms: r.vrms, hz: r.hz, watts: r.watts, pf: r.pf, amps: r.amps, from: r.lineNo });
    // The later blocks' supplies, from the ends of the blocks before them (#steady reads #prevBlock as the one before).
    const last = this.#prevBlock;
    const lastEnd = this.#prevEnd;
    this.#prevBlock = r;
    for (const k of later) this.#steady(k.r, k.from);
    this.#prevBlock = last;
    this.#prevEnd = lastEnd;
  }

  /** The twin's energy at `from` (its own, carried from where it has run to at `watts`), else the timeline's account. */
  #energyAt(from: number, watts: number): number {
    const tw = this.#twinEnergy?.() ?? null;
    if (tw !== null && Number.isFinite(tw.kwh) && tw.t <= from) return tw.kwh + (watts * (from - tw.t)) / WS_PER_KWH;
    return Number.isFinite(this.#eLo) ? (this.#eLo + this.#eHi) / 2 : this.#prevBlock?.kwh ?? 0;
  }

  #push(group: 0 | 1, ev: TimelineEvent): void {
    const x: Queued = { ev, group, seq: this.#seq[group]++ };
    const q = this.#queue;
    let i = q.length;
    while (i > 0 && before(x, q[i - 1])) i--;
    q.splice(i, 0, x);
  }
}

/** The whole timeline of a log's lines and readings at once (a short log's; the replay takes it as it comes). */
export function timeline(lines: readonly LogLine[], readings: readonly Reading[], o: TimelineOptions = {}): TimelineEvent[] {
  const b = new TimelineBuilder(o);
  let k = 0;
  for (const l of lines) {
    b.line(l);
    while (k < readings.length && readings[k].lineNo === l.lineNo) b.reading(readings[k++]);
  }
  b.end();
  return b.take();
}
