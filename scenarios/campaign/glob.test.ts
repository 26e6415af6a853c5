import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GlobError, expandGlob, isPattern, segmentRegex } from './glob.ts';

const dir = mkdtempSync(join(tmpdir(), 'osm-glob-'));
for (const f of ['b.yaml', 'a.yaml', 'c.yml', 'notes.md', '.hidden.yaml', 'sub/z.yaml', 'sub/deep/y.yaml', 'sub/deep/x.txt']) {
  mkdirSync(join(dir, f, '..'), { recursive: true });
  writeFileSync(join(dir, f), '');
}

test('a star matches within one segment, in sorted order, not hidden files', () => {
  assert.equal(expandGlob(`${dir}/*.yaml`), [`${dir}/a.yaml`, `${dir}/b.yaml`]);
});

test('a double star matches any number of folders, none included', () => {
  assert.equal(expandGlob(`${dir}/**/*.yaml`), [`${dir}/a.yaml`, `${dir}/b.yaml`, `${dir}/sub/deep/y.yaml`, `${dir}/sub/z.yaml`]);
});

test('braces, classes and question marks match as in a shell', () => {
  assert.equal(expandGlob(`${dir}/*.{yaml,yml}`), [`${dir}/a.yaml`, `${dir}/b.yaml`, `${dir}/c.yml`]);
  assert.equal(expandGlob(`${dir}/[!a].yaml`), [`${dir}/b.yaml`]);
  assert.equal(expandGlob(`${dir}/?.yml`), [`${dir}/c.yml`]);
});

test('a dot at the start of a segment matches hidden files', () => {
  assert.equal(expandGlob(`${dir}/.*.yaml`), [`${dir}/.hidden.yaml`]);
});

test('a pattern that matches nothing gives an empty list', () => {
  assert.equal(expandGlob(`${dir}/nope/*.yaml`), []);
});

test('an unclosed brace is a GlobError', () => {
  assert.throws(() => segmentRegex('{a,b'), (e: unknown) => e instanceof GlobError && /unclosed/.test((e as Error).message));
});

test('isPattern sees pattern characters but not escaped ones', () => {
  assert.ok(isPattern('a/*.yaml'));
  assert.ok(isPattern('a/{b,c}.yaml'));
  assert.not.ok(isPattern('a/b.yaml'));
  assert.not.ok(isPattern('a/\\*.yaml'));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
