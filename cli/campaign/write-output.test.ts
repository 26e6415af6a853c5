import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../command.ts';
import { checkOutputPath, writeOutput } from './write-output.ts';

const dir = mkdtempSync(join(tmpdir(), 'osm-write-'));

function refusal(path: string): string {
  try { checkOutputPath('--junit', path); } catch (err) {
    assert.instance(err, UsageError);
    return (err as Error).message;
  }
  return '';
}

test('a folder is refused with a clear message', () => {
  assert.is(refusal(dir), `--junit: '${dir}' is a folder (give a file name, e.g. ${join(dir, 'junit.xml')})`);
});

test('a file in a missing folder is refused', () => {
  assert.is(refusal(join(dir, 'missing', 'out.xml')), `--junit: cannot write '${join(dir, 'missing', 'out.xml')}': the folder '${join(dir, 'missing')}' does not exist`);
});

// Root writes anywhere: there is nothing to refuse, so the test is skipped (counted as skipped).
(process.getuid?.() === 0 ? test.skip : test)('a file in an unwritable folder is refused', () => {
  const ro = join(dir, 'ro');
  mkdirSync(ro);
  chmodSync(ro, 0o555);
  try {
    assert.match(refusal(join(ro, 'out.xml')), /the folder '.*ro' is not writable$/);
  } finally {
    chmodSync(ro, 0o755);
  }
});

test('a new file, an existing file and a device are accepted', () => {
  const existing = join(dir, 'old.xml');
  writeFileSync(existing, 'old');
  assert.is(refusal(join(dir, 'new.xml')), '');
  assert.is(refusal(existing), '');
  assert.is(refusal('/dev/null'), '');
});

test('writeOutput replaces a regular file whole and leaves no temporary file', () => {
  const path = join(dir, 'out.xml');
  writeFileSync(path, 'previous contents, longer than the new ones');
  writeOutput(path, '<x/>\n');
  assert.is(readFileSync(path, 'utf8'), '<x/>\n');
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});

test('writeOutput writes to a character device directly, without replacing it', () => {
  writeOutput('/dev/null', '<x/>\n');
  assert.ok(statSync('/dev/null').isCharacterDevice());
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
