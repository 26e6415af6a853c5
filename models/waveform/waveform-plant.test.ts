import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Plant } from '../plant.ts';
import { DEFAULT_BOARD_PROFILE, applyOverrides } from '../board-profile.ts';
import { WaveformPlant } from './waveform-plant.ts';
import { rmsOfSamples, toneAt } from './tone-analysis.ts';
import { CurrentLinesLoad } from './loads/current-lines.ts';

const FS = 8000;

/** Renders `seconds` and returns the last second's block copies. */
function settle(p: WaveformPlant, seconds: number): { V: Float64Array; IN: Float64Array; IL: Float64Array; first: number } {
  let b = p.render(8000);
  for (let s = 1; s < seconds; s++) b = p.render(8000);
  return { V: b.pins.V.slice(), IN: b.pins.IN.slice(), IL: b.pins.IL.slice(), first: b.firstSample };
}

test('gives the phasor plant\'s pin voltages for the same loads (within 1e-4 at 50 Hz)', () => {
  const loads = [{ id: 'heater', watts: 2000 }, { id: 'fan', kind: 'inductive' as const, watts: 300, pf: 0.6 }];
  const ph = new Plant({ loads }).pinPhasors();
  const w = settle(new WaveformPlant({ loads }), 4);
  const v = toneAt(w.V, 50, FS, w.first);
  const i = toneAt(w.IN, 50, FS, w.first);
  assert.ok(Math.abs(v.rms / ph.V[0].rms - 1) < 1e-4, `V ${v.rms} vs ${ph.V[0].rms}`);
  assert.ok(Math.abs(i.rms / ph.IN[0].rms - 1) < 1e-4, `IN ${i.rms} vs ${ph.IN[0].rms}`);
  assert.ok(Math.abs(v.phaseRad - i.phaseRad - (ph.V[0].phaseRad - ph.IN[0].phaseRad)) < 1e-5);
});

test('leaves IL empty while no shunt is fitted (I1P/I1N float on this board)', () => {
  assert.is(new WaveformPlant().render(160).pins.IL.length, 0);
});

test('drives IL through the shunt and the L filter when a shunt is fitted, as the phasor front end', () => {
  const profile = applyOverrides(DEFAULT_BOARD_PROFILE, { 'shunt.fitted': true });
  const loads = [{ id: 'heater', watts: 2400 }];
  const ph = new Plant({ loads, profile }).pinPhasors();
  const w = settle(new WaveformPlant({ loads, profile }), 2);
  assert.ok(Math.abs(toneAt(w.IL, 50, FS, w.first).rms / ph.IL[0].rms - 1) < 1e-4);
});

test('drops the pins to 0 in an outage and brings them back on restore', () => {
  const p = new WaveformPlant({ loads: [{ id: 'heater', watts: 2000 }] });
  p.render(800);
  p.applyGrid({ outage: true });
  p.render(160); // the filters' last charge drains within a sample or two
  const out = p.render(1600);
  assert.ok(rmsOfSamples(out.pins.V) < 1e-6 && rmsOfSamples(out.pins.IN) < 1e-5);
  p.applyGrid({ outage: false });
  assert.ok(rmsOfSamples(p.render(1600).pins.V) > 0.28);
});

test('takes a phase-locked phantom current and any number of loads, and removes them by id', () => {
  const p = new WaveformPlant();
  p.addLoad(new CurrentLinesLoad('phantom', [{ order: 1, rms: 10, phaseRad: 0 }]));
  p.setLoad({ id: 'kettle', kind: 'kettle', watts: 2000 });
  assert.equal(p.loads().map((l) => l.id), ['phantom', 'kettle']);
  p.removeLoad('kettle');
  const b = p.render(1600);
  assert.ok(Math.abs(rmsOfSamples(b.iLine) - 10) < 1e-9);
  assert.throws(() => p.removeLoad('kettle'), /no load 'kettle' to remove \(connected: phantom\)/);
});

test('refuses a block larger than its buffers, naming the limit', () => {
  assert.throws(() => new WaveformPlant({ maxBlock: 100 }).render(200), /a block must be 1 to 100 samples/);
});

test('rejects an unknown load kind with the phasor level\'s message', () => {
  assert.throws(() => new WaveformPlant().setLoad({ id: 'x', kind: 'toaster' as never, watts: 1 }), /unknown kind 'toaster'/);
});
test('a load reconnected by the relay contact starts from its cold state (a motor draws its inrush again)', () => {
  const p = new WaveformPlant({ loads: [{ id: 'm', kind: 'motor', watts: 1000 }] });
  const first = rmsOfSamples(p.render(160).iLine);
  for (let k = 0; k < 100; k++) p.render(160); // 2 s: the start is over
  const running = rmsOfSamples(p.render(160).iLine);
  assert.ok(first > 2 * running, `inrush ${first} A vs running ${running} A`);
  p.setContact(false);
  assert.is(rmsOfSamples(p.render(160).iLine), 0);
  p.setContact(true);
  const again = rmsOfSamples(p.render(160).iLine);
  assert.ok(Math.abs(again / first - 1) < 0.05, `reconnected ${again} A vs first start ${first} A`);
});

test('without supply at the terminals every sample is 0 V and 0 A', () => {
  const p = new WaveformPlant({ loads: [{ id: 'h', amps: 10 }] });
  p.setSupplied(false);
  const b = p.render(160);
  assert.equal([rmsOfSamples(b.vLine), rmsOfSamples(b.iLine)], [0, 0]);
});

test.run();
