// The bench source: line phasors of the test conditions, pins through the front end, clipping and CT knee.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyOverrides, DEFAULT_BOARD_PROFILE } from '../../models/board-profile.ts';
import { FrontEnd } from '../../models/frontend/front-end.ts';
import { rmsOf } from '../../models/signals.ts';
import { PF_05L, PF_08C, PF_1 } from './limits.ts';
import { clippingOf, ctKneeAmps, peakOf, pinsFor, sourceLines, truthWatts } from './phantom-load.ts';
import type { TestCondition } from './points.ts';

const base: TestCondition = { volts: 240, hz: 50, amps: 5, pf: PF_1, shape: 'sine' };

test('a sine at PF 0.5L lags the voltage by 60 degrees and carries 240 V x 5 A x 0.5 = 600 W', () => {
  const l = sourceLines({ ...base, pf: PF_05L });
  assert.ok(Math.abs(l.i[0].phaseRad + Math.PI / 3) < 1e-12);
  assert.ok(Math.abs(truthWatts(l) - 600) < 1e-9);
});

test('a sine at PF 0.8C leads the voltage', () => {
  const l = sourceLines({ ...base, pf: PF_08C });
  assert.ok(l.i[0].phaseRad > 0);
  assert.ok(Math.abs(truthWatts(l) - 960) < 1e-9);
});

test('the half-wave rectified current has its rms as supplied, a fundamental of amps/sqrt 2 and a DC of 0.9 x that', () => {
  const amps = 80 / Math.SQRT2;
  const l = sourceLines({ ...base, amps, shape: 'half-wave' });
  const i1 = l.i.find((x) => x.order === 1)!.rms;
  assert.ok(Math.abs(i1 - amps / Math.SQRT2) < 1e-9);
  assert.ok(Math.abs(l.i.find((x) => x.order === 0)!.rms - (2 * Math.SQRT2 / Math.PI) * i1) < 1e-9);
  assert.ok(Math.abs(rmsOf(l.i) / amps - 1) < 1e-3, `rms ${rmsOf(l.i)} vs ${amps}`);
  assert.ok(l.i.every((x) => x.order <= 1 || x.order % 2 === 0), 'no odd harmonics above the fundamental');
  // Half a sine of peak sqrt2 x 80 A: the peak survives.
  assert.ok(Math.abs(peakOf(l.i) / (80 * Math.SQRT2) - 1) < 0.01);
});

test('the harmonics condition adds an in-phase 5th: 10 % in V and 40 % in I add 4 % to the power', () => {
  const i1 = 40;
  const l = sourceLines({ ...base, amps: i1 * Math.hypot(1, 0.4), shape: 'fifth', fifthVoltagePercent: 10, fifthCurrentPercent: 40 });
  assert.ok(Math.abs(truthWatts(l) - 240 * 40 * 1.04) < 1e-6);
});

test('the N channel reads 4.8 mV per amp through the default 1000:1 CT and 4.8 ohm, so 80 A peaks at about 543 mV', () => {
  const fe = new FrontEnd(DEFAULT_BOARD_PROFILE);
  const pins = pinsFor(fe, sourceLines({ ...base, amps: 80 }), 50);
  assert.ok(Math.abs(peakOf(pins.IN) - 0.543) < 0.003, `${peakOf(pins.IN)}`);
  assert.equal(clippingOf(pins, 0x9422), []);
});

test('a 2000:1 CT with a 30 ohm burden drives I2P-I2N beyond the ±849 mV range at 80 A', () => {
  const fe = new FrontEnd(applyOverrides(DEFAULT_BOARD_PROFILE, { 'ct.ratio': 2000, 'ct.burdenOhms': 30 }));
  const pins = pinsFor(fe, sourceLines({ ...base, amps: 80 }), 50);
  const clip = clippingOf(pins, 0x9422);
  assert.is(clip.length, 1);
  assert.is(clip[0].channel, 'IN');
  assert.ok(Math.abs(clip[0].limitVolts - 0.6 * Math.SQRT2) < 1e-12);
  assert.ok(clip[0].peakVolts > 1.6, `${clip[0].peakVolts}`);
});

test('the N gain x4 of MMode shrinks the range to a quarter (assumed), so 80 A clips on the default board', () => {
  const fe = new FrontEnd(DEFAULT_BOARD_PROFILE);
  const pins = pinsFor(fe, sourceLines({ ...base, amps: 80 }), 50);
  const mmodeGain4 = (0x9422 & ~0x1800) | 0x0800;
  assert.is(clippingOf(pins, mmodeGain4)[0]?.channel, 'IN');
});

test('the default CT reaches its knee far above Imax', () => {
  assert.ok(ctKneeAmps(new FrontEnd(DEFAULT_BOARD_PROFILE), 50) > 300);
});

test.run();
