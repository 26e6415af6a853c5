// Manufacturing yield: N units drawn from the board's tolerances, each run through the suite, spread over worker
// threads. Unit i is drawn from its own generator (unit-draw.ts), results are collected by index, so the outcome for a
// seed is the same whatever the number of workers and the order they finish in.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DEFAULT_BOARD_PROFILE } from '../../models/board-profile.ts';
import { isDefectId, type DefectId } from '../../twin/profiles/defects.ts';
import { calibrate } from './calibration.ts';
import { DC_IMMUNITY_KIND } from './dc-immunity.ts';
import { suiteFor, type PointSet } from './points.ts';
import { runSuite, type BenchOptions, type Fidelity, type Judge } from './runner.ts';
import { drawnUnit, unitNoiseSeed } from './unit-draw.ts';
import { parseWhatIf, whatIfProfile, whatIfRegisters } from './what-if.ts';
import type { FrontEndNetlist } from '../../models/frontend/circuit/netlist.ts';

/** Everything a worker needs to run units, as plain data (it crosses the thread boundary). */
export interface MonteCarloJob {
  units: number;
  seed: number;
  points: PointSet;
  /** `--set` entries as typed; every worker parses them again. */
  whatIf: string[];
  /** The front end as a circuit, when it has no board profile (what-if.ts WhatIf.circuit). */
  circuit?: { netlist: FrontEndNetlist; label: string; args: string[] } | null;
  meterConstant: number;
  meterConstantSource: string;
  defects: string[];
  firmwareLabel: string;
  judge: Judge;
  gatePulses: number;
  gateCalls: number;
  /** Calibrate every unit with the application-note procedure before its suite. */
  calibrate: boolean;
  /** Plant and chip level (default phasor). */
  fidelity?: Fidelity;
}

export interface UnitOutcome {
  index: number;
  pass: boolean;
  /** The firmware's own billing verdict on this unit (reported beside the judged one), and the defects behind it. */
  firmwarePass: boolean;
  firmwareDefects: string[];
  /** Names of the points the unit failed. */
  failed: string[];
  /** The DC immunity point failed with the CT's core saturated (dc-immunity.ts). */
  dcSaturated: boolean;
  /** Chip and firmware errors per point, in suite order (null where undefined). */
  errors: Array<number | null>;
  firmwareErrors: Array<number | null>;
}

export interface PointStats {
  name: string;
  failures: number;
  /** Chip error statistics over the units that produced one, percent. */
  mean: number;
  sd: number;
  min: number;
  max: number;
  firmwareMean: number;
}

export interface WorstUnit {
  index: number;
  /** The error point where the unit comes nearest to (or beyond) its limit. */
  point: string;
  /** Which error that is: the chip's CF pulses or the firmware's own energy. */
  side: 'chip' | 'firmware';
  errorPercent: number;
  limitPercent: number;
}

/** How many units the worst-units list keeps. */
export const WORST_UNITS = 5;

export interface MonteCarloResult {
  units: number;
  passed: number;
  /** Fraction of units that passed every point. */
  yield: number;
  /** Wilson score interval at 95 %. */
  low: number;
  high: number;
  /** Every point with its failure count and error statistics, most failures first (then suite order). */
  points: PointStats[];
  /** Indices of the first failing units (to rerun one with --unit). */
  failingUnits: number[];
  /**
   * The units closest to or furthest beyond a limit of the error table, worst first (at most WORST_UNITS): each
   * unit's largest |error| / limit over the error points, on the judged side (chip, firmware, or the larger of the
   * two). DC immunity, which every unit of this design fails, does not hide them.
   */
  worstUnits: WorstUnit[];
  /** Units whose firmware billing passed every point (its own verdict, whatever is judged), and the defects behind failures. */
  firmwarePassed: number;
  firmwareYield: number;
  firmwareDefects: string[];
  /**
   * The judged yield over every point but DC immunity (dc-immunity.ts: a limit of the CT's design, not of the units'
   * tolerances), when the suite has that point: its name, the units passing every other point, yield and interval.
   */
  withoutDcImmunity?: {
    point: string; passed: number; yield: number; low: number; high: number; failedSaturated: number;
    /** Indices of the first units failing a point other than DC immunity (which every unit of this design fails). */
    failingUnits: number[];
  };
}

/** Wilson score interval for `k` successes out of `n` at normal quantile `z` (1.96: 95 %). */
export function wilson(k: number, n: number, z = 1.959963984540054): { low: number; high: number } {
  if (!Number.isInteger(n) || n <= 0 || !Number.isInteger(k) || k < 0 || k > n) {
    throw new RangeError(`Wilson interval needs 0 <= k <= n, n > 0 whole numbers, got k=${k}, n=${n}`);
  }
  const p = k / n;
  const z2 = z * z;
  const den = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / den;
  const half = (z / den) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Run unit `index` of `job` in this thread. */
export async function runUnit(job: MonteCarloJob, index: number): Promise<UnitOutcome> {
  const ctx = contextOf(job);
  const unit = drawnUnit(ctx.design, ctx.registers, job.seed, index);
  // Each unit's ADC noise floor is its own (waveform level), drawn from the unit's generator.
  const bench: BenchOptions = { ...ctx.bench, noiseSeed: unitNoiseSeed(job.seed, index) };
  if (job.calibrate) unit.registers = (await calibrate(unit, ctx.design, ctx.spec, bench)).after;
  const r = await runSuite(unit, ctx.spec, bench);
  return {
    index,
    pass: r.pass,
    firmwarePass: r.firmwarePass,
    firmwareDefects: r.firmwareDefects,
    failed: r.points.filter((p) => !p.pass).map((p) => p.name),
    dcSaturated: r.points.some((p) => p.kind === DC_IMMUNITY_KIND && !p.pass && (p.measurement.ctSaturatedShare ?? 0) > 0),
    errors: r.points.map((p) => p.errorPercent),
    firmwareErrors: r.points.map((p) => p.firmwareErrorPercent),
  };
}

type Context = { design: ReturnType<typeof whatIfProfile>; registers: ReturnType<typeof whatIfRegisters>; spec: ReturnType<typeof suiteFor>; bench: BenchOptions };
const contexts = new WeakMap<MonteCarloJob, Context>();

function contextOf(job: MonteCarloJob): Context {
  let c = contexts.get(job);
  if (c) return c;
  const w = parseWhatIf(job.whatIf);
  w.circuit = job.circuit ?? null;
  const defects = new Set<DefectId>();
  for (const d of job.defects) {
    if (!isDefectId(d)) throw new RangeError(`unknown defect '${d}'`);
    defects.add(d);
  }
  c = {
    design: whatIfProfile(w, DEFAULT_BOARD_PROFILE),
    registers: whatIfRegisters(w),
    spec: suiteFor(job.points),
    bench: {
      meterConstant: job.meterConstant,
      meterConstantSource: job.meterConstantSource,
      defects,
      firmwareLabel: job.firmwareLabel,
      judge: job.judge,
      gatePulses: job.gatePulses,
      gateCalls: job.gateCalls,
      billing: w.billing,
      fidelity: job.fidelity ?? 'phasor',
    },
  };
  contexts.set(job, c);
  return c;
}

export interface MonteCarloOptions {
  /** Worker threads (default: the machine's available parallelism). */
  workers?: number;
  /** Units handed to a worker at a time. */
  chunk?: number;
  /** Called as units finish: (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Called as ranges finish: the worker's number and its thread's peak V8 heap so far, in bytes. */
  onWorkerMemory?: (worker: number, peakHeapBytes: number) => void;
  /** Stop: reject with the signal's reason at once and terminate the workers (Ctrl-C). */
  signal?: AbortSignal;
}

/**
 * The worker's entry. On Node 20 `--import tsx` registers its hooks on the main thread only (tsx checks isMainThread),
 * so a `.ts` worker module fails with ERR_UNKNOWN_FILE_EXTENSION; a one-line evaluated script loads worker.ts through
 * tsx's `tsImport` API instead, which registers the hooks in the worker.
 */
const WORKER_BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})`
  + `.then((tsx) => tsx.tsImport(${JSON.stringify(new URL('./worker.ts', import.meta.url).href)}, ${JSON.stringify(import.meta.url)}))`
  + '.catch((e) => { process.nextTick(() => { throw e; }); });';

/**
 * A unit's run allocates briskly but keeps little (a few MiB live): with V8's default young generation (3 x 16 MiB
 * semi-spaces on 64-bit) a worker's heap peaks near 80 MiB of mostly garbage. A smaller young generation is
 * collected more often and keeps a worker well under 80 MiB.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8 };

/** Run the job over worker threads and aggregate. */
/**
 * A unit's failure in a worker as an error of this thread: the worker's text (`unit N: ...`) under the error's own
 * name, so that the CLI tells an input error (a CT curve too steep for one drawn unit) from a fault of the simulator.
 */
export function workerFailure(text: string, name: string | undefined): Error {
  const err = new Error(`Monte Carlo ${text}`);
  if (name) err.name = name;
  return err;
}

export async function runMonteCarlo(job: MonteCarloJob, options: MonteCarloOptions = {}): Promise<MonteCarloResult> {
  if (!Number.isInteger(job.units) || job.units < 1) throw new RangeError(`Monte Carlo needs a whole number of units >= 1, got ${String(job.units)}`);
  contextOf(job); // fail on bad input here, not inside a worker
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), job.units));
  if (!Number.isInteger(workers)) throw new RangeError(`workers must be a whole number >= 1, got ${String(options.workers)}`);
  const chunk = Math.max(1, options.chunk ?? Math.min(16, Math.ceil(job.units / (workers * 4))));
  const outcomes: UnitOutcome[] = new Array(job.units);
  let next = 0;
  let done = 0;
  const pool: Worker[] = [];
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(options.signal!.reason);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => { /* observed through the race below */ });
  try {
    await Promise.race([aborted, Promise.all(Array.from({ length: workers }, (_, id) => new Promise<void>((resolve, reject) => {
      const w = new Worker(WORKER_BOOT, { eval: true, workerData: job, resourceLimits: WORKER_LIMITS });
      pool.push(w);
      const feed = (): void => {
        if (next >= job.units) { w.postMessage({ stop: true }); return; }
        const from = next;
        next = Math.min(job.units, next + chunk);
        w.postMessage({ from, to: next });
      };
      w.on('message', (msg: { outcomes?: UnitOutcome[]; error?: string; errorName?: string; peakHeapBytes?: number }) => {
        if (msg.error !== undefined) { reject(workerFailure(msg.error, msg.errorName)); return; }
        if (msg.peakHeapBytes !== undefined) options.onWorkerMemory?.(id, msg.peakHeapBytes);
        for (const o of msg.outcomes ?? []) { outcomes[o.index] = o; done++; }
        if (msg.outcomes) options.onProgress?.(done, job.units);
        feed();
      });
      w.on('error', reject);
      feed();
      w.on('exit', (code) => { if (code === 0) resolve(); else reject(new Error(`Monte Carlo worker exited with code ${code}`)); });
    })))]);
  } finally {
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return aggregate(job, outcomes);
}

/** Yield, interval and per-point statistics from the outcomes (in unit order). */
export function aggregate(job: MonteCarloJob, outcomes: readonly UnitOutcome[]): MonteCarloResult {
  const suite = suiteFor(job.points).points;
  const names = suite.map((p) => p.name);
  const dc = suite.find((p) => p.kind === DC_IMMUNITY_KIND)?.name;
  const n = outcomes.length;
  const passed = outcomes.filter((o) => o.pass).length;
  const { low, high } = wilson(passed, n);
  const stats: PointStats[] = names.map((name, i) => {
    const xs = outcomes.map((o) => o.errors[i]).filter((x): x is number => x !== null);
    const fs = outcomes.map((o) => o.firmwareErrors[i]).filter((x): x is number => x !== null);
    const mean = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
    const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
    return {
      name,
      failures: outcomes.filter((o) => o.failed.includes(name)).length,
      mean,
      sd,
      // A loop, not Math.min(...xs): a spread of more than about 120k values (--monte-carlo up to 1e6) overflows the stack.
      min: xs.length ? xs.reduce((a, b) => (b < a ? b : a)) : NaN,
      max: xs.length ? xs.reduce((a, b) => (b > a ? b : a)) : NaN,
      firmwareMean: fs.length ? fs.reduce((a, b) => a + b, 0) / fs.length : NaN,
    };
  });
  const order = stats.map((s, i) => ({ s, i })).sort((a, b) => b.s.failures - a.s.failures || a.i - b.i).map((x) => x.s);
  return {
    units: n,
    passed,
    yield: passed / n,
    low,
    high,
    points: order,
    failingUnits: outcomes.filter((o) => !o.pass).slice(0, 10).map((o) => o.index),
    worstUnits: worstUnits(job.judge, suite, outcomes),
    firmwarePassed: outcomes.filter((o) => o.firmwarePass).length,
    firmwareYield: outcomes.filter((o) => o.firmwarePass).length / n,
    firmwareDefects: [...new Set(outcomes.flatMap((o) => o.firmwareDefects))],
    ...(dc !== undefined ? { withoutDcImmunity: withoutPoint(outcomes, dc) } : {}),
  };
}

function worstUnits(judge: Judge, suite: ReturnType<typeof suiteFor>['points'], outcomes: readonly UnitOutcome[]): WorstUnit[] {
  const sides: Array<'chip' | 'firmware'> = judge === 'chip' ? ['chip'] : judge === 'firmware' ? ['firmware'] : ['chip', 'firmware'];
  const worst: Array<WorstUnit & { ratio: number }> = [];
  for (const o of outcomes) {
    let best: (WorstUnit & { ratio: number }) | null = null;
    suite.forEach((p, i) => {
      if (p.kind !== 'error' || !(p.limitPercent > 0)) return;
      for (const side of sides) {
        const e = side === 'chip' ? o.errors[i] : o.firmwareErrors[i];
        if (e === null || e === undefined) continue;
        const ratio = Math.abs(e) / p.limitPercent;
        // Points within 1e-9 of each other (the same error at every current: the model is linear) keep the first.
        if (!best || ratio > best.ratio * (1 + 1e-9)) best = { index: o.index, point: p.name, side, errorPercent: e, limitPercent: p.limitPercent, ratio };
      }
    });
    // Kept sorted, worst first (equal ratios in unit order, as the outcomes come), and no longer than WORST_UNITS.
    const b = best as (WorstUnit & { ratio: number }) | null;
    if (!b || (worst.length === WORST_UNITS && !(b.ratio > worst[WORST_UNITS - 1].ratio))) continue;
    let at = worst.length;
    while (at > 0 && b.ratio > worst[at - 1].ratio) at--;
    worst.splice(at, 0, b);
    if (worst.length > WORST_UNITS) worst.pop();
  }
  return worst.map(({ ratio: _ratio, ...w }) => w);
}

function withoutPoint(outcomes: readonly UnitOutcome[], point: string): NonNullable<MonteCarloResult['withoutDcImmunity']> {
  const passed = outcomes.filter((o) => o.failed.every((f) => f === point)).length;
  const failedSaturated = outcomes.filter((o) => o.dcSaturated).length;
  const failingUnits = outcomes.filter((o) => o.failed.some((f) => f !== point)).slice(0, 10).map((o) => o.index);
  return { point, passed, yield: passed / outcomes.length, ...wilson(passed, outcomes.length), failedSaturated, failingUnits };
}
