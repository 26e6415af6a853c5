// BootWatch: a failed check is put down to the boot only while the meter is powered and has not finished its setup.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TraceBus } from '../twin/kernel/trace.ts';
import { BootWatch } from './boot-watch.ts';

function bus(): { trace: TraceBus; at: (us: number) => void } {
  let now = 0;
  return { trace: new TraceBus(() => now), at: (us) => { now = us; } };
}

test('a failure 10 s after power-on, before Setup Complete!, gets the boot note', () => {
  const { trace, at } = bus();
  const w = new BootWatch(trace);
  trace.emit('meter', 'power', { on: true });
  at(10_000_000);
  assert.match(w.noteAt(10_000_000) ?? '', /^the meter was still booting \(powered on at 0\.000s; .*- delay: 1min$/);
});

test('a failure after the firmware printed Setup Complete! gets no note', () => {
  const { trace, at } = bus();
  const w = new BootWatch(trace);
  trace.emit('meter', 'power', { on: true });
  at(18_600_000);
  trace.emit('meter', 'serial', { port: 'debug', line: 'Setup Complete! ' });
  assert.is(w.noteAt(20_000_000), undefined);
});

test('a power cut and restore starts a new boot: a failure 5 s after the restore gets the note', () => {
  const { trace, at } = bus();
  const w = new BootWatch(trace);
  trace.emit('meter', 'power', { on: true });
  trace.emit('meter', 'serial', { port: 'debug', line: 'Setup Complete! ' });
  at(600_000_000);
  trace.emit('meter', 'power', { on: false });
  assert.is(w.noteAt(610_000_000), undefined, 'a meter without power is not booting');
  at(630_000_000);
  trace.emit('meter', 'power', { on: true });
  assert.match(w.noteAt(635_000_000) ?? '', /powered on at 10m30\.000s/);
});

test('a failure more than a minute after power-on without Setup Complete! gets no note (the shipped build waits in its setup)', () => {
  const { trace } = bus();
  const w = new BootWatch(trace);
  trace.emit('meter', 'power', { on: true });
  assert.is(w.noteAt(61_000_000), undefined);
});

test.run();
