// The firmware's energy accumulation as reproduced on the clock (docs/firmware.md §3.2-3.4, D14, D16, D47).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import type { DefectId } from '../../twin/profiles/defects.ts';
import { resolveFirmware } from '../../twin/profiles/profile.ts';
import { FirmwareBilling, FIRMWARE_BILLING_DEFAULTS } from './firmware-billing.ts';
import { PF_1 } from './limits.ts';
import { newChip, nominalUnit, programChip } from './meter-unit.ts';
import { pinsFor, sourceLines } from './phantom-load.ts';
import { FrontEnd } from '../../models/frontend/front-end.ts';

const FIELD = resolveFirmware({ profile: 'field', mode: 'sts' }).defects;
const FIXED = resolveFirmware({ profile: 'fixed', mode: 'sts' }).defects;

function rig(amps: number, defects: ReadonlySet<DefectId>, energy = 0) {
  const clock = new VirtualClock();
  const chip = newChip(clock);
  const unit = nominalUnit();
  const pins = pinsFor(new FrontEnd(unit.profile), sourceLines({ volts: 240, hz: 50, amps, pf: PF_1, shape: 'sine' }), 50);
  chip.setPins(pins);
  programChip(chip, unit.registers);
  const fw = new FirmwareBilling(clock, chip, defects, { ENERGY: energy });
  const calls: Array<{ t: number; e: number; w: number }> = [];
  fw.onCall = (t, e, w) => calls.push({ t, e, w });
  fw.start();
  return { clock, chip, fw, calls };
}

test('reads V, I and PF as the firmware scales them: Urms/100, Irms2/100 x 2, PowerF2/1000', async () => {
  const { clock, fw, chip } = rig(5, FIELD);
  await clock.runFor(200_000);
  const r = fw.readings;
  assert.is(r.V, Math.fround(chip.peekRegister('Urms') / 100));
  assert.is(r.curr, Math.fround(Math.fround(chip.peekRegister('Irms2') / 100) * 2));
  assert.is(r.PF, Math.fround(1));
  assert.is(r.true_power, Math.fround(Math.fround(r.curr * r.V) * r.PF));
});

test('with D14 the billing call comes every 21 ticks of 49 999.583 us (1.049991 s) and adds exactly P / 3 600 000 each time', async () => {
  const { clock, calls } = rig(5, FIELD);
  await clock.runFor(30e6);
  const billed = calls.filter((c) => c.w > 0);
  assert.ok(billed.length > 20);
  for (let i = 1; i < billed.length; i++) {
    const dt = billed[i].t - billed[i - 1].t;
    assert.ok(Math.abs(dt - 21 * FIRMWARE_BILLING_DEFAULTS.tickUs) <= 1, `call interval ${dt} us`);
    assert.is(billed[i].e, Math.fround(billed[i - 1].e + Math.fround(billed[i].w / 3600000)));
  }
});

test('with D14 fixed each call bills the elapsed milliseconds instead of 1 s', async () => {
  const { clock, calls } = rig(5, FIXED);
  await clock.runFor(30e6);
  const billed = calls.filter((c) => c.w > 0);
  const a = billed[1];
  const b = billed[billed.length - 1];
  const kwh = (b.e - a.e);
  const trueKwh = (1200 * (b.t - a.t)) / 1e6 / 3.6e6;
  assert.ok(Math.abs(kwh / trueKwh - 1) < 2e-3, `${kwh} vs ${trueKwh}`);
});

test('with D47 a load of 20 mA (4.8 W, under 15 W) is never billed', async () => {
  const { clock, calls, fw } = rig(0.02, FIELD);
  await clock.runFor(10e6);
  // Irms2 and Smean2 carry the chip's noise floor (120 uV, 25 mA here) in quadrature, so the firmware's I x PF product
  // reads about 3 W instead of 4.8 W: under 15 W either way
  assert.ok(fw.readings.computed_power > 2 && fw.readings.computed_power < 15, `${fw.readings.computed_power} W`);
  assert.ok(calls.length > 5);
  assert.is(calls.filter((c) => c.w > 0).length, 0);
  assert.is(fw.ENERGY, 0);
});

test('with D16 (float32 ENERGY) 1200 W is lost entirely once ENERGY holds 16 384 kWh', async () => {
  const { clock, fw } = rig(5, FIELD, 16384);
  await clock.runFor(30e6);
  // One float32 step at 16384 is 2^-9 kWh = 1.95 Wh; a 1.05 s call adds 0.33 Wh, which rounds away.
  assert.is(fw.ENERGY, 16384);
});

test('rejects a negative starting ENERGY with a clear message', () => {
  const clock = new VirtualClock();
  assert.throws(() => new FirmwareBilling(clock, newChip(clock), FIELD, { ENERGY: -1 }), /ENERGY must be a number of kWh >= 0/);
});

test.run();
