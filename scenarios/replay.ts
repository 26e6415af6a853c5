// Field-log replay: run the twin through the supply and load a meter's debug log implies (field-timeline.ts) and
// compare what the twin prints with what the meter printed, line by line (replay-compare.ts): the first divergence,
// then a summary (lines that agree, credit and energy at each readings block, replay-blocks.ts).
//
// The log is read as a stream, once: the twin runs as the timeline is rebuilt, each line is compared once the twin has
// run past it, and only what is not yet decided is held, so a log of years takes the memory of a log of hours. A log
// that can be read twice (a file, a text) is first read through once for what the start needs from its end: the
// modem's answer of its last boot (`Modem: ...`), the time of its last line (the progress). One that can be read
// only once (a pipe) is read ahead to its first readings block, and the modem's answer is taken from there.
import { createBench, type BenchConfig } from '../twin/kernel/bench.ts';
import { ReplayLoadFit } from './replay-load-fit.ts';
import { GRID_HZ_RANGE } from '../models/grid/grid-source.ts';
import { METER_ID } from '../twin/comms/comms.ts';
import { slicedBench } from '../io/interrupt.ts';
import type { InputLine } from '../io/input-lines.ts';
import { DebugLogReader, StartCredit, formatLogLine, splitLines, type LogLine, type LogProblem, type Reading } from './field-log.ts';
import { TimelineBuilder, type TimelineEvent } from './field-timeline.ts';
import { LineComparison, type Divergence } from './replay-compare.ts';
import { BlockComparisons, type BlockComparison, type BlockSummary } from './replay-blocks.ts';
import { plural } from '../io/plural.ts';
/** A debug log to replay: its lines as they are read (io/input-lines.ts reads a file or standard input so). */
export interface LogSource {
  /** The log's lines, without their line feeds, in order. */
  lines(): AsyncIterable<InputLine> | Iterable<InputLine>;
  /** Whether `lines()` may be called again and gives the same lines (a regular file; not a pipe). */
  readonly rereadable: boolean;
}

type RawLine = InputLine;

/** A log held in memory as text (a test's). */
export function textSource(text: string): LogSource {
  return { rereadable: true, *lines() { for (const t of splitLines(text)) yield { text: t }; } };
}

/** How much of a log read once is read ahead for its first readings block, at most. */
export const READ_AHEAD_CHARS = 4 << 20;

export interface ReplayOptions {
  meter: BenchConfig['meter'];
  /**
   * Start with the credit the log's first CREDIT line implies (StartCredit) instead of `meter.credit`;
   * `billsBeforeTopup(watts)`: whether the build bills that load (a top-up drops the fraction it had billed).
   */
  creditFromLog?: { billsBeforeTopup: (watts: number) => boolean };
  /** Connect the SIM800 (default: when the log shows the modem answering `ATI`). */
  network?: boolean;
  /** A line's time may differ by this much and still agree (default 0.5 s). */
  timeToleranceS?: number;
  /** A silence longer than this is reported as a gap (default 600 s). */
  gapS?: number;
  seed?: number;
  /** Progress, at most once a simulated hour; `endS` is null when the log is read only once (a pipe). */
  onProgress?: (tS: number, endS: number | null) => void;
  /**
   * Given: the twin runs in slices of a simulated minute and lets the event loop run between them (so a Ctrl-C is
   * seen); this is called after each slice with the simulated time and may throw to stop the replay.
   */
  onSlice?: (tS: number) => void;
  /** The twin's own log over the same time, a line at a time, in the log's format (without the line feed). */
  onTwinLine?: (line: string) => void;
}

/** Log lines held waiting for the twin beyond which the twin is run on without an event of the log. */
const HELD_LOG_LINES = 20_000;

/** Problems of the log kept for the report; the rest are counted. */
export const PROBLEMS_KEPT = 20;

export interface ReplayResult {
  /** The first PROBLEMS_KEPT problems of the log. */
  problems: LogProblem[];
  problemCount: number;
  compared: number;
  agreeing: number;
  /** Lines the twin printed that the log lacks (cut out of the capture), outside the gaps. */
  twinOnly: number;
  firstDivergence: Divergence | null;
  blocks: BlockSummary;
  endS: number;
  network: boolean;
  /** The most log and twin lines waiting to be compared at once (what the replay's memory grows with). */
  mostHeld: { log: number; twin: number };
  /** With `creditFromLog`: the credit taken, the first CREDIT value and the top-ups before it. */
  startCredit: { credit: number; topups: number; first: number | null } | null;
}

/** What the start of a replay needs to know of the log. */
class LogScan {
  readonly reader: DebugLogReader;
  readonly credit = new StartCredit();
  first: Reading | null = null;
  /** The time of the log's first line when that line is `Device Powered!`: the meter's first power-on. */
  poweredAt: number | null = null;
  #lines = 0;
  chars = 0;
  constructor(gapS: number) {
    this.reader = new DebugLogReader(gapS, {
      line: (l) => {
        if (this.#lines++ === 0 && l.text === 'Device Powered! ') this.poweredAt = l.t;
        this.credit.line(l);
      },
      reading: (r) => { this.first ??= r; this.credit.reading(r); },
    });
  }
  push(r: RawLine): void {
    this.chars += r.skippedChars ?? r.text.length + 1;
    if (r.skippedChars === undefined) this.reader.push(r.text, r.tooLong);
  }
  /** Read far enough for the start: the first readings block, and the lines of its time. */
  get enough(): boolean { return this.credit.done; }
}

const NO_LINES = 'the log has no time-stamped line the firmware prints (expected lines like "[   12.345678] Setup Complete! ")';

export async function replayDebugLog(input: string | LogSource, o: ReplayOptions): Promise<ReplayResult> {
  const source = typeof input === 'string' ? textSource(input) : input;
  const gapS = o.gapS ?? 600;
  const tol = o.timeToleranceS ?? 0.5;
  // What the start needs: the whole log read once through when it can be read again, else its beginning, kept.
  const scan = new LogScan(gapS);
  const ahead: RawLine[] = [];
  let rest: AsyncIterator<RawLine> | Iterator<RawLine> | null = null;
  if (source.rereadable) {
    for await (const r of source.lines()) scan.push(r);
  } else {
    const it = source.lines();
    rest = Symbol.asyncIterator in it ? (it as AsyncIterable<RawLine>)[Symbol.asyncIterator]() : (it as Iterable<RawLine>)[Symbol.iterator]();
    while (!scan.enough && scan.chars < READ_AHEAD_CHARS) {
      const n = await rest.next();
      if (n.done) { rest = null; break; }
      ahead.push(n.value);
      scan.push(n.value);
    }
  }
  if (scan.reader.lines === 0) throw new RangeError(NO_LINES);
  const modemInfo = scan.reader.modemInfo;
  const network = o.network ?? (modemInfo !== null && modemInfo !== '');
  const knownEnd = source.rereadable ? scan.reader.lastT : null;
  const startCredit = o.creditFromLog ? scan.credit.estimate(o.creditFromLog.billsBeforeTopup) : null;
  const first = scan.first;

  const lines = new LineComparison(tol);
  const blocks = new BlockComparisons(tol);
  // (The bench is made below: the builder asks for the twin's energy only once events are being placed.)
  let twinEnergy: (() => { t: number; kwh: number } | null) | undefined;
  const tl = new TimelineBuilder({ measuresDuringPoll: !o.meter.build.defects.has('D21'), twinEnergy: () => twinEnergy?.() ?? null });
  const problems: LogProblem[] = [];
  let problemCount = 0;
  const reader = new DebugLogReader(gapS, {
    line: (l: LogLine) => { lines.addLog(l); tl.line(l); },
    reading: (r) => { blocks.addLog(r); tl.reading(r); },
    problem: (p) => { if (problemCount++ < PROBLEMS_KEPT) problems.push(p); },
  });

  const bench = createBench({
    meter: { ...o.meter, ...(startCredit ? { credit: startCredit.credit } : {}), debugLogKeep: 0 },
    plant: { grid: { vrms: first ? first.vrms : 230, hz: first ? gridHz(first.hz) : 50 }, loads: [] },
    seed: o.seed ?? 1,
    speed: 'max',
    ...(network ? { network: {} } : {}),
  });
  twinEnergy = () => {
    const kwh = bench.observe('energy');
    return typeof kwh === 'number' ? { t: bench.now() / 1e6, kwh } : null;
  };
  // The twin's lines up to the log's last line and the tolerance (unknown until the end: until then the twin has not
  // run past the log's last line read).
  let twinLimitS = Infinity;
  bench.trace.subscribe((ev) => {
    if (ev.source === 'meter' && ev.kind === 'serial' && (ev.data as { port: string }).port === 'debug') {
      const t = ev.t / 1e6;
      const text = (ev.data as { line: string }).line;
      lines.addTwin(t, text);
      blocks.addTwin(t, text);
      if (o.onTwinLine && t <= twinLimitS) o.onTwinLine(formatLogLine(Math.round(t * 1e6), text));
    }
  });
  const run = o.onSlice ? slicedBench(bench, 60e6, (us) => o.onSlice!(us / 1e6)) : bench;
  const decide = (): void => {
    const s = bench.now() / 1e6;
    lines.twinAt(s);
    blocks.twinAt(s);
    lines.step();
    blocks.step();
  };
  let nextProgress = 3600;
  const mostHeld = { log: 0, twin: 0 };
  const load = { connected: false };
  const fit = new ReplayLoadFit(bench.profile);
  const apply = async (events: TimelineEvent[]): Promise<void> => {
    for (const ev of events) {
      if (ev.t > bench.now() / 1e6) { await run.runFor(Math.round(ev.t * 1e6) - bench.now()); decide(); }
      if (ev.kind === 'power') bench.power(ev.on);
      else if (ev.kind === 'pending') bench.comms?.backend.pending.set(METER_ID, ev.amount);
      else applySupply(bench, ev, load, fit);
      if (bench.now() / 1e6 >= nextProgress) { o.onProgress?.(bench.now() / 1e6, knownEnd); nextProgress += 3600; }
    }
  };
  // A capture started before the meter was powered (the logger first, then the mains): the meter is off until the
  // log's first `Device Powered!`, as it was.
  const poweredAt = scan.poweredAt !== null && scan.poweredAt > 0 ? scan.poweredAt : null;
  try {
    if (poweredAt !== null) bench.power(false);
    await bench.start();
    if (poweredAt !== null) await apply([{ t: poweredAt, kind: 'power', on: true, from: 1 }]);
    const feed = async (r: RawLine): Promise<void> => {
      if (r.skippedChars !== undefined) return;
      reader.push(r.text, r.tooLong);
      const events = tl.take();
      if (events.length) await apply(events);
      const held = lines.held;
      if (held.log > mostHeld.log) mostHeld.log = held.log;
      if (held.twin > mostHeld.twin) mostHeld.twin = held.twin;
      // A log that implies nothing for long (no readings block, no restart: a meter printing only AFE faults) would
      // hold its lines until the end: run the twin on to where the next event can be at the earliest.
      if (held.log > HELD_LOG_LINES) {
        const h = tl.horizon();
        if (Number.isFinite(h) && h > bench.now() / 1e6) { await run.runFor(Math.round(h * 1e6) - bench.now()); decide(); }
      }
    };
    if (source.rereadable) {
      for await (const r of source.lines()) await feed(r);
    } else {
      for (const r of ahead) await feed(r);
      ahead.length = 0;
      for (let n = rest ? await rest.next() : null; n && !n.done; n = await rest!.next()) await feed(n.value);
    }
    tl.end();
    lines.logEnded();
    await apply(tl.take());
    // Run on until the log's last line, and a little beyond so a late twin line can still be matched.
    const endS = reader.lastT!;
    twinLimitS = endS + tol;
    await run.runFor(Math.max(0, Math.round((endS + tol) * 1e6) - bench.now()));
  } finally {
    await bench.close();
  }
  lines.twinEnded();
  blocks.twinEnded();
  decide();
  return {
    problems, problemCount, compared: lines.compared, agreeing: lines.agreeing, twinOnly: lines.twinOnly, firstDivergence: lines.first,
    blocks: blocks.summary, endS: reader.lastT!, network, startCredit, mostHeld,
  };
}

/**
 * A block's frequency as the grid's: one the grid model cannot take (a damaged line: the chip reads 45 to 65 Hz) is
 * taken as 50 Hz, and the comparison points at that line.
 */
function gridHz(hz: number): number {
  return hz >= GRID_HZ_RANGE[0] && hz <= GRID_HZ_RANGE[1] ? hz : 50;
}

function applySupply(bench: ReturnType<typeof createBench>, ev: Extract<TimelineEvent, { kind: 'supply' }>, load: { connected: boolean }, fit: ReplayLoadFit): void {
  // The supply and load that give the block's own chip registers (replay-load-fit.ts); a block that does not fix
  // them (no current, reverse power) is rebuilt from its printed power and power factor.
  const fitted = fit.fit(ev);
  if (fitted) {
    bench.setGrid({ vrms: fitted.vrms, hz: fitted.hz });
    bench.setLoad({ id: 'replay', ...fitted.load });
    load.connected = true;
    return;
  }
  const vrms = Number.isFinite(ev.vrms) ? Math.max(0, ev.vrms) : 0;
  bench.setGrid({ vrms, hz: gridHz(ev.hz) });
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

/** The report a person reads: problems, the first divergence, then the summary. */
export function formatReplay(r: ReplayResult, file: string): string {
  const out: string[] = [];
  out.push(`replay of ${file}: ${plural(r.compared, 'line')} over ${r.endS.toFixed(1)} s, modem ${r.network ? 'connected' : 'mute'}`);
  for (const p of r.problems.slice(0, PROBLEMS_KEPT)) out.push(`  ${p.kind}: ${p.message}`);
  if (r.problemCount > PROBLEMS_KEPT) out.push(`  ... ${r.problemCount - PROBLEMS_KEPT} more problems`);
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
  out.push(`summary: ${r.agreeing} of ${plural(r.compared, 'line')} ${r.agreeing === 1 ? 'agrees' : 'agree'}${r.twinOnly ? `; the twin printed ${r.twinOnly} line${r.twinOnly === 1 ? '' : 's'} the log lacks` : ''}`);
  const b = r.blocks;
  if (b.paired > 0) {
    const worst = b.worst!;
    const last = b.last!;
    out.push(`credit: log ${last.credit.toFixed(2)}, twin ${last.twinCredit!.toFixed(2)} at the last block (line ${last.lineNo}); largest difference ${(worst.twinCredit! - worst.credit).toFixed(2)} at line ${worst.lineNo}`);
    if (last.twinKwh !== null) out.push(`energy: log ${last.kwh.toFixed(2)} kWh, twin ${last.twinKwh.toFixed(2)} kWh at the last block`);
  }
  const missing = b.count - b.paired;
  if (missing > 0) out.push(`${plural(missing, 'readings block')} of the log ${missing === 1 ? 'has' : 'have'} no counterpart in the twin`);
  return out.join('\n') + '\n';
}

export type { LogLine, Divergence, BlockComparison, BlockSummary };
