// `osm diff`: one scenario on two meters (the twin, the emulated board, a real rig board), compared per observable:
// the sequence of values each took (relay, LEDs, buzzer, LCD screens, serial lines) and when, with a verdict against
// timing tolerances; and the scenario's step verdicts side by side.
//
// The LCD on a rig is redrawn cell by cell over the link (~3 ms a character), so it passes through partial screens
// the twin never shows; screens are compared once settled (held for `settleUs`, default 300 ms for the LCD).
import type { TraceEvent } from '../twin/kernel/trace.ts';
import type { BenchControl } from '../twin/kernel/bench-types.ts';
import { createBench } from '../twin/kernel/bench.ts';
import { runScenario, type ScenarioResult } from '../scenarios/runner.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { createRigBench, parseBoardChoice, type BoardKind } from '../hil-rig/rig-bench.ts';
import { percentile } from '../hil-rig/board-check.ts';
import { createOriginalRigBench, parseRigTarget } from '../hil-rig/rig-original/original-bench.ts';

/** The meters a diff compares: the twin, the firmware twin on a rig board (emulated, johnny-five), or the original
 * firmware on a rig (rig, rig-emulated). */
export type DiffKind = BoardKind | 'rig' | 'rig-emulated';
const ORIGINAL_RIG = (k: DiffKind): k is 'rig' | 'rig-emulated' => k === 'rig' || k === 'rig-emulated';
/** What a rig for the original firmware does not observe (compared only between meters that both do). */
const NOT_ON_ORIGINAL_RIG = (name: string): boolean => name === 'lcd' || name === 'serial.modem';
/** Least default timing tolerance when a board or a rig is one of the two (see diffScenario). */
export const ORIGINAL_RIG_TOLERANCE_US = 250_000;

export interface Change { t: number; value: string }
export interface ObservableDiff {
  observable: string;
  countA: number; countB: number;
  /** Index of the first change whose value differs (or where one side has no more changes), -1 if none. */
  firstMismatch: number;
  mismatch?: { a: string | null; b: string | null };
  /**
   * Changes of one side after all of the other's, each within the timing tolerance of the run's end, or (both sides
   * ending on the same value) of the other side's last change: the side behind would have made them after the run
   * ended, or a stimulus ended the train (a tamper alarm's beeps) up to the tolerance earlier in its own time. Not a
   * difference: counted, not judged.
   */
  cutByEnd?: { side: 'a' | 'b'; count: number };
  /**
   * The first pair of changes with the same value whose times are further apart than the tolerance: on an on/off
   * observable a change one side lacks in the middle (a blink fewer) pairs every later change with the wrong one, so
   * the values still match by index and only the timing shows it.
   */
  late?: { index: number; aUs: number; bUs: number };
  medianDtUs: number; maxAbsDtUs: number;
  toleranceUs: number;
  ok: boolean;
}
export interface DiffReport { scenario: string; a: DiffKind; b: DiffKind; notCompared?: string[]; verdictsA: string[]; verdictsB: string[]; sameVerdicts: boolean; observables: ObservableDiff[]; ok: boolean }

export const DEFAULT_TOLERANCE_US: Record<string, number> = { relay: 100_000, 'led.red': 100_000, 'led.green': 100_000, buzzer: 100_000, lcd: 1_000_000, serial: 100_000 };
// A screen counts when it is held this long: the partial redraws (a cleared display for ~60 ms, lcd.begin) go, the key
// echoes stay (press-keys types a key every 300 ms by default; at a 300 ms threshold the twin's echoes, 299.997 ms
// apart, were dropped and a board's, jittered around 300 ms, partly kept: every typed token read as DIFFERENT).
const SETTLE_US: Record<string, number> = { lcd: 150_000 };

function observableOf(ev: TraceEvent): [string, string] | null {
  if (ev.source !== 'meter') return null;
  const d = ev.data as Record<string, unknown>;
  switch (ev.kind) {
    case 'relay': return ['relay', String(d.state)];
    case 'led': return [`led.${String(d.name)}`, d.on ? 'on' : 'off'];
    case 'buzzer': return ['buzzer', d.on ? 'on' : 'off'];
    case 'lcd': return ['lcd', `${String(d.line0)}|${String(d.line1)}`];
    case 'serial': return [`serial.${String(d.port)}`, String(d.line)];
    default: return null;
  }
}

/** Keep only values held at least `settleUs` (the last one always counts). */
function settle(changes: Change[], settleUs: number): Change[] {
  if (!settleUs) return changes;
  return changes.filter((c, i) => i === changes.length - 1 || changes[i + 1].t - c.t >= settleUs);
}

export async function runOn(kind: DiffKind, scenario: Scenario, seed: number, rig: { port?: string; wiring?: string; parts?: string; debugPort?: string; afePort?: string } = {}): Promise<{ result: ScenarioResult; changes: Map<string, Change[]> }> {
  let bench: BenchControl & { close(): Promise<void> };
  if (kind === 'twin') bench = createBench({ meter: scenario.meter, plant: scenario.plant, seed });
  else if (ORIGINAL_RIG(kind)) {
    bench = await createOriginalRigBench({ meter: scenario.meter, plant: scenario.plant, seed }, parseRigTarget({ target: kind, ...(kind === 'rig' ? { port: rig.port, debugPort: rig.debugPort, afePort: rig.afePort } : {}), wiring: rig.wiring })!);
  }
  else {
    // the firmware twin drives the board: everything the twin observes is observable there too (meter kind 'board')
    bench = await createRigBench({ meter: scenario.meter, plant: scenario.plant, seed }, parseBoardChoice({ board: kind, ...(kind === 'johnny-five' ? { port: rig.port } : {}), wiring: rig.wiring, parts: rig.parts })!);
  }
  const changes = new Map<string, Change[]>();
  const off = bench.trace.subscribe((ev) => {
    const o = observableOf(ev);
    if (!o) return;
    const list = changes.get(o[0]) ?? [];
    if (list.at(-1)?.value !== o[1]) list.push({ t: ev.t, value: o[1] });
    changes.set(o[0], list);
  });
  try {
    const result = await runScenario(scenario, bench, { seed });
    return { result, changes };
  } finally {
    off();
    await bench.close();
  }
}

export function compare(a: Map<string, Change[]>, b: Map<string, Change[]>, tolerances: Record<string, number>, endUs = Infinity): ObservableDiff[] {
  const names = [...new Set([...a.keys(), ...b.keys()])].sort();
  return names.map((name) => {
    const base = name.startsWith('serial.') ? 'serial' : name;
    const st = SETTLE_US[base] ?? 0;
    const ca = settle(a.get(name) ?? [], st);
    const cb = settle(b.get(name) ?? [], st);
    const n = Math.min(ca.length, cb.length);
    let first = -1;
    const dts: number[] = [];
    for (let i = 0; i < n; i++) {
      if (ca[i].value !== cb[i].value) { first = i; break; }
      dts.push(cb[i].t - ca[i].t);
    }
    const tol = tolerances[name] ?? tolerances[base] ?? DEFAULT_TOLERANCE_US[base] ?? 100_000;
    const lateAt = dts.findIndex((dt) => Math.abs(dt) > tol);
    const late = lateAt >= 0 ? { index: lateAt, aUs: ca[lateAt].t, bUs: cb[lateAt].t } : undefined;
    let cutByEnd: ObservableDiff['cutByEnd'];
    // extra changes at the end are the side behind not having made them yet only when the pairs before are in time
    if (first < 0 && ca.length !== cb.length && !late) {
      const longer = ca.length > cb.length ? ca : cb;
      const shorter = longer === ca ? cb : ca;
      const extra = longer.slice(n);
      const last = shorter.at(-1);
      const byRunEnd = extra.every((c) => c.t > endUs - tol);
      const byTrainEnd = last !== undefined && last.value === longer[longer.length - 1].value && extra.every((c) => Math.abs(c.t - last.t) < tol);
      if (byRunEnd || byTrainEnd) cutByEnd = { side: longer === ca ? 'a' : 'b', count: extra.length };
      else first = n;
    }
    const abs = dts.map(Math.abs).sort((x, y) => x - y);
    const maxAbs = abs.at(-1) ?? 0;
    const sorted = [...dts].sort((x, y) => x - y);
    return {
      observable: name, countA: ca.length, countB: cb.length, firstMismatch: first,
      ...(first >= 0 ? { mismatch: { a: ca[first]?.value ?? null, b: cb[first]?.value ?? null } } : {}),
      ...(cutByEnd ? { cutByEnd } : {}),
      ...(late ? { late } : {}),
      medianDtUs: sorted.length ? percentile(sorted, 50) : 0, maxAbsDtUs: maxAbs, toleranceUs: tol,
      ok: first < 0 && maxAbs <= tol,
    };
  });
}

export async function diffScenario(scenario: Scenario, a: DiffKind, b: DiffKind, seed: number, tolerances: Record<string, number>, rig: { port?: string; wiring?: string; parts?: string; debugPort?: string; afePort?: string } = {}, progress?: (m: string) => void): Promise<DiffReport> {
  progress?.(`running on ${a}`);
  const ra = await runOn(a, scenario, seed, rig);
  progress?.(`running on ${b}`);
  const rb = await runOn(b, scenario, seed, rig);
  const va = ra.result.steps.map((s) => s.status);
  const vb = rb.result.steps.map((s) => s.status);
  // a rig for the original firmware sees neither the LCD nor the modem line: those are not compared against it
  const notCompared = ORIGINAL_RIG(a) || ORIGINAL_RIG(b) ? [...new Set([...ra.changes.keys(), ...rb.changes.keys()])].filter(NOT_ON_ORIGINAL_RIG).sort() : [];
  for (const n of notCompared) { ra.changes.delete(n); rb.changes.delete(n); }
  // The twin stamps a change with the clock's time when the firmware's code makes it, and that code runs ahead of the
  // clock until its next wait (up to ~130 ms: the boot before its first delay, a beep inside the timer interrupt); a
  // rig sees the pin or the debug line's last byte when it really happens, plus its link, and the firmware twin on a
  // board waits on the board's link (its AFE reads) and runs behind. So against a rig, and between the twin and a
  // board, the default tolerances are at least 250 ms; the report still gives the measured median and worst.
  const tol = ORIGINAL_RIG(a) || ORIGINAL_RIG(b) || (a === 'twin') !== (b === 'twin')
    ? { ...Object.fromEntries(Object.entries(DEFAULT_TOLERANCE_US).map(([k, v]) => [k, Math.max(v, ORIGINAL_RIG_TOLERANCE_US)])), ...tolerances }
    : tolerances;
  // Both runs end at the scenario's end; a change the side ahead made in its last moments may not have come yet on
  // the other (the twin ahead of a board by its link, a board ahead of the twin by the twin's run-ahead).
  const observables = compare(ra.changes, rb.changes, tol, Math.min(ra.result.endUs, rb.result.endUs));
  const same = va.length === vb.length && va.every((v, i) => v === vb[i]);
  return { scenario: scenario.file, a, b, verdictsA: va, verdictsB: vb, sameVerdicts: same, observables, ...(notCompared.length ? { notCompared } : {}), ok: same && observables.every((o) => o.ok) };
}

export function formatDiff(r: DiffReport): string {
  const ms = (us: number): string => `${us >= 0 ? '+' : ''}${(us / 1000).toFixed(1)} ms`;
  const rows = r.observables.map((o) => [
    o.observable, `${o.countA}/${o.countB}`,
    o.firstMismatch >= 0 ? `differ at #${o.firstMismatch + 1}: ${JSON.stringify(o.mismatch?.a)} vs ${JSON.stringify(o.mismatch?.b)}`
      : o.late ? `same values; #${o.late.index + 1} at ${(o.late.aUs / 1e6).toFixed(3)} s vs ${(o.late.bUs / 1e6).toFixed(3)} s${o.countA !== o.countB ? ' (a change one side lacks before it?)' : ''}`
        : o.cutByEnd ? `same; ${o.cutByEnd.count} more on ${o.cutByEnd.side === 'a' ? r.a : r.b} at the end, within the tolerance` : 'same',
    ms(o.medianDtUs), `${(o.maxAbsDtUs / 1000).toFixed(1)} ms`, `${(o.toleranceUs / 1000).toFixed(0)} ms`, o.ok ? 'ok' : 'DIFFERS',
  ]);
  const head = ['observable', `changes ${r.a}/${r.b}`, 'values', 'Δt median', '|Δt| max', 'tolerance', 'verdict'];
  const wd = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i].length)));
  const fmt = (x: string[]): string => x.map((c, i) => c.padEnd(wd[i])).join('  ').trimEnd();
  const steps = r.sameVerdicts ? `same step verdicts (${r.verdictsA.filter((v) => v === 'ok').length} ok of ${r.verdictsA.length})` : `step verdicts differ: ${r.a} [${r.verdictsA.join(' ')}] vs ${r.b} [${r.verdictsB.join(' ')}]`;
  const skipped = r.notCompared?.length ? `not compared (a rig for the original firmware does not observe them): ${r.notCompared.join(', ')}\n` : '';
  return `osm diff ${r.scenario}: ${r.a} vs ${r.b}\n${steps}\n${fmt(head)}\n${rows.map(fmt).join('\n')}\n${skipped}${r.ok ? 'SAME within tolerances' : 'DIFFERENT'}\n`;
}
