import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandInputs, isSingleFile, scenarioFilesOfMatches, type MatchLister } from './inputs.ts';

const dir = mkdtempSync(join(tmpdir(), 'osm-inputs-'));
for (const f of ['lib/b.yaml', 'lib/a.yaml', 'lib/README.md', 'lib/sub/c.yml', 'empty/.keep', 'other/x.txt']) {
  mkdirSync(join(dir, f, '..'), { recursive: true });
  writeFileSync(join(dir, f), '');
}

test('a folder gives every scenario file below it, sub-folders included, in sorted order', () => {
  assert.equal(expandInputs([join(dir, 'lib')]), [
    { file: join(dir, 'lib/a.yaml') }, { file: join(dir, 'lib/b.yaml') }, { file: join(dir, 'lib/sub/c.yml') },
  ]);
});

test('arguments keep their order and a file named twice runs once', () => {
  const out = expandInputs([join(dir, 'lib/b.yaml'), join(dir, 'lib'), `${dir}/lib/a.yaml`]);
  assert.equal(out, [{ file: join(dir, 'lib/b.yaml') }, { file: join(dir, 'lib/a.yaml') }, { file: join(dir, 'lib/sub/c.yml') }]);
});

test('a pattern expands in sorted order to scenario files only', () => {
  assert.equal(expandInputs([`${dir}/lib/*`]), [{ file: join(dir, 'lib/a.yaml') }, { file: join(dir, 'lib/b.yaml') }, { file: join(dir, 'lib/sub/c.yml') }]);
});

test('a missing file, an empty folder and a pattern matching nothing are problems in their place', () => {
  const out = expandInputs([join(dir, 'missing.yaml'), join(dir, 'lib/a.yaml'), join(dir, 'empty'), `${dir}/none/*.yaml`]);
  assert.equal(out.map((e) => ('file' in e ? 'file' : e.problem.message)), [
    'cannot read the scenario: no such file or folder',
    'file',
    'no scenario files (*.yaml, *.yml) in this folder',
    'no scenario file (*.yaml, *.yml) matches this pattern',
  ]);
});

test('a symlink loop among the arguments is a problem that says so, not a missing file', () => {
  symlinkSync(join(dir, 'loop-b.yaml'), join(dir, 'loop-a.yaml'));
  symlinkSync(join(dir, 'loop-a.yaml'), join(dir, 'loop-b.yaml'));
  const out = expandInputs([join(dir, 'loop-a.yaml')]);
  assert.equal(out.map((e) => ('file' in e ? 'file' : e.problem.message)), ['cannot read the scenario: too many levels of symbolic links (a link loop?)']);
});

test('a file named explicitly is taken whatever its extension (the loader judges it)', () => {
  assert.equal(expandInputs([join(dir, 'other/x.txt')]), [{ file: join(dir, 'other/x.txt') }]);
});

test('isSingleFile is true for an existing file only', () => {
  assert.ok(isSingleFile(join(dir, 'lib/a.yaml')));
  assert.not.ok(isSingleFile(join(dir, 'lib')));
  assert.not.ok(isSingleFile(join(dir, 'nope.yaml')));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('a pattern matching a folder of 250k scenario files collects them all, sorted, without overflowing the stack', () => {
  const big = Array.from({ length: 250_000 }, (_, i) => `big/s${String(249_999 - i).padStart(6, '0')}.yaml`);
  const fake: MatchLister = {
    kind: (p) => (p === 'big' ? 'folder' : p.endsWith('.yaml') || p.endsWith('.txt') ? 'file' : undefined),
    filesIn: (d) => (d === 'big' ? big : []),
  };
  const found = scenarioFilesOfMatches(['big', 'a.yaml', 'notes.txt', 'gone'], fake);
  assert.is(found.length, 250_001);
  assert.is(found[0], 'a.yaml');
  assert.is(found[1], 'big/s000000.yaml');
  assert.is(found[found.length - 1], 'big/s249999.yaml');
});

test.run();
