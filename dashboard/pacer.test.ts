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

test('a factor the simulation cannot keep up with runs as fast as it can, and the rate says what it reaches, not the factor', () => {
  let wall = 0;
  const p = new Pacer(3600, { wallNow: () => wall });
  let t = 0;
  // a simulation that costs 2 wall ms per virtual second: it can reach 500x at most
  for (let k = 0; k < 300; k++) {
    const to = p.target(t);
    const ms = ((to - t) / 1e6) * 2;
    wall += ms;
    p.sliceDone(t, to, ms);
    t = to;
    wall += p.waitMs();
  }
  assert.is(p.speed, 3600);
  assert.ok(p.rate > 400 && p.rate <= 500, `rate ${p.rate.toFixed(1)}x`);
  assert.ok(t / 1000 / wall > 400, `the meter ran at ${(t / 1000 / wall).toFixed(0)}x over the whole run, as fast as it can`);
});

test.run();
