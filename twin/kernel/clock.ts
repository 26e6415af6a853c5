// Virtual clock and scheduler: integer microseconds, a binary heap of events, awaitable sleeps for simulated tasks.
//
// Simulated code runs in two ways:
// - event callbacks (`at`, `every`): synchronous, run when the clock reaches their time;
// - tasks (`spawn`): async functions that only ever wait on this clock (`sleep`, `sleepUntil`). After an event wakes a
//   task, the clock lets the task run until it parks again (calls sleep) before it processes the next event, so a
//   task always observes the time it woke at. A task must not await anything but this clock.
import { DOUBLE_FIELD, type EventHandle, type SimTime } from '../../models/sim-time.ts';

/** A scheduled event; it is its own cancel handle (no closure per event on the hot path). */
class Ev implements EventHandle {
  /** A double field from the start (models/sim-time.ts: given as the field's initializer, not in the constructor). */
  t = DOUBLE_FIELD;
  seq: number;
  fn: (() => void) | null;
  constructor(t: number, seq: number, fn: () => void) {
    this.t = t;
    this.seq = seq;
    this.fn = fn;
  }
  cancel(): void { this.fn = null; }
}

/**
 * A task parked by `sleepUntilSettled`. A class, not an object literal: V8 tracks literals by allocation site and,
 * when many of a site's objects outlive a scavenge (tasks parked across one), allocates all later ones straight in
 * the old generation; each parked record there then holds its young promise, closures and the task's async frames
 * through every scavenge until the next full collection (the fixed profile's day promoted about 200 MiB this way
 * and peaked near 190 MiB). Instances of a class are never pretenured.
 */
class Parked {
  readonly onEvent: () => number | Error | undefined;
  readonly counted: boolean;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
  fire: () => void = noop;
  /** Its clock event, scheduled again (not a new one) each time the wait re-arms. */
  ev: Ev | null = null;
  constructor(onEvent: () => number | Error | undefined, counted: boolean, resolve: () => void, reject: (err: Error) => void) {
    this.onEvent = onEvent; this.counted = counted; this.resolve = resolve; this.reject = reject;
  }
}

function noop(): void { /* until the record's wake is set */ }

export class SimulationError extends Error {}

export class VirtualClock implements SimTime {
  #now = DOUBLE_FIELD;
  #seq = 0;
  #heap: Ev[] = [];
  /** Tasks that were woken (or spawned) and have not parked again yet. */
  #active = 0;
  #running = false;
  /** Place of the event being processed (its woken tasks run within it); after a run, the next place to be given. */
  #firing = 0;
  #failure: unknown = undefined;
  /** Outside work (an in-process server answering the modem) that virtual time waits for. */
  readonly #holds = new Set<Promise<void>>();

  constructor() {
    this.#now = 0; // (a double field: DOUBLE_FIELD)
  }

  now(): number { return this.#now; }

  at(tUs: number, fn: () => void): EventHandle { return this.#schedule(tUs, fn); }

  #schedule(tUs: number, fn: () => void): Ev {
    if (!Number.isFinite(tUs)) throw new RangeError(`event time must be finite, got ${tUs}`);
    const t = Math.ceil(tUs);
    if (t < this.#now) throw new RangeError(`cannot schedule at ${t} us, now is ${this.#now} us`);
    const ev = new Ev(t, this.#seq++, fn);
    this.#push(ev);
    return ev;
  }

  /**
   * Schedule an event that has just run (it is out of the heap) again, at `t` (a whole microsecond, not before now),
   * with the place in the order a new event scheduled now would take: the same as `at`, without a new object. For the
   * clock's own repeating events (a periodic callback, a parked wait re-arming), which hand out no handle to it.
   */
  #reschedule(ev: Ev, t: number, fn: () => void): void {
    if (!Number.isFinite(t)) throw new RangeError(`event time must be finite, got ${t}`);
    ev.t = t;
    ev.seq = this.#seq++;
    ev.fn = fn;
    this.#push(ev);
  }

  after(dtUs: number, fn: () => void): EventHandle { return this.at(this.#now + dtUs, fn); }

  /**
   * The place in the event order an event scheduled now would take, without scheduling one: for a part that keeps
   * what would have been an event in its own queue (a UART's held-back bytes) and must tell later whether that event
   * would have run before the present one (`ranBefore`).
   */
  reserveSeq(): number { return this.#seq++; }

  /** Schedule an event at the place `seq` reserved earlier (`reserveSeq`): it runs as if scheduled then. */
  atReserved(tUs: number, seq: number, fn: () => void): EventHandle {
    if (!(seq < this.#seq)) throw new RangeError(`event place ${seq} was not reserved`);
    if (this.ranBefore(tUs, seq)) throw new RangeError(`an event at ${tUs} us, place ${seq}, would have run already`);
    const ev = new Ev(tUs, seq, fn);
    this.#push(ev);
    return ev;
  }

  /** An event at `tUs` with place `seq` (from `reserveSeq`) would have run by now. */
  ranBefore(tUs: number, seq: number): boolean {
    return tUs < this.#now || (tUs === this.#now && seq < this.#firing);
  }

  /**
   * Periodic callback at `start + k * periodUs` (k = 0, 1, ...), each time rounded down to the microsecond, so a
   * non-integer period (a hardware timer's 49 999.58 us) keeps its exact long-run rate.
   */
  every(periodUs: number, fn: (tick: number) => void, startUs = this.#now + periodUs): EventHandle {
    if (!(periodUs > 0)) throw new RangeError(`period must be > 0, got ${periodUs}`);
    let k = 0;
    let cancelled = false;
    const fire = (): void => {
      if (cancelled) return;
      const tick = k++;
      // The event that is running now is out of the heap: it becomes the next one.
      this.#reschedule(ev, Math.max(this.#now, Math.floor(startUs + k * periodUs)), fire);
      fn(tick);
    };
    const ev = this.#schedule(Math.max(this.#now, Math.floor(startUs)), fire);
    return { cancel: () => { cancelled = true; ev.cancel(); } };
  }

  /** Awaitable: resolves when virtual time reaches `tUs`. For use inside spawned tasks. */
  sleepUntil(tUs: number): Promise<void> {
    // Only a running task parks; a caller outside any task (a test driving the clock) is not counted.
    const counted = this.#active > 0;
    if (counted) this.#parkOne();
    return new Promise<void>((resolve) => {
      this.at(Math.max(tUs, this.#now), () => { if (counted) this.#active++; resolve(); });
    });
  }

  /**
   * Awaitable like `sleepUntil(tUs)`, for a wake time that may move while the task sleeps. When the event fires,
   * `onEvent()` decides synchronously: a number re-arms the sleep at that time (the task stays parked: no wake, no
   * hop), `undefined` wakes the task, an Error wakes it with that rejection. The events scheduled are exactly those
   * of a task that wakes, checks and calls `sleepUntil` again.
   */
  sleepUntilSettled(tUs: number, onEvent: () => number | Error | undefined): Promise<void> {
    const counted = this.#active > 0;
    if (counted) this.#parkOne();
    return new Promise<void>((resolve, reject) => {
      const w = new Parked(onEvent, counted, resolve, reject);
      // A property assignment, not a named closure: tsx (esbuild keepNames) would wrap a named one in a costly __name.
      w.fire = () => this.#fireParked(w);
      w.ev = this.#schedule(Math.max(tUs, this.#now), w.fire);
    });
  }

  #fireParked(w: Parked): void {
    let r = w.onEvent();
    while (typeof r === 'number') {
      const t = Math.ceil(Math.max(r, this.#now));
      // `quiet-rearm`: when no other event is due before the re-armed one and the run goes past it, that event is
      // the next the run loop would take: take it here (same time, same place in the order, same decision code).
      // (Outside work still held would be waited for before the next event, and may schedule one before `t`.)
      if (!(t <= this.#horizon) || this.#holds.size > 0 || !(t < this.nextEventTime())) { this.#reschedule(w.ev!, t, w.fire); return; }
      this.#now = t;
      this.#firing = this.#seq++;
      this.rearmsInPlace++;
      r = w.onEvent();
    }
    if (w.counted) this.#active++;
    if (r === undefined) w.resolve(); else w.reject(r);
  }

  sleep(ms: number): Promise<void> { return this.sleepUntil(this.#now + ms * 1000); }
  sleepUs(us: number): Promise<void> { return this.sleepUntil(this.#now + us); }

  /** Start an async task that lives on this clock. Errors other than `isExpected(err)` stop the run loop. */
  spawn(name: string, body: () => Promise<void>, isExpected: (err: unknown) => boolean = () => false): Promise<void> {
    this.#active++;
    const p = (async () => {
      try { await body(); } catch (err) {
        if (!isExpected(err)) this.#failure ??= new SimulationError(`task ${name} failed: ${(err as Error)?.stack ?? err}`);
      } finally { this.#parkOne(); }
    })();
    return p;
  }

  /**
   * Keep virtual time where it is until `work` settles: the run loop processes no further event before then. For a
   * simulated part that hands bytes to real code on the Node event loop (an in-process HTTP server or MQTT broker)
   * and must see its answer at a reproducible virtual time, whatever the wall time the answer took.
   */
  hold(work: Promise<unknown>): void {
    const p: Promise<void> = work.then(() => undefined, () => undefined).finally(() => { this.#holds.delete(p); });
    this.#holds.add(p);
  }

  /** Outside work is being waited for. */
  get held(): boolean { return this.#holds.size > 0; }

  async #drainHolds(): Promise<void> {
    while (this.#holds.size) {
      await Promise.all([...this.#holds]);
      await this.#settle();
    }
  }

  /** Time of the next pending event, or Infinity. */
  nextEventTime(): number {
    while (this.#heap.length && this.#heap[0].fn === null) this.#pop();
    return this.#heap.length ? this.#heap[0].t : Infinity;
  }

  /** Process every event up to and including `tUs`, then leave the clock at `tUs`. */
  async runUntil(tUs: number, shouldStop?: () => boolean): Promise<void> {
    if (this.#running) throw new SimulationError('clock is already running (runUntil is not re-entrant)');
    this.#running = true;
    // A stop condition is looked at after every event, so with one each re-armed event goes through the loop.
    this.#horizon = this.rearmInPlace && !shouldStop ? tUs : -Infinity;
    // A timer only runs once no microtask is left: a signal wait still pending then falls back to polling.
    const dog = this.settleBySignal ? setInterval(() => this.#watchdog(), 20) : null;
    try {
      await this.#settle();
      if (this.#holds.size) await this.#drainHolds();
      while (this.#heap.length) {
        const ev = this.#heap[0];
        if (ev.fn === null) { this.#pop(); continue; }
        if (ev.t > tUs) break;
        this.#pop();
        this.#now = ev.t;
        this.#firing = ev.seq;
        const fn = ev.fn;
        ev.fn = null;
        fn();
        if (this.#active > 0) {
          // `#settle`, with its usual first step here (one async call fewer for each task wake).
          if (this.settleBySignal) {
            this.settledBySignal++;
            await new Promise<void>((resolve) => { this.#parkedSignal = resolve; });
          }
          if (this.#active > 0) await this.#settleByHops();
        }
        if (this.#holds.size) await this.#drainHolds();
        if (this.#failure !== undefined) { const f = this.#failure; this.#failure = undefined; throw f; }
        if (shouldStop?.()) return;
      }
      this.#firing = this.#seq; // every event due by now has run; one scheduled from here on has not
      if (tUs > this.#now && tUs !== Infinity) this.#now = Math.floor(tUs);
    } finally {
      this.#running = false;
      this.#horizon = -Infinity;
      if (dog) clearInterval(dog);
    }
  }

  runFor(dtUs: number, shouldStop?: () => boolean): Promise<void> { return this.runUntil(this.#now + dtUs, shouldStop); }

  /**
   * Exact shortcut `quiet-rearm` (off with --exact-slow): a parked task's event that re-arms itself (a polling wait
   * that found nothing, a delay an interrupt stretched) is run again at its new time within the same event when no
   * other event is due before that time and the run goes past it. The run loop would take that event next anyway;
   * the clock moves to its time and the event takes the place in the order its scheduling would have given it, so
   * the decisions, the times and the order are those of one event each, without the heap round trip.
   */
  rearmInPlace = false;
  /** Re-armed events run in place (the shortcut's counter). */
  rearmsInPlace = 0;
  /** While running without a stop condition: the time up to which events run. */
  #horizon = -Infinity;

  /**
   * Exact shortcut `settle-signal` (off with --exact-slow): `#settle` waits for the last woken task to park (one
   * promise) instead of looking after every microtask hop (one promise per hop). The task runs the same code to the
   * same park either way; only the number of hops the run loop takes to notice differs.
   */
  settleBySignal = false;
  /** Waits for a park signal (the shortcut's counter). */
  settledBySignal = 0;
  /** `settle-signal`: resolves the run loop's wait when the last active task parks. */
  #parkedSignal: (() => void) | null = null;

  /** A running task parks (or ends). */
  #parkOne(): void {
    if (--this.#active === 0 && this.#parkedSignal) {
      const r = this.#parkedSignal;
      this.#parkedSignal = null;
      r();
    }
  }

  /** The watchdog of `settle-signal`: a wait still pending when a timer runs (no microtask left) is on something foreign. */
  #watchdog(): void {
    const r = this.#parkedSignal;
    if (r) { this.#parkedSignal = null; r(); }
  }

  async #settle(): Promise<void> {
    if (this.#active === 0) return;
    if (this.settleBySignal) {
      this.settledBySignal++;
      await new Promise<void>((resolve) => { this.#parkedSignal = resolve; });
      if (this.#active === 0) return;
    }
    await this.#settleByHops();
  }

  async #settleByHops(): Promise<void> {
    // Let woken tasks run to their next park. Microtask hops are cheap; a task that waits on something foreign
    // (never in simulation) would spin here, so after many hops fall back to the macrotask queue.
    let hops = 0;
    while (this.#active > 0) {
      if (++hops < 10_000) await undefined;
      else if (hops < 20_000) await new Promise((r) => setImmediate(r));
      else throw new SimulationError('a simulated task is waiting on something other than the virtual clock');
    }
  }

  #push(ev: Ev): void {
    const h = this.#heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p], ev)) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = ev;
  }

  #pop(): Ev {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && less(h[r], h[l]) ? r : l;
        if (less(last, h[c])) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

function less(a: Ev, b: Ev): boolean { return a.t < b.t || (a.t === b.t && a.seq < b.seq); }

/** Parse `500ms`, `2s`, `10min`, `2h`, `1d`, `250us` into microseconds; null if malformed. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s|min|h|d)\s*$/.exec(text);
  if (!m) return null;
  const v = Number(m[1]);
  const unit: Record<string, number> = { us: 1, 'µs': 1, ms: 1e3, s: 1e6, min: 60e6, h: 3600e6, d: 86400e6 };
  return Math.round(v * unit[m[2]]);
}

/** Format microseconds as a short human time: `1h02m03.250s`. */
export function formatTime(us: number): string {
  const totalMs = Math.floor(us / 1000);
  const h = Math.floor(totalMs / 3_600_000);
  const m = Math.floor((totalMs % 3_600_000) / 60_000);
  const s = (totalMs % 60_000) / 1000;
  const ss = s.toFixed(3).padStart(6, '0');
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${ss}s`;
  if (m > 0) return `${m}m${ss}s`;
  return `${s.toFixed(3)}s`;
}
