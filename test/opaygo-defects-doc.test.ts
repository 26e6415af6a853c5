// docs/defects.md lists every knob D1..D48 with its place in the code, its field symptom, how to switch it, and the
// tests that show it; every test it names exists, so the catalogue cannot drift from the code.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFECTS } from '../twin/profiles/defects.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const doc = readFileSync(join(root, 'docs/defects.md'), 'utf8');

/** The section of each knob, whitespace folded to single spaces. */
function sections(): Map<string, string> {
  const out = new Map<string, string>();
  const parts = doc.split(/^### /m).slice(1);
  for (const p of parts) {
    const id = /^(D\d+):/.exec(p)?.[1];
    if (!id) continue;
    assert.not.ok(out.has(id), `${id} has two sections`);
    out.set(id, p.split(/^-{20,}$/m)[0].replace(/\s+/g, ' '));
  }
  return out;
}

test('docs/defects.md has one section for each of the 48 knobs, in order', () => {
  const ids = [...sections().keys()];
  assert.equal(ids, DEFECTS.map((d) => d.id));
});

for (const d of DEFECTS) {
  test(`${d.id}: the catalogue gives its place in the code, symptom, switch and tests`, () => {
    const s = sections().get(d.id)!;
    assert.ok(s.includes(`Where: ${d.where}.`), `${d.id}: Where: ${d.where}`);
    assert.ok(s.includes(`Reach: ${d.reach === '(menu)' ? 'factory menu' : d.reach === '(build)' ? 'build' : d.reach.replace('M1+A', 'M1 + `A`')}.`), `${d.id}: reach ${d.reach}`);
    for (const field of ['- Field symptom:', '- Switch:', '- Twin:']) assert.ok(s.includes(field), `${d.id}: ${field}`);
    const refs = [...s.matchAll(/`([\w/.-]+\.test\.ts)` — "((?:[^"\\]|\\.)*)"/g)];
    assert.ok(refs.length >= 2, `${d.id}: at least one test with the defect and one with it fixed`);
    for (const [, file, title] of refs) {
      const path = join(root, file);
      assert.ok(existsSync(path), `${d.id}: ${file} does not exist`);
      const source = readFileSync(path, 'utf8').replace(/\\(['"`])/g, '$1').replace(/\s+/g, ' ');
      assert.ok(source.includes(title.replace(/\\"/g, '"')), `${d.id}: no test "${title}" in ${file}`);
    }
    for (const [, yaml] of s.matchAll(/`(scenarios\/library\/[\w/.-]+\.yaml)`/g)) {
      assert.ok(existsSync(join(root, yaml)), `${d.id}: ${yaml} does not exist`);
    }
  });
}

test('knobs the twin cannot fully reproduce say so, with the reason', () => {
  const s = sections();
  for (const id of ['D33', 'D35']) assert.match(s.get(id)!, /Not reproduced: .*\[UNDET\]/);
});

test.run();
