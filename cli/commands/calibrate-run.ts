// What `osm calibrate` does when it runs (its name and help are in calibrate.ts): the ATM90E26 application-note calibration (docs/atm90e26.md §6.1) on a unit drawn from the
// board's tolerances, on the virtual bench: prints the new PL_Constant, Ngain, Nphi, thresholds, Ugain, IgainN and
// CS1/CS2, applies them, and runs the suite on the unit before and after.
import { hex, toInt16 } from '../../models/afe/registers.ts';
import { CalibrationError, calibrate, type CalibrationResult } from '../../scenarios/accuracy/calibration.ts';
import { CALIBRATION_REGISTERS, FIRMWARE_REGISTERS, plConstantOf, type ChipRegisters } from '../../scenarios/accuracy/meter-unit.ts';
import { suiteFor } from '../../scenarios/accuracy/points.ts';
import { failsOnlyDcImmunity } from '../../scenarios/accuracy/dc-immunity.ts';
import { formatSuite, suiteJson } from '../../scenarios/accuracy/report.ts';
import { runSuite, type SuiteResult } from '../../scenarios/accuracy/runner.ts';
import { whatIfProfile } from '../../scenarios/accuracy/what-if.ts';
import { parseArgs } from '../args.ts';
import { EXIT, InputError, UsageError, colorOn, processIo } from '../command.ts';
import { Progress } from '../progress.ts';
import { InterruptedError, checkpoint, watchInterrupts } from '../../io/interrupt.ts';
import type { CommandDeps as CalibrateDeps } from '../command.ts';
import { benchOptionsFor, parseBenchArgs, shellWord, splitSetOptions, unitFor, type BenchArgs } from './accuracy-run.ts';


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
  quiet: { type: 'boolean', short: 'q' },
} as const;

/** The registers a calibration changes, in the order the application note writes them. */
const SHOWN: ReadonlyArray<keyof ChipRegisters> = ['PLconstH', 'PLconstL', 'Ngain', 'Nphi', 'PStartTh', 'PNolTh', 'QStartTh', 'QNolTh', 'CS1', 'Ugain', 'IgainN', 'IoffsetN', 'PoffsetN', 'QoffsetN', 'CS2'];

export function formatCalibration(c: CalibrationResult, unitLabel: string, reproduce?: string): string {
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
  out.push(`To test these registers: ${reproduce ?? `osm accuracy ${setLine(c.after)}`}`);
  return `${out.join('\n')}\n`;
}

/** `--set afe.X=0x....` for every register that differs from the firmware's (CS1/CS2 are recomputed by accuracy). */
export function setLine(regs: ChipRegisters): string {
  return CALIBRATION_REGISTERS.filter((n) => n !== 'CS1' && n !== 'CS2' && regs[n] !== FIRMWARE_REGISTERS[n])
    .map((n) => `--set afe.${n}=0x${hex(regs[n])}`).join(' ');
}

/**
 * The `osm accuracy` command that runs the calibrated unit's suite again and gives the same table and verdict: the
 * same unit (or the nominal board), the bench options, the design what-ifs and the calibrated registers.
 */
export function reproduceCommand(a: BenchArgs, regs: ChipRegisters): string {
  const args = ['osm', 'accuracy'];
  if (a.unit !== undefined) args.push('--seed', String(a.seed ?? 1), '--unit', String(a.unit));
  if (a.points !== 'full') args.push('--points', a.points);
  args.push('--judge', a.judge);
  if (a.firmwareProfile !== 'field') args.push('--firmware', a.firmwareProfile);
  if (a.fix.length) args.push('--fix', a.fix.join(','));
  if (a.meterConstant !== 'implied') args.push('--meter-constant', String(a.meterConstant));
  if (a.fidelity !== 'phasor') args.push('--fidelity', a.fidelity);
  // The design what-ifs (not the registers: the calibration's registers replace them).
  if (a.whatIf.circuit) args.push(...a.whatIf.circuit.args.map(shellWord));
  for (const e of a.whatIf.entries) if (!e.trim().startsWith('afe.')) args.push('--set', shellWord(e));
  const sets = setLine(regs);
  return `${args.join(' ')}${sets ? ` ${sets}` : ''}`;
}

function summary(label: string, r: SuiteResult): string {
  const errs = r.points.filter((p) => p.kind === 'error' && p.errorPercent !== null).map((p) => Math.abs(p.errorPercent!));
  const worst = errs.length ? Math.max(...errs) : NaN;
  return `${label.padEnd(13)} ${r.pass ? 'PASS' : 'FAIL'}: ${r.points.filter((p) => !p.pass).length} of ${r.points.length} points fail; `
    + `worst |chip error| in the error table ${worst.toFixed(3)} %`;
}

/** `osm calibrate ARGV`: calibrate the unit, run the suite before and after; resolves to the exit code. */
export async function runCalibrate(argv: string[], deps: CalibrateDeps = {}): Promise<number> {
  const io = deps.io ?? processIo;
  const { sets, rest } = splitSetOptions(argv);
  const { values, positionals } = parseArgs(rest, OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const a = parseBenchArgs(values, sets, { judge: 'chip' });
  if (values.nominal === true && (a.seed !== undefined || a.unit !== undefined)) throw new UsageError('--nominal calibrates the nominal board: leave out --seed and --unit');
  if (values.nominal !== true) a.unit ??= 0;
  const bench = benchOptionsFor(a);
  const spec = suiteFor(a.points);
  const { unit, label } = unitFor(a);
  const progress = new Progress(io, { quiet: values.quiet === true, ...(deps.wallMs ? { wallMs: deps.wallMs } : {}) });
  // Ctrl-C or SIGTERM: stop at the next point or phase, print nothing of the result, one line says where (130 / 143).
  let where = 'before the first point';
  const stage = (what: string) => async (i: number, n: number, name: string): Promise<void> => {
    progress.update(`osm calibrate: ${what}, point ${i + 1}/${n}: ${name}`);
    where = `in the suite ${what === 'before' ? 'before' : 'after'} calibration, at point ${i + 1}/${n} (${name})`;
    await checkpoint(interrupts);
  };
  const interrupts = watchInterrupts();
  let before: SuiteResult, cal: CalibrationResult, after: SuiteResult;
  try {
    progress.update(`osm calibrate: ${label}: the suite before calibration (${spec.points.length} points, ${a.fidelity} level)`);
    before = await runSuite(unit, spec, bench, { onPoint: stage('before') });
    progress.update('osm calibrate: application-note procedure (Ngain, Nphi, Ugain, IgainN, offsets)');
    where = 'during the calibration procedure; no register was computed';
    await checkpoint(interrupts);
    cal = await calibrate(unit, whatIfProfile(a.whatIf), spec, bench).catch(asInputError);
    await checkpoint(interrupts);
    after = await runSuite({ profile: unit.profile, registers: cal.after }, spec, bench, { onPoint: stage('after') });
  } catch (err) {
    if (err instanceof InterruptedError) throw new InterruptedError(err.signal, where);
    throw err;
  } finally {
    interrupts.dispose();
  }
  progress.done();
  const reproduce = reproduceCommand(a, cal.after);
  if (a.json) {
    io.stdout.write(`${JSON.stringify({
      pass: after.pass,
      calibrated: after.pass || failsOnlyDcImmunity(after),
      unit: label,
      registers: { before: hexAll(cal.before), after: hexAll(cal.after) },
      plConstant: { before: plConstantOf(cal.before), after: cal.plConstant },
      measured: cal.measured,
      steps: cal.steps,
      warnings: cal.warnings,
      reproduce,
      suite: { before: suiteJson(before, { unitLabel: label }), after: suiteJson(after, { unitLabel: `${label}, calibrated` }) },
    }, null, 2)}\n`);
  } else {
    io.stdout.write(formatCalibration(cal, label, reproduce));
    io.stdout.write('\n');
    io.stdout.write(formatSuite(after, { color: colorOn(io.stdout), unitLabel: `${label}, calibrated`, whatIf: a.whatIf.entries }));
    io.stdout.write('\n');
    io.stdout.write(`${summary('Uncalibrated:', before)}\n${summary('Calibrated:', after)}\n${calibrationVerdict(after)}\n`);
  }
  return after.pass || failsOnlyDcImmunity(after) ? EXIT.ok : EXIT.failed;
}

/**
 * The last line: whether the unit is calibrated. The DC immunity point is a limit of the current sensor's design
 * (dc-immunity.ts) that calibration cannot change, so a unit that fails only that point is calibrated (exit 0), and
 * the line says the design fails DC immunity.
 */
export function calibrationVerdict(after: SuiteResult): string {
  if (after.pass) return 'Result: the unit is calibrated and passes every point of the suite.';
  if (failsOnlyDcImmunity(after)) {
    return 'Result: the unit is calibrated: every point passes except DC immunity, which no calibration can change: the test\'s DC '
      + 'saturates the CT (a limit of the board\'s design, see "DC immunity" above; osm accuracy reports it as a FAIL).';
  }
  const failing = after.points.filter((p) => !p.pass && p.kind !== 'dc');
  const list = (names: string[]): string => `${names.slice(0, 3).join('; ')}${names.length > 3 ? '; ...' : ''}`;
  const plural = (n: number): string => `${n} point${n === 1 ? '' : 's'}`;
  // A point whose pins clip or whose CT saturates fails on the front end's range, which no register changes.
  const range = failing.filter((p) => p.measurement.hardware.some((h) => /^(clipping|CT saturates)/.test(h)));
  const rest = failing.filter((p) => !range.includes(p)).map((p) => p.name);
  const parts: string[] = [];
  if (rest.length) parts.push(`${plural(rest.length)} that calibration should bring within the limits: ${list(rest)}`);
  if (range.length) {
    parts.push(`${plural(range.length)} that no calibration can: ${list(range.map((p) => `${p.name} (${p.measurement.hardware.find((h) => /^(clipping|CT saturates)/.test(h))})`))}; `
      + 'the front end must be changed (a smaller burden or a larger CT ratio for the current input, the divider for the voltage)');
  }
  return `Result: the calibrated unit still fails ${parts.join('; and ')}`;
}

function hexAll(regs: ChipRegisters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of CALIBRATION_REGISTERS) out[n] = `0x${hex(regs[n])}`;
  return out;
}

/** A unit that cannot be calibrated as the user set it up is an input error (exit 2), not a bug. */
export function asInputError(err: unknown): never {
  if (err instanceof CalibrationError) throw new InputError(`calibration: ${err.message}`);
  throw err;
}
