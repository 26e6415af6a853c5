// `osm accuracy --board emulated|johnny-five`: the class-1 table of the ATM90E26 behind a rig board (hil-rig/
// board-accuracy.ts), in the format of `osm accuracy`. Loaded by accuracy-run.ts when --board is given.
import type { Readable } from 'node:stream';
import { suiteFor } from '../../scenarios/accuracy/points.ts';
import { formatSuite, suiteJson } from '../../scenarios/accuracy/report.ts';
import { RigConnection, RigError } from '../../hil-rig/rig/connection.ts';
import { DEFAULT_WIRING, WiringError } from '../../hil-rig/wiring.ts';
import { AfeRegisterLink, type LinkTime } from '../../hil-rig/afe-registers.ts';
import { BOARD_ACCURACY_DEFAULTS, runBoardSuite } from '../../scenarios/accuracy/board-suite.ts';
import { openEmulatedAccuracyRig, type EmulatedAccuracyRig } from '../../scenarios/accuracy/board-suite-emulated.ts';
import { AppliedFileError, OperatorSource, SourceStopped, loadAppliedFile, type ReferenceSource } from '../../scenarios/accuracy/reference-source.ts';
import type { SimTime } from '../../models/sim-time.ts';
import { EXIT, InputError, UsageError, colorOn, processIo, type CliIo } from '../command.ts';
import { checkDistinctOutputs, checkOutputPath, isStandardOutput, writeOutputFile } from '../../io/output-file.ts';
import { htmlReport } from '../../scenarios/accuracy/html-report.ts';
import { Progress } from '../progress.ts';
import type { BenchOptions } from '../../scenarios/accuracy/runner.ts';
import type { MeterUnit } from '../../scenarios/accuracy/meter-unit.ts';
import type { PointSet } from '../../scenarios/accuracy/points.ts';
import { plural } from '../../io/plural.ts';

export interface BoardAccuracyArgs {
  board: string;
  port?: string;
  wiring?: string;
  window?: string;
  minPulses?: string;
  applied?: string;
  report?: string;
  quiet: boolean;
  /** What-ifs of the front end (the emulated board's phantom load sees them; a real board is its own front end). */
  frontEndWhatIf: boolean;
}

function positive(name: string, text: string | undefined, def: number, min: number, max: number): number {
  if (text === undefined) return def;
  const m = /^(\d+(?:\.\d+)?)(s|min)?$/.exec(text.trim());
  const v = m ? Number(m[1]) * (m[2] === 'min' ? 60 : 1) : NaN;
  if (!(v >= min && v <= max)) throw new UsageError(`--${name}: expected a number ${min}..${max}${name === 'window' ? ' (seconds, or 2min)' : ''}, got '${text}'`);
  return v;
}

/** What `osm accuracy` parsed and set up (accuracy-run.ts) that the board run needs. */
export interface BoardSuiteArgs {
  json: boolean;
  points: PointSet;
  fidelity: string;
  whatIf: { entries: readonly string[] };
  bench: BenchOptions;
  unit: MeterUnit;
  label: string;
}

export async function runBoardAccuracy(a: BoardSuiteArgs, b: BoardAccuracyArgs, deps: { io?: CliIo; stdin?: Readable; wallMs?: () => number }): Promise<number> {
  const io = deps.io ?? processIo;
  if (b.board !== 'emulated' && b.board !== 'johnny-five') throw new UsageError(`--board: expected emulated or johnny-five, got '${b.board}'`);
  if (b.board === 'johnny-five' && !b.port) throw new UsageError('--board johnny-five needs --port PATH (the rig board\'s serial port)');
  if (b.board === 'emulated' && b.port) throw new UsageError('--port is for --board johnny-five (the emulated board is in-process)');
  if (b.board === 'emulated' && b.applied) throw new UsageError('--applied is for --board johnny-five (the emulated board\'s source is the bench\'s phantom load)');
  if (b.board === 'johnny-five' && b.frontEndWhatIf) throw new UsageError('--set frontend.* / R.. and --schematic change the twin\'s front end; on a real board the front end is the board itself (afe.<Register> what-ifs are programmed into the chip)');
  if (a.fidelity === 'waveform') throw new UsageError('--fidelity waveform: on a board the chip sees what the source applies (the emulated board feeds 8 kHz samples where a point needs them, as osm accuracy does)');
  const windowS = positive('window', b.window, BOARD_ACCURACY_DEFAULTS.windowS, 0.5, 3600);
  const minPulses = positive('min-pulses', b.minPulses, BOARD_ACCURACY_DEFAULTS.minPulses, 0, 10000);
  const reportFile = b.report === undefined ? undefined : checkOutputPath(b.report, '--report');
  if (a.json && isStandardOutput(reportFile)) throw new UsageError('--json and --report - cannot both write to standard output');
  const text = isStandardOutput(reportFile) ? io.stderr : io.stdout;
  checkDistinctOutputs([reportFile], b.applied ? [{ path: b.applied, what: 'the --applied file' }] : []);
  let applied: ReturnType<typeof loadAppliedFile> | null = null;
  try { applied = b.applied ? loadAppliedFile(b.applied) : null; } catch (e) {
    if (e instanceof AppliedFileError) throw new UsageError(e.message);
    throw e;
  }

  const { bench, unit, label } = a;
  const spec = suiteFor(a.points);
  const wiring = b.wiring ?? DEFAULT_WIRING;
  const progress = new Progress(io, { quiet: b.quiet, wallMs: deps.wallMs });
  let rig: RigConnection;
  let emulated: EmulatedAccuracyRig | null = null;
  try {
    if (b.board === 'emulated') {
      emulated = await openEmulatedAccuracyRig(unit, bench, wiring);
      rig = emulated.rig;
    } else {
      rig = await RigConnection.openSerial({ wiring, parts: ['afe'], path: b.port! });
    }
  } catch (e) {
    if (e instanceof RigError || e instanceof WiringError) throw new UsageError(e.message);
    throw e;
  }
  let operator: OperatorSource | null = null;
  try {
    let time: LinkTime & SimTime;
    let source: ReferenceSource;
    let chip = null;
    let link: AfeRegisterLink;
    if (emulated) {
      ({ time, source, chip, link } = emulated);
    } else {
      const wall = rig.time;
      time = { now: () => wall.now(), at: (t, fn) => wall.at(t, fn), waitFor: (cond, us) => rig.waitFor(cond, us) };
      operator = new OperatorSource(deps.stdin ?? process.stdin, (t) => io.stderr.write(t), applied && b.applied ? { table: applied, file: b.applied } : null);
      source = operator;
      io.stderr.write(`osm accuracy --board johnny-five: the ATM90E26 on ${rig.description}. Drive its inputs from an isolated reference source at `
        + 'the front end\'s millivolt levels or with the chip on an isolated bench: no mains on the rig (docs/hil-rig.md).\n');
      link = new AfeRegisterLink(rig, time);
    }
    const windowText = `each error point's window at least ${windowS} s and ${minPulses} CF pulses' worth of APenergy counts; starting and creep run the standard's durations`;
    progress.update(`osm accuracy --board ${b.board}: ${spec.points.length} points on the ATM90E26 behind ${rig.description}`);
    const result = await runBoardSuite({
      link, time, source, unit, spec, bench, emulatedChip: chip,
      config: { windowS, minPulses },
      onPoint: (i, n, name) => progress.update(`osm accuracy --board ${b.board}: point ${i + 1}/${n}: ${name}`),
      onWindow: (t) => progress.update(`osm accuracy --board ${b.board}: ${t}`),
    });
    progress.done();
    const rtt = [...link.roundTrips].sort((x, y) => x - y);
    const med = rtt.length ? rtt[Math.floor(rtt.length / 2)] / 1000 : NaN;
    const boardInfo = {
      board: b.board, description: rig.description, wiring: rig.wiring.file, afePort: rig.wiring.afe!.portName, baud: rig.wiring.afe!.baud,
      source: source.kind === 'emulated' ? 'the accuracy bench\'s phantom load on the emulated chip\'s pins' : (b.applied ? `operator, applied values from ${b.applied}` : 'operator, nominal values confirmed'),
      windowS, minPulses, registerReads: link.frames, badReplies: link.badReplies, lostReplies: link.lostReplies, medianRoundTripMs: med,
    };
    const unitLabel = `${label}; the ATM90E26 behind ${rig.description}, read over ${rig.wiring.afe!.portName}`;
    if (a.json) {
      const obj = suiteJson(result, { unitLabel, whatIf: a.whatIf.entries });
      obj.board = boardInfo;
      io.stdout.write(`${JSON.stringify(obj, null, 2)}\n`);
    } else {
      text.write(`Board: the chip's own registers read over the link (${rig.wiring.file}, ${rig.wiring.afe!.portName} at ${rig.wiring.afe!.baud} baud): `
        + `${plural(link.frames, 'frame')}, median round trip ${med.toFixed(2)} ms, ${plural(link.badReplies, 'bad reply', 'bad replies')}, ${link.lostReplies} sent again for want of a reply\n`
        + `Source: ${boardInfo.source}; ${windowText}; chip error from the slope of the APenergy count, V/I/P read averaged over the window\n`);
      text.write(formatSuite(result, { color: colorOn(text), unitLabel, whatIf: a.whatIf.entries }));
    }
    if (reportFile) {
      writeOutputFile(reportFile, htmlReport(result, { unitLabel, whatIf: a.whatIf.entries }));
      if (!a.json) text.write(`Report written to ${reportFile.path}\n`);
    }
    return result.pass ? EXIT.ok : EXIT.failed;
  } catch (e) {
    progress.done();
    if (e instanceof SourceStopped || e instanceof RigError) throw new InputError(e.message);
    throw e;
  } finally {
    operator?.close();
    await rig.close();
  }
}
