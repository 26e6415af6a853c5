// The suite at waveform level (--fidelity waveform): 8 kHz samples through the sample-level front end and the chip's
// ADC and DSP. It agrees with the phasor level where both model the same physics, and shows what only it models.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveFirmware } from '../../twin/profiles/profile.ts';
import { FIRMWARE_REGISTERS, impliedMeterConstant, nominalUnit } from './meter-unit.ts';
import { fullSuite, seedPoints, type SuiteSpec } from './points.ts';
import { OSM_RATINGS } from './ratings.ts';
import { phasorCannotModel, pointFidelity, runSuite, type BenchOptions } from './runner.ts';
import { parseWhatIf, whatIfUnit } from './what-if.ts';

const BENCH: BenchOptions = {
  meterConstant: impliedMeterConstant(nominalUnit().profile, FIRMWARE_REGISTERS, OSM_RATINGS), meterConstantSource: 'implied',
  defects: resolveFirmware({ profile: 'field', mode: 'sts' }).defects, firmwareLabel: 'field', judge: 'chip', gatePulses: 10, gateCalls: 20,
  billing: {}, noiseSeed: 7,
};
const WAVE: BenchOptions = { ...BENCH, fidelity: 'waveform' };

function only(kind: string): SuiteSpec {
  const s = fullSuite();
  return { ...s, points: s.points.filter((p) => p.kind === kind) };
}

test('the chip\'s CF error at the seed points agrees between the phasor and the waveform level within 0.05 %', async () => {
  const ph = await runSuite(nominalUnit(), seedPoints(), BENCH);
  const wv = await runSuite(nominalUnit(), seedPoints(), WAVE);
  assert.is(wv.fidelity, 'waveform');
  ph.points.forEach((p, i) => {
    const d = Math.abs(p.errorPercent! - wv.points[i].errorPercent!);
    assert.ok(d < 0.05, `${p.name}: phasor ${p.errorPercent}, waveform ${wv.points[i].errorPercent}`);
  });
  assert.ok(wv.pass);
});

test('a half-wave rectified current saturates the CT with its DC at waveform level (the phasor CT passes no DC)', async () => {
  const wv = await runSuite(nominalUnit(), only('dc'), WAVE);
  assert.ok(wv.points[0].shiftPercent! < -3, `shift ${wv.points[0].shiftPercent}`);
  assert.not.ok(wv.points[0].pass);
});

test('a phasor-level suite runs the DC test, which it cannot model, at the waveform level and never passes it for want of a model', async () => {
  const ph = await runSuite(nominalUnit(), only('dc'), BENCH);
  const wv = await runSuite(nominalUnit(), only('dc'), WAVE);
  assert.is(ph.fidelity, 'phasor');
  assert.is(ph.points[0].shiftPercent, wv.points[0].shiftPercent);
  assert.not.ok(ph.points[0].pass);
  assert.match(ph.points[0].notes.join(' '), /the phasor level cannot model this test \(the phasor CT passes no DC and does not saturate on it\); it ran at the waveform level/);
});

test('every point the phasor level cannot model is one of DC, and only those leave the phasor level', () => {
  for (const p of fullSuite().points) {
    assert.is(phasorCannotModel(p.condition) !== null, p.kind === 'dc', p.name);
    assert.is(pointFidelity(p, 'phasor'), p.kind === 'dc' ? 'waveform' : 'phasor', p.name);
    assert.is(pointFidelity(p, 'waveform'), 'waveform', p.name);
  }
});

test('at waveform level the 2000:1 CT with 30 ohm fails at Imax because the ADC clips I2P-I2N', async () => {
  const unit = whatIfUnit(parseWhatIf(['frontend.ct.ratio=2000', 'frontend.ct.burdenOhms=30']));
  const s = seedPoints();
  const r = await runSuite(unit, { ...s, points: s.points.filter((p) => p.name === 'Imax (80 A) PF 1') }, WAVE);
  assert.not.ok(r.points[0].pass);
  assert.match(r.points[0].reasons[0], /^clipping: the ADC clipped \d+ of \d+ samples on I2P-I2N \(range ±849 mV\)$/);
});

test('the waveform suite gives the same numbers for the same noise seed', async () => {
  const a = await runSuite(nominalUnit(), only('starting'), WAVE);
  const b = await runSuite(nominalUnit(), only('starting'), WAVE);
  assert.is(a.points[0].errorPercent, b.points[0].errorPercent);
});

test.run();
