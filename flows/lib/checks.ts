// The checks of an `osm-expect` node: observable/matcher pairs in the scenario language (`relay: open`,
// `credit: { max: 1 }`, `lcd.line0: "/CREDIT/"`), checked now or waited for up to a timeout of virtual time.
import { parse as parseYaml } from 'yaml';
import { formatTime, parseDuration } from '../../twin/kernel/clock.ts';
import type { BenchControl } from '../../twin/kernel/bench-types.ts';
import { describeMatcher, describeObserved, matches } from '../../scenarios/matchers.ts';
import { readObservable } from '../../scenarios/runner.ts';
import type { Check } from '../../scenarios/schema.ts';
import { checksText } from '../../scenarios/step-text.ts';
import { NodeInputError, parseStep } from './step-parse.ts';

export interface CheckSpec {
  checks: Check[];
  /** 0: check at this instant; > 0: wait up to this long (virtual time) for every check to hold. */
  timeoutUs: number;
  timeoutText: string;
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
  /** Virtual time spent waiting (µs). */
  waitedUs: number;
  results: CheckResult[];
  /** `expected relay "open", observed "closed" within 8min` for the first check that did not hold. */
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
    return { checks: step.checks, timeoutUs: 0, timeoutText: '', text: checksText(step.checks) };
  }
  if (parseDuration(t) === null) throw new NodeInputError(`timeout: expected a duration with a unit (500ms, 2s, 10min, 2h), got '${t}'`);
  const step = parseStep({ 'wait-until': { ...(obj as Record<string, unknown>), timeout: t } });
  if (step.command !== 'wait-until') throw new Error('unreachable');
  return { checks: step.checks, timeoutUs: step.timeoutUs, timeoutText: step.timeoutText, text: checksText(step.checks) };
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

/** Check now, or run the bench until every check holds or the timeout passes (or `abort()` says stop). */
export async function runChecks(bench: BenchControl, spec: CheckSpec, abort: () => boolean = () => false): Promise<CheckOutcome> {
  const t0 = bench.now();
  if (spec.timeoutUs > 0) {
    await bench.runUntil(() => abort() || spec.checks.every((c) => matches(c.observable, c.matcher, readObservable(bench, c.observable))), spec.timeoutUs);
  }
  const results = evaluate(bench, spec.checks);
  const held = results.every((r) => r.held);
  const timeUs = bench.now();
  const first = results.find((r) => !r.held);
  return {
    held,
    timeUs,
    time: formatTime(timeUs),
    waitedUs: timeUs - t0,
    results,
    ...(first ? { reason: `expected ${first.observable} ${first.expected}, observed ${first.observedText}${spec.timeoutUs > 0 ? ` within ${spec.timeoutText}` : ''}` } : {}),
  };
}
