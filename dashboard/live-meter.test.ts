// A live meter: scenarios run on it with step progress and a verdict, a reflash keeps the EEPROM, waveform windows
// at both fidelities, bounded trends, and the refusals a page gets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LiveMeter, LiveMeterError } from './live-meter.ts';
import { listScenarios } from './scenario-library.ts';
import { WAVE_FLAG_SYNTHESISED, WAVE_FLAG_UNPOWERED } from './protocol.ts';

const library = listScenarios();

async function meter(extra: Partial<ConstructorParameters<typeof LiveMeter>[0]> = {}): Promise<LiveMeter> {
  const m = new LiveMeter({ id: 'meter-1', index: 0, library, speed: 'max', household: false, ...extra });
  await m.init();
  return m;
}

test('the library lists the scenarios by name, folders after the top level', () => {
  const names = library.map((e) => e.name);
  assert.ok(names.includes('sts-tokens'));
  assert.ok(names.includes('opaygo/g04-reuse'));
  assert.ok(names.indexOf('tamper') < names.indexOf('opaygo/g04-reuse'));
});

test('a library scenario runs live on the meter with its step progress and verdict', async () => {
  const m = await meter();
  const seen = new Set<number>();
  const epoch = m.epoch;
  m.runScenario('sts-tokens');
  assert.ok(m.scenarioRunning);
  assert.throws(() => m.pressKeys('1'), (e: unknown) => e instanceof LiveMeterError && /while a scenario runs/.test((e as Error).message));
  m.onScenarioStep = (step) => seen.add(step);
  await m.runPending();
  const sc = m.scenario!;
  assert.is(sc.status, 'passed', sc.verdict);
  assert.match(sc.verdict, /^PASSED: \d+\/\d+ checks held/);
  assert.ok(sc.list.length > 5 && sc.list.every((s) => s.status === 'ok'));
  assert.is(sc.step, sc.steps);
  assert.ok(seen.size > 2, 'progress was visible while it ran');
  assert.ok(m.epoch > epoch, 'the scenario ran on a bench of its own');
  assert.not.ok(m.scenarioRunning);
  await m.close();
});

test('a library scenario with a network: section runs live with its own servers, web top-up included', async () => {
  const m = await meter();
  m.runScenario('comms/web-topup');
  await m.runPending();
  const sc = m.scenario!;
  assert.is(sc.status, 'passed', sc.verdict);
  assert.ok(sc.list.some((s) => /^topup/.test(s.text) && s.status === 'ok'), 'the topup step ran');
  await m.close();
});

test('after a reset the achieved rate is measured on the new meter\'s clock: it never shows a negative speed', async () => {
  let wall = 0;
  const m = await meter({ pacer: { wallNow: () => (wall += 100) } }); // every look at the wall clock: 100 ms later
  const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 1));
  m.start();
  while (m.bench.now() < 120e6) await tick();
  assert.ok(m.pacer.rate > 0);
  const epoch = m.epoch;
  m.reset();
  const rates: number[] = [];
  while (m.epoch === epoch || m.bench.now() < 60e6) {
    await tick();
    if (m.epoch !== epoch) rates.push(m.pacer.rate);
  }
  await m.close();
  assert.ok(rates.length > 0);
  assert.ok(rates.every((r) => r >= 0), `rates after the reset: ${rates.filter((r) => r < 0).slice(0, 3).join(', ')}`);
});

test('a reflash during a timed sag and a timed coverage loss leaves the new meter on the nominal grid and network once they end', async () => {
  const m = await meter({ fidelity: 'phasor', network: {} });
  await m.advance(30e6);
  m.gridEvent('sag'); // 170 V for 5 s
  m.network({ coverage: false, forUs: 20e6 });
  m.setFirmware({ profile: 'fixed', fix: [], defects: [] });
  await m.runPending();
  await m.advance(30e6);
  assert.is(m.bench.plant.grid.state.vrms, 240);
  assert.is(m.bench.comms!.network.state.coverage, true);
  await m.close();
});

test('a running scenario stops on request with the verdict aborted', async () => {
  const m = await meter();
  m.runScenario('credit-runs-out');
  const run = m.runPending();
  while (!(m.scenario && m.scenario.step >= 2)) await new Promise((r) => setImmediate(r));
  m.stopScenario();
  await run;
  assert.is(m.scenario!.status, 'aborted');
  assert.match(m.scenario!.verdict, /stopped by the user at step \d+/);
  assert.throws(() => m.stopScenario(), /no scenario is running/);
  await m.close();
});

test('an unknown scenario or load is refused with a message', async () => {
  const m = await meter();
  assert.throws(() => m.runScenario('../../package'), /no scenario/);
  assert.throws(() => m.setLoad('toaster', true), /no load 'toaster'/);
  await m.close();
});

test('a reflash restarts the meter with the new build and keeps the credit in its EEPROM', async () => {
  const m = await meter({ credit: 777 });
  await m.advance(40e6);
  assert.is(m.bench.observe('credit'), 777);
  const t = m.now();
  m.setFirmware({ profile: 'field', fix: ['D11'], defects: [] });
  await m.advance(40e6);
  assert.equal(m.firmware, { profile: 'field', fix: ['D11'], defects: [] });
  assert.not.ok(m.twin!.config.firmware.defects.has('D11'));
  assert.is(m.bench.observe('credit'), 777);
  assert.ok(m.now() >= t + 40e6, 'virtual time goes on across the reflash');
  await m.close();
});

test('a reset builds a fresh meter as served (firmware, credit, clock) while virtual time goes on, and the trends start again from it', async () => {
  const m = await meter({ fidelity: 'phasor', credit: 300, trendCapacity: 100 });
  m.setLoad('heater', true);
  for (let k = 0; k < 40; k++) { await m.advance(1e6); m.sampleTrend(); }
  m.setFirmware({ profile: 'shipped', fix: [], defects: [] });
  for (let k = 0; k < 40; k++) { await m.advance(1e6); m.sampleTrend(); }
  assert.is(m.trendSince(0).rows.length, 80, 'a reflash keeps the trends');
  const before = m.now();
  const epoch = m.epoch;
  assert.is(m.lastReset, null);
  m.reset();
  await m.runPending();
  assert.is(m.epoch, epoch + 1, 'a new bench');
  assert.equal(m.firmware, { profile: 'field', fix: [], defects: [] }, 'the served build, not the reflashed one');
  assert.equal(m.bench.plant.loads().map((l) => l.id), [], 'no loads switched on');
  const r = m.lastReset!;
  assert.is(r.count, 1);
  assert.ok(r.t >= before && r.t === m.now(), `the reset is at the meter's time, which went on (${before} -> ${r.t})`);
  assert.equal({ rtc: r.rtc, credit: r.credit, firmware: r.firmware }, { rtc: '2026-03-01 08:00:00', credit: 300, firmware: { profile: 'field', fix: [], defects: [] } });
  assert.equal(m.state().lastReset, r);
  assert.is(m.trendSince(0).rows.length, 0, 'no trend point from before the reset');
  for (let k = 0; k < 30; k++) { await m.advance(1e6); m.sampleTrend(); }
  const rows = m.trendSince(0).rows;
  assert.is(rows.length, 30);
  assert.ok(rows[0][0] >= r.t, 'the first point is the new meter\'s');
  assert.is(rows[29][4], 300, 'the new meter booted with the served credit');
  assert.match(String(m.state().rtc), /^2026-03-01 08:00:(2|3)\d$/, 'its clock started again at the served time');
  await m.close();
});

test('at waveform fidelity a window of the plant samples starts at a rising zero crossing of the voltage', async () => {
  const m = await meter({ fidelity: 'waveform' });
  m.setLoad('kettle', true);
  await m.advance(30e6);
  const f = m.waveFrame();
  assert.is(f.flags, 0);
  assert.is(f.volts.length, 400);
  assert.ok(f.volts[0] >= 0 && f.volts[0] < 15, `starts near 0 V rising (${f.volts[0]})`);
  assert.ok(f.volts[1] > f.volts[0]);
  const peak = (a: Float32Array): number => a.reduce((x, v) => Math.max(x, Math.abs(v)), 0);
  assert.ok(Math.abs(peak(f.volts) - 240 * Math.SQRT2) < 10, `voltage peak ${peak(f.volts)}`);
  assert.ok(Math.abs(peak(f.amps) - (2000 / 240) * Math.SQRT2) < 1, `current peak ${peak(f.amps)}`);
  assert.ok(f.t0Us <= m.now() && f.t0Us > m.now() - 100_000);
  m.power(false);
  assert.is(m.waveFrame().flags & WAVE_FLAG_UNPOWERED, WAVE_FLAG_UNPOWERED);
  assert.is(m.waveFrame().volts.length, 0);
  await m.close();
});

test('at phasor fidelity the window is synthesised from the plant lines', async () => {
  const m = await meter({ fidelity: 'phasor' });
  m.setLoad('kettle', true);
  await m.advance(30e6); // the firmware closes the relay (in series with the loads) about 23 s after boot
  const f = m.waveFrame();
  assert.is(f.flags, WAVE_FLAG_SYNTHESISED);
  assert.ok(Math.abs(f.volts[0]) < 5 && f.volts[1] > f.volts[0], `starts at a rising zero crossing (${f.volts[0]}, ${f.volts[1]})`);
  const peak = (a: Float32Array): number => a.reduce((x, v) => Math.max(x, Math.abs(v)), 0);
  assert.ok(Math.abs(peak(f.volts) - 240 * Math.SQRT2) < 2);
  assert.ok(Math.abs(peak(f.amps) - (2000 / 240) * Math.SQRT2) < 0.2);
  await m.close();
});

test('the keypad queue is bounded: keys beyond a minute of typing are refused', async () => {
  const m = await meter({ fidelity: 'phasor' });
  m.setPaused(true);
  for (let k = 0; k < 3; k++) m.pressKeys('1'.repeat(64));
  assert.throws(() => m.pressKeys('1'.repeat(64)), /keypad is busy: 192 keys are still queued/);
  m.pressKeys('1'.repeat(8));
  await m.close();
});

test('trends keep at most their capacity and one point per virtual second', async () => {
  const m = await meter({ fidelity: 'phasor', trendCapacity: 50 });
  for (let k = 0; k < 120; k++) {
    await m.advance(500_000);
    m.sampleTrend();
  }
  assert.is(m.trendCount, 60);
  const t = m.trendSince(0);
  assert.is(t.rows.length, 50);
  assert.is(t.from, 10);
  for (let k = 1; k < t.rows.length; k++) assert.ok(t.rows[k][0] - t.rows[k - 1][0] >= 1e6);
  await m.close();
});

test('a web top-up paid on a live meter is credited at the firmware\'s next poll and nothing stays pending', async () => {
  const m = await meter({ fidelity: 'phasor', network: {} });
  await m.advance(40e6); // boot and a first poll
  assert.is(m.commsView()!.gsm.last, 'OK');
  const before = m.state().readings as { credit: number };
  m.topup(200);
  assert.is(m.commsView()!.backend.pending, 200);
  for (let k = 0; k < 12 && m.commsView()!.backend.pending !== 0; k++) await m.advance(5e6);
  await m.advance(5e6);
  const after = m.state().readings as { credit: number };
  assert.is(m.commsView()!.backend.pending, 0);
  assert.ok(after.credit > before.credit + 199.9 && after.credit <= before.credit + 200, `${before.credit} -> ${after.credit}`);
  assert.throws(() => m.topup(0), (e: unknown) => e instanceof LiveMeterError);
  await m.close();
});

test('coverage off deregisters the modem and fails the firmware\'s GPRS attach; the setting survives a reflash', async () => {
  const m = await meter({ fidelity: 'phasor', network: {} });
  await m.advance(40e6);
  m.network({ coverage: false, latencyMs: 800 });
  assert.is(m.commsView()!.modem.registered, false);
  for (let k = 0; k < 20 && m.commsView()!.gsm.last !== 'fail'; k++) await m.advance(5e6);
  assert.is(m.commsView()!.gsm.last, 'fail');
  m.setFirmware({ profile: 'field', fix: ['D20'], defects: [] });
  await m.runPending();
  const v = m.commsView()!;
  assert.equal([v.network.coverage, v.network.latencyMs], [false, 800]);
  m.network({ coverage: true });
  for (let k = 0; k < 20 && m.commsView()!.gsm.last !== 'OK'; k++) await m.advance(5e6);
  assert.is(m.commsView()!.gsm.last, 'OK');
  await m.close();
});

test('a meter without a network refuses the network controls and the top-up with the reason', async () => {
  const m = await meter({ fidelity: 'phasor' });
  assert.is(m.commsView(), null);
  assert.throws(() => m.network({ coverage: false }), (e: unknown) => e instanceof LiveMeterError && /modem is mute/.test((e as Error).message));
  assert.throws(() => m.topup(100), (e: unknown) => e instanceof LiveMeterError && /modem is mute/.test((e as Error).message));
  await m.close();
});

test('the state says whether the firmware has booted: not during the boot, yes after it, not again after a power cut', async () => {
  const m = await meter({ fidelity: 'phasor' });
  await m.advance(5e6);
  assert.is(m.state().booted, false, 'five seconds in, the firmware is still booting');
  await m.advance(35e6);
  assert.is(m.state().booted, true);
  m.power(false);
  await m.advance(1e6);
  assert.is(m.state().booted, false, 'unpowered');
  m.power(true);
  await m.advance(5e6);
  assert.is(m.state().booted, false, 'booting again');
  await m.close();
});

test('an open cover\'s beeps show in every state although each beep ends inside one timer tick', async () => {
  const m = await meter({ fidelity: 'phasor' });
  await m.advance(40e6);
  m.state(); // (the boot's beep)
  await m.advance(250_000);
  assert.is(m.state().buzzer, 'off');
  m.tamper(true);
  const shown: unknown[] = [];
  const pin: unknown[] = [];
  for (let k = 0; k < 8; k++) {
    await m.advance(250_000);
    pin.push(m.bench.observe('buzzer'));
    shown.push(m.state().buzzer);
  }
  assert.ok(pin.includes('off'), `the pin itself is low between beeps when looked at (${pin.join(' ')})`);
  assert.equal(shown, Array(8).fill('on'));
  m.tamper(false);
  await m.advance(1e6);
  m.state();
  await m.advance(250_000);
  assert.is(m.state().buzzer, 'off', 'silent once the cover is closed');
  await m.close();
});

test.run();
