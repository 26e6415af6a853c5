import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmsOfSamples, toneAt } from '../tone-analysis.ts';
import { MotorLoad } from './motor.ts';
import { runCycles, cyclePower, FS } from '../../../test/support/load-cycles.ts';

const run = runCycles;
const power = cyclePower;

test('starts with 5 to 7 times its running current for most of its 0.5 s start', () => {
  const m = new MotorLoad({ id: 'fridge', kind: 'motor', watts: 150, pf: 0.7 }, { vrms: 240, hz: 50 }, FS);
  const cycles = run(m, 60);
  const running = rmsOfSamples(cycles[59].i);
  const early = rmsOfSamples(cycles[2].i) / running;
  const late = rmsOfSamples(cycles[17].i) / running;
  assert.ok(early >= 5 && early <= 7, `inrush ${early}`);
  assert.ok(late >= 4, `still starting at 350 ms: ${late}`);
  assert.ok(m.running);
});

test('runs at the phasor level\'s power and lagging PF 0.7', () => {
  const cycles = run(new MotorLoad({ id: 'fridge', kind: 'motor', watts: 150, pf: 0.7 }, { vrms: 240, hz: 50 }, FS), 60);
  const c = cycles[59];
  assert.ok(Math.abs(power(c) / 150 - 1) < 1e-3, `${power(c)} W`);
  const lag = toneAt(c.v, 50, FS).phaseRad - toneAt(c.i, 50, FS).phaseRad;
  assert.ok(Math.abs(Math.cos(lag) - 0.7) < 1e-3 && lag > 0);
});

test('starts at the locked-rotor PF asked for', () => {
  const cycles = run(new MotorLoad({ id: 'm', kind: 'motor', watts: 500, pf: 0.8 }, { vrms: 240, hz: 50 }, FS, { lockedRotorPf: 0.35 }), 4);
  const lag = toneAt(cycles[3].v, 50, FS).phaseRad - toneAt(cycles[3].i, 50, FS).phaseRad;
  assert.ok(Math.abs(Math.cos(lag) - 0.35) < 0.01, `${Math.cos(lag)}`);
});

test('rejects a locked-rotor PF of 0 with a message naming it', () => {
  assert.throws(() => new MotorLoad({ id: 'm', kind: 'motor', watts: 500 }, { vrms: 240, hz: 50 }, FS, { lockedRotorPf: 0 }), /lockedRotorPf/);
});
test.run();
