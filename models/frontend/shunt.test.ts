import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Shunt } from './shunt.ts';
import { cabs, cargDeg } from './impedance.ts';

test('gives 1 mV at 5 A with the AN example 200 uohm shunt', () => {
  const v = 5 * cabs(new Shunt().transfer(50));
  assert.ok(Math.abs(v / 1e-3 - 1) < 1e-4, `${v}`);
});

test('rises by tempco x temperature rise: 20 ppm/K over 50 K is +0.1 %', () => {
  const s = new Shunt({ temperatureC: 75 });
  assert.ok(Math.abs(s.resistanceOhms / 200e-6 - 1.001) < 1e-12);
});

test('leads by atan(w L / R) from its self-inductance', () => {
  const ph = cargDeg(new Shunt({ seriesHenries: 2e-9 }).transfer(50));
  const expected = (Math.atan((2 * Math.PI * 50 * 2e-9) / 200e-6) * 180) / Math.PI;
  assert.ok(Math.abs(ph - expected) < 1e-9);
});

test('rejects a non-finite temperature', () => {
  assert.throws(() => new Shunt({ temperatureC: Number.NaN }), /temperatureC must be a finite number/);
});

test.run();
