import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GridSource } from './grid-source.ts';

test('defaults to 240 V 50 Hz with no harmonics (product spec Un)', () => {
  const g = new GridSource();
  assert.equal(g.lineVoltage(), [{ order: 1, rms: 240, phaseRad: 0 }]);
  assert.is(g.state.hz, 50);
});

test('gives a harmonic its percent of the fundamental and its own phase', () => {
  const g = new GridSource({ vrms: 230, harmonics: [{ order: 3, percent: 5, phaseDeg: 90 }] });
  const h3 = g.lineVoltage().find((l) => l.order === 3)!;
  assert.ok(Math.abs(h3.rms - 11.5) < 1e-12);
  assert.ok(Math.abs(h3.phaseRad - Math.PI / 2) < 1e-12);
});

test('shifts a harmonic by its order times a grid phase jump', () => {
  const g = new GridSource({ harmonics: [{ order: 3, percent: 5 }] });
  g.apply({ phaseDeg: 30 });
  const [h1, h3] = g.lineVoltage();
  assert.ok(Math.abs(h1!.phaseRad - Math.PI / 6) < 1e-12);
  assert.ok(Math.abs(h3!.phaseRad - Math.PI / 2) < 1e-12);
});

test('drops to 0 V during an outage and comes back at the same voltage', () => {
  const g = new GridSource({ vrms: 230 });
  g.apply({ outage: true });
  assert.equal(g.lineVoltage(), []);
  assert.is(g.state.vrms, 230);
  g.apply({ outage: false });
  assert.is(g.lineVoltage()[0]!.rms, 230);
});

test('keeps the fields a change omits', () => {
  const g = new GridSource({ vrms: 230, hz: 50 });
  g.apply({ vrms: 180 });
  assert.is(g.state.hz, 50);
  assert.is(g.state.vrms, 180);
});

test('leaves the state untouched when a change is invalid', () => {
  const g = new GridSource();
  assert.throws(() => g.apply({ vrms: 200, hz: -50 }), /grid hz must be a frequency/);
  assert.is(g.state.vrms, 240);
});

test('rejects a harmonic of order 1 and a repeated order', () => {
  assert.throws(() => new GridSource({ harmonics: [{ order: 1, percent: 5 }] }), /order must be an integer from 2/);
  assert.throws(() => new GridSource({ harmonics: [{ order: 3, percent: 5 }, { order: 3, percent: 1 }] }), /given twice/);
});

test('rejects a negative voltage and an unknown change key', () => {
  assert.throws(() => new GridSource({ vrms: -1 }), /vrms must be a number of volts >= 0/);
  assert.throws(() => new GridSource().apply({ volts: 5 } as never), /unknown grid change 'volts'/);
});

test.run();
