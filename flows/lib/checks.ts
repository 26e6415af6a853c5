// The checks of an `osm-expect` node: observable/matcher pairs in the scenario language (`relay: open`,
// `credit: { max: 1 }`, `lcd.line0: "/CREDIT/"`), checked now, waited for up to a timeout of virtual time, or (with
// `for: 1min` among them, as in a scenario's expect) required to hold now and at every moment of that long.
import { parse as parseYaml } from 'yaml';
import { formatTime, parseDuration } from '../../twin/kernel/clock.ts';
import type { BenchControl } from '../../twin/kernel/bench-types.ts';
import { describeMatcher, describeObserved, matches } from '../../scenarios/matchers.ts';
import { readObservable } from '../../scenarios/runner.ts';
import type { Check } from '../../scenarios/schema.ts';
import { checksText } from '../../scenarios/step-text.ts';
import { NodeInputError, parseStep } from './step-parse.ts';
import { runYielding } from './yielding-run.ts';

export interface CheckSpec {
  checks: Check[];
  /** 0: check at this instant; > 0: wait up to this long (virtual time) for every check to hold. */
  timeoutUs: number;
  timeoutText: string;
  /** > 0: every check must hold now and after every event of this long (virtual time), as an expect with `for`. */
  forUs: number;
  forText: string;
  /** The checks as a scenario would write them. */
  text: string;
}

export interface CheckResult {
  observable: string;
  expected: string;
  observed: unknown;
  observedText: string;
  held: boolean;
}

export interface CheckOutcome {
  held: boolean;
  /** Virtual time when the checks were decided (µs) and as text. */
  timeUs: number;
  time: string;
  /** Virtual time spent waiting, or holding with `for` (µs). */
  waitedUs: number;
  results: CheckResult[];
  /** The meter was stopped (a deploy, a stop of the flow) before the checks were decided: no verdict on the meter. */
  interrupted: boolean;
  /**
   * `expected relay "open", observed "closed" within 8min` for the first check that did not hold; with `for`:
   * `expected relay "open" for 1min, observed "closed" after 11.000s` (or `at once`).
   */
  reason?: string;
}

/** Checks written as YAML / JSON text (`relay: open, led.red: on` is accepted as a flow mapping too) or as an object. */
export function parseChecks(checks: unknown, timeout: string | undefined): CheckSpec {
  let obj = checks;
  if (typeof checks === 'string') {
    const text = checks.trim();
    if (text === '') throw new NodeInputError('checks: nothing to check (write e.g. relay: open)');
    try {
      obj = parseYaml(text.startsWith('{') ? text : text.includes('\n') ? text : `{ ${text} }`);
    } catch (err) {
      throw new NodeInputError(`checks: not YAML: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new NodeInputError('checks: expected a mapping of observable: expected value (e.g. relay: open)');
  }
  const t = (timeout ?? '').trim();
  if (t === '' || t === '0') {
    const step = parseStep({ expect: obj as Record<string, unknown> });
    if (step.command !== 'expect') throw new Error('unreachable');
    return { checks: step.checks, timeoutUs: 0, timeoutText: '', forUs: step.forUs ?? 0, forText: step.forText ?? '', text: checksText(step.checks) };
  }
  if (Object.hasOwn(obj, 'for')) {
    throw new NodeInputError('checks: for (the checks must hold that long) and Within (wait until they hold) do not go together: clear Within, or put an osm-expect with Within before this one');
  }
  if (parseDuration(t) === null) throw new NodeInputError(`timeout: expected a duration with a unit (500ms, 2s, 10min, 2h), got '${t}'`);
  const step = parseStep({ 'wait-until': { ...(obj as Record<string, unknown>), timeout: t } });
  if (step.command !== 'wait-until') throw new Error('unreachable');
  return { checks: step.checks, timeoutUs: step.timeoutUs, timeoutText: step.timeoutText, forUs: 0, forText: '', text: checksText(step.checks) };
}

function evaluate(bench: BenchControl, checks: readonly Check[]): CheckResult[] {
  return checks.map((c) => {
    const observed = readObservable(bench, c.observable);
    return {
      observable: c.observable,
      expected: describeMatcher(c.matcher),
      observed,
      observedText: describeObserved(observed),
      held: matches(c.observable, c.matcher, observed),
    };
  });
}

/**
 * Check now; or run the bench until every check holds or the timeout passes; or, with `for`, until a check stops
 * holding or the `for` has passed (either stops early when `abort()` says so). The bench looks at the checks after
 * every event, as the scenario runner's wait-until and expect with `for` do.
 */
export async function runChecks(bench: BenchControl, spec: CheckSpec, abort: () => boolean = () => false): Promise<CheckOutcome> {
  const t0 = bench.now();
  const allHold = (): boolean => spec.checks.every((c) => matches(c.observable, c.matcher, readObservable(bench, c.observable)));
  const heldAtStart = spec.forUs > 0 && allHold();
  // in slices, with a turn of the event loop between them: a stop (abort) is seen while the checks wait
  if (spec.timeoutUs > 0) {
    await runYielding(bench, () => abort() || allHold(), spec.timeoutUs);
  } else if (heldAtStart) {
    await runYielding(bench, () => abort() || !allHold(), spec.forUs);
  }
  const results = evaluate(bench, spec.checks);
  const timeUs = bench.now();
  // stopped by abort() before the end of its for: not held, whatever the checks say now
  const cut = heldAtStart && timeUs - t0 < spec.forUs && results.every((r) => r.held);
  // stopped by abort() while waiting: the timeout did not run out, so say that the run was stopped
  const stopped = spec.timeoutUs > 0 && timeUs - t0 < spec.timeoutUs && !results.every((r) => r.held) && abort();
  const held = !cut && results.every((r) => r.held);
  const first = results.find((r) => !r.held);
  const lasting = spec.forUs > 0 ? ` for ${spec.forText}` : '';
  const after = spec.forUs === 0 ? '' : heldAtStart ? ` after ${formatTime(timeUs - t0)}` : ' at once';
  return {
    held,
    timeUs,
    time: formatTime(timeUs),
    waitedUs: timeUs - t0,
    results,
    interrupted: cut || stopped,
    ...(first ? { reason: `expected ${first.observable} ${first.expected}${lasting}, observed ${first.observedText}${after}${spec.timeoutUs > 0 ? ` within ${spec.timeoutText}` : ''}` } : {}),
    ...(cut ? { reason: `interrupted: the flow was stopped after ${formatTime(timeUs - t0)} of ${spec.forText}` } : {}),
    ...(stopped ? { reason: `interrupted: the flow was stopped after ${formatTime(timeUs - t0)} of the ${spec.timeoutText} wait, before the checks held (${first!.observable} was ${first!.observedText})` } : {}),
  };
}
