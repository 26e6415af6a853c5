// The Bench (README.md "How the twin is built"): one virtual clock, one plant, one meter under test; every stimulus goes
// through it and every observable change comes out of its trace.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Bench, BenchError, createBench, type BenchConfig } from './bench.ts';
import type { TraceEvent } from './trace.ts';
import { traceLine } from './trace.ts';
import { resolveFirmware } from '../profiles/profile.ts';
import type { KeyName, MeterUnderTest } from '../meter.ts';

function config(over: Partial<BenchConfig> = {}): BenchConfig {
  return {
    meter: { build: resolveFirmware({ profile: 'field', mode: 'sts' }), credit: 500 },
    plant: { grid: { vrms: 240, hz: 50 } },
    seed: 1,
    ...over,
  };
}

function bench(over: Partial<BenchConfig> = {}): { b: Bench; events: TraceEvent[] } {
  const b = createBench(config(over));
  const events: TraceEvent[] = [];
  b.trace.subscribe((e) => events.push(e));
  return { b, events };
}

/** A meter under test that only records what the bench does to it. */
function recordingMeter() {
  const calls: string[] = [];
  const m: MeterUnderTest = {
    kind: 'rig',
    powered: false,
    powerOn() { calls.push('on'); (m as { powered: boolean }).powered = true; },
    powerCut() { calls.push('cut'); (m as { powered: boolean }).powered = false; },
    pressKey(key: KeyName, holdMs: number) { calls.push(`key ${key} ${holdMs}`); },
    setCoverOpen(open: boolean) { calls.push(`cover ${open}`); },
    setPins() { calls.push('pins'); },
    observe(name: string) { return name === 'relay' ? 'open' : undefined; },
  };
  return { m, calls };
}

// ---------------------------------------------------------------------------------------------------- config

test('a speed that is not \'max\' or a positive number is refused with a BenchError', () => {
  for (const speed of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 'fast']) {
    assert.throws(() => createBench(config({ speed: speed as number })), (e: unknown) => e instanceof BenchError && /speed must be 'max' or a positive number/.test((e as Error).message), `speed ${String(speed)}`);
  }
});

test('speed defaults to max and accepts a positive factor', () => {
  assert.is(bench().b.speed, 'max');
  assert.is(bench({ speed: 10 }).b.speed, 10);
});

test('ctRatio reaches the board profile of the plant', () => {
  const { b } = bench({ meter: { build: resolveFirmware({ profile: 'field' }), ctRatio: 2000 } });
  assert.is(b.profile.ct.ratio, 2000);
  assert.is(b.plant.profile.ct.ratio, 2000);
});

test('an unknown board override is refused with an error that names it', () => {
  assert.throws(() => bench({ meter: { build: resolveFirmware({ profile: 'field' }), overrides: { 'ct.ratioo': 2 } } }), /ct\.ratioo/);
});

test('a meterUnderTest factory replaces the twin and gets the bench clock', () => {
  const { m } = recordingMeter();
  const { b } = bench({ meterUnderTest: () => m });
  assert.is(b.meter, m);
  assert.is(b.meterKind, 'rig');
  assert.is(bench().b.meterKind, 'twin');
});

// ---------------------------------------------------------------------------------------------------- running

test('runFor advances virtual time by exactly the given microseconds', async () => {
  const { b } = bench();
  await b.runFor(1_234_567);
  assert.is(b.now(), 1_234_567);
});

test('runFor with a negative time is refused with a BenchError', async () => {
  const { b } = bench();
  try { await b.runFor(-1); assert.unreachable('should throw'); } catch (e) {
    assert.instance(e, BenchError);
    assert.match((e as Error).message, /negative time/);
  }
});

test('runUntil returns false when the timeout passes first, with the clock at the timeout', async () => {
  const { b } = bench();
  assert.is(await b.runUntil(() => false, 3_000_000), false);
  assert.is(b.now(), 3_000_000);
});

test('runUntil returns true and stops at the event where the predicate starts to hold', async () => {
  const { b } = bench();
  let flag = false;
  b.clock.at(1_500_000, () => { flag = true; });
  b.clock.at(2_000_000, () => {});
  assert.is(await b.runUntil(() => flag, 10_000_000), true);
  assert.is(b.now(), 1_500_000);
});

test('runUntil returns true at once when the predicate already holds', async () => {
  const { b } = bench();
  assert.is(await b.runUntil(() => true, 10_000_000), true);
  assert.is(b.now(), 0);
});

// ---------------------------------------------------------------------------------------------------- grid and loads

test('setGrid with forUs reverts the voltage after that long', async () => {
  const { b, events } = bench();
  b.setGrid({ vrms: 180, forUs: 2_000_000 });
  assert.is(b.plant.grid.state.vrms, 180);
  await b.runFor(1_999_999);
  assert.is(b.plant.grid.state.vrms, 180);
  await b.runFor(1);
  assert.is(b.plant.grid.state.vrms, 240);
  const grid = events.filter((e) => e.kind === 'grid');
  assert.is(grid.length, 2);
  assert.equal(grid[1].data, { vrms: 240, outage: false, revert: true });
  assert.is(grid[1].t, 2_000_000);
});

test('an outage with forUs ends after that long', async () => {
  const { b } = bench();
  b.setGrid({ outage: true, forUs: 500_000 });
  assert.is(b.plant.truth().vrms, 0);
  await b.runFor(500_000);
  assert.is(b.plant.grid.state.outage, false);
  assert.is(b.plant.truth().vrms, 240);
});

test('a revert restores only what the timed change changed (hz), not a later change of vrms', async () => {
  const { b } = bench();
  b.setGrid({ hz: 49, forUs: 1_000_000 });
  b.setGrid({ vrms: 200 });
  await b.runFor(1_000_000);
  assert.is(b.plant.grid.state.hz, 50);
  assert.is(b.plant.grid.state.vrms, 200);
});

test('a swell started while a sag runs holds until its own end, and then the grid is back at its voltage', async () => {
  const { b } = bench();
  b.setGrid({ vrms: 170, forUs: 5_000_000 });
  await b.runFor(1_000_000);
  b.setGrid({ vrms: 280, forUs: 5_000_000 });
  await b.runFor(4_000_000); // the sag's end
  assert.is(b.plant.grid.state.vrms, 280);
  await b.runFor(1_000_000); // the swell's end
  assert.is(b.plant.grid.state.vrms, 240);
});

test('an outage started while a sag runs is not ended by the sag\'s end', async () => {
  const { b } = bench();
  b.setGrid({ vrms: 170, forUs: 5_000_000 });
  await b.runFor(1_000_000);
  b.setGrid({ outage: true, forUs: 10_000_000 });
  await b.runFor(4_000_000);
  assert.is(b.plant.grid.state.outage, true);
  assert.is(b.plant.truth().vrms, 0);
  await b.runFor(6_000_000);
  assert.is(b.plant.grid.state.outage, false);
  assert.is(b.plant.truth().vrms, 240);
});

test('a lasting change made while timed changes run is what the grid keeps when they end', async () => {
  const { b } = bench();
  b.setGrid({ vrms: 170, forUs: 5_000_000 });
  b.setGrid({ vrms: 280, forUs: 8_000_000 });
  b.setGrid({ vrms: 230 });
  await b.runFor(5_000_000);
  assert.is(b.plant.grid.state.vrms, 230);
  await b.runFor(3_000_000);
  assert.is(b.plant.grid.state.vrms, 230);
});

test('setGrid with a duration that is not positive is refused and leaves the grid unchanged', () => {
  const { b } = bench();
  assert.throws(() => b.setGrid({ vrms: 180, forUs: 0 }), (e: unknown) => e instanceof BenchError && /duration must be positive/.test((e as Error).message));
  assert.throws(() => b.setGrid({ vrms: 180, forUs: -5 }), (e: unknown) => e instanceof BenchError);
  assert.is(b.plant.grid.state.vrms, 240);
});

test('setLoad connects a load in the plant and emits a load trace event', () => {
  const { b, events } = bench({ meter: { build: resolveFirmware({ profile: 'field', mode: 'sts' }), relay: 'closed' } });
  b.setLoad({ id: 'heater', amps: 5, pf: 1 });
  assert.ok(Math.abs(b.plant.truth().irms - 5) < 1e-9);
  assert.equal(events.filter((e) => e.kind === 'load').map((e) => (e.data as { id: string }).id), ['heater']);
  b.removeLoad('heater');
  assert.is(b.plant.truth().irms, 0);
});

test('every plant change is pushed to the meter as new pin signals', () => {
  const { m, calls } = recordingMeter();
  const { b } = bench({ meterUnderTest: () => m });
  b.setLoad({ id: 'heater', watts: 2000 });
  b.setGrid({ vrms: 200 });
  assert.is(calls.filter((c) => c === 'pins').length, 2);
});

// ---------------------------------------------------------------------------------------------------- keys

test('queueKeys presses each key for 120 ms with 180 ms gaps and returns when the last gap ends', async () => {
  const { b, events } = bench();
  await b.runFor(1_000);
  const end = b.queueKeys(['1', '2', '#']);
  assert.is(end, 1_000 + 3 * 300_000);
  assert.is(b.now(), 1_000, 'queueKeys does not run the clock');
  await b.runFor(120_000);
  const m = b.meter as unknown as { keypad: { isPressed(k: string): boolean } };
  assert.is(m.keypad.isPressed('1'), false, 'released after 120 ms');
  await b.runUntil(() => false, end - b.now());
  const keys = events.filter((e) => e.kind === 'key').map((e) => [(e.data as { key: string }).key, e.t]);
  assert.equal(keys, [['1', 1_000], ['2', 301_000], ['#', 601_000]]);
});

test('queueKeys honours holdMs and gapMs', async () => {
  const { m, calls } = recordingMeter();
  const { b } = bench({ meterUnderTest: () => m });
  assert.is(b.queueKeys(['5', '6'], { holdMs: 50, gapMs: 0 }), 100_000);
  await b.runFor(100_000);
  assert.equal(calls.filter((c) => c.startsWith('key')), ['key 5 50', 'key 6 50']);
});

test('a second queueKeys starts after the keys already queued', () => {
  const { b } = bench();
  const first = b.queueKeys(['1', '2']);
  assert.is(b.queueKeys(['3']), first + 300_000);
});

test('pressKeys runs the clock until the last key has been released and its gap has passed', async () => {
  const { b } = bench();
  await b.pressKeys(['*', '1']);
  assert.is(b.now(), 600_000);
});

test('a key timing with hold ≤ 0 or a negative gap is refused with a BenchError', () => {
  const { b } = bench();
  assert.throws(() => b.queueKeys(['1'], { holdMs: 0 }), (e: unknown) => e instanceof BenchError);
  assert.throws(() => b.queueKeys(['1'], { gapMs: -1 }), /key hold must be > 0 ms and the gap >= 0 ms/);
});

// ---------------------------------------------------------------------------------------------------- meter

test('start powers the meter on once; power(false) cuts it and power(true) restores it', async () => {
  const { m, calls } = recordingMeter();
  const { b, events } = bench({ meterUnderTest: () => m });
  await b.start();
  await b.start();
  b.power(false);
  b.power(false);
  b.power(true);
  assert.equal(calls.filter((c) => c === 'on' || c === 'cut'), ['on', 'cut', 'on']);
  assert.equal(events.filter((e) => e.source === 'bench' && e.kind === 'power').map((e) => e.data), [{ on: false }, { on: true }]);
});

test('tamper opens the cover of the meter and emits a tamper trace event', () => {
  const { m, calls } = recordingMeter();
  const { b, events } = bench({ meterUnderTest: () => m });
  b.tamper(true);
  assert.equal(calls, ['cover true']);
  assert.equal(events.filter((e) => e.kind === 'tamper').map((e) => e.data), [{ open: true }]);
});

test('observe reads the meter under test', () => {
  const { m } = recordingMeter();
  const { b } = bench({ meterUnderTest: () => m });
  assert.is(b.observe('relay'), 'open');
  assert.is(b.observe('lcd'), undefined);
});

test('close cuts the power of a running meter', async () => {
  const { m, calls } = recordingMeter();
  const { b } = bench({ meterUnderTest: () => m });
  await b.start();
  await b.close();
  assert.is(m.powered, false);
  assert.equal(calls.filter((c) => c === 'cut'), ['cut']);
});

test('a twin on the bench boots and measures the plant: 240 V and 5 A from a 5 A load', async () => {
  const { b } = bench({ plant: { grid: { vrms: 240, hz: 50 }, loads: [{ id: 'heater', amps: 5, pf: 1 }] } });
  await b.start();
  assert.ok(await b.runUntil(() => b.observe('current') === 5, 40_000_000), 'the firmware measured the load');
  assert.is(b.observe('voltage'), 240);
  assert.is(b.observe('relay'), 'closed');
});

test('the same seed and stimuli give a byte-identical trace', async () => {
  const run = async (): Promise<string> => {
    const { b, events } = bench({ plant: { grid: { vrms: 240, hz: 50 }, loads: [{ id: 'heater', amps: 5, pf: 1 }] } });
    await b.start();
    await b.runFor(24_000_000);
    b.setGrid({ vrms: 200, forUs: 1_000_000 });
    await b.pressKeys(['1', '2']);
    await b.runFor(2_000_000);
    return events.map(traceLine).join('\n');
  };
  const a = await run();
  assert.ok(a.length > 1000);
  assert.is(await run(), a);
});

test.run();
