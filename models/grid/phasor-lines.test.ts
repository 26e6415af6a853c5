import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { powerOf, sumLines, wrapPhase } from './phasor-lines.ts';

test('wraps angles into (-pi, pi]', () => {
  assert.ok(Math.abs(wrapPhase(3 * Math.PI) - Math.PI) < 1e-12);
  assert.ok(Math.abs(wrapPhase(-Math.PI / 2 - 2 * Math.PI) + Math.PI / 2) < 1e-12);
});

test('adds lines of one order as phasors and cancels opposite ones', () => {
  const s = sumLines([[{ order: 1, rms: 3, phaseRad: 0 }], [{ order: 1, rms: 4, phaseRad: Math.PI / 2 }]]);
  assert.ok(Math.abs(s[0]!.rms - 5) < 1e-12);
  assert.equal(sumLines([[{ order: 2, rms: 1, phaseRad: 0 }], [{ order: 2, rms: 1, phaseRad: Math.PI }]]).length, 0);
});

test('counts power only between lines of the same order', () => {
  const p = powerOf(
    [{ order: 1, rms: 240, phaseRad: 0 }],
    [{ order: 1, rms: 10, phaseRad: -Math.PI / 3 }, { order: 3, rms: 5, phaseRad: 0 }],
  );
  assert.ok(Math.abs(p.watts - 1200) < 1e-9);
  assert.ok(Math.abs(p.vars - 2400 * Math.sin(Math.PI / 3)) < 1e-9);
});

test.run();
