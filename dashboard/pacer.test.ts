// The pacer's achieved rate, as the dashboard's header shows it ("running 10.0x").
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Pacer } from './pacer.ts';

test('after a speed change the shown rate is that of the new speed from its first measurement, not a blend with the old one', () => {
  let wall = 0;
  const p = new Pacer('max', { wallNow: () => wall });
  let t = 0;
  for (let k = 0; k < 8; k++) { wall += 300; p.sliceDone(t, t + 300_000_000, 300); t += 300_000_000; } // 1000x
  assert.ok(Math.abs(p.rate - 1000) < 1, String(p.rate));
  p.setSpeed(1, t);
  wall += 300;
  p.sliceDone(t, t + 300_000, 300); // 300 ms of meter time in 300 ms: 1x
  assert.ok(Math.abs(p.rate - 1) < 0.01, `the header would show ${p.rate.toFixed(1)}x at 1x`);
});

test('the shown rate is smoothed while the speed stays the same', () => {
  let wall = 0;
  const p = new Pacer(10, { wallNow: () => wall });
  wall += 300; p.sliceDone(0, 3_000_000, 300); // 10x
  wall += 300; p.sliceDone(3_000_000, 5_400_000, 300); // 8x in this slice
  assert.ok(Math.abs(p.rate - 9) < 1e-9, String(p.rate));
});

test.run();
