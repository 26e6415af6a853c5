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
   * was (see #switchTime); without it (D21) a pass bills the load measured at its start, the end of the block before.
   */
  measuresDuringPoll?: boolean;
}

/** Half the ENERGY line's resolution (two decimals of kWh). */
const ENERGY_HALF_STEP_KWH = 0.005;
const WS_PER_KWH = 3.6e6;

export class TimelineBuilder {
  #queue: Queued[] = [];
  readonly #measuresDuringPoll: boolean;
  /** The energy (kWh) the timeline so far implies at the last block, kept within that block's printed ENERGY. */
  #energy = NaN;
  /** The last block whose supply was placed, while no restart came after it. */
  #prevBlock: Reading | null = null;

  constructor(o: TimelineOptions = {}) { this.#measuresDuringPoll = o.measuresDuringPoll ?? false; }
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
    return { b0: Math.min(Math.max(this.#prevEnd, last.t - LONGEST_PASS_S), this.#beforeLast?.t ?? last.t), b1: this.#post?.t ?? last.t };
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
    const t = this.#measuresDuringPoll ? this.#switchTime(r, from) : from;
    this.#push(0, { t, kind: 'supply', vrms: r.vrms, hz: r.hz, watts: r.watts, pf: r.pf, amps: r.amps, from: r.lineNo });
    this.#prevEnd = r.t;
    this.#prevBlock = r;
  }

  /**
   * Where inside the pass from `from` to block `r` its load came on, for a build that bills the load as it changes:
   * the energy the pass added is the old load's until then and the new one's after, so the block's ENERGY (against
   * the energy the timeline implies so far, kept within the printed values' rounding) gives the moment; within
   * 0.01 kWh over the change of power (18 s for a 2 kW kettle), and at the pass's start when the log cannot say.
   */
  #switchTime(r: Reading, from: number): number {
    const prev = this.#prevBlock;
    const usable = prev !== null && prev.t === from && Number.isFinite(prev.watts) && Number.isFinite(r.watts) && Number.isFinite(r.kwh) && Number.isFinite(this.#energy);
    if (!usable) {
      this.#energy = r.kwh;
      return from;
    }
    const span = r.t - from;
    const before = Math.max(0, prev.watts);
    const after = Math.max(0, r.watts);
    // A change too small for the ENERGY line to place within the pass (under two of its steps over the pass) stays
    // at the pass's start, where the firmware is between passes.
    let x = 0;
    if (Math.abs(after - before) * span >= 4 * ENERGY_HALF_STEP_KWH * WS_PER_KWH) {
      x = Math.min(span, Math.max(0, (this.#energy + (after * span) / WS_PER_KWH - r.kwh) / ((after - before) / WS_PER_KWH)));
    }
    const energy = this.#energy + (before * x + after * (span - x)) / WS_PER_KWH;
    this.#energy = Math.min(r.kwh + ENERGY_HALF_STEP_KWH, Math.max(r.kwh - ENERGY_HALF_STEP_KWH, energy));
    return from + x;
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
