// The double-field helpers, checked against V8 itself (a child process with its natives syntax): code compiled for an
// object whose time field started as a double survives a time past 2^30; for one that started as a small integer, not.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SIM_TIME = fileURLToPath(new URL('./sim-time.ts', import.meta.url));

/** Run `body` (ESM, with `DOUBLE_FIELD`, `doubleArray` and `keepAsDoubles` in scope) and return what it prints. */
function inV8(body: string): string {
  const script = `import { DOUBLE_FIELD, doubleArray, keepAsDoubles } from ${JSON.stringify(SIM_TIME)};\n${body}`;
  return execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' }).trim();
}

/**
 * Compile a reader of `Cls`'s time field with the optimizing compiler, store a time past 2^30 in another object of the
 * class, and print whether the compiled reader survived (V8 discards code that relied on the field's representation).
 */
const READER_AFTER_LATE_TIME = `
  const read = new Function('o', 'return o.t + 1;');
  const a = new Cls(); const b = new Cls();
  %PrepareFunctionForOptimization(read); read(a); read(a); %OptimizeFunctionOnNextCall(read); read(a);
  const optimized = (f) => (%GetOptimizationStatus(f) & 16) !== 0;
  if (!optimized(read)) throw new Error('the reader was not optimized');
  b.t = 1073741824 + 5;
  console.log(optimized(read) ? 'kept' : 'discarded');`;

test('code reading a field that started as a small integer is discarded at 2^30 (what the helpers avoid)', () => {
  assert.is(inV8(`class Cls { t = 0; }${READER_AFTER_LATE_TIME}`), 'discarded');
});

test('code reading a field first given DOUBLE_FIELD survives a time past 2^30', () => {
  assert.is(inV8(`class Cls { t = DOUBLE_FIELD; constructor() { this.t = 0; } }${READER_AFTER_LATE_TIME}`), 'kept');
});

test('keepAsDoubles keeps the values of the fields it is given, and code reading them survives a time past 2^30', () => {
  assert.is(inV8(`class Cls { t = 0; n = -1; constructor() { keepAsDoubles(this, ['t', 'n']); } }
    console.log(JSON.stringify(new Cls()));${READER_AFTER_LATE_TIME}`), '{"t":0,"n":-1}\nkept');
});

test('doubleArray gives an empty array of double elements', () => {
  assert.is(inV8(`const a = doubleArray(); a.push(3); console.log(a.length, %HasDoubleElements(a), %HasSmiElements([3]));`), '1 true true');
});

test.run();
