// What `osm accuracy` does when it runs (its name and help are in accuracy.ts, which loads this module on run): the
// IEC 62053-21 class-1 test suite on the twin (the virtual test bench of scenarios/accuracy/): the error table over
// current x power factor, starting current, creep, voltage, frequency, harmonics and DC, with what-if overrides,
// per-unit calibration and a Monte Carlo yield over the board's tolerances.
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { hex } from '../../models/afe/registers.ts';
import { CalibrationError, calibrate } from '../../scenarios/accuracy/calibration.ts';
import { htmlReport } from '../../scenarios/accuracy/html-report.ts';
import { FIRMWARE_REGISTERS, impliedMeterConstant, nominalUnit, plConstantOf, type MeterUnit } from '../../scenarios/accuracy/meter-unit.ts';
import { runMonteCarlo, type MonteCarloJob, type MonteCarloResult } from '../../scenarios/accuracy/monte-carlo.ts';
import { POINT_SETS, suiteFor, type PointSet } from '../../scenarios/accuracy/points.ts';
import { OSM_RATINGS } from '../../scenarios/accuracy/ratings.ts';
import { formatMonteCarlo, formatSuite, suiteJson } from '../../scenarios/accuracy/report.ts';
import { BENCH_DEFAULTS, FIDELITIES, JUDGES, runSuite, type BenchOptions, type Fidelity, type Judge } from '../../scenarios/accuracy/runner.ts';
import { drawnUnit, unitNoiseSeed } from '../../scenarios/accuracy/unit-draw.ts';
import { WhatIfError, parseWhatIf, whatIfProfile, whatIfRegisters, type WhatIf } from '../../scenarios/accuracy/what-if.ts';
import { ProfileError, resolveFirmware } from '../../twin/profiles/profile.ts';
import { intOption, parseArgs, type OptionSpec } from '../args.ts';
import { EXIT, InputError, UsageError, colorOn, processIo } from '../command.ts';
import { checkDistinctOutputs, checkOutputPath, isStandardOutput, writeOutputFile } from '../../io/output-file.ts';
import { InterruptedError, checkpoint, withInterrupts, type InterruptWatch } from '../../io/interrupt.ts';
import { Progress } from '../progress.ts';
import { frontEndWhatIf } from '../../scenarios/accuracy/front-end-what-if.ts';
import type { CommandDeps as AccuracyDeps } from '../command.ts';
import { QUEUE_OPTION_SPECS, parseQueueArgs } from '../queue/queue-options.ts';
import { plural } from '../../io/plural.ts';


export const ACCURACY_OPTIONS = {
  points: { type: 'string' },
  schematic: { type: 'string' },
  netlist: { type: 'string' },
  json: { type: 'boolean' },
  report: { type: 'string' },
  'monte-carlo': { type: 'string' },
  seed: { type: 'string' },
  unit: { type: 'string' },
  workers: { type: 'string' },
  calibrate: { type: 'boolean' },
  judge: { type: 'string' },
  firmware: { type: 'string' },
  fix: { type: 'string' },
  'meter-constant': { type: 'string' },
  fidelity: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  board: { type: 'string' },
  port: { type: 'string' },
  wiring: { type: 'string' },
  window: { type: 'string' },
  'min-pulses': { type: 'string' },
  applied: { type: 'string' },
  ...QUEUE_OPTION_SPECS,
} as const satisfies Record<string, OptionSpec>;

/** `--set` may repeat, which the shared parser refuses: take those out first. */
export function splitSetOptions(argv: readonly string[]): { sets: string[]; rest: string[] } {
  const sets: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { rest.push(...argv.slice(i)); break; }
    if (a === '--set') {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new UsageError("option '--set' needs a value KEY=VALUE (e.g. --set frontend.ct.ratio=2000)");
      sets.push(v);
      i++;
    } else if (a.startsWith('--set=')) {
      sets.push(a.slice('--set='.length));
    } else {
      rest.push(a);
    }
  }
  return { sets, rest };
}

export interface BenchArgs {
  whatIf: WhatIf;
  points: PointSet;
  judge: Judge;
  firmwareProfile: 'field' | 'fixed';
  fix: string[];
  meterConstant: number | 'implied';
  seed: number | undefined;
  unit: number | undefined;
  json: boolean;
  fidelity: Fidelity;
}

/** The what-if as a report shows it: the circuit front end (how it was given) first, then the entries. */
export function shownWhatIf(w: WhatIf): string[] {
  if (w.circuit) return [`front end: ${w.circuit.label} (solved as a circuit)`, ...w.entries];
  if (w.frontEndSource) {
    const changed = w.entries.some((e) => e.startsWith('frontend.'));
    return [`front end: ${w.frontEndSource} (the built-in topology${changed ? '' : ' and values'})`, ...w.entries];
  }
  return w.entries;
}

/** The options `osm accuracy` and `osm calibrate` share. */
export function parseBenchArgs(values: Record<string, string | boolean | undefined>, sets: string[], defaults: { judge: Judge }): BenchArgs {
  let whatIf: WhatIf;
  try {
    const fe = frontEndWhatIf(values.schematic as string | undefined, sets, values.netlist as string | undefined);
    whatIf = parseWhatIf(fe.sets);
    whatIf.circuit = fe.circuit;
    if (fe.source !== undefined) whatIf.frontEndSource = fe.source;
    whatIfProfile(whatIf);
  } catch (err) {
    if (err instanceof WhatIfError) throw new UsageError(err.message);
    throw err;
  }
  const points = (values.points ?? 'full') as string;
  if (!(POINT_SETS as readonly string[]).includes(points)) throw new UsageError(`--points: expected ${POINT_SETS.join(' or ')}, got '${points}'`);
  const judge = (values.judge ?? defaults.judge) as string;
  if (!(JUDGES as readonly string[]).includes(judge)) throw new UsageError(`--judge: expected ${JUDGES.join(', ')}, got '${judge}'`);
  const fw = (values.firmware ?? 'field') as string;
  if (fw === 'shipped') throw new UsageError("--firmware shipped boots into 'No Configuration' and meters nothing (defect D1); use field (the operational build) or fixed");
  if (fw !== 'field' && fw !== 'fixed') throw new UsageError(`--firmware: expected field or fixed, got '${fw}'`);
  const fix = values.fix === undefined ? [] : String(values.fix).split(',').map((s) => s.trim()).filter((s) => s !== '');
  try { resolveFirmware({ profile: fw, mode: 'sts', fix }); } catch (err) {
    if (err instanceof ProfileError) throw new UsageError(`--fix: ${err.message}`);
    throw err;
  }
  let meterConstant: number | 'implied' = 'implied';
  const mc = values['meter-constant'];
  if (mc !== undefined && mc !== 'implied') {
    const t = String(mc);
    const v = /^\d+(\.\d+)?$/.test(t) ? Number(t) : NaN;
    if (!(v > 0) || !Number.isFinite(v)) throw new UsageError(`--meter-constant: expected implied or a number of imp/kWh > 0, got '${t}'`);
    meterConstant = v;
  }
  const fidelity = (values.fidelity ?? 'phasor') as string;
  if (!(FIDELITIES as readonly string[]).includes(fidelity)) throw new UsageError(`--fidelity: expected ${FIDELITIES.join(' or ')}, got '${fidelity}'`);
  const seed = values.seed === undefined ? undefined : intOption('seed', String(values.seed), 0, 4294967295);
  const unit = values.unit === undefined ? undefined : intOption('unit', String(values.unit), 0, 1e9);
  return { whatIf, points: points as PointSet, judge: judge as Judge, firmwareProfile: fw, fix, meterConstant, seed, unit, json: values.json === true, fidelity: fidelity as Fidelity };
}

/** The bench settings the arguments give. */
export function benchOptionsFor(a: BenchArgs): BenchOptions {
  const build = resolveFirmware({ profile: a.firmwareProfile, mode: 'sts', fix: a.fix });
  const nominal = nominalUnit();
  const k = a.meterConstant === 'implied' ? impliedMeterConstant(nominal.profile, FIRMWARE_REGISTERS, OSM_RATINGS) : a.meterConstant;
  const source = a.meterConstant === 'implied'
    ? `implied by the firmware's PL_Constant 0x${hex(plConstantOf(FIRMWARE_REGISTERS), 8)} and Ngain 0x${hex(FIRMWARE_REGISTERS.Ngain)} `
      + `on the nominal board; the product declares ${OSM_RATINGS.declaredConstant}, the PL_Constant was computed for 2000`
    : 'set with --meter-constant';
  const relevant = ['D14', 'D15', 'D16', 'D47'].filter((d) => build.defects.has(d as never));
  return {
    meterConstant: k,
    meterConstantSource: source,
    defects: build.defects,
    firmwareLabel: `${a.firmwareProfile}${a.fix.length ? ` with ${a.fix.join(', ')} fixed` : ''} (billing defects present: ${relevant.length ? relevant.join(', ') : 'none'})`,
    judge: a.judge,
    gatePulses: BENCH_DEFAULTS.gatePulses,
    gateCalls: BENCH_DEFAULTS.gateCalls,
    billing: a.whatIf.billing,
    fidelity: a.fidelity,
    noiseSeed: a.unit === undefined ? 1 : unitNoiseSeed(a.seed ?? 1, a.unit),
  };
}

/** The unit the arguments select: nominal (with the what-if) or drawn unit K of seed S. */
export function unitFor(a: BenchArgs): { unit: MeterUnit; label: string } {
  const design = whatIfProfile(a.whatIf);
  const registers = whatIfRegisters(a.whatIf);
  if (a.unit === undefined) return { unit: { profile: design, registers }, label: 'nominal board' };
  const seed = a.seed ?? 1;
  return { unit: drawnUnit(design, registers, seed, a.unit), label: `unit ${a.unit} of seed ${seed} (drawn from the tolerances)` };
}

/**
 * The `osm accuracy` command that runs unit `unit` of a Monte Carlo draw by itself, with the same design what-ifs,
 * bench options and calibration, so it gives that unit's numbers (`--seed S --unit K` alone would run unit K of the
 * unchanged design on the full suite).
 */
export function unitRerunCommand(a: BenchArgs, calibrate: boolean, seed: number, unit: number): string {
  const args = ['osm', 'accuracy', '--seed', String(seed), '--unit', String(unit)];
  if (a.points !== 'full') args.push('--points', a.points);
  if (a.judge !== BENCH_DEFAULTS.judge) args.push('--judge', a.judge);
  if (a.firmwareProfile !== 'field') args.push('--firmware', a.firmwareProfile);
  if (a.fix.length) args.push('--fix', a.fix.join(','));
  if (a.meterConstant !== 'implied') args.push('--meter-constant', String(a.meterConstant));
  if (a.fidelity !== 'phasor') args.push('--fidelity', a.fidelity);
  if (calibrate) args.push('--calibrate');
  if (a.whatIf.circuit) args.push(...a.whatIf.circuit.args.map(shellWord));
  for (const e of a.whatIf.entries) args.push('--set', shellWord(e));
  return args.join(' ');
}

/** A word as a POSIX shell reads it back: bare when safe, else single-quoted. */
export function shellWord(w: string): string {
  return /^[A-Za-z0-9_.,:=+\-/]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`;
}

/** Worker threads --monte-carlo may start: each loads the simulator (tens of MB), more only queue on the cores. */
const MAX_WORKERS = 64;

/** `osm accuracy ARGV`: the suite, the yield, the report; resolves to the exit code. */
export async function runAccuracy(argv: string[], deps: AccuracyDeps & { stdin?: Readable } = {}): Promise<number> {
  const io = deps.io ?? processIo;
  const wallMs = deps.wallMs ?? (() => performance.now());
  const { sets, rest } = splitSetOptions(argv);
  const { values, positionals } = parseArgs(rest, ACCURACY_OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const a = parseBenchArgs(values, sets, { judge: BENCH_DEFAULTS.judge });
  if (values.board !== undefined && values.board !== 'twin') {
    for (const k of ['monte-carlo', 'unit', 'seed', 'workers', 'calibrate'] as const) {
      if (values[k] !== undefined) throw new UsageError(`--${k} is for the twin's bench; --board measures the one chip behind the board`);
    }
    return (await import('./accuracy-board.ts')).runBoardAccuracy({ ...a, bench: benchOptionsFor(a), ...unitFor(a) }, {
      board: String(values.board), port: values.port as string | undefined, wiring: values.wiring as string | undefined,
      window: values.window as string | undefined, minPulses: values['min-pulses'] as string | undefined, applied: values.applied as string | undefined,
      report: values.report as string | undefined, quiet: values.quiet === true,
      frontEndWhatIf: values.schematic !== undefined || sets.some((s) => !s.startsWith('afe.') && !s.startsWith('firmware.')),
    }, deps);
  }
  for (const k of ['port', 'wiring', 'window', 'min-pulses', 'applied'] as const) {
    if (values[k] !== undefined) throw new UsageError(`--${k} needs --board emulated or johnny-five`);
  }
  const mcText = values['monte-carlo'] as string | undefined;
  const units = mcText === undefined ? undefined : intOption('monte-carlo', mcText, 1, 1_000_000);
  const workers = values.workers === undefined ? undefined : intOption('workers', String(values.workers), 1, MAX_WORKERS);
  if (units !== undefined && a.unit !== undefined) throw new UsageError('--unit picks one unit; --monte-carlo draws many: give one of them');
  if (a.seed !== undefined && units === undefined && a.unit === undefined) throw new UsageError('--seed needs --monte-carlo N or --unit K (the nominal board has nothing to draw)');
  if (workers !== undefined && units === undefined) throw new UsageError('--workers needs --monte-carlo N');
  const queue = parseQueueArgs(values);
  if (queue && units === undefined) throw new UsageError('--queue splits a Monte Carlo draw into jobs: add --monte-carlo N');
  if (queue && workers !== undefined) throw new UsageError('--workers counts threads here; with --queue the workers are the osm worker processes: give one of them');
  const reportFile = values.report === undefined ? undefined : checkOutputPath(String(values.report), '--report');
  if (a.json && isStandardOutput(reportFile)) throw new UsageError('--json and --report - cannot both write to standard output');
  checkDistinctOutputs([reportFile], [
    ...(values.schematic !== undefined ? [{ path: String(values.schematic), what: 'the --schematic file' }] : []),
    ...(values.netlist !== undefined ? [{ path: String(values.netlist), what: 'the --netlist file' }] : []),
  ]);
  // With the page on standard output (`--report - > page.html`), the table goes to standard error.
  const text = isStandardOutput(reportFile) ? io.stderr : io.stdout;
  const calibrateUnits = values.calibrate === true;

  // An unreachable Redis is said before the nominal suite runs.
  if (queue) await (await import('../queue/redis-connect.ts')).checkRedis(queue.target, '--queue');
  const bench = benchOptionsFor(a);
  const spec = suiteFor(a.points);
  const { unit, label } = unitFor(a);
  // Ctrl-C or SIGTERM from here on: the suite stops at its next point, the Monte Carlo workers are terminated, nothing
  // is written (the report is written whole at the end), one line says where it stopped (exit 130 / 143).
  let where = 'before the first point';
  const nothing = reportFile ? `; ${reportFile.path} not written` : '';
  return withInterrupts(async (interrupts) => {
    try {
      return await accuracyWork(interrupts);
    } catch (err) {
      if (err instanceof InterruptedError) throw new InterruptedError(err.signal, `${where}${nothing}`);
      throw err;
    }
  });

  async function accuracyWork(interrupts: InterruptWatch): Promise<number> {
    const progress = new Progress(io, { quiet: values.quiet === true, wallMs });
    progress.update(`osm accuracy: ${spec.points.length} points on the ${label} at ${a.fidelity} level${calibrateUnits ? ', calibrating first' : ''}`);
    if (calibrateUnits) {
      where = 'while calibrating';
      try { unit.registers = (await calibrate(unit, whatIfProfile(a.whatIf), spec, bench)).after; } catch (err) {
        if (err instanceof CalibrationError) throw new InputError(`--calibrate: ${err.message}`);
        throw err;
      }
    }
    await checkpoint(interrupts);
    const result = await runSuite(unit, spec, bench, {
      onPoint: async (i, n, name) => {
        progress.update(`osm accuracy: point ${i + 1}/${n}: ${name}`);
        where = `at point ${i + 1}/${n} (${name})`;
        await checkpoint(interrupts);
      },
    });
    progress.done();
    const unitLabel = `${label}${calibrateUnits ? ', calibrated' : ''}`;

    let mc: { job: MonteCarloJob; result: MonteCarloResult } | undefined;
    /** Queued jobs that failed (their units are missing from the yield): exit 3. */
    let queueFailed = 0;
    if (units !== undefined) {
      const job: MonteCarloJob = {
        units, seed: a.seed ?? 1, points: a.points, whatIf: a.whatIf.entries, circuit: a.whatIf.circuit, meterConstant: bench.meterConstant,
        meterConstantSource: bench.meterConstantSource, defects: [...bench.defects], firmwareLabel: bench.firmwareLabel,
        judge: bench.judge, gatePulses: bench.gatePulses, gateCalls: bench.gateCalls, calibrate: calibrateUnits,
        fidelity: a.fidelity,
      };
      const mcProgress = new Progress(io, { quiet: values.quiet === true, wallMs });
      const t0 = wallMs();
      mcProgress.update(`osm accuracy: Monte Carlo: 0/${units} units`);
      const show = (d: number, t: number): void => {
        const s = (wallMs() - t0) / 1000;
        const eta = d > 0 && d < t ? `, about ${Math.ceil((s * (t - d)) / d)} s to go` : '';
        mcProgress.update(`osm accuracy: Monte Carlo: ${d}/${t} units (${Math.floor((100 * d) / t)} %${eta})`);
      };
      // A heartbeat while the workers run (this thread is free): a line at least every few seconds even when no unit
      // finished in between.
      let doneUnits = 0;
      const beat = setInterval(() => show(doneUnits, units), 1000);
      let mcResult: MonteCarloResult;
      try {
        where = `in the Monte Carlo run, before any unit was done`;
        if (queue) {
          const { runMonteCarloOnQueue } = await import('../queue/monte-carlo-queue.ts');
          where = 'in the Monte Carlo run on the queue; its jobs were removed from Redis';
          const q = await runMonteCarloOnQueue(job, queue, { io, quiet: values.quiet === true, onProgress: (d) => { doneUnits = d; } });
          mcResult = q.result;
          queueFailed = q.failed.length;
        } else {
          mcResult = await runMonteCarlo(job, {
            ...(workers !== undefined ? { workers } : {}),
            signal: interrupts.abortSignal,
            onProgress: (d, t) => { doneUnits = d; show(d, t); where = `in the Monte Carlo run, ${d} of ${plural(t, 'unit')} done; worker threads stopped`; },
          });
        }
      } finally { clearInterval(beat); }
      mcProgress.done(`osm accuracy: Monte Carlo: ${units}/${units} units done`);
      mc = { job, result: mcResult };
    }

    const pass = mc ? mc.result.passed === mc.result.units : result.pass;
    const color = colorOn(text);
    if (a.json) {
      const obj = suiteJson(result, { unitLabel, whatIf: shownWhatIf(a.whatIf), ...(mc ? { monteCarlo: mc } : {}) });
      obj.pass = pass;
      io.stdout.write(`${JSON.stringify(obj, null, 2)}\n`);
    } else {
      text.write(formatSuite(result, { color, unitLabel, whatIf: shownWhatIf(a.whatIf) }));
      if (mc) {
        const job = mc.job;
        text.write(`\n${formatMonteCarlo(job, mc.result, { color, rerun: (k) => unitRerunCommand(a, calibrateUnits, job.seed, k) })}`);
      }
    }
    if (reportFile) {
      writeOutputFile(reportFile, htmlReport(result, { unitLabel, whatIf: shownWhatIf(a.whatIf), ...(mc ? { monteCarlo: mc } : {}) }));
      if (!a.json) text.write(`Report written to ${reportFile.path}\n`);
    }
    if (queueFailed > 0) return EXIT.internal;
    return pass ? EXIT.ok : EXIT.failed;
  }
}
