import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceBus } from '../twin/kernel/trace.ts';
import { FakeBench } from '../test/support/fake-bench.ts';
import { parseScenario } from './loader.ts';
import { runScenario } from './runner.ts';
import { TraceRecorder, type TraceSink } from './trace-recorder.ts';

const SCENARIO = parseScenario([
  'name: trace', 'version: 1', 'steps:',
  '  - set-load: { id: heater, watts: 2000 }', '  - delay: 20s', '  - grid: { vrms: 200, for: 5s }',
  '  - press-keys: "*12#"', '  - delay: 10s', '  - expect: { relay: closed }',
].join('\n'), 'trace.yaml');

const dir = mkdtempSync(join(tmpdir(), 'osm-trace-'));

async function record(seed: number, name: string): Promise<string> {
  const path = join(dir, name);
  const bench = new FakeBench({ seed });
  const rec = TraceRecorder.toFile(bench.trace, path, { flushChars: 512 });
  await runScenario(SCENARIO, bench, { seed });
  rec.close();
  return readFileSync(path, 'utf8');
}

test('the same scenario and seed give a byte-identical trace', async () => {
  const a = await record(7, 'a.jsonl');
  const b = await record(7, 'b.jsonl');
  assert.ok(a.length > 1000, `trace too short: ${a.length}`);
  assert.is(a, b);
});

test('a different seed gives a different trace', async () => {
  const a = await record(7, 'c.jsonl');
  const b = await record(8, 'd.jsonl');
  assert.is.not(a, b);
});

test('writes one JSON object per line with keys t, source, kind, data in that order', async () => {
  const text = await record(3, 'e.jsonl');
  const lines = text.split('\n');
  assert.is(lines.pop(), '');
  for (const line of lines) {
    const obj = JSON.parse(line) as Record<string, unknown>;
    assert.equal(Object.keys(obj), ['t', 'source', 'kind', 'data']);
  }
  assert.ok(lines.some((l) => l.includes('"source":"scenario","kind":"step"')));
});

test('the file appears under its name only on close, and nothing else is left in its folder', async () => {
  const sub = mkdtempSync(join(dir, 'f-'));
  const path = join(sub, 'f.jsonl');
  const bus = new TraceBus(() => 5);
  const rec = TraceRecorder.toFile(bus, path, { flushChars: 1 });
  bus.emit('bench', 'x', { a: 1 });
  assert.not.ok(existsSync(path));
  rec.close();
  assert.equal(readdirSync(sub), ['f.jsonl']);
  assert.is(readFileSync(path, 'utf8'), '{"t":5,"source":"bench","kind":"x","data":{"a":1}}\n');
});

test('abort leaves no file behind', () => {
  const sub = mkdtempSync(join(dir, 'g-'));
  const path = join(sub, 'g.jsonl');
  const bus = new TraceBus(() => 0);
  const rec = TraceRecorder.toFile(bus, path, { flushChars: 1 });
  bus.emit('bench', 'x', 1);
  rec.abort();
  assert.equal(readdirSync(sub), []);
});

test('buffers events and hands them to the sink in chunks', () => {
  const chunks: string[] = [];
  const sink: TraceSink = { write: (c) => { chunks.push(c); }, close: () => {} };
  const bus = new TraceBus(() => 0);
  const rec = new TraceRecorder(bus, sink, { flushChars: 100 });
  for (let i = 0; i < 10; i++) bus.emit('bench', 'tick', i);
  assert.ok(chunks.length >= 2 && chunks.length < 10, `chunks: ${chunks.length}`);
  rec.close();
  assert.is(chunks.join('').split('\n').length - 1, 10);
  assert.is(rec.events, 10);
});

test('stops recording after close', () => {
  const chunks: string[] = [];
  const bus = new TraceBus(() => 0);
  const rec = new TraceRecorder(bus, { write: (c) => { chunks.push(c); }, close: () => {} });
  bus.emit('a', 'b', 1);
  rec.close();
  bus.emit('a', 'b', 2);
  assert.is(chunks.join(''), '{"t":0,"source":"a","kind":"b","data":1}\n');
});

test('a write that fails mid-run throws its own error once, and close() afterwards adds none', () => {
  const bus = new TraceBus(() => 0);
  let writes = 0;
  const sink: TraceSink = {
    // As io/output-file.ts's stream: the first failure gives up the file; a later write is a programming error.
    write: () => { writes++; throw new Error(writes === 1 ? 'no space left on the device' : 'write after the output was closed'); },
    close: () => { throw new Error('closed after a failed write'); },
  };
  const rec = new TraceRecorder(bus, sink, { flushChars: 1 });
  assert.throws(() => bus.emit('bench', 'x', 1), /no space left/);
  bus.emit('bench', 'x', 2);
  rec.close();
  rec.abort();
  assert.is(writes, 1);
});

test('explains a trace path in a missing directory', () => {
  assert.throws(() => TraceRecorder.toFile(new TraceBus(() => 0), join(dir, 'nope', 'x.jsonl')),
    /^--trace: cannot write '.*x\.jsonl': the folder '.*nope' does not exist/);
});

test.after(() => { rmSync(dir, { recursive: true, force: true }); });

test.run();
