import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmsOfSamples } from '../tone-analysis.ts';
import { LampLoad } from './lamp.ts';
import { runCycles, cyclePower, FS } from '../../../test/support/load-cycles.ts';

const run = runCycles;
const power = cyclePower;

test('draws about 14 times its rated current at the first sample, from a cold filament (1/14 of its hot resistance)', () => {
  const [first] = run(new LampLoad({ id: 'lamp', watts: 60 }, { vrms: 240, hz: 50 }), 1);
  const ratedPeak = (Math.SQRT2 * 60) / 240;
  assert.ok(first.i[0] / ratedPeak > 12 && first.i[0] / ratedPeak < 15, `${first.i[0] / ratedPeak}`);
});

test('settles within 10 % of its rated current about 100 ms after switch-on, and at it after 300 ms', () => {
  const cycles = run(new LampLoad({ id: 'lamp', watts: 100 }, { vrms: 240, hz: 50 }), 15);
  const rated = 100 / 240;
  const ratio = cycles.map((c) => rmsOfSamples(c.i) / rated);
  assert.ok(ratio[0] > 3, `first cycle ${ratio[0]}`);
  assert.ok(ratio[5] < 1.1 && ratio[3] > 1.1, `cycles 4 and 6: ${ratio[3]}, ${ratio[5]}`);
  assert.ok(Math.abs(ratio[14] - 1) < 0.01, `after 300 ms ${ratio[14]}`);
});

test('settles at the phasor level\'s power when hot', () => {
  const cycles = run(new LampLoad({ id: 'lamp', watts: 60 }, { vrms: 240, hz: 50 }), 50);
  assert.ok(Math.abs(power(cycles[49]) / 60 - 1) < 0.002);
});

test('rejects a hot temperature below ambient with a message naming it', () => {
  assert.throws(() => new LampLoad({ id: 'lamp', watts: 60 }, { vrms: 240, hz: 50 }, { hotKelvin: 200 }), /hotKelvin/);
});
test.run();
