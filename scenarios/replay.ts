// Field-log replay: run the twin through the supply and load a meter's debug log implies (field-log.ts) and compare
// what the twin prints with what the meter printed, line by line: the first divergence, then a summary (lines that
// agree, credit and energy at each readings block).
import { createBench, type BenchConfig } from '../twin/kernel/bench.ts';
import { METER_ID } from '../twin/comms/comms.ts';
import { slicedBench } from '../io/interrupt.ts';
import { formatLogLine, parseDebugLog, timeline, type LogLine, type LogProblem, type ParsedLog } from './field-log.ts';

export interface ReplayOptions {
  meter: BenchConfig['meter'];
  /** Connect the SIM800 (default: when the log shows the modem answering `ATI`). */
  network?: boolean;
  /** A line's time may differ by this much and still agree (default 0.5 s). */
  timeToleranceS?: number;
  /** A silence longer than this is reported as a gap (default 600 s). */
  gapS?: number;
  seed?: number;
  /** Progress, at most once a simulated hour. */
  onProgress?: (tS: number, endS: number) => void;
  /**
   * Given: the twin runs in slices of a simulated minute and lets the event loop run between them (so a Ctrl-C is
   * seen); this is called after each slice with the simulated time and may throw to stop the replay.
   */
  onSlice?: (tS: number) => void;
}

export interface Divergence {
  lineNo: number;
  t: number;
  expected: string;
  /** The twin's line at that position (null: the twin printed nothing more). */
  observed: string | null;
  observedT: number | null;
  /**
   * `text`: the twin printed something else there; `time`: the same text beyond the tolerance; `missing`: the twin
   * printed nothing more; `unlogged`: the twin printed `observed` (and maybe more) before this line, which the log lacks.
   */
  reason: 'text' | 'time' | 'missing' | 'unlogged';
}

export interface BlockComparison { lineNo: number; t: number; credit: number; twinCredit: number | null; kwh: number; twinKwh: number | null }

export interface ReplayResult {
  problems: LogProblem[];
  compared: number;
  agreeing: number;
  /** Lines the twin printed that the log lacks (cut out of the capture), outside the gaps. */
  twinOnly: number;
  firstDivergence: Divergence | null;
  blocks: BlockComparison[];
  /** The twin's own log over the same time, in the same format. */
  twinLog: string;
  endS: number;
  network: boolean;
}

export async function replayDebugLog(text: string, o: ReplayOptions): Promise<ReplayResult> {
  const log = parseDebugLog(text, o.gapS ?? 600);
  if (log.lines.length === 0) throw new RangeError('the log has no time-stamped line the firmware prints (expected lines like "[   12.345678] Setup Complete! ")');
  const network = o.network ?? (log.modemInfo !== null && log.modemInfo !== '');
  const tl = timeline(log);
  const first = tl.find((e) => e.kind === 'supply');
  const bench = createBench({
    meter: o.meter,
    plant: { grid: { vrms: first && first.kind === 'supply' ? first.vrms : 230, hz: first && first.kind === 'supply' ? first.hz : 50 }, loads: [] },
    seed: o.seed ?? 1,
    speed: 'max',
    ...(network ? { network: {} } : {}),
  });
  const twin: { t: number; text: string }[] = [];
  bench.trace.subscribe((ev) => {
    if (ev.source === 'meter' && ev.kind === 'serial' && (ev.data as { port: string }).port === 'debug') {
      twin.push({ t: ev.t / 1e6, text: (ev.data as { line: string }).line });
    }
  });
  const endS = log.lines[log.lines.length - 1].t;
  const run = o.onSlice ? slicedBench(bench, 60e6, (us) => o.onSlice!(us / 1e6)) : bench;
  try {
    await bench.start();
    let nextProgress = 3600;
    const load = { connected: false };
    for (const ev of tl) {
      if (ev.t > bench.now() / 1e6) await run.runFor(Math.round(ev.t * 1e6) - bench.now());
      if (ev.kind === 'power') bench.power(ev.on);
      else if (ev.kind === 'pending') bench.comms?.backend.pending.set(METER_ID, ev.amount);
      else applySupply(bench, ev, load);
      if (bench.now() / 1e6 >= nextProgress) { o.onProgress?.(bench.now() / 1e6, endS); nextProgress += 3600; }
    }
    // Run on until the log's last line, and a little beyond so a late twin line can still be matched.
    const tol = o.timeToleranceS ?? 0.5;
    await run.runFor(Math.max(0, Math.round((endS + tol) * 1e6) - bench.now()));
  } finally {
    await bench.close();
  }
  return compare(log, twin, o.timeToleranceS ?? 0.5, endS, network);
}

function applySupply(bench: ReturnType<typeof createBench>, ev: Extract<ReturnType<typeof timeline>[number], { kind: 'supply' }>, load: { connected: boolean }): void {
  const vrms = Number.isFinite(ev.vrms) ? Math.max(0, ev.vrms) : 0;
  bench.setGrid({ vrms, hz: Number.isFinite(ev.hz) && ev.hz > 0 ? ev.hz : 50 });
  const pf = Number.isFinite(ev.pf) && ev.pf > 0 && ev.pf <= 1 ? ev.pf : 1;
  const kind = pf < 1 ? 'inductive' as const : 'resistive' as const;
  if (Number.isFinite(ev.watts) && ev.watts > 0 && vrms > 0) {
    bench.setLoad({ id: 'replay', kind, watts: ev.watts, pf, ratedVolts: vrms });
    load.connected = true;
  } else if (Number.isFinite(ev.amps) && ev.amps > 0 && vrms > 0) {
    bench.setLoad({ id: 'replay', kind, amps: ev.amps, pf });
    load.connected = true;
  } else if (load.connected) {
    bench.removeLoad('replay');
    load.connected = false;
  }
}

/** The first index of `twin` (sorted by time) whose time is at least `t`. */
function firstAtOrAfter(twin: readonly { t: number }[], t: number): number {
  let lo = 0;
  let hi = twin.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (twin[mid].t < t) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function compare(log: ParsedLog, allTwin: { t: number; text: string }[], tol: number, endS: number, network: boolean): ReplayResult {
  let agreeing = 0;
  let twinOnly = 0;
  let first: Divergence | null = null;
  const lines: LogLine[] = log.lines;
  const twin = allTwin;
  // Positional comparison, resynchronised after each gap of the capture (what the twin printed while the capture was
  // missing has no counterpart in the log) and after each line that differs: a line the twin printed later, within
  // the time tolerance, means the log lacks the twin's lines before it (cut out of the capture); a line found nowhere
  // is either one the twin replaced (both move on) or one the log has in excess (the next log line is the twin's).
  const gapStarts = new Set(log.gaps.map((g) => g.to));
  let p = 0;
  const find = (l: LogLine, from: number): number => {
    for (let q = Math.max(from, firstAtOrAfter(twin, l.t - tol)); q < twin.length && twin[q].t <= l.t + tol; q++) {
      if (twin[q].text === l.text) return q;
    }
    return -1;
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (i > 0 && gapStarts.has(l.t) && lines[i - 1].t < l.t) {
      while (p < twin.length && twin[p].t < l.t - tol) p++;
      let q = p;
      while (q < twin.length && twin[q].t <= l.t + tol && twin[q].text !== l.text) q++;
      if (q < twin.length && twin[q].text === l.text && twin[q].t <= l.t + tol) p = q;
    }
    const w = twin[p];
    let reason: Divergence['reason'] | null = null;
    if (!w) reason = 'missing';
    else if (w.text !== l.text) reason = 'text';
    else if (Math.abs(w.t - l.t) > tol) reason = 'time';
    if (reason === null) { agreeing++; p++; continue; }
    if (reason === 'text') {
      const q = find(l, p + 1);
      if (q >= 0) {
        first ??= { lineNo: l.lineNo, t: l.t, expected: l.text, observed: w!.text, observedT: w!.t, reason: 'unlogged' };
        twinOnly += q - p;
        agreeing++;
        p = q + 1;
        continue;
      }
      const next = lines[i + 1];
      const logHasMore = next !== undefined && next.text === w!.text && Math.abs(w!.t - next.t) <= tol;
      if (!logHasMore) p++;
    } else if (w) p++;
    first ??= { lineNo: l.lineNo, t: l.t, expected: l.text, observed: w ? w.text : null, observedT: w ? w.t : null, reason };
  }
  // Credit and energy at each block of the log against the twin's block printed at the same time.
  const twinBlocks = blocksOf(allTwin);
  let k = 0;
  const blocks: BlockComparison[] = log.readings.map((r) => {
    while (k + 1 < twinBlocks.length && Math.abs(twinBlocks[k + 1].t - r.t) <= Math.abs(twinBlocks[k].t - r.t)) k++;
    const w = twinBlocks[k] && Math.abs(twinBlocks[k].t - r.t) <= Math.max(tol, 60) ? twinBlocks[k] : null;
    return { lineNo: r.lineNo, t: r.t, credit: r.credit, kwh: r.kwh, twinCredit: w?.credit ?? null, twinKwh: w?.kwh ?? null };
  });
  const twinLog = allTwin.filter((x) => x.t <= endS + tol).map((x) => formatLogLine(Math.round(x.t * 1e6), x.text)).join('\n') + '\n';
  return { problems: log.problems, compared: lines.length, agreeing, twinOnly, firstDivergence: first, blocks, twinLog, endS, network };
}

function blocksOf(lines: { t: number; text: string }[]): { t: number; credit: number; kwh: number }[] {
  const out: { t: number; credit: number; kwh: number }[] = [];
  let kwh = NaN;
  for (const l of lines) {
    if (l.text.startsWith('ENERGY : ')) kwh = Number(l.text.slice(9));
    else if (l.text.startsWith('CREDIT : ')) out.push({ t: l.t, credit: Number(l.text.slice(9)), kwh });
  }
  return out;
}

/** The report a person reads: problems, the first divergence, then the summary. */
export function formatReplay(r: ReplayResult, file: string): string {
  const out: string[] = [];
  out.push(`replay of ${file}: ${r.compared} lines over ${r.endS.toFixed(1)} s, modem ${r.network ? 'connected' : 'mute'}`);
  for (const p of r.problems.slice(0, 20)) out.push(`  ${p.kind}: ${p.message}`);
  if (r.problems.length > 20) out.push(`  ... ${r.problems.length - 20} more problems`);
  const d = r.firstDivergence;
  if (!d) {
    out.push(`reproduced: every line agrees (text, and time within the tolerance)`);
  } else {
    const at = `line ${d.lineNo} at ${d.t.toFixed(3)} s`;
    if (d.reason === 'missing') out.push(`first divergence: ${at}: the log has "${d.expected}", the twin printed nothing more`);
    else if (d.reason === 'unlogged') out.push(`first divergence: ${at}: the twin printed "${d.observed}" (at ${d.observedT!.toFixed(3)} s) before it, which the log lacks`);
    else if (d.reason === 'text') out.push(`first divergence: ${at}: the log has "${d.expected}", the twin printed "${d.observed}" (at ${d.observedT!.toFixed(3)} s)`);
    else out.push(`first divergence: ${at}: "${d.expected}" printed by the twin at ${d.observedT!.toFixed(3)} s`);
  }
  out.push(`summary: ${r.agreeing} of ${r.compared} lines agree${r.twinOnly ? `; the twin printed ${r.twinOnly} line${r.twinOnly === 1 ? '' : 's'} the log lacks` : ''}`);
  const paired = r.blocks.filter((b) => b.twinCredit !== null && Number.isFinite(b.credit));
  if (paired.length) {
    let worst = paired[0];
    for (const b of paired) if (Math.abs(b.twinCredit! - b.credit) > Math.abs(worst.twinCredit! - worst.credit)) worst = b;
    const last = paired[paired.length - 1];
    out.push(`credit: log ${last.credit.toFixed(2)}, twin ${last.twinCredit!.toFixed(2)} at the last block (line ${last.lineNo}); largest difference ${(worst.twinCredit! - worst.credit).toFixed(2)} at line ${worst.lineNo}`);
    if (last.twinKwh !== null) out.push(`energy: log ${last.kwh.toFixed(2)} kWh, twin ${last.twinKwh.toFixed(2)} kWh at the last block`);
  }
  const missing = r.blocks.length - paired.length;
  if (missing > 0) out.push(`${missing} readings block(s) of the log have no counterpart in the twin`);
  return out.join('\n') + '\n';
}

export type { LogLine };
export { formatLogLine };
