import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FrontEnd } from './front-end.ts';
import { DEFAULT_BOARD_PROFILE, applyOverrides } from '../board-profile.ts';
import { cabs, cargDeg } from './impedance.ts';

test('puts 240 V at 291.6 mV (+-0.1 %) on the voltage pins', () => {
  const v = 240 * cabs(new FrontEnd(DEFAULT_BOARD_PROFILE).voltagePin(50));
  assert.ok(Math.abs(v / 0.2916 - 1) < 0.001, `${v}`);
});

test('puts 5 A at 24.0 mV (+-0.5 %) on I2P-I2N: CT error and the 400 kohm chip inputs included', () => {
  const v = 5 * cabs(new FrontEnd(DEFAULT_BOARD_PROFILE).currentPinN(50));
  assert.ok(Math.abs(v / 0.024 - 1) < 0.005, `${v}`);
});

test('keeps the current pins within half a degree of the voltage pins at 50 Hz (matched filters)', () => {
  const fe = new FrontEnd(DEFAULT_BOARD_PROFILE);
  const d = cargDeg(fe.currentPinN(50)) - cargDeg(fe.voltagePin(50));
  assert.ok(Math.abs(d) < 0.5, `${d} deg`);
});

test('leaves the L current pins at 0 V: I1P/I1N are not connected on this board', () => {
  assert.is(cabs(new FrontEnd(DEFAULT_BOARD_PROFILE).currentPinL(50)), 0);
});

test('gives the L pins the shunt voltage through the L filter when a shunt is fitted', () => {
  const fe = new FrontEnd(applyOverrides(DEFAULT_BOARD_PROFILE, { 'shunt.fitted': true }));
  const v = cabs(fe.currentPinL(50));
  // 200 uohm, then 2 kohm into the 2 kohm differential L input: half the shunt voltage.
  assert.ok(Math.abs(v / (200e-6 * 0.5) - 1) < 0.001, `${v}`);
});

test('returns the same transfer for repeated questions at one frequency', () => {
  const fe = new FrontEnd(DEFAULT_BOARD_PROFILE);
  assert.is(fe.currentPinN(150), fe.currentPinN(150));
});

test.run();
