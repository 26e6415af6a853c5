import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FirstOrderSection, firstOrderResponse, tustinFirstOrder, tustinHighPass } from './discrete.ts';

test('prewarped Tustin matches the analog first-order response exactly at the prewarp frequency', () => {
  const tau = 1e-3;
  const c = tustinFirstOrder(1, 0, 1, tau, 8000, 300);
  const [re, im] = firstOrderResponse(c, 300, 8000);
  const w = 2 * Math.PI * 300;
  const d = 1 + (w * tau) ** 2;
  assert.ok(Math.abs(re - 1 / d) < 1e-12 && Math.abs(im + (w * tau) / d) < 1e-12);
});

test('a high-pass section blocks DC and passes a 50 Hz tone within (fc/f)^2 / 2', () => {
  const c = tustinHighPass(0.3, 8000);
  assert.ok(Math.abs(firstOrderResponse(c, 0, 8000)[0]) < 1e-12);
  const [re, im] = firstOrderResponse(c, 50, 8000);
  assert.ok(Math.abs(Math.hypot(re, im) - 1) < (0.3 / 50) ** 2);
});

test('a running section reproduces its difference equation sample by sample', () => {
  const c = { b0: 0.5, b1: 0.25, a1: -0.5 };
  const f = new FirstOrderSection(c);
  const x = Float64Array.from([1, 0, 0, 2]);
  const y = new Float64Array(4);
  f.process(x, y, 4);
  assert.equal(Array.from(y), [0.5, 0.5, 0.25, 1.125]);
});

test('rejects a prewarp frequency at or above half the sample rate', () => {
  assert.throws(() => tustinFirstOrder(1, 0, 1, 1e-3, 8000, 4000), /prewarp frequency/);
});
test.run();
