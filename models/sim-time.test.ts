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

/**
 * Compile a comparison of two objects' time fields (the clock's heap order) while the times are small integers, then
 * compare two times past 2^31 and print whether the compiled code survived.
 */
const COMPARE_AFTER_LATE_TIME = `
  const less = new Function('a', 'b', 'return a.t < b.t;');
  const make = (t) => { const o = new Cls(); o.t = t; return o; };
  %PrepareFunctionForOptimization(less);
  for (let i = 0; i < 1000; i++) less(make(i), make(i + 1));
  %OptimizeFunctionOnNextCall(less); less(make(1), make(2));
  const optimized = (f) => (%GetOptimizationStatus(f) & 16) !== 0;
  if (!optimized(less)) throw new Error('the comparison was not optimized');
  less(make(2 ** 31 + 5), make(2 ** 31 + 9));
  console.log(optimized(less) ? 'kept' : 'discarded');`;

test('a field declared without an initializer cannot be made a double in the constructor (it holds undefined first)', () => {
  // TypeScript with ES2022 class fields emits \`t: number;\` as a field defined as undefined before the constructor runs.
  assert.is(inV8(`class Cls { t; constructor() { this.t = DOUBLE_FIELD; this.t = 0; } }${COMPARE_AFTER_LATE_TIME}`), 'discarded');
});

test('DOUBLE_FIELD as the field initializer keeps a comparison of times compiled past 2^31', () => {
  assert.is(inV8(`class Cls { t = DOUBLE_FIELD; constructor() { this.t = 0; } }${COMPARE_AFTER_LATE_TIME}`), 'kept');
});

test('no project source stores DOUBLE_FIELD in a constructor: it works only as the initializer', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const root = fileURLToPath(new URL('..', import.meta.url));
  const offenders: string[] = [];
  for (const dir of ['twin', 'models', 'hil-rig', 'cli', 'dashboard']) {
    for (const f of readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })) {
      if (!f.endsWith('.ts') || f.endsWith('.test.ts')) continue;
      const text = readFileSync(join(root, dir, f), 'utf8');
      if (/this\.[#\w]+\s*=\s*DOUBLE_FIELD/.test(text)) offenders.push(join(dir, f));
    }
  }
  assert.equal(offenders, []);
});

test('doubleArray gives an empty array of double elements', () => {
  assert.is(inV8(`const a = doubleArray(); a.push(3); console.log(a.length, %HasDoubleElements(a), %HasSmiElements([3]));`), '1 true true');
});

test.run();
