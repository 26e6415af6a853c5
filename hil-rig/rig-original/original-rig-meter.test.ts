// OriginalRigMeter on its own, with a recording stand-in for the rig board's link: what the host makes of the inputs
// it is told about, and what it writes to the outputs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import { TraceBus, type TraceEvent } from '../../twin/kernel/trace.ts';
import { OriginalRigMeter } from './original-rig-meter.ts';
import { ResponderDriver, type ByteLink } from './responder-driver.ts';
import type { OriginalRigLink } from './original-link.ts';
import type { InputSignal } from './original-wiring.ts';

function setup() {
  const clock = new VirtualClock();
  const trace = new TraceBus(() => clock.now());
  const events: TraceEvent[] = [];
  trace.subscribe((e) => events.push(e));
  const writes: [string, number, number][] = [];
  const link = {
    inputs: new Map<InputSignal, 0 | 1>(),
    outputs: new Map<string, 0 | 1>(),
    onInput: undefined as ((s: InputSignal, l: 0 | 1) => void) | undefined,
    onFault: undefined as ((m: string) => void) | undefined,
    write(signal: string, level: 0 | 1) { this.outputs.set(signal, level); writes.push([signal, level, clock.now()]); },
  };
  const sent: number[] = [];
  const port = (): ByteLink => ({ onData: undefined, onClose: undefined, write: (b) => { sent.push(...b); }, close: async () => {} });
  const afe = new ResponderDriver(port(), clock);
  const debug = port();
  const meter = new OriginalRigMeter(clock, trace, link as unknown as OriginalRigLink, afe, debug);
  const input = (s: InputSignal, level: 0 | 1): void => { link.inputs.set(s, level); link.onInput?.(s, level); };
  return { clock, meter, input, writes, events, debug, sent };
}

test('a SET coil pulse on the rig input closes the relay, a RESET pulse opens it', async () => {
  const { clock, meter, input, events } = setup();
  const contact: boolean[] = [];
  meter.onRelayContact = (c) => contact.push(c);
  assert.is(meter.observe('relay'), 'open');
  input('relay_coil_a', 1);
  await clock.runFor(200_000);
  input('relay_coil_a', 0);
  assert.is(meter.observe('relay'), 'closed');
  input('relay_coil_b', 1);
  await clock.runFor(5_000); // shorter than the relay's 10 ms operate time: no move
  input('relay_coil_b', 0);
  assert.is(meter.observe('relay'), 'closed');
  input('relay_coil_b', 1);
  await clock.runFor(200_000);
  input('relay_coil_b', 0);
  assert.is(meter.observe('relay'), 'open');
  assert.equal(contact, [true, false]);
  assert.equal(events.filter((e) => e.kind === 'relay').map((e) => [e.t, (e.data as { state: string }).state]), [[10_000, 'closed'], [215_000, 'open']]);
});

test('LED and buzzer inputs are the observables, a blinking LED included', async () => {
  const { clock, meter, input } = setup();
  input('green_led', 1);
  input('buzzer', 1);
  assert.is(meter.observe('led.green'), 'on');
  assert.is(meter.observe('buzzer'), 'on');
  for (let i = 0; i < 6; i++) { input('red_led', 1); await clock.runFor(80_000); input('red_led', 0); await clock.runFor(80_000); }
  assert.is(meter.observe('led.red'), 'blinking');
  assert.is(meter.observe('lcd'), undefined, 'the LCD is not observed on a rig');
  assert.is(meter.observe('credit'), undefined);
});

test('a key press holds its output HIGH for the press and releases it', async () => {
  const { clock, meter, writes } = setup();
  meter.pressKey('#', 120);
  await clock.runFor(200_000);
  assert.equal(writes, [['key_hash', 1, 0], ['key_hash', 0, 120_000]]);
});

test('power on loads the responder and switches the supply; the cover output is HIGH for a closed cover', () => {
  const { meter, writes, sent } = setup();
  meter.initCover();
  meter.powerOn();
  assert.equal(writes, [['cover', 1, 0], ['meter_power', 1, 0]]);
  assert.ok(sent.length > 6 * 60, `configuration frames sent: ${sent.length / 6}`);
  meter.setCoverOpen(true);
  assert.equal(writes.at(-1), ['cover', 0, 0]);
});

test('a second "Device Powered!" without a power cycle by the rig is a reset fault, with the relay state', async () => {
  const { clock, meter, debug, events } = setup();
  meter.powerOn();
  const line = (s: string): void => debug.onData?.(Uint8Array.from([...`${s}\r\n`].map((c) => c.charCodeAt(0))));
  line('Device Powered! ');
  await clock.runFor(1000);
  assert.is(meter.fault, null, 'the boot the rig caused is expected');
  line('Device Powered! ');
  const err = await clock.runFor(1000).then(() => null, (e: unknown) => e);
  assert.match((err as Error).message, /reset by itself.*last known relay state: open/);
  assert.ok(events.some((e) => e.source === 'rig' && e.kind === 'fault'));
});

test.run();
