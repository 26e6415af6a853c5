// Paces a virtual clock against the wall clock for a live meter: a factor (1x, 10x, 60x ...), as fast as possible
// (`max`) or paused. The pacer only says how far virtual time may go now; the live meter runs the clock there.
//
// A paced run that cannot keep up (the simulation is slower than the factor asks) does not pile up a debt it would
// later race through: when it falls more than `maxLagMs` of wall time behind, the pacer starts again from where the
// simulation is (the achieved rate then shows the truth). At `max`, slices are sized to take about `maxSliceWallMs`
// so that the server stays responsive between them.
import { performance } from 'node:perf_hooks';
import type { SpeedValue } from './protocol.ts';

export interface PacerConfig {
  /** Wall clock in milliseconds (default performance.now). */
  wallNow: () => number;
  /** Wall time one slice at `max` should take (default 25 ms). */
  maxSliceWallMs: number;
  /** Largest lag behind the wall clock before the pacer re-bases, in wall ms (default 500). */
  maxLagMs: number;
  /** Wall time between two paced slices (default 20 ms; a fleet's meters take 100 ms: hundreds of meters each
   *  waking 50 times a second cost more than their simulation). */
  pacedWaitMs: number;
}

const DEFAULTS: PacerConfig = { wallNow: () => performance.now(), maxSliceWallMs: 25, maxLagMs: 500, pacedWaitMs: 20 };

export class Pacer {
  readonly config: PacerConfig;
  #speed: SpeedValue;
  #paused = false;
  #vBase = 0;
  #wBase = 0;
  /** Virtual microseconds of the next slice at `max` (adapted to take maxSliceWallMs). */
  #maxSliceUs = 100_000;
  #rateV = 0;
  #rateW = 0;
  #rate = 0;

  constructor(speed: SpeedValue, config: Partial<PacerConfig> = {}) {
    this.config = { ...DEFAULTS, ...config };
    this.#speed = speed;
    this.#wBase = this.config.wallNow();
    this.#rateW = this.#wBase;
  }

  get speed(): SpeedValue { return this.#speed; }
  get paused(): boolean { return this.#paused; }
  /** Achieved virtual seconds per wall second, smoothed (0 while paused). */
  get rate(): number { return this.#paused ? 0 : this.#rate; }

  /** Restart pacing from virtual time `nowUs` (after a speed change, a pause, or a new bench). */
  rebase(nowUs: number): void {
    this.#vBase = nowUs;
    this.#wBase = this.config.wallNow();
    this.#rateV = nowUs;
    this.#rateW = this.#wBase;
    this.#rate = 0; // the next measurement is the new pace's own, not smoothed with the old one
  }

  setSpeed(speed: SpeedValue, nowUs: number): void {
    this.#speed = speed;
    this.rebase(nowUs);
  }

  setPaused(paused: boolean, nowUs: number): void {
    this.#paused = paused;
    this.rebase(nowUs);
  }

  /** The virtual time the clock may run to now (never before `nowUs`). */
  target(nowUs: number): number {
    if (this.#paused) return nowUs;
    if (this.#speed === 'max') return nowUs + this.#maxSliceUs;
    const wall = this.config.wallNow();
    const due = this.#vBase + (wall - this.#wBase) * 1000 * this.#speed;
    const lagMs = (due - nowUs) / 1000 / this.#speed;
    if (lagMs > this.config.maxLagMs) {
      // cannot keep up: forget the debt, go on from here
      this.#vBase = nowUs;
      this.#wBase = wall - this.config.maxSliceWallMs;
      return nowUs + this.config.maxSliceWallMs * 1000 * this.#speed;
    }
    return Math.max(nowUs, Math.floor(due));
  }

  /** Report a slice that ran from `fromUs` to `toUs` in `wallMs` (sizes the next slice at max, updates the rate). */
  sliceDone(fromUs: number, toUs: number, wallMs: number): void {
    if (this.#speed === 'max' && toUs > fromUs) {
      const per = (toUs - fromUs) / Math.max(wallMs, 0.5);
      this.#maxSliceUs = Math.min(600e6, Math.max(10_000, Math.round(per * this.config.maxSliceWallMs)));
    }
    const wall = this.config.wallNow();
    const dw = wall - this.#rateW;
    if (dw >= 250) {
      const r = (toUs - this.#rateV) / 1000 / dw;
      this.#rate = this.#rate === 0 ? r : 0.5 * this.#rate + 0.5 * r;
      this.#rateV = toUs;
      this.#rateW = wall;
    }
  }

  /** How long to wait before the next slice, wall ms (0: yield only). */
  waitMs(): number {
    if (this.#paused) return 50;
    return this.#speed === 'max' ? 0 : this.config.pacedWaitMs;
  }
}
