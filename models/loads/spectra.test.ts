import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RECTIFIER_SPECTRUM, SMPS_SPECTRUM, rmsOverFundamental } from './spectra.ts';

/** Fourier coefficients of max(cos t, 0) by numerical integration, as rms over the fundamental's rms. */
function halfWave(order: number): number {
  const n = 200000;
  let s = 0;
  let s1 = 0;
  for (let k = 0; k < n; k++) {
    const t = (2 * Math.PI * (k + 0.5)) / n;
    const i = Math.max(Math.cos(t), 0);
    s += i * (order === 0 ? 1 : Math.cos(order * t));
    s1 += i * Math.cos(t);
  }
  // DC = mean = s/n; a line of order h has rms sqrt 2 x s_h / n.
  return order === 0 ? s / (Math.SQRT2 * s1) : s / s1;
}

test('matches the Fourier series of a half-wave rectified sine, DC and even orders with their signs', () => {
  for (const l of RECTIFIER_SPECTRUM) {
    assert.ok(Math.abs(l.ratio - halfWave(l.order)) < 1e-6, `order ${l.order}: ${l.ratio} vs ${halfWave(l.order)}`);
  }
});

test('gives a half-wave rectifier a total rms close to sqrt 2 times its fundamental', () => {
  assert.ok(Math.abs(rmsOverFundamental(RECTIFIER_SPECTRUM) - Math.SQRT2) < 0.002);
});

test('gives an SMPS about 108 % current THD', () => {
  const thd = Math.sqrt(rmsOverFundamental(SMPS_SPECTRUM) ** 2 - 1);
  assert.ok(Math.abs(thd - 1.077) < 0.001, `${thd}`);
});

test.run();
