// `osm run <scenario.yaml>`: load a scenario, build a bench for it, run the steps, report, exit 0 / 1 / 2 / 3.
import type { BenchControl } from '../../twin/kernel/bench-types.ts';
import { formatTime } from '../../twin/kernel/clock.ts';
import { ScenarioError, loadScenario } from '../../scenarios/loader.ts';
import { formatJson, formatQuiet, formatReport, headerLine } from '../../scenarios/report.ts';
import { ScenarioRunError, runScenario, type ScenarioResult } from '../../scenarios/runner.ts';
import type { BenchConfig, Scenario, Step } from '../../scenarios/schema.ts';
import { TraceRecorder, fileSink, type TraceSink } from '../../scenarios/trace-recorder.ts';
import { intOption, parseArgs } from '../args.ts';
import { EXIT, UsageError, processIo, type CliIo, type Command } from '../command.ts';
import { InterruptedError, SIGNAL_EXIT, slicedBench, watchInterrupts, type InterruptWatch } from '../io/interrupt.ts';
import { checkOutputPath, type OutputTarget } from '../io/output-file.ts';
import { eepromCredit, readEepromImage, writeEepromImage } from './eeprom.ts';

/** The slowest pacing `--speed` accepts. */
export const MIN_SPEED = 0.01;

/** Simulated time between two looks at Ctrl-C and the progress line, however long a step is. */
const SLICE_US = 60e6;

/** Builds the bench a scenario runs on. The default is the twin's `createBench` (twin/kernel/bench.ts). */
export type MakeBench = (cfg: BenchConfig) => BenchControl | Promise<BenchControl>;

export interface RunDeps {
  makeBench?: MakeBench;
  io?: CliIo;
  /** Wall clock in ms for the progress line only (default performance.now). */
  wallMs?: () => number;
}

const defaultMakeBench: MakeBench = async (cfg) => {
  const { createBench } = await import('../../twin/kernel/bench.ts');
  return createBench(cfg);
};

export const RUN_USAGE = `Usage: osm run <scenario.yaml> [options]

Run a scenario (scenarios/library/*.yaml, or your own) on the twin and check its expectations.

Options:
  --seed N          seed of every random source, 0..4294967295 (default 1); same seed, same trace
  --speed max|F     max (default): as fast as possible; F >= 0.01: F times wall-clock time (1 = real time)
  --trace FILE      write every trace event to FILE as JSON lines (a file appears whole at the end; on Ctrl-C it
                    holds the events up to then); a device, a pipe or - (stdout) is written as the run goes
  --eeprom FILE     start the twin's AT24C32 from a 4096-byte dump (replaces the scenario's meter.eeprom; the
                    dump's credit wins over the scenario's meter.credit, and a difference is reported)
  --save-eeprom FILE  write the twin's EEPROM (4096 bytes) to FILE at the end of the run
  --json            print the result as JSON on stdout instead of the report
  --quiet, -q       print nothing unless an expectation fails (no progress line either)
  --help, -h        show this help

A long run shows its simulated time on stderr (a line every few seconds when stderr is not a terminal); Ctrl-C
stops it (exit 130; SIGTERM 143), keeping the trace written so far.

Exit codes: 0 every expectation held; 1 an expectation failed (the report names the step, the expected and the
observed value, and the time); 2 invalid input (the scenario or the arguments; one line file:line:col: message);
3 internal error of the simulator.`;

const OPTIONS = {
  seed: { type: 'string' },
  speed: { type: 'string' },
  trace: { type: 'string' },
  eeprom: { type: 'string' },
  'save-eeprom': { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

export interface RunArgs {
  file: string;
  seed: number;
  speed: 'max' | number;
  trace?: string;
  eeprom?: string;
  saveEeprom?: string;
  json: boolean;
  quiet: boolean;
}

export function parseRunArgs(argv: readonly string[]): RunArgs {
  const { values, positionals } = parseArgs(argv, OPTIONS);
  if (positionals.length === 0) throw new UsageError('missing the scenario file (osm run <scenario.yaml>)');
  if (positionals.length > 1) throw new UsageError(`one scenario at a time, got ${positionals.length}: ${positionals.join(' ')}`);
  const seed = values.seed === undefined ? 1 : intOption('seed', values.seed as string, 0, 4294967295);
  let speed: 'max' | number = 'max';
  if (values.speed !== undefined && values.speed !== 'max') {
    const text = values.speed as string;
    const v = /^\d+(\.\d+)?$|^\.\d+$/.test(text) ? Number(text) : NaN;
    if (!(v > 0) || !Number.isFinite(v)) throw new UsageError(`--speed: expected max or a factor > 0 (e.g. 1, 10, 0.5), got '${text}'`);
    // Slower than 1/100 of real time a second takes minutes: a typo, not a wish.
    if (v < MIN_SPEED) throw new UsageError(`--speed: ${text} is too slow (at least ${MIN_SPEED}: a simulated second in ${1 / MIN_SPEED} s; max runs flat out)`);
    speed = v;
  }
  return {
    file: positionals[0],
    seed,
    speed,
    ...(values.trace !== undefined ? { trace: values.trace as string } : {}),
    ...(values.eeprom !== undefined ? { eeprom: values.eeprom as string } : {}),
    ...(values['save-eeprom'] !== undefined ? { saveEeprom: values['save-eeprom'] as string } : {}),
    json: values.json === true,
    quiet: values.quiet === true,
  };
}

/**
 * Progress on stderr: on a terminal a line rewritten at most once per wall second and erased before the report;
 * otherwise a plain line every 10 wall seconds once a run has taken 5 s.
 */
class Progress {
  readonly #io: CliIo;
  readonly #wallMs: () => number;
  readonly #total: number;
  readonly #tty: boolean;
  #last: number;
  #shown = false;
  #events = 0;
  #step = '';
  #stepNo = 0;

  constructor(io: CliIo, wallMs: () => number, total: number) {
    this.#io = io;
    this.#wallMs = wallMs;
    this.#total = total;
    this.#tty = io.stderr.isTTY === true;
    this.#last = wallMs() - (this.#tty ? 0 : 5000);
  }

  /** Simulated time went on (a slice of a long step). */
  tick(nowUs: number): void {
    this.#maybeShow(nowUs);
  }

  step(step: Step, text: string, nowUs: number): void {
    this.#stepNo = step.index + 1;
    this.#step = text;
    this.#maybeShow(nowUs);
  }

  event(nowUs: number): void {
    if ((++this.#events & 1023) === 0) this.#maybeShow(nowUs);
  }

  #maybeShow(nowUs: number): void {
    const w = this.#wallMs();
    if (w - this.#last < (this.#tty ? 1000 : 10_000)) return;
    this.#last = w;
    const text = this.#step.length > 60 ? `${this.#step.slice(0, 59)}…` : this.#step;
    if (!this.#tty) {
      this.#io.stderr.write(`osm run: step ${this.#stepNo}/${this.#total} at t=${formatTime(nowUs)} (${text})\n`);
      return;
    }
    this.#io.stderr.write(`\r\x1b[K  step ${this.#stepNo}/${this.#total}  t=${formatTime(nowUs)}  ${text}`);
    this.#shown = true;
  }

  clear(): void {
    if (this.#shown) this.#io.stderr.write('\r\x1b[K');
    this.#shown = false;
  }
}

export function createRunCommand(deps: RunDeps = {}): Command {
  const io = deps.io ?? processIo;
  const makeBench = deps.makeBench ?? defaultMakeBench;
  const wallMs = deps.wallMs ?? (() => performance.now());

  async function run(argv: string[]): Promise<number> {
    const args = parseRunArgs(argv);
    // Every output path is checked before anything runs, so a bad one costs nothing and leaves nothing.
    const traceOut = args.trace !== undefined ? checkOutputPath(args.trace, '--trace') : undefined;
    const eepromOut = args.saveEeprom !== undefined ? checkOutputPath(args.saveEeprom, '--save-eeprom') : undefined;
    let scenario: Scenario;
    try {
      scenario = await loadScenario(args.file);
    } catch (err) {
      if (err instanceof ScenarioError && args.json) io.stdout.write(invalidJson(err));
      throw err;
    }
    if (args.eeprom !== undefined) {
      const image = readEepromImage(args.eeprom);
      // The dump is the meter's state: its credit wins over the scenario's meter.credit, and a difference is said.
      const dumpCredit = eepromCredit(image);
      if (scenario.meter.credit !== undefined && scenario.meter.credit !== dumpCredit && !args.quiet) {
        io.stderr.write(`osm run: --eeprom ${args.eeprom}: the meter starts with the dump's credit ${dumpCredit}; `
          + `the scenario's meter.credit ${scenario.meter.credit} is not applied\n`);
      }
      delete scenario.meter.credit;
      scenario.meter.eepromImage = image;
      scenario.meter.eepromFile = args.eeprom;
    }
    // From here on a Ctrl-C is handled (the trace's temporary file exists from the next line on).
    const interrupts = watchInterrupts();
    try {
      return await runWith(args, scenario, traceOut, eepromOut, interrupts);
    } finally {
      interrupts.dispose();
    }
  }

  async function runWith(args: RunArgs, scenario: Scenario, traceOut: OutputTarget | undefined, eepromOut: OutputTarget | undefined,
    interrupts: InterruptWatch): Promise<number> {
    // Open the trace before building anything, so a path that fails now has nothing to undo.
    const sink: TraceSink | undefined = traceOut ? fileSink(traceOut) : undefined;
    let bench: BenchControl;
    try {
      bench = await makeBench({ meter: scenario.meter, plant: scenario.plant, seed: args.seed, speed: args.speed });
    } catch (err) {
      sink?.close(false);
      throw err;
    }
    const recorder = sink ? new TraceRecorder(bench.trace, sink) : undefined;
    const color = io.stdout.isTTY === true;
    const progress = !args.quiet && (io.stderr.isTTY ? !args.json : true) ? new Progress(io, wallMs, scenario.steps.length) : undefined;
    const unsubscribe = progress ? bench.trace.subscribe((ev) => progress.event(ev.t)) : undefined;
    const sliced = slicedBench(bench, SLICE_US, (nowUs) => { interrupts.check(); progress?.tick(nowUs); });
    let result: ScenarioResult;
    try {
      result = await runScenario(scenario, sliced, {
        seed: args.seed,
        ...(progress ? { onStep: (step: Step, text: string) => progress.step(step, text, bench.now()) } : {}),
      });
    } catch (err) {
      progress?.clear();
      unsubscribe?.();
      const stopped = err instanceof InterruptedError ? err : (err as { cause?: unknown })?.cause instanceof InterruptedError
        ? (err as { cause: InterruptedError }).cause : undefined;
      if (stopped) {
        // Ctrl-C: the trace is closed as a valid file of the events so far; nothing else is written.
        recorder?.close();
        await bench.close();
        const step = err instanceof ScenarioRunError ? ` in step ${err.step}` : '';
        io.stderr.write(`osm run: stopped by ${stopped.signal} at t=${formatTime(bench.now())}${step}`
          + `${traceOut ? `; the trace ${traceOut.path} holds the ${recorder!.events} events up to then` : ''}`
          + `${eepromOut ? `; ${eepromOut.path} was not written` : ''}\n`);
        return SIGNAL_EXIT[stopped.signal];
      }
      // A refused scenario leaves no trace; a simulator error keeps it (it shows what led there).
      if (err instanceof ScenarioError) recorder?.abort(); else recorder?.close();
      await bench.close();
      if (err instanceof ScenarioError && args.json) io.stdout.write(invalidJson(err));
      if (err instanceof ScenarioRunError && !args.json && !args.quiet) io.stdout.write(`${headerLine({ name: scenario.name, file: scenario.file, seed: args.seed })}\n`);
      throw err;
    }
    progress?.clear();
    unsubscribe?.();
    recorder?.close();
    if (eepromOut !== undefined) {
      const image = (bench as { eepromImage?: () => Uint8Array | undefined }).eepromImage?.();
      if (!image) {
        await bench.close();
        throw new UsageError('--save-eeprom: this meter has no EEPROM the twin can read (a rig); run on the twin');
      }
      writeEepromImage(eepromOut, image);
    }
    await bench.close();
    if (args.json) io.stdout.write(formatJson(result));
    else io.stdout.write(args.quiet ? formatQuiet(result, { color }) : formatReport(result, { color }));
    return result.exitCode === 0 ? EXIT.ok : EXIT.failed;
  }

  return { name: 'run', summary: 'run a scenario and check its expectations (exit 0 held, 1 failed, 2 invalid)', usage: RUN_USAGE, run };
}

function invalidJson(err: ScenarioError): string {
  return `${JSON.stringify({ status: 'invalid', exitCode: EXIT.invalid, error: { file: err.file, line: err.line, col: err.col, message: err.detail } }, null, 2)}\n`;
}

export const runCommand = createRunCommand();

export default runCommand;
