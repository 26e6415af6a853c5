// Acceptance of the foundation: the firmware twin's own readings against the plant's true values, and the LCD scene
// as the real display would show it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createBench, type Bench } from '../twin/kernel/bench.ts';
import { resolveFirmware } from '../twin/profiles/profile.ts';
import type { LoadSpec } from '../twin/kernel/stimuli.ts';

async function meterAt(load: LoadSpec): Promise<Bench> {
  const bench = createBench({
    meter: { build: resolveFirmware({ profile: 'field', mode: 'sts' }), credit: 1000 },
    plant: { grid: { vrms: 240, hz: 50 }, loads: [load] },
    seed: 1,
  });
  await bench.start();
  await bench.runFor(40e6); // boot (~23 s) and the first measurement
  return bench;
}

function within(observed: unknown, truth: number, pct: number, what: string): void {
  assert.type(observed, 'number', `${what} is not a number`);
  const err = ((observed as number) - truth) / truth * 100;
  assert.ok(Math.abs(err) <= pct, `${what}: firmware ${observed}, plant ${truth}, error ${err.toFixed(3)} %`);
}

test('reads 240 V, 5 A, 1200 W and PF 1 within 0.5 % of the plant', async () => {
  const b = await meterAt({ id: 'r', kind: 'resistive', amps: 5 });
  const t = b.plant.truth();
  assert.is(b.observe('voltage'), 240);
  within(b.observe('voltage'), t.vrms, 0.5, 'voltage');
  within(b.observe('current'), t.irms, 0.5, 'current');
  within(b.observe('power'), t.watts, 0.5, 'power');
  within(b.observe('pf'), t.pf, 0.5, 'pf');
  await b.close();
});

test('reads 240 V, 60 A at PF 0.5 inductive within 0.5 % of the plant', async () => {
  const b = await meterAt({ id: 'm', kind: 'inductive', amps: 60, pf: 0.5 });
  const t = b.plant.truth();
  assert.ok(Math.abs(t.pf - 0.5) < 1e-6, `plant pf ${t.pf}`);
  within(b.observe('voltage'), t.vrms, 0.5, 'voltage');
  within(b.observe('current'), t.irms, 0.5, 'current');
  within(b.observe('power'), t.watts, 0.5, 'power');
  within(b.observe('pf'), t.pf, 0.5, 'pf');
  await b.close();
});

test('shows the measurement scene as the real display would', async () => {
  const b = await meterAt({ id: 'r', kind: 'resistive', amps: 5 });
  const ok = await b.runUntil(() => String(b.observe('lcd.line0')).startsWith('V='), 12e6);
  assert.ok(ok, 'the measurement scene never showed');
  assert.is(b.observe('lcd.line0'), 'V=240.0 C=5.00 A');
  assert.is(b.observe('lcd.line1'), 'W=1200.0 PF=1.00');
  await b.close();
});

test('shows the credit scene with two decimals', async () => {
  const b = await meterAt({ id: 'r', kind: 'resistive', amps: 5 });
  const ok = await b.runUntil(() => String(b.observe('lcd.line0')).startsWith(' CREDIT='), 12e6);
  assert.ok(ok, 'the credit scene never showed');
  assert.match(String(b.observe('lcd.line0')), /^ CREDIT=#999\.\d\d $/);
  assert.match(String(b.observe('lcd.line1')), /^ENERGY=0\.0\dKW\/H$|^ENERGY=0\.0\d KW\/H$/);
  await b.close();
});

test('reads the same at waveform fidelity: the chip measures 8 kHz samples of the same front end', async () => {
  // The contact is closed from the start (a meter that was running): the chip's RMS windows at waveform level need
  // 16 cycles after a load appears, and the firmware's one measurement after boot comes right after it closes the relay.
  const bench = createBench({
    meter: { build: resolveFirmware({ profile: 'field', mode: 'sts' }), credit: 1000, relay: 'closed' },
    plant: { grid: { vrms: 240, hz: 50 }, fidelity: 'waveform', loads: [{ id: 'm', kind: 'inductive', amps: 60, pf: 0.5 }] },
    seed: 1,
  });
  assert.ok(bench.waveformPlant, 'no waveform plant at fidelity waveform');
  await bench.start();
  await bench.runFor(40e6);
  const t = bench.plant.truth();
  within(bench.observe('voltage'), t.vrms, 0.5, 'voltage');
  within(bench.observe('current'), t.irms, 0.5, 'current');
  within(bench.observe('power'), t.watts, 0.5, 'power');
  await bench.close();
});

test.run();
