// The console report of a campaign: the failures in full, then a summary table, then (with a matrix) the verdict
// grid and the scenarios whose verdict changes from one cell to another, and a closing line.
//
//   scenario                          verdict  simulated   wall   first failing step
//   scenarios/library/tamper.yaml     passed   12m00.000s  1.42s
//   /tmp/x/relay.yaml                 FAILED   2.000s      0.31s  step 2: expected relay "open", observed "closed"
//   /tmp/x/bad.yaml                   invalid  -           -      /tmp/x/bad.yaml:5:5: unknown step 'wait' (...)
//   3 runs: 1 passed, 1 failed, 1 invalid; 2 workers, wall 1.8s
//
// The long text (the failing step, or an invalid file's `file:line:col: message`) is the last column, so the others
// stay aligned however long it is.
import { failureBlock, headerLine, stepLine } from '../report.ts';
import { failedOutcome, resultStepCount } from '../runner.ts';
import type { CampaignResult } from './campaign.ts';
import { isBroken, type RunRecord, type RunStatus } from './run-job.ts';

export interface SummaryStyle {
  /** ANSI colours (a TTY). */
  color?: boolean;
  /** Only what did not pass: nothing at all when every run passed and no verdict differs between cells. */
  quiet?: boolean;
}

const GREEN = '\x1b[32m';
const RED = '\x1b[31m';
const YELLOW = '\x1b[33m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

const VERDICT: Record<RunStatus, string> = { passed: 'passed', failed: 'FAILED', invalid: 'invalid', error: 'error' };
const GRID_MARK: Record<RunStatus, string> = { passed: 'pass', failed: 'FAIL', invalid: 'invalid', error: 'error' };
const COLOUR: Record<RunStatus, string> = { passed: GREEN, failed: RED, invalid: YELLOW, error: RED + BOLD };

function paint(on: boolean | undefined, code: string, text: string): string {
  return on ? `${code}${text}${RESET}` : text;
}

/** Wall time: `0.42s`, `12.3s`, `2m05s`. */
export function formatWall(ms: number): string {
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(2)}s`;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}

/** The "first failing step" column: the failure, the invalid input's message, or the simulator's error. */
export function detailText(r: RunRecord): string {
  if (isBroken(r)) return r.error.message;
  if (r.status === 'passed' || !r.failure) return '';
  const f = r.failure;
  return `step ${f.step}${f.stepName !== undefined ? ` "${f.stepName}"` : ''}: ${f.reason}`;
}

function simulatedText(r: RunRecord): string {
  if (!isBroken(r)) return r.end;
  return r.error.time ?? '-';
}

/**
 * Rows padded to the widest cell of each column; the last column is not padded. The widths are found in a loop: a
 * spread of one value per row (Math.max(...)) overflows the stack in a campaign of more than about 120k runs.
 */
function table(rows: string[][], colour: (row: number, col: number, text: string) => string): string[] {
  const widths = rows[0].map(() => 0);
  for (const r of rows) for (let c = 0; c < widths.length; c++) widths[c] = Math.max(widths[c], r[c].length);
  return rows.map((r, i) => r.map((cell, c) => {
    const text = c === r.length - 1 ? cell : cell.padEnd(widths[c]);
    return i === 0 ? text : colour(i, c, text);
  }).join('  ').trimEnd());
}

/** The summary table, one row per run. */
export function formatTable(records: readonly RunRecord[], style: SummaryStyle = {}, matrix = false): string {
  const shown = style.quiet ? records.filter((r) => r.status !== 'passed') : records;
  if (shown.length === 0) return '';
  const head = ['scenario', ...(matrix ? ['cell'] : []), 'verdict', 'simulated', 'wall', 'first failing step'];
  const rows = shown.map((r) => [
    r.file,
    ...(matrix ? [r.cell?.label ?? '(all)'] : []),
    VERDICT[r.status],
    simulatedText(r),
    r.status === 'invalid' ? '-' : formatWall(r.wallMs),
    detailText(r),
  ]);
  const verdictCol = matrix ? 2 : 1;
  const lines = table([head, ...rows], (i, c, text) => (c === verdictCol ? paint(style.color, COLOUR[shown[i - 1].status], text) : text));
  lines[0] = paint(style.color, BOLD, lines[0]);
  return `${lines.join('\n')}\n`;
}

/** The failing runs in full: header, failing step, expected and observed values, where. */
export function formatFailures(records: readonly RunRecord[], style: SummaryStyle = {}): string {
  const out: string[] = [];
  for (const r of records) {
    if (isBroken(r) || r.status !== 'failed' || !r.failure) continue;
    const cell = r.cell ? `  [${r.cell.label}]` : '';
    out.push(`${headerLine(r, style)}${cell}`);
    out.push(stepLine(failedOutcome(r)!, resultStepCount(r), style));
    out.push(failureBlock(r.failure, style));
  }
  return out.length ? `${out.join('\n')}\n\n` : '';
}

/** Per scenario file, its records in cell order. */
function byScenario(records: readonly RunRecord[]): Map<string, RunRecord[]> {
  const m = new Map<string, RunRecord[]>();
  for (const r of records) {
    const list = m.get(r.file);
    if (list) list.push(r); else m.set(r.file, [r]);
  }
  return m;
}

/**
 * A scenario whose verdict is not the same in every cell (an invalid scenario has one verdict: invalid). A run that
 * fails at another step than a run of another cell has another verdict: a knob that moves a failure from step 9 to
 * step 13 has corrected what step 9 checks, which is what a matrix is run to find.
 */
export interface Difference {
  file: string;
  name?: string;
  records: RunRecord[];
}

/** What sets two cells' verdicts apart: the status, and for a failed run the step that failed. */
function verdictKey(r: RunRecord): string {
  return r.status === 'failed' && !isBroken(r) && r.failure ? `failed at ${r.failure.step}` : r.status;
}

export function differences(result: Pick<CampaignResult, 'records'>): Difference[] {
  const out: Difference[] = [];
  for (const [file, records] of byScenario(result.records)) {
    if (new Set(records.map(verdictKey)).size > 1) out.push({ file, ...(records[0].name !== undefined ? { name: records[0].name } : {}), records });
  }
  return out;
}

/** The scenario × cell grid of verdicts. */
export function formatGrid(result: Pick<CampaignResult, 'records' | 'cells'>, style: SummaryStyle = {}): string {
  const cells = result.cells ?? [];
  const head = ['scenario', ...cells.map((c) => c.label)];
  const statuses: RunStatus[][] = [];
  const rows: string[][] = [];
  for (const [file, records] of byScenario(result.records)) {
    const row = cells.map((c) => records.find((r) => r.cell?.label === c.label) ?? records.find((r) => r.cell === undefined));
    statuses.push(row.map((r) => r?.status ?? 'invalid'));
    rows.push([file, ...row.map((r) => (r ? GRID_MARK[r.status] : '-'))]);
  }
  const lines = table([head, ...rows], (i, c, text) => (c === 0 ? text : paint(style.color, COLOUR[statuses[i - 1][c - 1]], text)));
  lines[0] = paint(style.color, BOLD, lines[0]);
  return `${lines.join('\n')}\n`;
}

/**
 * The scenarios whose verdict differs between cells, each with its verdicts and the cells that gave each: cells are
 * grouped by verdict and, when they failed, by what failed (the step and the values), so every line's text holds for
 * every cell it names.
 */
export function formatDifferences(result: Pick<CampaignResult, 'records'>, style: SummaryStyle = {}): string {
  const diffs = differences(result);
  if (diffs.length === 0) return 'No scenario\'s verdict differs between the cells.\n';
  const lines = [paint(style.color, BOLD, `Verdicts differ between the cells for ${diffs.length} scenario${diffs.length === 1 ? '' : 's'}:`)];
  for (const d of diffs) {
    lines.push(`  ${d.file}${d.name !== undefined ? ` (${d.name})` : ''}`);
    const groups = new Map<string, RunRecord[]>();
    for (const r of d.records) {
      const key = `${r.status}\0${detailText(r)}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const rs of groups.values()) {
      const where = rs.map((r) => r.cell?.label ?? '').join(', ');
      const why = rs[0].status !== 'passed' ? `: ${detailText(rs[0])}` : '';
      lines.push(`    ${paint(style.color, COLOUR[rs[0].status], VERDICT[rs[0].status])} on ${where}${why}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Which scenarios a cell ran on another firmware than the one they name. */
export function formatOverrides(records: readonly RunRecord[]): string {
  const per = new Map<string, { own: string; runs: string[] }>();
  for (const r of records) {
    if (!r.firmwareOverride) continue;
    const o = r.firmwareOverride;
    const e = per.get(r.file) ?? { own: o.scenarioDefault ? `no firmware (${o.scenario} by default)` : o.scenario, runs: [] };
    if (!e.runs.includes(r.firmwareOverride.cell)) e.runs.push(r.firmwareOverride.cell);
    per.set(r.file, e);
  }
  if (per.size === 0) return '';
  const lines = ['The cells override the firmware these scenarios name:'];
  for (const [file, e] of per) lines.push(`  ${file}: names ${e.own}, ran as ${e.runs.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** `31 runs: 29 passed, 1 failed, 1 invalid; 2 workers, wall 41.2s`. */
export function formatClosing(result: CampaignResult, style: SummaryStyle = {}): string {
  const count = (s: RunStatus): number => result.records.filter((r) => r.status === s).length;
  const parts = (['passed', 'failed', 'invalid', 'error'] as const)
    .map((s) => [s, count(s)] as const)
    .filter(([s, n]) => n > 0 || s === 'passed')
    .map(([s, n]) => `${n} ${s === 'error' ? (n === 1 ? 'simulator error' : 'simulator errors') : s}`);
  const n = result.records.length;
  const what = result.cells ? `${n} run${n === 1 ? '' : 's'} (${result.cells.length} cell${result.cells.length === 1 ? '' : 's'})` : `${n} scenario${n === 1 ? '' : 's'}`;
  const threads = result.workers === 0 ? 'nothing ran' : `${result.workers} worker${result.workers === 1 ? '' : 's'}, wall ${formatWall(result.wallMs)}`;
  const line = `${what}: ${parts.join(', ')}; ${threads}`;
  return `${paint(style.color, BOLD + COLOUR[result.exitCode === 0 ? 'passed' : result.exitCode === 1 ? 'failed' : result.exitCode === 2 ? 'invalid' : 'error'], line)}\n`;
}

/** The whole console report of a campaign. */
export function formatCampaign(result: CampaignResult, style: SummaryStyle = {}): string {
  const matrix = result.cells !== undefined;
  const diffs = matrix ? differences(result) : [];
  if (style.quiet && result.exitCode === 0 && diffs.length === 0) return '';
  const parts = [formatFailures(result.records, style), formatTable(result.records, style, matrix)];
  if (matrix) {
    if (!style.quiet) parts.push(`\n${formatGrid(result, style)}`);
    parts.push(`\n${formatDifferences(result, style)}`);
    const o = formatOverrides(result.records);
    if (o && !style.quiet) parts.push(`\n${o}`);
  }
  parts.push(`${parts.some(Boolean) ? '\n' : ''}${formatClosing(result, style)}`);
  return parts.join('');
}
