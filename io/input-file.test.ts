import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputFileError, readInputFile } from './input-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'osm-in-'));

function reason(fn: () => unknown): string {
  try { fn(); } catch (err) { assert.instance(err, InputFileError); return (err as InputFileError).reason; }
  throw new assert.Assertion({ message: 'expected an InputFileError' } as never);
}

test('reads a regular file whole', () => {
  writeFileSync(join(dir, 'a.yaml'), 'name: a\n');
  assert.is(readInputFile(join(dir, 'a.yaml'), 100).toString(), 'name: a\n');
});

test('a file over the limit is refused with the limit', () => {
  writeFileSync(join(dir, 'big'), Buffer.alloc(5000));
  assert.is(reason(() => readInputFile(join(dir, 'big'), 4096)), 'it is larger than 4 KB');
});

test('a device that never ends (/dev/zero) is read only up to the limit', () => {
  assert.is(reason(() => readInputFile('/dev/zero', 1 << 20)), 'it is larger than 1 MB');
});

test('a directory and a missing file are named as such', () => {
  assert.is(reason(() => readInputFile(dir, 100)), 'it is a directory');
  assert.is(reason(() => readInputFile(join(dir, 'none'), 100)), 'no such file');
});

test('a symlink loop is named as one, not by its error code', () => {
  symlinkSync(join(dir, 'loop-b'), join(dir, 'loop-a'));
  symlinkSync(join(dir, 'loop-a'), join(dir, 'loop-b'));
  assert.is(reason(() => readInputFile(join(dir, 'loop-a'), 100)), 'too many levels of symbolic links (a link loop?)');
});

test.after(() => { rmSync(dir, { recursive: true, force: true }); });

test.run();
