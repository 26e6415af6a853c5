import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EXIT_PIPE_CLOSED, exitAfterOutput, onStdioError, type FlushableStream } from './main.ts';

/** A stream whose writes go out only when the test says so, as standard output into a pipe nobody reads yet. */
function slowPipe(): FlushableStream & { drain(): void } {
  const pending: (() => void)[] = [];
  return {
    write(_chunk, callback) { pending.push(() => callback()); return false; },
    drain() { for (const cb of pending.splice(0)) cb(); },
  };
}

test('exitAfterOutput exits only once what standard output and error still hold has gone out', async () => {
  const out = slowPipe();
  const err = slowPipe();
  const exits: number[] = [];
  const done = exitAfterOutput(1, [out, err], (c) => { exits.push(c); });
  await new Promise((r) => setImmediate(r));
  assert.equal(exits, [], 'not while the reader has not taken the rest');
  out.drain();
  await new Promise((r) => setImmediate(r));
  assert.equal(exits, [], 'not while standard error still holds some');
  err.drain();
  await done;
  assert.equal(exits, [1]);
});

test('a full disk under standard output ends in one line and exit 2', () => {
  const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  assert.equal(onStdioError(full, 'standard output'), { code: 2, message: 'osm: cannot write standard output: no space left on the device\n' });
});

test('a reader that closed the pipe ends the command quietly with 141', () => {
  const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
  assert.equal(onStdioError(epipe, 'standard output'), { code: EXIT_PIPE_CLOSED });
});

test.run();
