// Wall time as a SimTime (microseconds since the object was made), for a rig running against the real world before
// the bench's clock takes over, and for an emulated board behind a pseudo-terminal.
import { performance } from 'node:perf_hooks';
import type { EventHandle, SimTime } from '../../models/sim-time.ts';

export class WallTime implements SimTime {
  readonly #t0 = performance.now();
  now(): number { return Math.floor((performance.now() - this.#t0) * 1000); }
  at(tUs: number, fn: () => void): EventHandle {
    const h = setTimeout(fn, Math.max(0, (tUs - this.now()) / 1000));
    return { cancel: () => clearTimeout(h) };
  }
}
