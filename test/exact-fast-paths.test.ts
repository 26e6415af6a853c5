// The simulation's exact shortcuts (a scene redraw that changes nothing skipped, charging the same time) must change
// nothing a user can observe: every library scenario and a long day of field use give byte-identical traces with and
// without them (`osm run --exact-slow`), and the shortcuts do fire.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { loadScenario, parseScenario } from '../scenarios/loader.ts';
import { runScenario } from '../scenarios/runner.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { createBench, type Bench } from '../twin/kernel/bench.ts';
import { traceLine } from '../twin/kernel/trace.ts';
import type { TwinMeter } from '../twin/twin-meter.ts';
import { FAST_PATHS, type ExactSlow, type FastPath } from '../twin/board/fast-paths.ts';
import { yamlFiles } from './support/yaml-files.ts';

const libDir = fileURLToPath(new URL('../scenarios/library/', import.meta.url));


interface Traced { lines: string; skipped: number; parkedPolls: number; isr: string; replays: number; heldBack: number; signals: number; syncReads: number; rearms: number; repliesHeld: number }

async function trace(s: Scenario, exactSlow: ExactSlow): Promise<Traced> {
  const bench: Bench = createBench({ meter: s.meter, plant: s.plant, ...(s.network ? { network: s.network } : {}), seed: 1, exactSlow });
  const lines: string[] = [];
  bench.trace.subscribe((e) => lines.push(traceLine(e)));
  // Every power cycle has its own board and CPU: keep each (the meter forgets them at a power cut) and sum at the end.
  const boards = new Set<NonNullable<TwinMeter['board']>>();
  const keep = (): void => { const b = (bench.meter as TwinMeter).board; if (b) boards.add(b); };
  bench.trace.subscribe((e) => { if (e.source === 'meter' && e.kind === 'power' && (e.data as { on: boolean }).on) keep(); });
  let replays = 0;
  let signals = 0;
  let rearms = 0;
  let repliesHeld = 0;
  try {
    await runScenario(s, bench, { seed: 1 });
    keep();
    replays = bench.comms?.internet.replays ?? 0;
    signals = bench.clock.settledBySignal;
    rearms = bench.clock.rearmsInPlace;
    repliesHeld = bench.comms?.modem.replyBytesHeld ?? 0;
  } finally {
    await bench.close();
  }
  let skipped = 0;
  let parkedPolls = 0;
  let isrCount = 0;
  let isrTimeUs = 0;
  let heldBack = 0;
  let syncReads = 0;
  for (const b of boards) {
    heldBack += b.serial.modem.bytesHeldBack + b.serial.debug.bytesUnheard + b.serial.modem.bytesUnheard;
    syncReads += (b as { syncReadsTaken?: number }).syncReadsTaken ?? 0;
    skipped += b.lcd.scenesSkipped;
    parkedPolls += b.cpu.delaysRepeatedParked;
    isrCount += b.cpu.isrCount;
    isrTimeUs += b.cpu.isrTimeUs;
  }
  return { lines: lines.join('\n'), skipped, parkedPolls, isr: `${isrCount} interrupts, ${isrTimeUs} us inside them`, replays, heldBack, signals, syncReads, rearms, repliesHeld };
}

function sameTrace(a: string, b: string, what: string): void {
  if (a === b) return;
  const x = a.split('\n');
  const y = b.split('\n');
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  assert.unreachable(`${what}: the traces part at line ${i + 1}:\n  fast: ${x[i]}\n  slow: ${y[i]}`);
}

/** Comms scenarios that poll the backend several times in one state with no fault set (D18's empty bodies come from a fault: never replayed). */
const REPLAYED = new Set(['comms/web-topup.yaml', 'comms/lost-success-d19.yaml', 'comms/lost-success-d19-fixed.yaml', 'comms/broker-down-d22.yaml']);

for (const file of yamlFiles(libDir)) {
  test(`${relative(libDir, file)}: the same trace with and without the exact shortcuts`, async () => {
    const s = await loadScenario(file);
    const fast = await trace(s, false);
    const slow = await trace(s, true);
    sameTrace(fast.lines, slow.lines, file);
    assert.is(fast.isr, slow.isr, 'the interrupt count and time differ');
    assert.is(slow.replays + slow.heldBack + slow.signals + slow.syncReads + slow.rearms + slow.repliesHeld, 0, 'a shortcut fired with --exact-slow');
    if (s.network) {
      // Every comms scenario talks to the modem: its command lines reach it in runs.
      assert.ok(fast.heldBack > 100, `only ${fast.heldBack} modem bytes held back`);
      // ... and its replies land without events of their own.
      assert.ok(fast.repliesHeld > 100, `only ${fast.repliesHeld} reply bytes landed without an event`);
      if (REPLAYED.has(relative(libDir, file))) assert.ok(fast.replays > 0, 'no backend poll was replayed');
    }
  });
}

/** A day of a field meter as users run it: loads changing, tokens, tamper, a sag, an outage and a power cut. */
function dayScenario(profile: string): string {
  return `name: a day of field use (${profile})
version: 1
meter: { firmware: ${profile}, mode: sts, credit: 300, clock: "2026-03-01T06:00:00" }
plant: { grid: { vrms: 240, hz: 50 } }
steps:
  - set-load: { id: kettle, kind: kettle, watts: 2000 }
  - delay: 20min
  - set-load: { id: kettle, remove: true }
  - set-load: { id: fridge, kind: motor, watts: 150, pf: 0.75 }
  - delay: 2h
  - press-keys: "*43643501245072A10001#"
  - delay: 30min
  - press-keys: "A"
  - delay: 5s
  - press-keys: "A"
  - delay: 1h
  - tamper: open
  - delay: 10min
  - tamper: close
  - delay: 1h
  - grid: { vrms: 170, for: 15min }
  - delay: 2h
  - grid: { outage: true, for: 3min }
  - delay: 1h
  - set-load: { id: heater, kind: resistive, watts: 1500 }
  - delay: 3h
  - power: cut
  - delay: 20min
  - power: restore
  - delay: 6h
`;
}

for (const profile of ['field', 'fixed']) {
  test(`a day of ${profile} use with tokens, tamper, sag, outage and power cut: the same trace and interrupt time, and redraws skipped`, async () => {
    const s = parseScenario(dayScenario(profile), `day-${profile}.yaml`);
    const fast = await trace(s, false);
    const slow = await trace(s, true);
    sameTrace(fast.lines, slow.lines, `day (${profile})`);
    assert.is(fast.isr, slow.isr, 'the interrupt count and time differ');
    assert.ok(fast.skipped > 1000, `only ${fast.skipped} redraws skipped`);
    assert.is(slow.skipped, 0);
    assert.ok(fast.parkedPolls > 10_000, `only ${fast.parkedPolls} modem polls computed without a wake`);
    assert.is(slow.parkedPolls, 0);
  });
}

/**
 * Hours of a meter with the modem connected, as the field runs it: the firmware's GPRS cycle every loop pass, web
 * top-ups (one lost on the way), coverage lost and back, a slow and a failing backend, the 23:00 telemetry, a token,
 * the cover opened and a power cut in the middle of a modem exchange.
 */
function connectedScenario(profile: string): string {
  return `name: connected hours (${profile})
version: 1
meter: { firmware: ${profile}, mode: sts, credit: 300, clock: "2026-03-01T21:40:00" }
plant: { grid: { vrms: 240, hz: 50 }, loads: [ { id: fridge, kind: motor, watts: 150, pf: 0.75 } ] }
network: {}
steps:
  - delay: 4min
  - topup: { amount: 500 }
  - delay: 6min
  - network: { coverage: false, for: 7min }
  - topup: { amount: 200 }
  - delay: 12min
  - network: { fault: slow, fault-count: 1 }
  - delay: 5min
  - network: { fault: database-error, fault-count: 3 }
  - delay: 4min
  - network: { fault: lose-success, fault-count: 1 }
  - topup: { amount: 300 }
  - delay: 6min
  - press-keys: "*43643501245072A10001#"
  - delay: 10min
  - tamper: open
  - delay: 3min
  - tamper: close
  - delay: 25min
  - set-load: { id: heater, kind: resistive, watts: 1500 }
  - delay: 41min
  - power: cut
  - delay: 2min
  - power: restore
  - delay: 20min
`;
}

for (const profile of ['field', 'fixed']) {
  test(`hours of ${profile} use with the modem connected (top-ups, coverage loss, backend faults, telemetry, power cut): the same trace and interrupt time`, async () => {
    const s = parseScenario(connectedScenario(profile), `connected-${profile}.yaml`);
    const fast = await trace(s, false);
    const slow = await trace(s, true);
    sameTrace(fast.lines, slow.lines, `connected (${profile})`);
    assert.is(fast.isr, slow.isr, 'the interrupt count and time differ');
    assert.ok(/"source":"backend"|backend/.test(fast.lines), 'the backend was never reached');
    assert.ok(fast.parkedPolls > 10_000, `only ${fast.parkedPolls} modem polls computed without a wake`);
    assert.is(slow.parkedPolls, 0);
    assert.ok(fast.replays > 100, `only ${fast.replays} backend polls answered from the record`);
    assert.is(slow.replays, 0);
    assert.ok(fast.heldBack > 50_000, `only ${fast.heldBack} modem bytes held back`);
    assert.is(slow.heldBack, 0);
    assert.ok(fast.signals > 10_000, `only ${fast.signals} park signals waited for`);
    assert.is(slow.signals, 0);
    assert.ok(fast.syncReads > 10_000, `only ${fast.syncReads} modem bytes read without an await`);
    assert.is(slow.syncReads, 0);
    assert.ok(fast.rearms > 10_000, `only ${fast.rearms} re-armed waits run in place`);
    assert.is(slow.rearms, 0);
    assert.ok(fast.repliesHeld > 50_000, `only ${fast.repliesHeld} modem reply bytes landed without an event`);
    assert.is(slow.repliesHeld, 0);
  });
}

test('an OpenPAYGO meter with the modem connected (the firmware floods the modem line, D39, and never reads it), keys pressed among its lines: the same trace and interrupt time', async () => {
  const s = parseScenario(`name: opaygo connected
version: 1
meter: { firmware: field, mode: opaygo-energy, credit: 500 }
network: {}
plant: { grid: { vrms: 230, hz: 50 }, loads: [ { id: a, watts: 300 } ] }
steps:
  - delay: 3min
  - press-keys: "*9406A41799#"
  - delay: 7min
`, 'opaygo-connected.yaml');
  const fast = await trace(s, false);
  const slow = await trace(s, true);
  sameTrace(fast.lines, slow.lines, 'opaygo connected');
  assert.is(fast.isr, slow.isr, 'the interrupt count and time differ');
  // The modem's answers pile up unread: they land once enough are held, not only when the port looks.
  assert.ok(fast.repliesHeld > 10_000, `only ${fast.repliesHeld} reply bytes landed without an event`);
  assert.is(slow.repliesHeld, 0);
  // Each flood line's CR is still on the wire when the next line is written: its bytes are held back behind it.
  assert.ok(fast.heldBack > 100_000, `only ${fast.heldBack} flood bytes held back`);
  assert.is(slow.heldBack, 0);
});

/** Everything off but `path` (and the shortcuts it works on: `quiet-rearm` re-arms the parked waits of two others). */
const only = (path: FastPath): FastPath[] => {
  const on: FastPath[] = path === 'quiet-rearm' ? [path, 'parked-delay', 'parked-poll'] : [path];
  return FAST_PATHS.filter((p) => !on.includes(p));
};

test('hours of field use with the modem connected: each new shortcut alone gives the same trace as --exact-slow, and fires', async () => {
  const s = parseScenario(connectedScenario('field'), 'connected-field.yaml');
  const slow = await trace(s, true);
  const fired = (t: Traced, path: FastPath): number => ({ 'backend-replay': t.replays, 'uart-run': t.heldBack, 'settle-signal': t.signals, 'sync-reads': t.syncReads, 'quiet-rearm': t.rearms, 'rx-run': t.repliesHeld } as Record<string, number>)[path];
  const paths = ['backend-replay', 'uart-run', 'settle-signal', 'sync-reads', 'quiet-rearm', 'rx-run'] as const;
  for (const path of paths) {
    const one = await trace(s, only(path));
    sameTrace(one.lines, slow.lines, `connected, only ${path}`);
    assert.is(one.isr, slow.isr, `only ${path}: the interrupt count and time differ`);
    assert.ok(fired(one, path) > 100, `${path} never fired`);
    for (const other of paths) if (other !== path) assert.is(fired(one, other), 0, `only ${path}: ${other} fired`);
  }
});

test.run();
