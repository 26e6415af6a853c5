import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VoltageDivider } from './voltage-divider.ts';
import { cabs, cargDeg } from './impedance.ts';

const within = (actual: number, expected: number, rel: number) =>
  assert.ok(Math.abs(actual / expected - 1) <= rel, `${actual} is not within ${rel * 100} % of ${expected}`);

test('divides the line voltage by 823 (+-0.2 %) at 50 Hz with the schematic values and the 400 kohm chip input', () => {
  within(1 / cabs(new VoltageDivider().transfer(50)), 823, 0.002);
});

test('puts 240 V line at 291.6 mVrms (+-0.1 %) on VP-VN', () => {
  within(240 * cabs(new VoltageDivider().transfer(50)), 0.2916, 0.001);
});

test('lags the line voltage by the VP filter, about 0.59 deg at 50 Hz', () => {
  const lag = -cargDeg(new VoltageDivider().transfer(50));
  assert.ok(Math.abs(lag - 0.594) < 0.01, `lag ${lag} deg`);
});

test('would divide by 622.5 if GND were tied straight to neutral (no 200 kohm return)', () => {
  within(1 / new VoltageDivider({ rReturnOhms: 1e-9 }).ratio, 622.5, 0.001);
});

test('has a DC ratio equal to the 50 Hz magnitude within the filter droop (0.005 %)', () => {
  const d = new VoltageDivider();
  within(cabs(d.transfer(50)), d.ratio, 0.0001);
});

test('keeps VN at GND: its leg is 1 kohm || 33 nF || 400 kohm', () => {
  const z = new VoltageDivider().vnImpedance(0);
  within(z.re, (1000 * 400e3) / 401e3, 1e-9);
});

test('rejects a non-positive resistor with a message naming it', () => {
  assert.throws(() => new VoltageDivider({ rTopOhms: -1 }), /rTopOhms must be a finite number > 0/);
});

test('rejects a negative frequency', () => {
  assert.throws(() => new VoltageDivider().transfer(-50), /frequency must be/);
});

test.run();
