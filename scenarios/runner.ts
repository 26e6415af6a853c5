// The scenario runner: executes the steps of a loaded scenario, in order, on a Bench (twin or rig), and stops at the
// first expectation that does not hold.
//
// What each step does on the bench (twin/kernel/bench-types.ts):
// - `delay`: bench.runFor.
// - `set-load`: bench.setLoad (replaces a load of the same id) or bench.removeLoad; time does not advance.
// - `grid`: bench.setGrid; time does not advance; with `for` the bench reverts the change after that long.
// - `press-keys`: bench.pressKeys; time advances until the last key is released and its gap has passed.
// - `power`, `tamper`: bench.power / bench.tamper; time does not advance.
// - `expect`: every check must hold at this instant. With `for`: bench.runUntil until a check stops holding, the
//   `for` as its timeout, so every check is looked at now and after every event up to the end of the `for` (the
//   same watch as wait-until's, the condition reversed); held to the end, time has passed by exactly the `for`.
// - `wait-until`: bench.runUntil until every check holds; failure at the timeout, with the last observed values.
// - `log`: a `scenario/note` trace event.
// - `network`: bench.comms.change (the cellular network, servers up or down, backend faults); time does not advance.
// - `topup`: bench.comms.topup: the amount becomes pending on the backend; time does not advance.
//
// Trace events (source `scenario`): `start` { name, file, steps }, `step` { step, command, name?, text } at the start
// of every step, `note` { step, text }, `check` { step, observable, expected, observed, held } for every check of an
// expect or a finished wait-until, `fail` { ...Failure }, `end` { status }. `step` numbers are 1-based.
//
// The runner calls bench.start() before the first step and does not close the bench (its owner does).
import { formatTime } from '../twin/kernel/clock.ts';
import { BootWatch } from './boot-watch.ts';
import type { BenchControl } from '../twin/kernel/bench-types.ts';
import type { CommsControl } from '../twin/comms/comms.ts';
import { ScenarioError } from './loader.ts';
import { describeMatcher, describeObserved, lcdRows, matches, normalizeObserved } from './matchers.ts';
import type { Check, Matcher, Scenario, Step } from './schema.ts';
import { TELEMETRY_PREFIX, stepCount, stepsOf, twinOnlyChecks } from './schema.ts';
import { stepText } from './step-text.ts';

export interface RunOptions {
  /** Recorded in the result (the bench was built with it). */
  seed?: number;
  /** Called as a step starts (after its trace event). */
  onStep?: (step: Step, text: string) => void;
  /** Called when a step has finished, held or not. */
  onStepDone?: (outcome: StepOutcome) => void;
}

export type StepStatus = 'ok' | 'failed' | 'not-run';

export interface StepOutcome {
  /** 1-based. */
  step: number;
  command: Step['command'];
  name?: string;
  text: string;
  line: number;
  col: number;
  status: StepStatus;
  /** Virtual time at the start and end of the step (µs); absent when not run. */
  startUs?: number;
  endUs?: number;
}

export interface Mismatch {
  observable: string;
  /** The matcher as written (`"closed"`, `/CREDIT/`, `≈ 1 ± 0.2`). */
  expected: string;
  matcher: Matcher;
  /** The observed value (normalised; undefined when the meter cannot observe it). */
  observed: unknown;
  observedText: string;
  line: number;
  col: number;
}

export interface Failure {
  /** 1-based step number. */
  step: number;
  stepName?: string;
  command: 'expect' | 'wait-until';
  /** The wait-until's timeout as written. */
  timeout?: string;
  /** An expect's `for` as written: the checks had to hold that long. */
  for?: string;
  /** With `for`: how long every check had held when one stopped holding (µs); absent when one did not hold at the start. */
  heldUs?: number;
  /** The first check that did not hold. */
  observable: string;
  expected: string;
  observed: unknown;
  observedText: string;
  /** Virtual time of the failure: the expect's instant (with `for`: the moment a check stopped holding), or the wait-until's timeout. */
  timeUs: number;
  time: string;
  file: string;
  line: number;
  col: number;
  /**
   * `expected relay "open", observed "closed"`, for a wait `... within 8min`, for an expect with `for`
   * `expected relay "open" for 1min, observed "closed" after 11.000s` (`at once` when it did not hold at the start).
   */
  reason: string;
  /** Every check of the step that did not hold (the first is the one above). */
  mismatches: Mismatch[];
  /** Why the check likely failed, when the runner can tell: the meter had not finished booting. */
  note?: string;
}

export interface ScenarioResult {
  name: string;
  file: string;
  status: 'passed' | 'failed';
  /** Exit codes (README.md "Scenarios"): 0 all expectations held, 1 one failed. (2, invalid input, is thrown as ScenarioError.) */
  exitCode: 0 | 1;
  seed?: number;
  /** Virtual time at the end (µs) and as text. */
  endUs: number;
  end: string;
  /** Checks evaluated and held (a wait-until counts its checks once, when it ends). */
  checks: { total: number; held: number };
  /** One outcome per step; for a condensed result only the failed step's (see `condensed`). */
  steps: StepOutcome[];
  /**
   * A large scenario run from packed steps (Scenario.packed) keeps no outcome per step (memory would grow with the
   * step count): `steps` holds only the failed step's outcome, and these counts stand for the rest.
   */
  condensed?: { total: number; ok: number; notRun: number };
  failure?: Failure;
}

/** The outcome of the step that failed (condensed or not). */
export function failedOutcome(r: Pick<ScenarioResult, 'steps' | 'failure'>): StepOutcome | undefined {
  if (!r.failure) return undefined;
  const n = r.failure.step;
  return r.steps[n - 1]?.step === n ? r.steps[n - 1] : r.steps.find((o) => o.step === n);
}

/** Steps in the run's scenario. */
export function resultStepCount(r: Pick<ScenarioResult, 'steps' | 'condensed'>): number {
  return r.condensed?.total ?? r.steps.length;
}

/** A bench raised an error while running a step (not an expectation failure, not the user's input). */
export class ScenarioRunError extends Error {
  override readonly name = 'ScenarioRunError';
  readonly step: number;
  readonly timeUs: number;
  constructor(step: number, text: string, timeUs: number, cause: unknown) {
    super(`step ${step} (${text}) at ${formatTime(timeUs)}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.step = step;
    this.timeUs = timeUs;
  }
}

/** Read one observable from a bench in the scenario's vocabulary (see matchers.ts `normalizeObserved`). */
export function readObservable(bench: BenchControl, name: string): unknown {
  let raw = bench.observe(name);
  if (raw === undefined) {
    if (name === 'lcd.line0' || name === 'lcd.line1') {
      raw = lcdRows(bench.observe('lcd'))?.[name === 'lcd.line0' ? 0 : 1];
    } else if (name === 'lcd') {
      const r0 = bench.observe('lcd.line0');
      const r1 = bench.observe('lcd.line1');
      if (typeof r0 === 'string' && typeof r1 === 'string') raw = `${r0}\n${r1}`;
    } else if (name.startsWith(TELEMETRY_PREFIX)) {
      const all = bench.observe('telemetry');
      if (all !== null && typeof all === 'object') raw = (all as Record<string, unknown>)[name.slice(TELEMETRY_PREFIX.length)];
    }
  }
  return normalizeObserved(name, raw);
}

/**
 * Refuse, before anything runs, a scenario that cannot run on a rig: one whose `targets` leave the rig out, or one
 * that asserts twin-only observables (every one is named, with its line).
 */
function checkMeterKind(scenario: Scenario, bench: BenchControl): void {
  if (bench.meterKind !== 'rig') return;
  if (scenario.targets && !scenario.targets.includes('rig')) {
    throw new ScenarioError(scenario.file, undefined, `this scenario declares targets: [${scenario.targets.join(', ')}]; it does not run on a rig`);
  }
  const bad = twinOnlyChecks(stepsOf(scenario));
  if (bad.length) {
    const names = bad.map((b) => `${b.observable} (line ${b.pos.line})`).join(', ');
    throw new ScenarioError(scenario.file, bad[0].pos,
      `this scenario cannot run on a rig: ${bad.length === 1 ? 'this expectation asserts what' : `${bad.length} expectations assert what`} only the twin can observe: ${names} (run it on the twin or with --board, where the firmware twin drives the board, or remove these checks)`);
  }
}

/** Evaluates a step's checks, remembering the last result per check so an unchanged value is not re-tested. */
class CheckSet {
  readonly #bench: BenchControl;
  readonly #checks: readonly Check[];
  readonly #last: { observed: unknown; held: boolean; valid: boolean }[];

  constructor(bench: BenchControl, checks: readonly Check[]) {
    this.#bench = bench;
    this.#checks = checks;
    this.#last = checks.map(() => ({ observed: undefined, held: false, valid: false }));
  }

  /** True when every check holds now. */
  allHold(): boolean {
    for (let i = 0; i < this.#checks.length; i++) {
      if (!this.#evaluate(i)) return false;
    }
    return true;
  }

  #evaluate(i: number): boolean {
    const c = this.#checks[i];
    const memo = this.#last[i];
    const observed = readObservable(this.#bench, c.observable);
    if (memo.valid && memo.observed === observed) return memo.held;
    const held = matches(c.observable, c.matcher, observed);
    memo.observed = observed;
    memo.held = held;
    memo.valid = true;
    return held;
  }

  /** Every check with its current value. */
  snapshot(): { check: Check; observed: unknown; held: boolean }[] {
    return this.#checks.map((check, i) => {
      const held = this.#evaluate(i);
      return { check, observed: this.#last[i].observed, held };
    });
  }
}

export async function runScenario(scenario: Scenario, bench: BenchControl, opts: RunOptions = {}): Promise<ScenarioResult> {
  checkMeterKind(scenario, bench);
  const trace = bench.trace;
  const total = stepCount(scenario);
  const outcomeOf = (s: Step): StepOutcome => ({
    step: s.index + 1,
    command: s.command,
    ...(s.name !== undefined ? { name: s.name } : {}),
    text: stepText(s),
    line: s.pos.line,
    col: s.pos.col,
    status: 'not-run' as StepStatus,
  });
  // Packed steps: no outcome kept per step, only the failed one (ScenarioResult.condensed).
  const condensed = scenario.packed !== undefined;
  const outcomes: StepOutcome[] = condensed ? [] : scenario.steps.map(outcomeOf);
  let ok = 0;
  const checks = { total: 0, held: 0 };
  let failure: Failure | undefined;

  trace.emit('scenario', 'start', { name: scenario.name, file: scenario.file, steps: total });
  const boot = new BootWatch(trace);
  await bench.start();

  for (const step of stepsOf(scenario)) {
    const out = condensed ? outcomeOf(step) : outcomes[step.index];
    const n = step.index + 1;
    out.startUs = bench.now();
    trace.emit('scenario', 'step', { step: n, command: step.command, ...(step.name !== undefined ? { name: step.name } : {}), text: out.text });
    opts.onStep?.(step, out.text);
    try {
      failure = await runStep(scenario, step, bench, checks);
      const note = failure && boot.noteAt(failure.timeUs);
      if (failure && note) failure.note = note;
    } catch (err) {
      if (err instanceof ScenarioError) throw err;
      throw new ScenarioRunError(n, out.text, bench.now(), err);
    }
    out.endUs = bench.now();
    out.status = failure ? 'failed' : 'ok';
    if (failure && condensed) outcomes.push(out);
    if (!failure) ok++;
    opts.onStepDone?.(out);
    if (failure) {
      trace.emit('scenario', 'fail', failure);
      break;
    }
  }

  boot.close();
  const status = failure ? 'failed' : 'passed';
  trace.emit('scenario', 'end', { status });
  const endUs = bench.now();
  return {
    name: scenario.name,
    file: scenario.file,
    status,
    exitCode: failure ? 1 : 0,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    endUs,
    end: formatTime(endUs),
    checks,
    steps: outcomes,
    ...(condensed ? { condensed: { total, ok, notRun: total - ok - (failure ? 1 : 0) } } : {}),
    ...(failure ? { failure } : {}),
  };
}

/** The bench's communications (a scenario with network steps has a `network:` section, so the bench has them). */
function commsOf(bench: BenchControl): CommsControl {
  if (!bench.comms) throw new Error('this bench has no modem network (a meter under test without the simulated SIM800)');
  return bench.comms;
}

/** Observed values in trace events: long text (the serial log) is cut to its last 200 characters. */
function traceValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'string' && v.length > 200) return `…${v.slice(-200)}`;
  return v;
}

async function runStep(scenario: Scenario, step: Step, bench: BenchControl, counts: { total: number; held: number }): Promise<Failure | undefined> {
  switch (step.command) {
    case 'delay':
      await bench.runFor(step.us);
      return undefined;
    case 'set-load':
      if (step.remove) bench.removeLoad(step.id);
      else bench.setLoad(step.load);
      return undefined;
    case 'grid':
      bench.setGrid(step.change);
      return undefined;
    case 'press-keys':
      await bench.pressKeys(step.keys, {
        ...(step.holdMs !== undefined ? { holdMs: step.holdMs } : {}),
        ...(step.gapMs !== undefined ? { gapMs: step.gapMs } : {}),
      });
      return undefined;
    case 'power':
      bench.power(step.on);
      return undefined;
    case 'tamper':
      bench.tamper(step.open);
      return undefined;
    case 'log':
      bench.trace.emit('scenario', 'note', { step: step.index + 1, text: step.text });
      return undefined;
    case 'network':
      commsOf(bench).change(step.change);
      return undefined;
    case 'topup':
      commsOf(bench).topup(step.amount);
      return undefined;
    case 'expect':
    case 'wait-until': {
      const set = new CheckSet(bench, step.checks);
      const t0 = bench.now();
      const lastingUs = step.command === 'expect' ? step.forUs : undefined;
      const heldAtStart = lastingUs !== undefined && set.allHold();
      if (step.command === 'wait-until' && !set.allHold()) {
        await bench.runUntil(() => set.allHold(), step.timeoutUs);
      } else if (heldAtStart) {
        // stops at the first event after which a check no longer holds; otherwise the clock ends at t0 + for
        await bench.runUntil(() => !set.allHold(), lastingUs);
      }
      const snap = set.snapshot();
      for (const s of snap) {
        counts.total++;
        if (s.held) counts.held++;
        bench.trace.emit('scenario', 'check', {
          step: step.index + 1, observable: s.check.observable, expected: describeMatcher(s.check.matcher),
          observed: traceValue(s.observed), held: s.held,
        });
      }
      const bad = snap.filter((s) => !s.held);
      if (bad.length === 0) return undefined;
      const mismatches: Mismatch[] = bad.map((s) => ({
        observable: s.check.observable,
        expected: describeMatcher(s.check.matcher),
        matcher: s.check.matcher,
        observed: s.observed,
        observedText: describeObserved(s.observed),
        line: s.check.pos.line,
        col: s.check.pos.col,
      }));
      const first = mismatches[0];
      const t = bench.now();
      const lasting = step.command === 'expect' ? step.forText : undefined;
      const within = step.command === 'wait-until' ? ` within ${step.timeoutText}` : lasting !== undefined ? ` for ${lasting}` : '';
      const after = lasting === undefined ? '' : heldAtStart ? ` after ${formatTime(t - t0)}` : ' at once';
      return {
        step: step.index + 1,
        ...(step.name !== undefined ? { stepName: step.name } : {}),
        command: step.command,
        ...(step.command === 'wait-until' ? { timeout: step.timeoutText } : {}),
        ...(lasting !== undefined ? { for: lasting, ...(heldAtStart ? { heldUs: t - t0 } : {}) } : {}),
        observable: first.observable,
        expected: first.expected,
        observed: first.observed,
        observedText: first.observedText,
        timeUs: t,
        time: formatTime(t),
        file: scenario.file,
        line: first.line,
        col: first.col,
        reason: `expected ${first.observable} ${first.expected}${within}, observed ${first.observedText}${after}`,
        mismatches,
      };
    }
  }
}
