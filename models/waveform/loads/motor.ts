// An induction motor or fridge compressor at sample level: a series R-L whose impedance moves from the locked-rotor
// value at switch-on to the running value (the phasor level's: models/loads/load.ts, PF 0.6-0.8 lagging, default 0.7)
// as the rotor comes up to speed.
//
//   Y_lr = inrushRatio / |Z_run| at lockedRotorPf (lagging);   Y(x) = Y_lr + (Y_run - Y_lr) x^3,  x = t / startMs
//
// The cubic keeps the current near its locked-rotor value for most of the start and lets it fall as the motor nears
// its running slip, as a start current trace does. Defaults (typical small single-phase motors and hermetic
// compressors): inrush 6 x the running current [5..7], start 500 ms, locked-rotor PF 0.4 [UNDET, 0.3..0.5].
// The branch is updated every `updateSamples` samples (1 ms at 8 kHz) during the start, then stays at the running value.
import { Load, type LoadContext, type LoadSpec } from '../../loads/load.ts';
import { checkOption, type SampleContext, type SampleLoad } from './sample-load.ts';
import { SeriesImpedance } from './series-impedance.ts';

export interface MotorOptions {
  /** Locked-rotor current over running current. */
  inrushRatio: number;
  /** Time from switch-on to running speed, ms. */
  startMs: number;
  /** Power factor with the rotor at standstill (lagging). */
  lockedRotorPf: number;
  /** Samples between updates of the impedance during the start. */
  updateSamples: number;
}

export const DEFAULT_MOTOR_OPTIONS: Readonly<MotorOptions> = Object.freeze({
  inrushRatio: 6,
  startMs: 500,
  lockedRotorPf: 0.4,
  updateSamples: 8,
});

export class MotorLoad implements SampleLoad {
  readonly id: string;
  readonly kind = 'motor';
  readonly options: Readonly<MotorOptions>;
  readonly phasor: Load;
  readonly #branch: SeriesImpedance;
  readonly #yRun: [number, number];
  readonly #yLr: [number, number];
  #samples = 0;
  #running = false;

  constructor(spec: LoadSpec, grid: LoadContext, sampleRateHz: number, options: Partial<MotorOptions> = {}) {
    this.phasor = new Load({ ...spec, kind: 'motor' }, grid);
    const o = { ...DEFAULT_MOTOR_OPTIONS, ...options };
    const owner = `motor '${this.phasor.id}'`;
    checkOption(owner, 'inrushRatio', o.inrushRatio, 0, 100);
    checkOption(owner, 'startMs', o.startMs, 0, 600000, true);
    checkOption(owner, 'lockedRotorPf', o.lockedRotorPf, 0, 1);
    if (!Number.isInteger(o.updateSamples) || o.updateSamples < 1) {
      throw new RangeError(`${owner}: updateSamples must be an integer >= 1, got ${String(o.updateSamples)}`);
    }
    this.options = Object.freeze(o);
    this.id = this.phasor.id;
    const { rOhms, xOhms } = this.phasor;
    const z2 = rOhms * rOhms + xOhms * xOhms;
    this.#yRun = Number.isFinite(rOhms) ? [rOhms / z2, -xOhms / z2] : [0, 0];
    const yAbs = Number.isFinite(rOhms) ? o.inrushRatio / Math.sqrt(z2) : 0;
    this.#yLr = [yAbs * o.lockedRotorPf, -yAbs * Math.sqrt(1 - o.lockedRotorPf * o.lockedRotorPf)];
    this.#branch = new SeriesImpedance(sampleRateHz);
    this.#running = o.startMs === 0;
    this.#setAt(this.#running ? 1 : 0);
  }

  /** True once the start is over. */
  get running(): boolean { return this.#running; }

  addCurrent(v: Float64Array, i: Float64Array, n: number, ctx: SampleContext): void {
    if (this.#running) { this.#branch.addCurrent(v, i, n); return; }
    const startSamples = (this.options.startMs / 1000) * ctx.sampleRateHz;
    const step = this.options.updateSamples;
    for (let k = 0; k < n; k += step) {
      const m = Math.min(step, n - k);
      const x = Math.min(1, this.#samples / startSamples);
      this.#setAt(x);
      this.#branch.addCurrent(v, i, k + m, k);
      this.#samples += m;
      if (x >= 1) {
        this.#running = true;
        if (k + m < n) this.#branch.addCurrent(v, i, n, k + m);
        return;
      }
    }
  }

  #setAt(x: number): void {
    const w = x * x * x;
    const yr = this.#yLr[0] + (this.#yRun[0] - this.#yLr[0]) * w;
    const yi = this.#yLr[1] + (this.#yRun[1] - this.#yLr[1]) * w;
    const y2 = yr * yr + yi * yi;
    if (y2 === 0) { this.#branch.set(Infinity, 0, this.phasor.definedHz); return; }
    this.#branch.set(yr / y2, -yi / y2, this.phasor.definedHz);
  }
}
