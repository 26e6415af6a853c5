// The numbers behind the DC immunity explanation (docs/accuracy-tests.md, "DC immunity"), from the models. Hand
// calculation: the knee flux is sqrt 2 x 5 V / (2 pi 50 Hz) = 22.5 mWb-turns, reached through 30 H at 0.75 mA
// (peak, referred to the secondary); the test's DC is (2 x 56.57 A / pi) / 1000 = 36.0 mA there, 48 times that.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_BOARD_PROFILE } from '../../models/board-profile.ts';
import { FrontEnd } from '../../models/frontend/front-end.ts';
import { CtWaveform } from '../../models/waveform/ct-waveform.ts';
import { halfWaveDcAmps } from './dc-immunity.ts';
import { OSM_RATINGS } from './ratings.ts';

function kneeMilliamps(): number {
  const fe = new FrontEnd(DEFAULT_BOARD_PROFILE);
  const ct = new CtWaveform(fe.ct, fe.filterN, 8000);
  return (ct.kneeFlux / fe.ct.config.magnetisingHenries) * 1000;
}

test('the nominal CT reaches its knee flux at 0.75 mA of magnetising current (peak, referred to the secondary)', () => {
  assert.ok(Math.abs(kneeMilliamps() - 0.750) < 0.001, `${kneeMilliamps()} mA`);
});

test('the DC of the half-wave test current, referred to the secondary, is 36.0 mA: 48 times the knee current', () => {
  const dcMa = (halfWaveDcAmps(OSM_RATINGS.Imax / Math.SQRT2) / DEFAULT_BOARD_PROFILE.ct.ratio) * 1000;
  assert.ok(Math.abs(dcMa - 36.0) < 0.05, `${dcMa} mA`);
  assert.is(Math.round(dcMa / kneeMilliamps()), 48);
});

const DOC = fileURLToPath(new URL('../../docs/accuracy-tests.md', import.meta.url));

test('docs/accuracy-tests.md gives the knee current the CT model has', () => {
  if (!existsSync(DOC)) return;
  const text = readFileSync(DOC, 'utf8').replace(/\s+/g, ' ');
  const m = /reaches its knee flux with ([\d.]+) mA/.exec(text);
  assert.ok(m, 'the DC immunity paragraph states the knee current in mA');
  assert.ok(Math.abs(Number(m![1]) - kneeMilliamps()) < 0.01, `doc ${m![1]} mA`);
});

test.run();
