// `osm run <scenario.yaml>`: load a scenario, build a bench for it, run the steps, report, exit 0 / 1 / 2 / 3.
import type { BenchControl } from '../../twin/kernel/bench-types.ts';
import { formatTime } from '../../twin/kernel/clock.ts';
import { ScenarioError, loadScenario } from '../../scenarios/loader.ts';
import { formatJson, formatQuiet, formatReport, headerLine } from '../../scenarios/report.ts';
import { ScenarioRunError, runScenario, type ScenarioResult } from '../../scenarios/runner.ts';
import { stepCount, stepsOf, type BenchConfig, type Scenario, type Step } from '../../scenarios/schema.ts';
import { TraceRecorder, fileSink, type TraceSink } from '../../scenarios/trace-recorder.ts';
import { intOption, parseArgs } from '../args.ts';
import { EXIT, InputError, UsageError, colorOn, processIo, type CliIo, type Command } from '../command.ts';
import { statSync } from 'node:fs';
import { deterministicReport, planCampaign, runCampaign, type CampaignPlan, type CampaignResult, type CampaignSpec } from '../../scenarios/campaign/campaign.ts';
import { QUEUE_HELP } from '../queue/queue-help.ts';
import { QUEUE_OPTION_SPECS, parseQueueArgs, type QueueArgs } from '../queue/queue-options.ts';
import { isPattern } from '../../scenarios/campaign/glob.ts';
import { expandInputs, isSingleFile } from '../../scenarios/campaign/inputs.ts';
import type * as JunitModule from '../../scenarios/campaign/junit.ts';
import { MatrixError, matrixCells, matrixNotes, parseFixes, parseProfiles, parseSeeds, type Cell, type MatrixAxes } from '../../scenarios/campaign/matrix.ts';
import { invalidRecord, type CampaignJob, type RunRecord } from '../../scenarios/campaign/run-job.ts';
import { formatCampaign } from '../../scenarios/campaign/summary.ts';
import { CampaignProgress } from '../campaign/progress.ts';
import { recordDebugLog } from '../debug-log.ts';
import { BOARD_OPTIONS_HELP, BoardOptionError, parseBoardChoice } from '../../hil-rig/board-options.ts';
import type { RigBenchHooks } from '../../hil-rig/rig-bench.ts';
import { rigCampaignNotes } from '../../hil-rig/rig-state-notes.ts';
import { TARGET_OPTIONS_HELP, TargetOptionError, parseRigTarget } from '../../hil-rig/rig-original/target-options.ts';
import { InterruptedError, SIGNAL_EXIT, slicedBench, watchInterrupts, type InterruptWatch } from '../../io/interrupt.ts';
import { OutputError, checkDistinctOutputs, checkOutputPath, writeOutputFile, type OutputTarget } from '../../io/output-file.ts';
import { readEepromImage, writeEepromImage } from './eeprom.ts';
import { applyEepromDump } from '../../scenarios/eeprom-dump.ts';
import { Progress as LineProgress } from '../progress.ts';
import { plural } from '../../io/plural.ts';
import type { NetworkSetup } from '../../twin/comms/comms.ts';

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
       osm run <file|folder|pattern>... [options]       (a campaign)

Run a scenario (scenarios/library/*.yaml, or your own) on the twin and check its expectations.

Given several files, a folder (every *.yaml and *.yml below it) or a quoted pattern ('scenarios/**/g0*.yaml'),
osm run runs a campaign: every scenario, in sorted order, on all cores; a progress line on stderr; then the failures
in full and a summary table (scenario, verdict, simulated time, wall time, first failing step). An invalid scenario
does not stop the others: it is a row of the table with its file:line:col message.

Options:
  --seed N          seed of every random source, 0..4294967295 (default 1); same seed, same trace
  --speed max|F     max (default): as fast as possible; F >= 0.01: F times wall-clock time (1 = real time)
  --trace FILE      write every trace event to FILE as JSON lines (a file appears whole at the end; on Ctrl-C it
                    holds the events up to then); a device, a pipe or - (stdout) is written as the run goes (with -
                    the report goes to stderr, so stdout holds only the trace); one scenario only
  --eeprom FILE     start the twin's AT24C32 from a 4096-byte dump (replaces the scenario's meter.eeprom; the
                    dump's credit wins over the scenario's meter.credit unless the scenario sets
                    meter.credit-over-eeprom: true; a difference is reported; in a campaign, every scenario's)
  --save-eeprom FILE  write the twin's EEPROM (4096 bytes) to FILE at the end of the run (one scenario only)
  --debug-log FILE  write the meter's debug port (Serial2) with time stamps, as a serial logger would (osm replay
                    reads it; one scenario only); - writes it to stdout at the end of the run and the report to
                    stderr (osm run S --debug-log - | osm replay -)
  --backend URL     the meter polls this top-up backend of your own (http://host:port, POST /subscribe.php) instead
                    of the built-in one; the scenario needs a network: section, and payments (topup: steps) and
                    backend faults are your server's to make. Virtual time waits for each answer (up to 5 s of wall
                    time), so the run is as reproducible as your server's answers; one scenario only
${BOARD_OPTIONS_HELP}
${TARGET_OPTIONS_HELP}
  --json            print the result as JSON on stdout instead of the report (a campaign: one array, an object per
                    run, with its wallMs)
  --quiet, -q       print nothing unless an expectation fails (a campaign: no progress line, and only the runs
                    that did not pass)
  --junit FILE      also write JUnit XML for CI: a test case per run (classname from the path, time in wall seconds,
                    simulated time as a property), the failing step, expected and observed values in <failure>
  --workers N       worker threads of a campaign (default: all cores; 1 runs in this thread); the verdicts do not
                    depend on it
  --report FILE     also write the campaign's runs as JSON without wall times: the same bytes for the same inputs
                    and seeds, whatever --workers or the queued workers (a file to diff between two runs)
  --exact-slow      run without the simulation's exact shortcuts (skipped LCD redraws that change nothing, quiet
                    keypad scans, parked delays, modem polls run from the clock, backend answers replayed, modem
                    UART bytes delivered in runs; docs/speed.md): slower, the same trace byte for byte
  --help, -h        show this help

Matrix (which defect explains a fault): --matrix runs each scenario once per cell of the axes given and adds a
scenario x cell verdict grid and the list of scenarios whose verdict differs between cells (a failure at
another step counts), each verdict with its cells and failing step.
  --matrix          run the matrix of the axes below (at least one)
  --profiles LIST   firmware profiles, e.g. field,fixed (shipped, field, fixed); replaces the firmware a scenario
                    names, keeping its boot mode; the report lists the scenarios so overridden
  --fix KNOBS       defect knobs to correct on top, each a cell beside the build without them: D14, D11,D14, D11+D14
                    (one cell with both); repeatable
  --seeds LIST      seeds, e.g. 1..20 or 1,5,9 (instead of --seed)
  Example: osm run scenarios/library/ --matrix --profiles field,fixed --junit out.xml

A long run shows its simulated time on stderr (a line every few seconds when stderr is not a terminal); Ctrl-C
stops it (exit 130; SIGTERM 143), keeping the trace written so far. Ctrl-C stops a campaign too: its workers are
ended, and a line says how many runs were done; no report, JUnit or --report file is written.

${QUEUE_HELP}
  With --queue a campaign's runs become jobs (one run per job unless --chunk); --workers does not apply.

Exit codes: 0 every expectation held; 1 an expectation failed (the report names the step, the expected and the
observed value, and the time); 2 invalid input (the scenario or the arguments; one line file:line:col: message);
3 internal error of the simulator. A campaign: 2 if any input was invalid (the valid ones still run), else 3 if the
simulator failed in a run, else 1 if an expectation failed, else 0.`;

const OPTIONS = {
  seed: { type: 'string' },
  speed: { type: 'string' },
  trace: { type: 'string' },
  eeprom: { type: 'string' },
  'save-eeprom': { type: 'string' },
  'debug-log': { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'boolean' },
  'exact-slow': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  junit: { type: 'string' },
  workers: { type: 'string' },
  matrix: { type: 'boolean' },
  profiles: { type: 'string' },
  fix: { type: 'string', multiple: true },
  seeds: { type: 'string' },
  board: { type: 'string' },
  port: { type: 'string' },
  wiring: { type: 'string' },
  parts: { type: 'string' },
  report: { type: 'string' },
  ...QUEUE_OPTION_SPECS,
  target: { type: 'string' },
  'debug-port': { type: 'string' },
  'afe-port': { type: 'string' },
} as const;

export interface RunArgs {
  /** The first input (the scenario file of a single run). */
  file: string;
  /** Every input as typed: files, folders, patterns. */
  inputs: string[];
  seed: number;
  speed: 'max' | number;
  trace?: string;
  eeprom?: string;
  saveEeprom?: string;
  debugLog?: string;
  /** `--backend URL`: a top-up backend of the user's own. */
  backend?: string;
  json: boolean;
  quiet: boolean;
  /** `--exact-slow`: the simulation's exact shortcuts off (they change no observable; this proves it). */
  exactSlow?: boolean;
  junit?: string;
  workers?: number;
  /** The matrix's cells (`--matrix` with its axes). */
  cells?: Cell[];
  /** What the axes asked for that makes no cell (a knob on the fixed build), said before the runs. */
  matrixNotes?: string[];
  /** `--report FILE`: the campaign's records without wall times. */
  report?: string;
  /** `--queue URL` and its options: the campaign's runs as jobs for `osm worker`s. */
  queue?: QueueArgs;
  /** `--board`, `--port`, `--wiring`, `--parts` (hil-rig/rig-bench.ts checks them). */
  rig: { board?: string; port?: string; wiring?: string; parts?: string };
  /** `--target`, `--debug-port`, `--afe-port` (hil-rig/rig-original/original-bench.ts checks them). */
  target?: { target?: string; debugPort?: string; afePort?: string };
}

function matrixOption<T>(parse: () => T): T {
  try { return parse(); } catch (err) {
    if (err instanceof MatrixError) throw new UsageError(err.message);
    throw err;
  }
}

export function parseRunArgs(argv: readonly string[]): RunArgs {
  const { values, positionals, lists } = parseArgs(argv, OPTIONS);
  if (positionals.length === 0) throw new UsageError('missing the scenario file (osm run <scenario.yaml>)');
  const seed = values.seed === undefined ? 1 : intOption('seed', values.seed as string, 0, 4294967295);
  const axes: MatrixAxes = {};
  if (values.profiles !== undefined) axes.profiles = matrixOption(() => parseProfiles(values.profiles as string));
  if (lists.fix !== undefined) axes.fixes = matrixOption(() => parseFixes(lists.fix));
  if (values.seeds !== undefined) axes.seeds = matrixOption(() => parseSeeds(values.seeds as string));
  const axisNames = ['profiles', 'fix', 'seeds'].filter((k) => values[k] !== undefined).map((k) => `--${k}`);
  if (values.matrix !== true && axisNames.length) throw new UsageError(`${axisNames.join(', ')}: an axis of the matrix; add --matrix`);
  if (values.matrix === true && !axisNames.length) throw new UsageError('--matrix needs at least one axis: --profiles, --fix or --seeds');
  if (values.seeds !== undefined && values.seed !== undefined) throw new UsageError('give --seed or --seeds, not both');
  let speed: 'max' | number = 'max';
  if (values.speed !== undefined && values.speed !== 'max') {
    const text = values.speed as string;
    const v = /^\d+(\.\d+)?$|^\.\d+$/.test(text) ? Number(text) : NaN;
    if (!(v > 0) || !Number.isFinite(v)) throw new UsageError(`--speed: expected max or a factor > 0 (e.g. 1, 10, 0.5), got '${text}'`);
    // Slower than 1/100 of real time a second takes minutes: a typo, not a wish.
    if (v < MIN_SPEED) throw new UsageError(`--speed: ${text} is too slow (at least ${MIN_SPEED}: a simulated second in ${1 / MIN_SPEED} s; max runs flat out)`);
    speed = v;
  }
  const queue = parseQueueArgs(values);
  if (queue && values.workers !== undefined) throw new UsageError('--workers counts threads here; with --queue the workers are the osm worker processes: give one of them');
  return {
    file: positionals[0],
    inputs: positionals,
    seed,
    speed,
    ...(values.trace !== undefined ? { trace: values.trace as string } : {}),
    ...(values.eeprom !== undefined ? { eeprom: values.eeprom as string } : {}),
    ...(values['save-eeprom'] !== undefined ? { saveEeprom: values['save-eeprom'] as string } : {}),
    ...(values['debug-log'] !== undefined ? { debugLog: values['debug-log'] as string } : {}),
    ...(values.backend !== undefined ? { backend: values.backend as string } : {}),
    json: values.json === true,
    ...(values['exact-slow'] === true ? { exactSlow: true } : {}),
    quiet: values.quiet === true,
    ...(values.junit !== undefined ? { junit: values.junit as string } : {}),
    ...(values.workers !== undefined ? { workers: intOption('workers', values.workers as string, 1, 1024) } : {}),
    ...(values.matrix === true ? { cells: matrixCells(axes) } : {}),
    ...(values.matrix === true && matrixNotes(axes).length ? { matrixNotes: matrixNotes(axes) } : {}),
    ...(values.report !== undefined ? { report: values.report as string } : {}),
    ...(queue ? { queue } : {}),
    rig: { board: values.board as string | undefined, port: values.port as string | undefined, wiring: values.wiring as string | undefined, parts: values.parts as string | undefined },
    ...(values.target !== undefined || values['debug-port'] !== undefined || values['afe-port'] !== undefined
      ? { target: { target: values.target as string | undefined, debugPort: values['debug-port'] as string | undefined, afePort: values['afe-port'] as string | undefined } }
      : {}),
  };
}

/** The scenario's network with the user's own backend (`--backend`) in place of the built-in one. */
function withBackend(scenario: Scenario, url: string | undefined): NetworkSetup {
  const net = scenario.network!;
  if (url === undefined) return net;
  const { pending, fault } = net.backend ?? {};
  if (pending || (fault && fault !== 'none')) {
    throw new UsageError(`--backend: the scenario's network: section sets the built-in backend's ${pending ? 'pending top-up' : 'fault'}, which your server does not have: make it on your server and drop it here`);
  }
  return { ...net, backend: { ...net.backend, url } };
}

/** A campaign: several inputs, a folder, a pattern, or a matrix. One existing file (or one missing name) is a run. */
export function isCampaign(args: Pick<RunArgs, 'inputs' | 'cells'>): boolean {
  if (args.cells !== undefined || args.inputs.length > 1) return true;
  const only = args.inputs[0];
  if (isSingleFile(only)) return false;
  try { if (statSync(only).isDirectory()) return true; } catch { /* missing */ }
  return isPattern(only);
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

/**
 * The bench maker of a rig choice, `--board` or `--target` (null: the twin). The rig's code is imported when a bench is
 * made, so a run on the twin never loads it. Option, connection, wiring and toolchain problems become usage errors
 * (one line, exit 2).
 */
function lazyRigMaker<C>(parse: () => C | null, create: (cfg: BenchConfig, choice: C) => Promise<BenchControl>, asUsage: (message: string) => Error): MakeBench | null {
  let choice: C | null;
  try { choice = parse(); } catch (e) { throw asUsage((e as Error).message); }
  if (choice === null) return null;
  const c = choice;
  return async (cfg) => {
    try { return await create(cfg, c); } catch (e) { throw rigProblem(e, asUsage); }
  };
}

/** `--board emulated | johnny-five`: the firmware twin on a rig board. */
function rigBenchMaker(values: { board?: string; port?: string; wiring?: string; parts?: string }, asUsage: (message: string) => Error,
  hooks: RigBenchHooks = {}): MakeBench | null {
  return lazyRigMaker(() => parseBoardChoice(values), async (cfg, c) => (await import('../../hil-rig/rig-bench.ts')).createRigBench(cfg, c, undefined, hooks), asUsage);
}

/** `--target rig | rig-emulated`: the original firmware on a rig. */
function originalRigBenchMaker(values: { target?: string; port?: string; debugPort?: string; afePort?: string; wiring?: string }, asUsage: (message: string) => Error): MakeBench | null {
  return lazyRigMaker(() => parseRigTarget(values),
    async (cfg, c) => (await import('../../hil-rig/rig-original/original-bench.ts')).createOriginalRigBench(cfg, c), asUsage);
}

/** A rig's option, connection or wiring problem as a usage error; anything else as it is. */
function rigProblem(e: unknown, asUsage: (message: string) => Error): unknown {
  const name = (e as Error)?.name;
  if (e instanceof BoardOptionError || e instanceof TargetOptionError || name === 'RigError' || name === 'WiringError') return asUsage((e as Error).message);
  return e;
}

/** `--target rig | rig-emulated`: the original firmware on a rig (null: the twin or a --board run). */
function targetBenchMaker(args: RunArgs): MakeBench | null {
  if (!args.target) return null;
  if (args.rig.board !== undefined && (args.target.target ?? 'twin') !== 'twin') throw new UsageError('give --board (the firmware twin on a rig board) or --target (the original firmware on a rig), not both');
  if (args.rig.parts !== undefined && args.target.target !== undefined && args.target.target !== 'twin') throw new UsageError('--parts is for --board; a --target rig has every part on the meter');
  return originalRigBenchMaker({ ...args.target, port: args.rig.port, wiring: args.rig.wiring }, (m) => new UsageError(m));
}

/** An output path that is this process's standard output. */
const STDOUT_PATH = /^(?:-|\/dev\/stdout|\/dev\/fd\/1|\/proc\/self\/fd\/1)$/;

export function createRunCommand(deps: RunDeps = {}): Command {
  const io = deps.io ?? processIo;
  const makeDefaultBench = deps.makeBench ?? defaultMakeBench;
  const wallMs = deps.wallMs ?? (() => performance.now());

  // Where the report goes: standard output, unless an output file was given as standard output (`--trace -`), whose
  // bytes must stay alone there (a JSONL trace piped to jq); the report then goes to standard error.
  let report: CliIo['stdout'] = io.stdout;

  async function run(argv: string[]): Promise<number> {
    const args = parseRunArgs(argv);
    const onStdout = ([['--trace', args.trace], ['--save-eeprom', args.saveEeprom], ['--debug-log', args.debugLog], ['--junit', args.junit], ['--report', args.report]] as const)
      .filter(([, p]) => p !== undefined && STDOUT_PATH.test(p)).map(([o]) => o);
    if (onStdout.length > 1) throw new UsageError(`${onStdout.join(' and ')} cannot both write to standard output`);
    if (onStdout.length && args.json) throw new UsageError(`--json and ${onStdout[0]} - cannot both write to standard output`);
    report = onStdout.length ? io.stderr : io.stdout;
    // Every output path is checked before anything runs, so a bad one costs nothing and leaves nothing.
    const junitOut = args.junit !== undefined ? checkOutputPath(args.junit, '--junit') : undefined;
    if (isCampaign(args)) return runMany(args, junitOut);
    if (args.queue) throw new UsageError('--queue splits a campaign into jobs: give several scenarios, a folder, a pattern or --matrix');
    if (args.report !== undefined) throw new UsageError('--report writes a campaign\'s runs: give several scenarios, a folder, a pattern or --matrix (one scenario: --json)');
    if (junitOut === undefined) return (await runOne(args)).code;
    const { junitXml } = await loadJunit();
    const t0 = wallMs();
    try {
      const { code, result } = await runOne(args, junitOut);
      if (result) writeOutputFile(junitOut, junitXml({ records: [{ ...result, wallMs: Math.round((wallMs() - t0) * 10) / 10 }] }));
      return code;
    } catch (err) {
      if (err instanceof ScenarioError) writeOutputFile(junitOut, junitXml({ records: [invalidRecord(args.file, err)] }));
      if (err instanceof ScenarioRunError) {
        writeOutputFile(junitOut, junitXml({ records: [{
          file: args.file, status: 'error', exitCode: 3, seed: args.seed, wallMs: Math.round((wallMs() - t0) * 10) / 10,
          error: { message: `simulation error: ${err.message}`, step: err.step, timeUs: err.timeUs, time: formatTime(err.timeUs) },
        }] }));
      }
      throw err;
    }
  }

  /** One scenario file: its report and exit code (and the result, unless Ctrl-C stopped it). */
  async function runOne(args: RunArgs, junitOut?: OutputTarget): Promise<{ code: number; result?: ScenarioResult }> {
    const makeBench = targetBenchMaker(args)
      ?? rigBenchMaker(args.rig, (m) => new UsageError(m), args.quiet ? {} : { onNote: (n) => io.stderr.write(`osm run: ${args.file}: ${n}\n`) })
      ?? makeDefaultBench;
    const traceOut = args.trace !== undefined ? checkOutputPath(args.trace, '--trace') : undefined;
    const eepromOut = args.saveEeprom !== undefined ? checkOutputPath(args.saveEeprom, '--save-eeprom') : undefined;
    const debugLogOut = args.debugLog !== undefined ? checkOutputPath(args.debugLog, '--debug-log') : undefined;
    checkDistinctOutputs([junitOut, traceOut, eepromOut, debugLogOut], [
      { path: args.file, what: 'the scenario' },
      ...(args.eeprom !== undefined ? [{ path: args.eeprom, what: 'the --eeprom dump', mayBe: '--save-eeprom' }] : []),
    ]);
    let scenario: Scenario;
    try {
      // A large scenario is read step group by step group: say how far, a line every 2 s (nothing for a small one).
      const reading = args.quiet ? undefined : new LineProgress(io, { wallMs });
      // A large scenario's steps stay packed until they run (memory bounded by the file, not by step objects).
      scenario = await loadScenario(args.file, reading ? {
        packSteps: true,
        onProgress: (read, total, steps) => reading.update(`osm run: reading ${args.file}: ${steps} steps checked (${(read / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB)`),
      } : { packSteps: true });
      reading?.done();
    } catch (err) {
      if (err instanceof ScenarioError && args.json) report.write(invalidJson(err));
      throw err;
    }
    if (args.eeprom !== undefined) {
      const note = applyEepromDump(scenario, { file: args.eeprom, image: readEepromImage(args.eeprom) });
      if (note !== undefined && !args.quiet) io.stderr.write(`osm run: ${note}\n`);
    }
    if (args.backend !== undefined) {
      if (!scenario.network) throw new UsageError(`--backend: ${args.file} has no network: section (its modem is mute and polls nothing): add network: {}`);
      for (const step of stepsOf(scenario)) {
        const what = step.command === 'topup' ? 'pays on the built-in backend (topup:)' : step.command === 'network' && step.change.fault !== undefined ? 'sets a fault of the built-in backend' : null;
        if (what) throw new UsageError(`${args.file}:${step.pos.line}:${step.pos.col}: step ${step.index + 1} ${what}, which your server at --backend does not have: make it on your server and drop the step`);
      }
      // (loaded here: a run without a network does not load the comms)
      const { backendUrlText, parseBackendUrl, reachBackend } = await import('../../twin/comms/external-backend.ts');
      let b;
      try { b = parseBackendUrl(args.backend); } catch (err) { throw new UsageError(`--backend: ${(err as Error).message}`); }
      const problem = await reachBackend(b);
      if (problem) throw new UsageError(`--backend: nothing answers at ${backendUrlText(b)} (${problem}): start your backend first`);
    }
    // From here on a Ctrl-C is handled (the trace's temporary file exists from the next line on).
    const interrupts = watchInterrupts();
    try {
      return await runWith(args, scenario, makeBench, traceOut, eepromOut, debugLogOut, junitOut, interrupts);
    } finally {
      interrupts.dispose();
    }
  }

  async function runWith(args: RunArgs, scenario: Scenario, makeBench: MakeBench, traceOut: OutputTarget | undefined,
    eepromOut: OutputTarget | undefined, debugLogOut: OutputTarget | undefined, junitOut: OutputTarget | undefined,
    interrupts: InterruptWatch): Promise<{ code: number; result?: ScenarioResult }> {
    // Open the trace before building anything, so a path that fails now has nothing to undo.
    const sink: TraceSink | undefined = traceOut ? fileSink(traceOut) : undefined;
    let bench: BenchControl;
    try {
      bench = await makeBench({
        meter: scenario.meter, plant: scenario.plant, ...(scenario.network ? { network: withBackend(scenario, args.backend) } : {}),
        seed: args.seed, speed: args.speed, ...(args.exactSlow ? { exactSlow: true } : {}),
      });
    } catch (err) {
      sink?.close(false);
      throw err;
    }
    const recorder = sink ? new TraceRecorder(bench.trace, sink) : undefined;
    const debugLog = debugLogOut !== undefined ? recordDebugLog(bench) : undefined;
    const color = colorOn(report);
    const progress = !args.quiet && (io.stderr.isTTY ? !args.json : true) ? new Progress(io, wallMs, stepCount(scenario)) : undefined;
    const unsubscribe = progress ? bench.trace.subscribe((ev) => progress.event(ev.t)) : undefined;
    const sliced = slicedBench(bench, SLICE_US, (nowUs) => { interrupts.check(); progress?.tick(nowUs); });
    // A run paced to the wall clock (--speed F, a rig) leaves the event loop idle between its slices: a timer keeps
    // the line coming. At max speed the slices drive it.
    const timer = progress ? setInterval(() => progress.tick(bench.now()), 1000) : undefined;
    timer?.unref();
    let result: ScenarioResult;
    try {
      result = await runScenario(scenario, sliced, {
        seed: args.seed,
        ...(progress ? { onStep: (step: Step, text: string) => progress.step(step, text, bench.now()) } : {}),
      });
    } catch (err) {
      clearInterval(timer);
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
          + `${eepromOut ? `; ${eepromOut.path} was not written` : ''}`
          + `${debugLogOut ? `; ${debugLogOut.path} was not written` : ''}`
          + `${junitOut ? `; ${junitOut.path} was not written` : ''}\n`);
        return { code: SIGNAL_EXIT[stopped.signal] };
      }
      // A refused scenario leaves no trace; a simulator error keeps it (it shows what led there).
      if (err instanceof ScenarioError) recorder?.abort(); else recorder?.close();
      await bench.close();
      if (err instanceof ScenarioError && args.json) report.write(invalidJson(err));
      // The scenario's header, before the simulation error the dispatcher prints (not for an output that failed: a
      // full disk under --trace is one line, a closed pipe none).
      if (err instanceof ScenarioRunError && !(err.cause instanceof OutputError) && !args.json && !args.quiet) report.write(`${headerLine({ name: scenario.name, file: scenario.file, seed: args.seed })}\n`);
      throw err;
    }
    clearInterval(timer);
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
    if (debugLogOut !== undefined) writeOutputFile(debugLogOut, debugLog!());
    await bench.close();
    if (args.json) report.write(formatJson(result));
    else report.write(args.quiet ? formatQuiet(result, { color }) : formatReport(result, { color }));
    return { code: result.exitCode === 0 ? EXIT.ok : EXIT.failed, result };
  }

  /** Several scenarios (and cells): run on worker threads, then the failures, the summary table and the grid. */
  async function runMany(args: RunArgs, junitOut: OutputTarget | undefined): Promise<number> {
    const reportOut = args.report !== undefined ? checkOutputPath(args.report, '--report', 'runs.json') : undefined;
    if (junitOut !== undefined || reportOut !== undefined) checkDistinctOutputs([junitOut, reportOut], [
      ...expandInputs(args.inputs).flatMap((e) => ('file' in e ? [{ path: e.file, what: 'a scenario' }] : [])),
      ...(args.eeprom !== undefined ? [{ path: args.eeprom, what: 'the --eeprom dump' }] : []),
    ]);
    if (args.target?.target !== undefined && args.target.target !== 'twin') throw new UsageError(`--target ${args.target.target} runs one scenario at a time: give one scenario file (and no --matrix)`);
    if (args.trace !== undefined) throw new UsageError('--trace records one run: give one scenario file (and no --matrix)');
    if (args.saveEeprom !== undefined) throw new UsageError('--save-eeprom saves one run\'s EEPROM: give one scenario file (and no --matrix)');
    if (args.debugLog !== undefined) throw new UsageError('--debug-log records one run: give one scenario file (and no --matrix)');
    if (args.backend !== undefined) throw new UsageError('--backend runs one scenario against your server: give one scenario file (and no --matrix)');
    const spec: CampaignSpec = {
      inputs: args.inputs,
      ...(args.cells ? { cells: args.cells } : {}),
      seed: args.seed,
      speed: args.speed,
      ...(args.eeprom !== undefined ? { eeprom: { file: args.eeprom, image: readEepromImage(args.eeprom) } } : {}),
    };
    // --board: every run on the rig board, one after the other in this thread (a real board has one port). A real
    // board's own chips replace some of the scenarios' meter values: said once, when the first run's rig connects
    // (before that run starts), for every scenario of the campaign.
    let plan: CampaignPlan | undefined;
    let progress: CampaignProgress | undefined;
    let rigNoted = false;
    const rigBench = rigBenchMaker(args.rig, (m) => new UsageError(m), args.quiet ? {} : {
      onRigState: (state) => {
        if (rigNoted || !plan) return;
        rigNoted = true;
        const notes = rigCampaignNotes(plan.jobs.map((j) => ({ file: j.scenario.file, meter: j.scenario.meter })), state);
        if (notes.length) progress?.clear();
        for (const n of notes) io.stderr.write(`osm run: ${n}\n`);
      },
    });
    if (args.queue && rigBench) throw new UsageError('--queue and --board exclude each other: a board has one port, so its runs stay on this machine');
    // An unreachable Redis is said before the scenarios are loaded.
    if (args.queue) await (await import('../queue/redis-connect.ts')).checkRedis(args.queue.target, '--queue');
    plan = await planCampaign(spec);
    if (!args.quiet) for (const note of [...(args.matrixNotes ?? []), ...plan.notes]) io.stderr.write(`osm run: ${note}\n`);
    if (plan.jobs.length === 0) {
      // Nothing can run (one folder with no scenario, one pattern matching nothing): a plain input error.
      const bad = plan.slots.flatMap((sl) => ('record' in sl && 'error' in sl.record ? [sl.record.error.message] : []));
      if (bad.length === 1) throw new InputError(bad[0]);
    }
    progress = args.quiet ? undefined : new CampaignProgress(io, { total: plan.jobs.length, wallMs });
    // Worker threads leave this thread idle: a timer keeps the line alive. In this thread, steps drive it.
    const timer = progress ? setInterval(() => progress.tick(), 1000) : undefined;
    timer?.unref();
    let result: CampaignResult;
    let queueFailed = 0;
    // Ctrl-C on a campaign run here: the workers are ended and the runs so far counted (a queue has its own watch).
    const interrupts = args.queue ? undefined : watchInterrupts();
    let done = 0;
    let failed = 0;
    const finished = (record: RunRecord): void => {
      done++;
      if (record.status !== 'passed') failed++;
      progress?.finished(record);
    };
    try {
      if (args.queue) {
        const { runCampaignOnQueue } = await import('../queue/campaign-queue.ts');
        const q = await runCampaignOnQueue(spec, plan, args.queue, {
          io, quiet: args.quiet,
          ...(progress ? { onDone: (record: RunRecord) => progress.finished(record) } : {}),
        });
        result = q;
        queueFailed = q.queueFailed;
      } else result = await runCampaign(spec, {
        ...(args.workers !== undefined ? { workers: args.workers } : {}),
        ...(deps.makeBench ? { makeBench: deps.makeBench } : rigBench ? { makeBench: rigBench } : {}),
        onDone: finished,
        ...(interrupts ? { signal: interrupts.abortSignal } : {}),
        ...(progress ? {
          onStart: (job: CampaignJob) => progress.started(job.scenario.file),
          onStep: () => progress.tick(),
        } : {}),
      }, plan);
    } catch (err) {
      if (!(err instanceof InterruptedError)) throw err;
      progress?.clear();
      if (args.queue) io.stderr.write(`osm run: stopped by ${err.signal}; the queued jobs were removed from Redis\n`);
      else {
        const unwritten = [reportOut, junitOut].flatMap((o) => (o && o.kind === 'file' ? [o.path] : []));
        io.stderr.write(`osm run: stopped by ${err.signal} after ${done} of ${plural(plan.jobs.length, 'run')}`
          + `${done ? ` (${failed} not passed)` : ''}; no report written${unwritten.length ? `, ${unwritten.join(' and ')} not written` : ''}\n`);
      }
      return SIGNAL_EXIT[err.signal];
    } finally {
      interrupts?.dispose();
      if (timer) clearInterval(timer);
      progress?.clear();
    }
    if (queueFailed > 0) io.stderr.write(`osm run: ${queueFailed} queued job${queueFailed === 1 ? '' : 's'} failed; their runs are reported as errors\n`);
    if (reportOut !== undefined) writeOutputFile(reportOut, deterministicReport(result.records));
    if (junitOut !== undefined) writeOutputFile(junitOut, (await loadJunit()).junitXml(result));
    if (args.json) report.write(`${JSON.stringify(result.records, null, 2)}\n`);
    else report.write(formatCampaign(result, { color: colorOn(report), quiet: args.quiet }));
    return result.exitCode;
  }

  return { name: 'run', summary: 'run a scenario, or a campaign of many (files, folders, a matrix), and check the expectations (exit 0 held, 1 failed, 2 invalid)', usage: RUN_USAGE, run };
}

/** The JUnit writer (junit-report-builder and its XML builder: about 30 MiB resident), loaded only for --junit. */
function loadJunit(): Promise<typeof JunitModule> { return import('../../scenarios/campaign/junit.ts'); }

function invalidJson(err: ScenarioError): string {
  return `${JSON.stringify({ status: 'invalid', exitCode: EXIT.invalid, error: { file: err.file, line: err.line, col: err.col, message: err.detail } }, null, 2)}\n`;
}

export const runCommand = createRunCommand();

export default runCommand;
