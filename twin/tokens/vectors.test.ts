import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VectorsError, describeMismatch, loadVectorsFile, parseVectors, runVectors, validateVectors } from './vectors.ts';

// The sample vectors shipped with the reference. A missing file makes these tests fail (loadVectorsFile throws).
const SAMPLE = fileURLToPath(new URL('./vectors/openpaygo-sample-vectors.json', import.meta.url));
const sampleJson = (): unknown[] => JSON.parse(readFileSync(SAMPLE, 'utf8')) as unknown[];

test('passes all 32 steps of openpaygo-sample-vectors.json under the spec decoder', () => {
  const report = runVectors(loadVectorsFile(SAMPLE), 'spec');
  assert.is(report.steps.length, 32);
  assert.ok(report.pass, report.steps.filter((s) => !s.pass).map(describeMismatch).join('\n'));
});

test('passes all 32 steps of openpaygo-sample-vectors.json under the shipped decoder (firmware_c where given)', () => {
  const report = runVectors(loadVectorsFile(SAMPLE), 'shipped');
  assert.is(report.steps.length, 32);
  assert.ok(report.pass, report.steps.filter((s) => !s.pass).map(describeMismatch).join('\n'));
  assert.ok(report.steps.some((s) => s.source === 'firmware_c'));
});

test('uses firmware_c only under shipped: the spec decoder fails a file whose expected is the C answer', () => {
  const data = sampleJson() as Array<{ steps: Array<{ expected: unknown; firmware_c?: unknown }> }>;
  for (const sc of data) for (const st of sc.steps) if (st.firmware_c) st.expected = st.firmware_c;
  const scenarios = validateVectors(data);
  assert.not.ok(runVectors(scenarios, 'spec').pass);
  assert.ok(runVectors(scenarios, 'shipped').pass);
});

test('reports one wrong expectation as a failing step naming its scenario and step index', () => {
  const data = sampleJson() as Array<{ name: string; steps: Array<{ expected: { value: number } }> }>;
  data[1]!.steps[3]!.expected.value = 28; // 927706818 is value 29
  const report = runVectors(validateVectors(data), 'spec');
  assert.not.ok(report.pass);
  assert.is(report.failed, 1);
  const bad = report.steps.find((s) => !s.pass)!;
  assert.equal([bad.scenario, bad.step, bad.token, bad.expected.value, bad.got.value], ['example_guide_quick_test', 3, '927706818', 28, 29]);
  assert.match(describeMismatch(bad), /scenario "example_guide_quick_test" step 3 \(token 927706818\)/);
  assert.equal(report.scenarios.map((s) => s.pass), [true, false, true, true]);
});

test('names the path of a bad field: a string where an integer belongs', () => {
  const data = sampleJson() as Array<{ steps: Array<{ expected: Record<string, unknown> }> }>;
  data[2]!.steps[1]!.expected['used_counts_after'] = '2';
  try {
    validateVectors(data, 'v.json');
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.instance(err, VectorsError);
    assert.is((err as VectorsError).path, '[2].steps[1].expected.used_counts_after');
    assert.match((err as Error).message, /^v\.json at \[2\]\.steps\[1\]\.expected\.used_counts_after: must be an integer 0\.\.65535, got "2"/);
  }
});

test('names a missing field, a bad key, a bad token and a wrong top level', () => {
  const base = (): Array<Record<string, unknown>> => sampleJson() as Array<Record<string, unknown>>;
  const d1 = base(); delete d1[0]!['starting_code'];
  assert.throws(() => validateVectors(d1), /at \[0\]\.starting_code: missing/);
  const d2 = base(); d2[3]!['secret_key'] = 'xyz';
  assert.throws(() => validateVectors(d2), /at \[3\]\.secret_key: secret key must be 32 hex characters/);
  const d3 = base(); (d3[0]!['steps'] as Array<Record<string, unknown>>)[0]!['token'] = '28792387a';
  assert.throws(() => validateVectors(d3), /at \[0\]\.steps\[0\]\.token: must contain only the digits/);
  const d4 = base(); (d4[2]!['steps'] as Array<Record<string, unknown>>)[0]!['token'] = '123456789';
  assert.throws(() => validateVectors(d4), /at \[2\]\.steps\[0\]\.token: must have 15 digits/);
  assert.throws(() => validateVectors({ scenarios: [] }), /top level must be a list of scenarios, got an object/);
  assert.throws(() => validateVectors([]), /list of scenarios is empty/);
});

test('refuses text that is not JSON, and a missing file, with the file named', () => {
  assert.throws(() => parseVectors('[{', 'broken.json'), /^broken\.json: not valid JSON/);
  assert.throws(() => loadVectorsFile('/nonexistent/vectors.json'), /^\/nonexistent\/vectors\.json: file not found$/);
});

test('a vectors file that is a symlink loop is named as one, not by its error code', async () => {
  const { mkdtempSync, rmSync, symlinkSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const d = mkdtempSync(join(tmpdir(), 'osm-vectors-'));
  symlinkSync(join(d, 'b.json'), join(d, 'a.json'));
  symlinkSync(join(d, 'a.json'), join(d, 'b.json'));
  try {
    assert.throws(() => loadVectorsFile(join(d, 'a.json')), /a\.json: too many levels of symbolic links \(a link loop\?\)$/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('carries the decoder state from step to step (a replay depends on the earlier steps)', () => {
  const data = sampleJson() as Array<{ steps: unknown[] }>;
  const only = data[1]!;
  only.steps = [only.steps[2]]; // "same token again" alone: on a fresh state it is accepted, so -2 is wrong
  const report = runVectors(validateVectors([only]), 'spec');
  assert.is(report.steps[0]!.got.value, 1);
  assert.not.ok(report.pass);
});

test.run();
