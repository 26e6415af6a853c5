// Wall time as a SimTime (microseconds since the object was made), for a rig running against the real world before
// the bench's clock takes over, and for an emulated board behind a pseudo-terminal.
//
// `eventTime` (the emulated board on a pty): inside an event, now() is the time the event was due, not the moment
// Node got round to it, so a late timer does not tear a UART frame apart (the ATM90E26 drops a frame whose bytes are
// more than 20 ms apart; a byte-per-timer board on a loaded host would otherwise see gaps a real UART never has).
// Time stays monotonic: never earlier than a value already handed out.
import { performance } from 'node:perf_hooks';
import type { EventHandle, SimTime } from '../../models/sim-time.ts';

export class WallTime implements SimTime {
  readonly #t0 = performance.now();
  readonly #eventTime: boolean;
  #due: number | null = null;
  #last = 0;

  constructor(opts: { eventTime?: boolean } = {}) { this.#eventTime = opts.eventTime === true; }

  now(): number {
    const wall = Math.floor((performance.now() - this.#t0) * 1000);
    if (!this.#eventTime) return wall;
    this.#last = Math.max(this.#last, this.#due ?? wall);
    return this.#last;
  }

  at(tUs: number, fn: () => void): EventHandle {
    const wall = Math.floor((performance.now() - this.#t0) * 1000);
    const run = !this.#eventTime ? fn : (): void => {
      const outer = this.#due;
      this.#due = tUs;
      try { fn(); } finally { this.#due = outer; }
    };
    const h = setTimeout(run, Math.max(0, (tUs - wall) / 1000));
    return { cancel: () => clearTimeout(h) };
  }
}
