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
import { checkWritable, readEepromImage, writeEepromImage } from './eeprom.ts';
import { BOARD_OPTIONS_HELP, rigBenchMaker } from '../../hil-rig/rig-bench.ts';

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
  --speed max|F     max (default): as fast as possible; F > 0: F times wall-clock time (1 = real time)
  --trace FILE      write every trace event to FILE as JSON lines (written whole, or not at all)
  --eeprom FILE     start the twin's AT24C32 from a 4096-byte dump (replaces the scenario's meter.eeprom)
  --save-eeprom FILE  write the twin's EEPROM (4096 bytes) to FILE at the end of the run
${BOARD_OPTIONS_HELP}
  --json            print the result as JSON on stdout instead of the report
  --quiet, -q       print nothing unless an expectation fails
  --help, -h        show this help

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
  board: { type: 'string' },
  port: { type: 'string' },
  wiring: { type: 'string' },
  parts: { type: 'string' },
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
  /** `--board`, `--port`, `--wiring`, `--parts` (hil-rig/rig-bench.ts checks them). */
  rig: { board?: string; port?: string; wiring?: string; parts?: string };
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
    rig: { board: values.board as string | undefined, port: values.port as string | undefined, wiring: values.wiring as string | undefined, parts: values.parts as string | undefined },
  };
}

/** A progress line on stderr (a TTY only), at most once per wall second, erased before the report. */
class Progress {
  readonly #io: CliIo;
  readonly #wallMs: () => number;
  readonly #total: number;
  #last: number;
  #shown = false;
  #events = 0;
  #step = '';
  #stepNo = 0;

  constructor(io: CliIo, wallMs: () => number, total: number) {
    this.#io = io;
    this.#wallMs = wallMs;
    this.#total = total;
    this.#last = wallMs();
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
    if (w - this.#last < 1000) return;
    this.#last = w;
    const text = this.#step.length > 60 ? `${this.#step.slice(0, 59)}…` : this.#step;
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
  const makeDefaultBench = deps.makeBench ?? defaultMakeBench;
  const wallMs = deps.wallMs ?? (() => performance.now());

  async function run(argv: string[]): Promise<number> {
    const args = parseRunArgs(argv);
    const makeBench = rigBenchMaker(args.rig, (m) => new UsageError(m)) ?? makeDefaultBench;
    let scenario: Scenario;
    try {
      scenario = await loadScenario(args.file);
    } catch (err) {
      if (err instanceof ScenarioError && args.json) io.stdout.write(invalidJson(err));
      throw err;
    }
    if (args.eeprom !== undefined) {
      scenario.meter.eepromImage = readEepromImage(args.eeprom);
      scenario.meter.eepromFile = args.eeprom;
    }
    if (args.saveEeprom !== undefined) checkWritable(args.saveEeprom);
    // Open the trace file before building anything, so a bad path is an input error with nothing to undo.
    let sink: TraceSink | undefined;
    if (args.trace !== undefined) {
      try { sink = fileSink(args.trace); } catch (err) { throw new UsageError((err as Error).message); }
    }
    let bench: BenchControl;
    try {
      bench = await makeBench({ meter: scenario.meter, plant: scenario.plant, seed: args.seed, speed: args.speed });
    } catch (err) {
      sink?.close(false);
      throw err;
    }
    const recorder = sink ? new TraceRecorder(bench.trace, sink) : undefined;
    const color = io.stdout.isTTY === true;
    const progress = io.stderr.isTTY && !args.quiet && !args.json ? new Progress(io, wallMs, scenario.steps.length) : undefined;
    const unsubscribe = progress ? bench.trace.subscribe((ev) => progress.event(ev.t)) : undefined;
    let result: ScenarioResult;
    try {
      result = await runScenario(scenario, bench, {
        seed: args.seed,
        ...(progress ? { onStep: (step: Step, text: string) => progress.step(step, text, bench.now()) } : {}),
      });
    } catch (err) {
      progress?.clear();
      unsubscribe?.();
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
    if (args.saveEeprom !== undefined) {
      const image = (bench as { eepromImage?: () => Uint8Array | undefined }).eepromImage?.();
      if (!image) {
        await bench.close();
        throw new UsageError('--save-eeprom: this meter has no EEPROM the twin can read (a rig); run on the twin');
      }
      writeEepromImage(args.saveEeprom, image);
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
