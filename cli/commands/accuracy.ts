// `osm accuracy`: the IEC 62053-21 class-1 test suite on the twin (the virtual test bench of scenarios/accuracy/):
// the error table over current x power factor, starting current, creep, voltage, frequency, harmonics and DC, with
// what-if overrides, per-unit calibration and a Monte Carlo yield over the board's tolerances.
import { renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { hex } from '../../models/afe/registers.ts';
import { calibrate } from '../../scenarios/accuracy/calibration.ts';
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
import { frontEndWhatIf } from '../../scenarios/accuracy/front-end-what-if.ts';
import { EXIT, UsageError, processIo, type CliIo, type Command } from '../command.ts';

const USAGE = `Usage: osm accuracy [options]

The IEC 62053-21 class-1 accuracy test of the meter on the twin's virtual test bench (phasor level), judged per the
limits configured in the project (scenarios/accuracy/limits.ts). For each point: voltage and current supplied and as
the firmware reads them, expected and read power, the error of the chip's CF pulses and of the firmware's own energy
accumulation, the limit and the verdict.

Options:
  --points seed|full    full (default): the class-1 error table over current x PF 1, 0.5L, 0.8C, starting current,
                        creep, voltage +-10 %, frequency +-2 %, harmonics and DC; seed: the rows of the original OSM
                        accuracy report (Imax, 60 A, 30 A, 5 A at PF 1 and 0.5L, 240 V)
  --schematic FILE      the front end read from a KiCad schematic (osm frontend import): its parts' values become
                        the board profile (it must have the built-in board's topology; see osm frontend show)
  --set REF=VALUE       a part by reference designator, repeatable (e.g. --set R12=150k --set C38=47n)
  --set KEY=VALUE       what-if, repeatable: frontend.<section>.<name> (e.g. frontend.ct.ratio=2000,
                        frontend.ct.burdenOhms=30, frontend.divider.rTopOhms=680k), afe.<Register> (hex or decimal,
                        e.g. afe.IgainN=0x1000; CS1/CS2 recomputed unless set), firmware.ENERGY=<kWh at the start>
  --calibrate           run the application-note calibration (see osm calibrate) on the unit(s) before the suite
  --unit K --seed S     test unit K of seed S, drawn from the board's tolerances (default: the nominal board)
  --monte-carlo N       yield: draw N units from the tolerances and run the suite on each (with --seed S, default 1)
  --workers N           worker threads for --monte-carlo (default: all cores)
  --judge J             what the verdict is judged on: both (default: the chip's CF pulses and the firmware's
                        energy), chip, or firmware
  --firmware P          firmware whose accumulation is reproduced: field (default) or fixed
  --fix D14,D16         correct these defects of the firmware (D14 billing period, D15 float millis, D16 float32
                        ENERGY, D47 15 W threshold)
  --fidelity F          phasor (default: pin phasors, fast) or waveform (8 kHz samples through the sample-level
                        front end with CT saturation and the chip's ADC with clipping, quantisation and noise floor;
                        about 20 x slower)
  --meter-constant K    imp/kWh the CF pulses are counted against: implied (default: what the firmware's
                        PL_Constant and Ngain give on the nominal board) or a number (the product declares 1000)
  --json                print one JSON object { pass, points: [...] } on stdout (with --monte-carlo: points of the
                        nominal board or --unit, pass for every unit, and a monteCarlo section)
  --report FILE         write a self-contained HTML page with the charts (error versus current per PF)
  --help, -h            show this help

Exit codes: 0 every point passed (every unit, with --monte-carlo); 1 a point failed; 2 invalid input.`;

export const ACCURACY_OPTIONS = {
  points: { type: 'string' },
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
  schematic: { type: 'string' },
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

/** The options `osm accuracy` and `osm calibrate` share. */
export function parseBenchArgs(values: Record<string, string | boolean | undefined>, sets: string[], defaults: { judge: Judge }): BenchArgs {
  let whatIf: WhatIf;
  try { whatIf = parseWhatIf(frontEndWhatIf(values.schematic as string | undefined, sets)); } catch (err) {
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

/** Write `text` to `file` whole or not at all (a temporary file renamed over it). */
export function writeWhole(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function checkOutputPath(file: string): string {
  const full = resolve(file);
  let dirOk = false;
  try { dirOk = statSync(dirname(full)).isDirectory(); } catch { dirOk = false; }
  if (!dirOk) throw new UsageError(`--report: the folder of '${file}' does not exist`);
  try { if (statSync(full).isDirectory()) throw new UsageError(`--report: '${file}' is a folder`); } catch (err) {
    if (err instanceof UsageError) throw err;
  }
  return full;
}

export interface AccuracyDeps {
  io?: CliIo;
  wallMs?: () => number;
}

export function createAccuracyCommand(deps: AccuracyDeps = {}): Command {
  const io = deps.io ?? processIo;
  const wallMs = deps.wallMs ?? (() => performance.now());

  async function run(argv: string[]): Promise<number> {
    const { sets, rest } = splitSetOptions(argv);
    const { values, positionals } = parseArgs(rest, ACCURACY_OPTIONS);
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const a = parseBenchArgs(values, sets, { judge: BENCH_DEFAULTS.judge });
    const mcText = values['monte-carlo'] as string | undefined;
    const units = mcText === undefined ? undefined : intOption('monte-carlo', mcText, 1, 1_000_000);
    const workers = values.workers === undefined ? undefined : intOption('workers', String(values.workers), 1, 1024);
    if (units !== undefined && a.unit !== undefined) throw new UsageError('--unit picks one unit; --monte-carlo draws many: give one of them');
    if (a.seed !== undefined && units === undefined && a.unit === undefined) throw new UsageError('--seed needs --monte-carlo N or --unit K (the nominal board has nothing to draw)');
    if (workers !== undefined && units === undefined) throw new UsageError('--workers needs --monte-carlo N');
    const reportFile = values.report === undefined ? undefined : checkOutputPath(String(values.report));
    const calibrateUnits = values.calibrate === true;

    const bench = benchOptionsFor(a);
    const spec = suiteFor(a.points);
    const { unit, label } = unitFor(a);
    if (calibrateUnits) unit.registers = (await calibrate(unit, whatIfProfile(a.whatIf), spec, bench)).after;
    const result = await runSuite(unit, spec, bench);
    const unitLabel = `${label}${calibrateUnits ? ', calibrated' : ''}`;

    let mc: { job: MonteCarloJob; result: MonteCarloResult } | undefined;
    if (units !== undefined) {
      const job: MonteCarloJob = {
        units, seed: a.seed ?? 1, points: a.points, whatIf: a.whatIf.entries, meterConstant: bench.meterConstant,
        meterConstantSource: bench.meterConstantSource, defects: [...bench.defects], firmwareLabel: bench.firmwareLabel,
        judge: bench.judge, gatePulses: bench.gatePulses, gateCalls: bench.gateCalls, calibrate: calibrateUnits,
        fidelity: a.fidelity,
      };
      const progress = new Progress(io, wallMs);
      const mcResult = await runMonteCarlo(job, { ...(workers !== undefined ? { workers } : {}), onProgress: (d, t) => progress.show(d, t) });
      progress.done(units);
      mc = { job, result: mcResult };
    }

    const pass = mc ? mc.result.passed === mc.result.units : result.pass;
    const color = io.stdout.isTTY === true;
    if (a.json) {
      const obj = suiteJson(result, { unitLabel, whatIf: a.whatIf.entries, ...(mc ? { monteCarlo: mc } : {}) });
      obj.pass = pass;
      io.stdout.write(`${JSON.stringify(obj, null, 2)}\n`);
    } else {
      io.stdout.write(formatSuite(result, { color, unitLabel, whatIf: a.whatIf.entries }));
      if (mc) {
        io.stdout.write(`\n${formatMonteCarlo(mc.job, mc.result, { color })}`);
        const firmwareOnly = bench.judge !== 'chip' && mc.result.passed === 0 && bench.defects.has('D14');
        if (firmwareOnly) {
          io.stdout.write('Note: every unit is also judged on the firmware\'s own energy, which D14 under-counts by about 4.8 % on any '
            + 'hardware; --judge chip judges the hardware alone, --firmware fixed (or --fix D14) removes the defect.\n');
        }
      }
    }
    if (reportFile) {
      writeWhole(reportFile, htmlReport(result, { unitLabel, whatIf: a.whatIf.entries, ...(mc ? { monteCarlo: mc } : {}) }));
      if (!a.json) io.stdout.write(`Report written to ${reportFile}\n`);
    }
    return pass ? EXIT.ok : EXIT.failed;
  }

  return {
    name: 'accuracy',
    summary: 'IEC 62053-21 class-1 accuracy suite on the virtual bench: error table, what-ifs, yield (exit 0 pass, 1 fail, 2 invalid)',
    usage: USAGE,
    run,
  };
}

/** Monte Carlo progress on stderr: a rewritten line on a terminal (at most 4 a second), else a line per 10 %. */
class Progress {
  readonly #io: CliIo;
  readonly #wallMs: () => number;
  #last = -Infinity;
  #decile = 0;
  #shown = false;

  constructor(io: CliIo, wallMs: () => number) { this.#io = io; this.#wallMs = wallMs; }

  show(done: number, total: number): void {
    if (this.#io.stderr.isTTY) {
      const w = this.#wallMs();
      if (w - this.#last < 250 && done < total) return;
      this.#last = w;
      this.#io.stderr.write(`\r\x1b[K  Monte Carlo: ${done}/${total} units (${Math.floor((100 * done) / total)} %)`);
      this.#shown = true;
      return;
    }
    const d = Math.floor((10 * done) / total);
    if (d > this.#decile) {
      this.#decile = d;
      this.#io.stderr.write(`Monte Carlo: ${done}/${total} units (${d * 10} %)\n`);
    }
  }

  done(total: number): void {
    if (this.#shown) this.#io.stderr.write(`\r\x1b[K  Monte Carlo: ${total}/${total} units done\n`);
  }
}

export const accuracyCommand = createAccuracyCommand();

export default accuracyCommand;

