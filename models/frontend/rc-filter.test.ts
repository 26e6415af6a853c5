import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RcFilter } from './rc-filter.ts';
import { cabs, cargDeg } from './impedance.ts';

const BOARD_N = { rPOhms: 1000, rNOhms: 1000, cPFarads: 33e-9, cNFarads: 33e-9, chipInputOhms: 400e3 };

test('puts the 1 kohm / 33 nF corner at 4.82 kHz', () => {
  const fc = new RcFilter({ rOhms: 1000, cFarads: 33e-9 }).cornerHz;
  assert.ok(Math.abs(fc - 4823) < 5, `fc ${fc}`);
});

test('lags 0.594 deg (+-0.01) at 50 Hz with 1 kohm / 33 nF', () => {
  const lag = -cargDeg(new RcFilter({ rOhms: 1000, cFarads: 33e-9 }).transfer(50));
  assert.ok(Math.abs(lag - 0.594) < 0.01, `lag ${lag}`);
});

test('reduces the two current legs into a floating mid node to 2 kohm / 16.5 nF / 800 kohm', () => {
  const f = RcFilter.differential(BOARD_N);
  assert.ok(Math.abs(f.config.rOhms - 2000) < 1e-9);
  assert.ok(Math.abs(f.config.cFarads - 16.5e-9) < 1e-18);
  assert.is(f.config.loadOhms, 800e3);
});

test('gives the current channel the same 4.82 kHz corner and 0.594 deg (+-0.01) lag as the voltage channel', () => {
  const f = RcFilter.differential(BOARD_N);
  assert.ok(Math.abs(f.cornerHz - 4823) < 5, `fc ${f.cornerHz}`);
  const lag = -cargDeg(f.transfer(50));
  assert.ok(Math.abs(lag - 0.594) < 0.01, `lag ${lag}`);
});

test('is 3 dB below its DC gain at its pole', () => {
  const f = RcFilter.differential(BOARD_N);
  const ratio = cabs(f.transfer(f.poleHz)) / f.dcGain;
  assert.ok(Math.abs(ratio - Math.SQRT1_2) < 1e-9, `ratio ${ratio}`);
});

test('loses 0.25 % to the 400 kohm chip inputs at DC (800/802)', () => {
  assert.ok(Math.abs(RcFilter.differential(BOARD_N).dcGain - 800 / 802) < 1e-12);
});

test('presents an open circuit at DC when unloaded', () => {
  const y = new RcFilter({ rOhms: 1000, cFarads: 33e-9 }).inputAdmittance(0);
  assert.is(cabs(y), 0);
});

test('rejects a zero capacitance', () => {
  assert.throws(() => new RcFilter({ cFarads: 0 }), /cFarads must be a finite number > 0/);
});

test.run();
