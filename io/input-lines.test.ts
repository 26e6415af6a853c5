import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Rng } from '../twin/kernel/rng.ts';
import { splitLines } from '../scenarios/field-log.ts';
import { linesOf, openLineInput, type InputLine } from './input-lines.ts';
import { InputFileError } from './input-file.ts';
import { scratchDir } from '../test/support/scratch.ts';

async function all(it: AsyncIterable<InputLine>): Promise<InputLine[]> {
  const out: InputLine[] = [];
  for await (const l of it) out.push(l);
  return out;
}

/** `text` in chunks of random sizes, as a pipe delivers it. */
function chunked(text: string, rng: Rng): AsyncIterable<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < text.length;) { const n = rng.int(1, 40); parts.push(Buffer.from(text.slice(i, i + n), 'latin1')); i += n; }
  return Readable.from(parts);
}

test('read in chunks of any size, the lines are those of the whole text split at its line feeds', async () => {
  const rng = new Rng(5);
  for (const text of ['', 'a', 'a\n', 'a\n\n', '\n', 'ab\r\ncd\nlast', '[  1.000000] CREDIT : 1.00\n[  2.0] x\n\n\n[3] y\n', 'x\ny\n'.repeat(50)]) {
    for (let k = 0; k < 20; k++) {
      assert.equal((await all(linesOf(chunked(text, rng), 1000))).map((l) => l.text), splitLines(text), JSON.stringify(text));
    }
  }
});

test('a line longer than the limit is given cut, once, the rest of it only counted, and the lines after it follow', async () => {
  const rng = new Rng(6);
  const text = `first\n${'z'.repeat(95)}\nafter\n${'y'.repeat(30)}`;
  const got = await all(linesOf(chunked(text, rng), 10));
  assert.equal(got.filter((l) => l.skippedChars === undefined), [{ text: 'first' }, { text: 'zzzzzzzzzz', tooLong: true }, { text: 'after' }, { text: 'yyyyyyyyyy', tooLong: true }]);
  assert.is(got.reduce((n, l) => n + (l.skippedChars ?? 0), 0), 85 + 20);
});

test('bytes are read one character each (Latin-1): a noise byte is never split or merged with the next', async () => {
  const bytes = Buffer.from([0x41, 0xff, 0xc3, 0x0a, 0xe2, 0x82, 0x0a]);
  assert.equal((await all(linesOf(Readable.from([bytes.subarray(0, 3), bytes.subarray(3)]), 100))).map((l) => l.text), ['A\xff\xc3', '\xe2\x82']);
});

test('a regular file can be read twice, standard input once; a directory and a missing file are refused when opened', async () => {
  const d = scratchDir('osm-lines-');
  const f = join(d, 'log.txt');
  writeFileSync(f, 'one\ntwo\n');
  const file = openLineInput(f, 100);
  assert.ok(file.rereadable);
  assert.equal((await all(file.lines())).map((l) => l.text), ['one', 'two']);
  assert.equal((await all(file.lines())).map((l) => l.text), ['one', 'two']);
  const stdin = openLineInput('-', 100, Readable.from([Buffer.from('a\nb')]));
  assert.not.ok(stdin.rereadable);
  assert.equal((await all(stdin.lines())).map((l) => l.text), ['a', 'b']);
  mkdirSync(join(d, 'dir'));
  assert.throws(() => openLineInput(join(d, 'dir'), 100), (e: Error) => e instanceof InputFileError && /it is a directory/.test(e.message));
  assert.throws(() => openLineInput(join(d, 'none'), 100), (e: Error) => e instanceof InputFileError && /no such file/.test(e.message));
});

test.run();
