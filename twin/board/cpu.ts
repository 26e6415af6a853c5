// The blue pill's execution model on the virtual clock: one main context (an async task) and a timer interrupt.
//
// Rules (docs/firmware.md §11.2 "ISR execution rule"):
// - Every board operation is synchronous and charges the CPU time it takes with `spend(us)` (an I2C transfer, an
//   LCD write, a busy-wait). In the main context the charge becomes a debt that is paid at the next `await delay()`;
//   in the interrupt it moves the interrupt's own time cursor.
// - `delay(ms)` is the Arduino delay: it returns once `millis()` has advanced by `ms` from its start, measured at
//   the end of any pending work. It is the main context's only way to let time pass.
// - The 20 Hz timer interrupt fires at its hardware period. It runs to completion atomically, taking the time its
//   operations charge; SysTick (millis) keeps counting inside it. Work the main context was doing is stretched by
//   the interrupt's duration; a delay that ends during an interrupt ends when the interrupt returns. Timer ticks that
//   fall inside a running interrupt merge into one pending interrupt, served when it returns.
import type { VirtualClock } from '../kernel/clock.ts';
import { DOUBLE_FIELD, type EventHandle } from '../../models/sim-time.ts';

export class PowerLoss extends Error {
  constructor() { super('power lost'); this.name = 'PowerLoss'; }
}

/** The main context's sleep: when its pending work ends and when it wakes (both moved by interrupts). */
class MainSleep {
  workEnd = DOUBLE_FIELD;
  wake = DOUBLE_FIELD;
  constructor(workEnd: number, wake: number) { this.workEnd = workEnd; this.wake = wake; }
}

export interface TimerHandle { stop(): void; resume(): void }

export class Cpu {
  readonly clock: VirtualClock;
  /** Added to the uptime when computing millis(): lets a test start near the 49.7-day wrap. */
  millisOffsetUs = DOUBLE_FIELD;
  #isrCursor = DOUBLE_FIELD;
  #debt = DOUBLE_FIELD;
  #busyUntil = DOUBLE_FIELD;
  #sleep: MainSleep | null = null;
  #powered = true;
  #bootUs = DOUBLE_FIELD;
  #timers: EventHandle[] = [];
  readonly #fastPaths: boolean;
  readonly #parkedPolls: boolean;
  /** Total time spent inside interrupts, for diagnostics and benchmarks. */
  isrTimeUs = DOUBLE_FIELD;
  isrCount = 0;
  /** Delays of `delayRepeat` started without waking the task (the fast path's count; 0 with `--exact-slow`). */
  delaysRepeatedParked = 0;

  /** `fastPaths` (default on; off for `--exact-slow`): a main-context delay parks on the clock directly, with fewer
   *  async hops per wake; the same events at the same times in the same order. `parkedPolls` (default: as
   *  `fastPaths`): `delayRepeat` runs its `again` from the clock event instead of waking the task. */
  constructor(clock: VirtualClock, opts: { millisOffsetUs?: number; fastPaths?: boolean; parkedPolls?: boolean } = {}) {
    this.clock = clock;
    // Times in microseconds: double fields from the start (DOUBLE_FIELD), then their first values.
    this.#isrCursor = -1;
    this.#debt = 0;
    this.#busyUntil = 0;
    this.isrTimeUs = 0;
    this.millisOffsetUs = opts.millisOffsetUs ?? 0;
    this.#fastPaths = opts.fastPaths ?? true;
    this.#parkedPolls = opts.parkedPolls ?? this.#fastPaths;
    this.#bootUs = clock.now();
  }

  get inInterrupt(): boolean { return this.#isrCursor >= 0; }
  get powered(): boolean { return this.#powered; }

  /** The time as the running code sees it, in microseconds of virtual time. */
  nowUs(): number { return this.#isrCursor >= 0 ? this.#isrCursor : this.clock.now() + this.#debt; }

  /** Microseconds since reset (as `micros()`), wrapping at 2^32. */
  micros(): number {
    const us = this.nowUs() - this.#bootUs + this.millisOffsetUs;
    // The floating-point remainder only where it changes the value (several calls per 50 ms tick).
    return us >= 0 && us < 4294967296 ? us : us % 4294967296;
  }

  /** Milliseconds since reset (as `millis()`), uint32, wrapping after 49.7 days. */
  millis(): number {
    const ms = Math.floor((this.nowUs() - this.#bootUs + this.millisOffsetUs) / 1000);
    return ms >= 0 && ms < 4294967296 ? ms : ms % 4294967296;
  }

  /** Charge `us` microseconds of CPU time to the running context (synchronous). */
  spend(us: number): void {
    if (us <= 0) return;
    if (this.#isrCursor >= 0) this.#isrCursor += us;
    else this.#debt += us;
  }

  /** Busy-wait as Arduino `delay()` does, without yielding: usable in the interrupt and in shared code. */
  delayBlocking(ms: number): void {
    if (ms <= 0) return;
    const start = this.nowUs();
    this.spend(this.#delayEnd(start, ms) - start);
  }

  /** Arduino `delay(ms)` in the main context: lets virtual time (and interrupts) run. */
  delay(ms: number): Promise<void> {
    if (!this.#fastPaths) return this.#delaySlow(ms);
    if (!this.#powered) return Promise.reject(new PowerLoss());
    if (this.#isrCursor >= 0) { this.delayBlocking(ms); return Promise.resolve(); }
    // The task parks once; an interrupt that pushes the wake later re-arms the clock event without waking the task
    // (the exact-slow path below wakes it, finds the wake moved and parks again: the same events, more hops).
    return this.clock.sleepUntilSettled(this.#park(ms).wake, this.#onWakeEvent);
  }

  #parked: MainSleep | null = null;
  /** While a `delayRepeat` is parked: what decides, at the end of each delay, whether another follows. */
  #again: (() => number) | null = null;
  /** The clock event of a parked main context: wake it, re-arm at a wake an interrupt moved, or fail on power loss. */
  readonly #onWakeEvent = (): number | Error | undefined => {
    const s = this.#parked!;
    if (!this.#powered) { if (this.#sleep === s) this.#sleep = null; this.#again = null; return new PowerLoss(); }
    if (this.clock.now() < s.wake) return s.wake;
    if (this.#sleep === s) this.#sleep = null;
    const again = this.#again;
    if (again === null) return undefined;
    // The task's own code after the delay, run here without waking it: it either delays again (the same clock
    // event, scheduled at the same point as the task's next `delay` call would schedule it) or wakes the task.
    const ms = again();
    if (ms < 0) { this.#again = null; return undefined; }
    this.delaysRepeatedParked++;
    // The sleep just ended is no one's any more (`again` cannot delay): its record serves the next one.
    return this.#park(ms, s).wake;
  };

  /**
   * The sleep of `delay(ms)` started now (pays the debt first): recorded for interrupts to stretch, in `reuse` when
   * given (a record no one holds any more), else in a new one.
   */
  #park(ms: number, reuse?: MainSleep): MainSleep {
    const workEnd = this.clock.now() + this.#debt;
    this.#debt = 0;
    const wake = Math.max(ms > 0 ? this.#delayEnd(workEnd, ms) : workEnd, this.#busyUntil);
    let s: MainSleep;
    if (reuse) {
      s = reuse;
      s.workEnd = workEnd;
      s.wake = wake;
    } else {
      s = new MainSleep(workEnd, wake);
    }
    this.#sleep = s;
    this.#parked = s;
    return s;
  }

  /**
   * `delay(ms)`, then, for as long as `again()` returns a number `n >= 0`, `delay(n)` again; returns once `again()`
   * returns a negative number. `again` is the main context's code between two delays: synchronous, it may read
   * ports and `millis()` but must not charge CPU time or schedule anything. The same as the loop
   * `for (let n = ms; n >= 0; n = again()) await delay(n);` event for event; with the fast paths the task stays parked
   * between the delays (`again` runs from the clock event), so a long polling wait costs no task wake per poll.
   */
  delayRepeat(ms: number, again: () => number): Promise<void> {
    if (!this.#parkedPolls || this.#isrCursor >= 0) return this.#delayRepeatSlow(ms, again);
    if (!this.#powered) return Promise.reject(new PowerLoss());
    const s = this.#park(ms);
    this.#again = again;
    // The clock event clears `#again` whenever it wakes the task (again() < 0, power lost): the sleep's own promise
    // is returned, no async frame around it.
    return this.clock.sleepUntilSettled(s.wake, this.#onWakeEvent);
  }

  async #delayRepeatSlow(ms: number, again: () => number): Promise<void> {
    for (let n = ms; n >= 0; n = again()) await this.delay(n);
  }

  /** Pay the pending work debt without an extra delay (a yield point for long synchronous sequences). */
  settle(): Promise<void> { return this.#fastPaths ? this.delay(0) : this.#settleSlow(); }

  async #settleSlow(): Promise<void> { return this.delay(0); }

  async #delaySlow(ms: number): Promise<void> {
    if (!this.#powered) throw new PowerLoss();
    if (this.#isrCursor >= 0) { this.delayBlocking(ms); return; }
    const now = this.clock.now();
    const workEnd = now + this.#debt;
    this.#debt = 0;
    const wake = ms > 0 ? this.#delayEnd(workEnd, ms) : workEnd;
    await this.#sleepMain(workEnd, wake);
  }

  async #sleepMain(workEnd: number, wake: number): Promise<void> {
    const s = new MainSleep(workEnd, Math.max(wake, this.#busyUntil));
    this.#sleep = s;
    try {
      for (;;) {
        await this.clock.sleepUntil(s.wake);
        if (!this.#powered) throw new PowerLoss();
        if (this.clock.now() >= s.wake) break;
      }
    } finally {
      if (this.#sleep === s) this.#sleep = null;
    }
  }

  /** `delay()` ends at the first millisecond tick where millis() − start ≥ ms. */
  #delayEnd(startUs: number, ms: number): number {
    const base = startUs - this.#bootUs + this.millisOffsetUs;
    const startMs = Math.floor(base / 1000);
    return startUs + ((startMs + ms) * 1000 - base);
  }

  /**
   * Attach a periodic timer interrupt. `periodUs` may be fractional (TIM1 at prescaler 55 / overflow 65454 of a
   * 72 MHz clock is 49 999.583 us). The handler is synchronous and must charge its time with `spend`.
   */
  attachTimerInterrupt(periodUs: number, handler: () => void): TimerHandle {
    let pending = false;
    let running = true;
    const fire = (): void => {
      if (!this.#powered || !running) return;
      const t = this.clock.now();
      if (t < this.#busyUntil) {
        if (!pending) { pending = true; this.clock.at(this.#busyUntil, () => { pending = false; fire(); }); }
        return;
      }
      this.#runIsr(t, handler);
    };
    let ev = this.clock.every(periodUs, fire);
    this.#timers.push(ev);
    return {
      stop: () => { running = false; },
      resume: () => {
        if (running) return;
        running = true;
        ev.cancel();
        ev = this.clock.every(periodUs, fire);
        this.#timers.push(ev);
      },
    };
  }

  #runIsr(t: number, handler: () => void): void {
    this.#isrCursor = t;
    try {
      handler();
    } finally {
      const end = this.#isrCursor;
      this.#isrCursor = -1;
      const d = end - t;
      this.isrTimeUs += d;
      this.isrCount++;
      this.#busyUntil = end;
      const s = this.#sleep;
      if (s && d > 0) {
        // Work the main context was doing when the interrupt came is pushed back by the interrupt's duration;
        // a plain delay only ends no earlier than the interrupt's return.
        if (t < s.workEnd) { s.workEnd += d; s.wake += d; }
        if (s.wake < end) s.wake = end;
      }
    }
  }

  /** Power cut: timers stop, the main task's next await throws PowerLoss. */
  powerOff(): void {
    this.#powered = false;
    for (const t of this.#timers) t.cancel();
    this.#timers = [];
  }
}
