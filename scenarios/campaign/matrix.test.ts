import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseScenario } from '../loader.ts';
import { MatrixError, applyCell, matrixCells, matrixNotes, parseFixes, parseProfiles, parseSeeds } from './matrix.ts';
import type { ProfileName } from '../../twin/profiles/profile.ts';
import type { DefectId } from '../../twin/profiles/defects.ts';

const scenario = (meter: string) => parseScenario(`name: s\nversion: 1\nmeter: ${meter}\nsteps:\n  - delay: 1s\n`, 's.yaml');

test('--seeds takes ranges and lists, mixed', () => {
  assert.equal(parseSeeds('1..4'), [1, 2, 3, 4]);
  assert.equal(parseSeeds('1,5,9'), [1, 5, 9]);
  assert.equal(parseSeeds('1..3,10'), [1, 2, 3, 10]);
});

test('--seeds refuses an empty range, a repeat, a non-number and a huge range', () => {
  for (const [text, re] of [['5..1', /empty/], ['1,1', /twice/], ['x', /not a whole number/], ['1..9999999', /more than/], ['4294967296', /out of range/]] as const) {
    assert.throws(() => parseSeeds(text), (e: unknown) => e instanceof MatrixError && re.test((e as Error).message), text);
  }
});

test('--profiles takes known profiles and suggests a near one', () => {
  assert.equal(parseProfiles('field,fixed'), ['field', 'fixed']);
  assert.throws(() => parseProfiles('field,fxed'), /unknown profile 'fxed'.*did you mean 'fixed'/);
});

test('--fix splits cells on commas and joins knobs with +, repeatable', () => {
  assert.equal(parseFixes(['D11,d14', 'D11+D14']), [['D11'], ['D14'], ['D11', 'D14']]);
  assert.throws(() => parseFixes(['D49']), /unknown defect knob 'D49'/);
  assert.throws(() => parseFixes(['D11', 'd11']), /given twice/);
});

test('the cells multiply the axes, and the fix axis starts with the build without the fix', () => {
  const cells = matrixCells({ profiles: ['shipped', 'field'], fixes: [['D14']], seeds: [1, 2] });
  assert.equal(cells.map((c) => c.label), [
    'shipped seed 1', 'shipped seed 2', 'shipped fix D14 seed 1', 'shipped fix D14 seed 2',
    'field seed 1', 'field seed 2', 'field fix D14 seed 1', 'field fix D14 seed 2',
  ]);
  assert.equal(matrixCells({ fixes: [['D11']] }).map((c) => c.label), ['as written', 'fix D11']);
  assert.equal(matrixNotes({ profiles: ['shipped', 'field'], fixes: [['D14']] }), []);
});

test('a knob on the fixed build makes no cell (it would run the fixed cell again) and a note says so', () => {
  const axes = { profiles: ['field', 'fixed'] as ProfileName[], fixes: [['D14'], ['D11', 'D14']] as DefectId[][], seeds: [1] };
  assert.equal(matrixCells(axes).map((c) => c.label), ['field seed 1', 'field fix D14 seed 1', 'field fix D11+D14 seed 1', 'fixed seed 1']);
  assert.equal(matrixNotes(axes), ['--fix D14, D11+D14 on the fixed build: no cell of its own (the fixed build has every defect corrected, so it is the fixed cell)']);
});

test('a profile cell replaces the firmware a scenario names, keeps its boot mode, and says so', () => {
  const s = scenario('{ firmware: { profile: field, fix: [D11] }, mode: opaygo-energy }');
  const r = applyCell(s, { label: 'fixed', profile: 'fixed', fix: [] });
  assert.equal(r.scenario.meter.firmware, { profile: 'fixed', mode: 'opaygo-energy' });
  assert.is(r.scenario.meter.build.defects.size, 0);
  assert.is(r.scenario.meter.build.mode, 'opaygo-energy');
  assert.equal(r.override, { scenario: 'field+D11', cell: 'fixed' });
  assert.equal(s.meter.firmware.fix, ['D11'], 'the loaded scenario is not changed');
});

test('a cell equal to the scenario\'s own firmware is no override', () => {
  const r = applyCell(scenario('{ firmware: field }'), { label: 'field', profile: 'field', fix: [] });
  assert.is(r.override, undefined);
  assert.ok(r.scenario.meter.build.defects.has('D14'));
});

test('a fix cell corrects its knobs on top of the scenario\'s firmware', () => {
  const r = applyCell(scenario('{ firmware: field }'), { label: 'fix D14', fix: ['D14'] });
  assert.not.ok(r.scenario.meter.build.defects.has('D14'));
  assert.ok(r.scenario.meter.build.defects.has('D11'));
  assert.equal(r.override, { scenario: 'field', cell: 'field+D14' });
});

test('a fix cell takes its knob out of a scenario\'s defects list', () => {
  const r = applyCell(scenario('{ firmware: { profile: fixed, defects: [D26, D14] } }'), { label: 'fix D14', fix: ['D14'] });
  assert.equal([...r.scenario.meter.build.defects], ['D26']);
});

test.run();
