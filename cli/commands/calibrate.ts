// `osm calibrate`: the ATM90E26 application-note calibration (reference atm90e26.md §6.1) on a unit drawn from the
// board's tolerances, on the virtual bench: prints the new PL_Constant, Ngain, Nphi, thresholds, Ugain, IgainN and
// CS1/CS2, applies them, and runs the suite on the unit before and after.
import { hex, toInt16 } from '../../models/afe/registers.ts';
import { CalibrationError, calibrate, type CalibrationResult } from '../../scenarios/accuracy/calibration.ts';
import { CALIBRATION_REGISTERS, FIRMWARE_REGISTERS, plConstantOf, type ChipRegisters } from '../../scenarios/accuracy/meter-unit.ts';
import { suiteFor } from '../../scenarios/accuracy/points.ts';
import { formatSuite, suiteJson } from '../../scenarios/accuracy/report.ts';
import { runSuite, type SuiteResult } from '../../scenarios/accuracy/runner.ts';
import { whatIfProfile } from '../../scenarios/accuracy/what-if.ts';
import { parseArgs } from '../args.ts';
import { EXIT, InputError, UsageError, processIo, type CliIo, type Command } from '../command.ts';
import { benchOptionsFor, parseBenchArgs, splitSetOptions, unitFor } from './accuracy.ts';

const USAGE = `Usage: osm calibrate [options]

Calibrate one meter unit on the twin's virtual test bench with the ATM90E26 application-note procedure (Atmel
AN 46102B): PL_Constant for the meter constant, Ngain from the error at Ib PF 1, Nphi from the error at Ib PF 0.5L,
the start-up thresholds and CS1; Ugain at Un and IgainN at Ib to the firmware's scale (Urms = 100 x V, Irms2 = 50 x I),
the offsets at zero current and CS2. Then the accuracy suite runs on the unit before and after.

Options:
  --seed S --unit K     the unit: unit K (default 0) of seed S (default 1), drawn from the board's tolerances, the
                        same unit as 'osm accuracy --seed S --unit K'
  --nominal             calibrate the nominal board instead of a drawn unit
  --set KEY=VALUE       what-if, repeatable, as for osm accuracy (the PL_Constant is computed for this design)
  --points seed|full    the suite run before and after (default full)
  --judge J             verdict of that suite: chip (default: calibration adjusts the chip), firmware, or both
  --firmware P, --fix D, --meter-constant K, --fidelity phasor|waveform
                        as for osm accuracy
  --json                print one JSON object { before, after, registers, steps, suite: { before, after } }
  --help, -h            show this help

Exit codes: 0 the calibrated unit passes the suite; 1 it does not; 2 invalid input.`;

const OPTIONS = {
  seed: { type: 'string' },
  unit: { type: 'string' },
  nominal: { type: 'boolean' },
  points: { type: 'string' },
  judge: { type: 'string' },
  firmware: { type: 'string' },
  fix: { type: 'string' },
  'meter-constant': { type: 'string' },
  json: { type: 'boolean' },
  fidelity: { type: 'string' },
} as const;

/** The registers a calibration changes, in the order the application note writes them. */
const SHOWN: ReadonlyArray<keyof ChipRegisters> = ['PLconstH', 'PLconstL', 'Ngain', 'Nphi', 'PStartTh', 'PNolTh', 'QStartTh', 'QNolTh', 'CS1', 'Ugain', 'IgainN', 'IoffsetN', 'PoffsetN', 'QoffsetN', 'CS2'];

export function formatCalibration(c: CalibrationResult, unitLabel: string): string {
  const out = [`Calibration of ${unitLabel}: ATM90E26 application-note procedure on the N line`, ''];
  for (const s of c.steps) out.push(`  step ${s.step.padStart(2)}: ${s.text}`);
  out.push('');
  out.push('Register     before    after');
  for (const name of SHOWN) {
    const b = c.before[name];
    const a = c.after[name];
    const signed = name === 'Ngain' ? `  (${toInt16(a) >= 0 ? '+' : ''}${((toInt16(a) / 32768) * 100).toFixed(3)} %)` : '';
    out.push(`${name.padEnd(10)}  0x${hex(b)}  0x${hex(a)}${a === b ? '' : '  *'}${signed}`);
  }
  out.push(`PL_Constant ${plConstantOf(c.before)} -> ${plConstantOf(c.after)} (0x${hex(plConstantOf(c.after), 8)})`);
  if (c.warnings.length) {
    out.push('');
    for (const w of c.warnings) out.push(`warning: ${w}`);
  }
  out.push('');
  out.push(`To test these registers: osm accuracy ${setLine(c.after)}`);
  return `${out.join('\n')}\n`;
}

/** `--set afe.X=0x....` for every register that differs from the firmware's (CS1/CS2 are recomputed by accuracy). */
export function setLine(regs: ChipRegisters): string {
  return CALIBRATION_REGISTERS.filter((n) => n !== 'CS1' && n !== 'CS2' && regs[n] !== FIRMWARE_REGISTERS[n])
    .map((n) => `--set afe.${n}=0x${hex(regs[n])}`).join(' ');
}

function summary(label: string, r: SuiteResult): string {
  const errs = r.points.filter((p) => p.kind === 'error' && p.errorPercent !== null).map((p) => Math.abs(p.errorPercent!));
  const worst = errs.length ? Math.max(...errs) : NaN;
  return `${label.padEnd(13)} ${r.pass ? 'PASS' : 'FAIL'}: ${r.points.filter((p) => !p.pass).length} of ${r.points.length} points fail; `
    + `worst |chip error| in the error table ${worst.toFixed(3)} %`;
}

export interface CalibrateDeps { io?: CliIo }

export function createCalibrateCommand(deps: CalibrateDeps = {}): Command {
  const io = deps.io ?? processIo;

  async function run(argv: string[]): Promise<number> {
    const { sets, rest } = splitSetOptions(argv);
    const { values, positionals } = parseArgs(rest, OPTIONS);
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const a = parseBenchArgs(values, sets, { judge: 'chip' });
    if (values.nominal === true && (a.seed !== undefined || a.unit !== undefined)) throw new UsageError('--nominal calibrates the nominal board: leave out --seed and --unit');
    if (values.nominal !== true) a.unit ??= 0;
    const bench = benchOptionsFor(a);
    const spec = suiteFor(a.points);
    const { unit, label } = unitFor(a);
    const before = await runSuite(unit, spec, bench);
    const cal = await calibrate(unit, whatIfProfile(a.whatIf), spec, bench).catch(asInputError);
    const after = await runSuite({ profile: unit.profile, registers: cal.after }, spec, bench);
    if (a.json) {
      io.stdout.write(`${JSON.stringify({
        pass: after.pass,
        unit: label,
        registers: { before: hexAll(cal.before), after: hexAll(cal.after) },
        plConstant: { before: plConstantOf(cal.before), after: cal.plConstant },
        measured: cal.measured,
        steps: cal.steps,
        warnings: cal.warnings,
        suite: { before: suiteJson(before, { unitLabel: label }), after: suiteJson(after, { unitLabel: `${label}, calibrated` }) },
      }, null, 2)}\n`);
    } else {
      io.stdout.write(formatCalibration(cal, label));
      io.stdout.write('\n');
      io.stdout.write(formatSuite(after, { color: io.stdout.isTTY === true, unitLabel: `${label}, calibrated`, whatIf: a.whatIf.entries }));
      io.stdout.write('\n');
      io.stdout.write(`${summary('Uncalibrated:', before)}\n${summary('Calibrated:', after)}\n`);
    }
    return after.pass ? EXIT.ok : EXIT.failed;
  }

  return {
    name: 'calibrate',
    summary: 'application-note calibration of a drawn unit on the virtual bench; prints the new registers and CS1/CS2',
    usage: USAGE,
    run,
  };
}

/** A unit that cannot be calibrated as the user set it up is an input error (exit 2), not a bug. */
export function asInputError(err: unknown): never {
  if (err instanceof CalibrationError) throw new InputError(`calibration: ${err.message}`);
  throw err;
}

function hexAll(regs: ChipRegisters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of CALIBRATION_REGISTERS) out[n] = `0x${hex(regs[n])}`;
  return out;
}

export const calibrateCommand = createCalibrateCommand();

export default calibrateCommand;
