// Reports of a scenario run: readable text for the console, and the result object for `--json`.
//
//   ▶ credit runs out  (scenarios/library/credit-runs-out.yaml, seed 1)
//     ✓  1       0.000s  delay 1min
//     ✘  5   16m00.000s  wait-until relay "open" (timeout 20min)
//          expected relay "open" within 20min
//          observed relay "closed"
//          at 36m00.000s, step 5, credit-runs-out.yaml:21:20
//     ·  6               expect led.red "on"  (not run)
//   FAILED at 36m00.000s: step 5 "relay opens", 3 of 4 checks held
//
// An expect with `for` that stopped holding says when, counted from the step's start (or `at once`):
//
//     ✘  4   25m00.000s  expect relay "open" for 1h
//          expected relay "open" for 1h
//          observed relay "closed" after 11m02.500s
//          at 36m02.500s, step 4, stays-open.yaml:12:15
import { formatTime } from '../twin/kernel/clock.ts';
import { failedOutcome, resultStepCount, type Failure, type ScenarioResult, type StepOutcome } from './runner.ts';

export interface ReportStyle {
  /** ANSI colours (a TTY). */
  color?: boolean;
}

const GREEN = '\x1b[32m';
const RED = '\x1b[31m';
const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

function paint(on: boolean | undefined, code: string, text: string): string {
  return on ? `${code}${text}${RESET}` : text;
}

/** The longest step description a report line shows. */
const LABEL_MAX = 160;

/** The line for one step: mark, number, start time, description. */
export function stepLine(o: StepOutcome, total: number, style: ReportStyle = {}): string {
  const width = String(total).length;
  const num = String(o.step).padStart(width);
  const time = (o.startUs !== undefined ? formatTime(o.startUs) : '').padStart(12);
  const full = o.name !== undefined ? `${o.name}: ${o.text}` : o.text;
  // A step can be long (press-keys of a generated key stream, a long log text): the line shows its start; the trace
  // and the JSON result keep it whole.
  const label = full.length > LABEL_MAX ? `${full.slice(0, LABEL_MAX - 1)}…` : full;
  switch (o.status) {
    case 'ok': return `  ${paint(style.color, GREEN, '✓')} ${num} ${time}  ${label}`;
    case 'failed': return `  ${paint(style.color, RED, '✘')} ${num} ${time}  ${label}`;
    case 'not-run': return paint(style.color, DIM, `  · ${num} ${time}  ${label}  (not run)`);
  }
}

/** The failure: expected against observed for every check that did not hold, then when and where. */
export function failureBlock(f: Failure, style: ReportStyle = {}): string {
  const pad = '       ';
  const lines: string[] = [];
  const within = f.timeout !== undefined ? ` within ${f.timeout}` : f.for !== undefined ? ` for ${f.for}` : '';
  // an expect with `for`: when the check stopped holding, counted from the step's start
  const after = f.for === undefined ? '' : f.heldUs !== undefined ? ` after ${formatTime(f.heldUs)}` : ' at once';
  for (const m of f.mismatches) {
    lines.push(`${pad}expected ${m.observable} ${m.expected}${within}`);
    lines.push(`${pad}${paint(style.color, RED, `observed ${m.observable} ${m.observedText}${after}`)}`);
  }
  const name = f.stepName !== undefined ? ` "${f.stepName}"` : '';
  lines.push(`${pad}at ${f.time}, step ${f.step}${name}, ${f.file}:${f.line}:${f.col}`);
  if (f.note !== undefined) lines.push(`${pad}note: ${f.note}`);
  return lines.join('\n');
}

/** The closing line. */
export function summaryLine(r: ScenarioResult, style: ReportStyle = {}): string {
  const held = `${r.checks.held} of ${r.checks.total} check${r.checks.total === 1 ? '' : 's'} held`;
  if (r.status === 'passed') return paint(style.color, GREEN + BOLD, `PASSED at ${r.end}: ${held}`);
  const f = r.failure!;
  const name = f.stepName !== undefined ? ` "${f.stepName}"` : '';
  return paint(style.color, RED + BOLD, `FAILED at ${r.end}: step ${f.step}${name}, ${held}`);
}

/** Header line: scenario name, file, seed. */
export function headerLine(r: Pick<ScenarioResult, 'name' | 'file' | 'seed'>, style: ReportStyle = {}): string {
  const seed = r.seed !== undefined ? `, seed ${r.seed}` : '';
  return `${paint(style.color, BOLD, `▶ ${r.name}`)}  (${r.file}${seed})`;
}

/** The full console report. */
export function formatReport(r: ScenarioResult, style: ReportStyle = {}): string {
  const lines = [headerLine(r, style)];
  if (r.condensed) {
    // A large scenario run from packed steps: counts, and the failed step in full.
    const c = r.condensed;
    lines.push(paint(style.color, DIM, `  ${c.total} steps: ${c.ok} held${r.failure ? ', 1 failed' : ''}${c.notRun ? `, ${c.notRun} not run` : ''} (a scenario this large is reported without a line per step; --trace FILE records every step)`));
    const o = failedOutcome(r);
    if (o && r.failure) lines.push(stepLine(o, c.total, style), failureBlock(r.failure, style));
    lines.push(summaryLine(r, style));
    return `${lines.join('\n')}\n`;
  }
  for (const o of r.steps) {
    lines.push(stepLine(o, r.steps.length, style));
    if (o.status === 'failed' && r.failure) lines.push(failureBlock(r.failure, style));
  }
  lines.push(summaryLine(r, style));
  return `${lines.join('\n')}\n`;
}

/** `--quiet`: nothing when everything held, else the failing step, its block and the summary. */
export function formatQuiet(r: ScenarioResult, style: ReportStyle = {}): string {
  if (r.status === 'passed' || !r.failure) return '';
  const o = failedOutcome(r)!;
  return `${[headerLine(r, style), stepLine(o, resultStepCount(r), style), failureBlock(r.failure, style), summaryLine(r, style)].join('\n')}\n`;
}

/** `--json`: the result object, stable key order, two-space indentation. */
export function formatJson(r: ScenarioResult): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
