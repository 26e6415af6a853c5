// TwinMeter: the simulated meter under test. Parts that outlive a power cut (EEPROM, battery-backed RTC, latching
// relay) keep their state; each power-on boots the firmware again (docs/firmware.md §2, §7.2, §7.4, §7.5).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from './kernel/clock.ts';
import { TraceBus, type TraceEvent } from './kernel/trace.ts';
import { Rng } from './kernel/rng.ts';
import { resolveFirmware } from './profiles/profile.ts';
import { TwinMeter, unixOf, type TwinMeterConfig } from './twin-meter.ts';
import { Plant } from '../models/plant.ts';
import { EepromImageError } from '../models/eeprom/at24c32.ts';

const CLOCK = { year: 2026, month: 3, day: 1, hour: 8, minute: 0, second: 0 };
/** The firmware's compile time (FIRMWARE_OPTION_DEFAULTS.compileTime), which a first setup puts in the RTC. */
const COMPILE_UNIX = Date.UTC(2023, 11, 20, 12, 32, 44) / 1000;

function meter(over: Partial<TwinMeterConfig> = {}) {
  const clock = new VirtualClock();
  const trace = new TraceBus(() => clock.now());
  const events: TraceEvent[] = [];
  trace.subscribe((e) => events.push(e));
  const m = new TwinMeter(clock, trace, new Rng(7), {
    firmware: resolveFirmware({ profile: 'field', mode: 'sts' }),
    eeprom: 'virgin', rtc: 'running', cover: 'closed', clock: CLOCK, ...over,
  });
  m.setPins(new Plant({ grid: { vrms: 240, hz: 50 } }).pinPhasors());
  return { clock, trace, events, m };
}

const long = (img: Uint8Array, a: number): number => new DataView(img.buffer, img.byteOffset).getUint32(a, true);

/** Power on and run until the boot has pulsed the relay on and printed "Setup Complete!" (about 23 s). */
async function boot(clock: VirtualClock, m: TwinMeter): Promise<void> {
  m.powerOn();
  const done = (): boolean => m.debugLog.includes('\nSetup Complete!'); // not "AFE Setup Complete!"
  await clock.runUntil(40_000_000, done);
  assert.ok(done(), 'the firmware reached the main loop');
}

// ---------------------------------------------------------------------------------------------------- at build time

test('credit from the config lands at EEPROM address 9 as a little-endian uint32', () => {
  const { m } = meter({ credit: 500 });
  const img = m.eeprom.dump();
  assert.equal(Array.from(img.subarray(9, 13)), [0xf4, 0x01, 0x00, 0x00]);
  assert.is(img[8], 0xff);
  assert.is(img[13], 0xff);
});

test('a credit that is not a whole number 0..4294967295 is refused with a clear RangeError', () => {
  for (const credit of [-1, 2.5, 2 ** 32, Number.NaN]) {
    assert.throws(() => meter({ credit }), (e: unknown) => e instanceof RangeError && /credit must be a whole number 0\.\.4294967295/.test((e as Error).message), `credit ${credit}`);
  }
});

test('a virgin EEPROM is all 0xFF and a zero EEPROM all 0x00', () => {
  assert.ok(meter().m.eeprom.dump().every((b) => b === 0xff));
  assert.ok(meter({ eeprom: 'zero' }).m.eeprom.dump().every((b) => b === 0x00));
});

test('an EEPROM dump of 4096 bytes is loaded, and one of another size is refused with EepromImageError', () => {
  const img = new Uint8Array(4096).fill(0x11);
  assert.is(meter({ eeprom: img }).m.eeprom.dump()[100], 0x11);
  assert.throws(() => meter({ eeprom: new Uint8Array(100) }), (e: unknown) => e instanceof EepromImageError);
});

test('with debugLogKeep the debug log keeps only its newest characters, and the trace still carries every line', async () => {
  const full = meter();
  await boot(full.clock, full.m);
  const { clock, m, events } = meter({ debugLogKeep: 60 });
  await boot(clock, m);
  assert.ok(full.m.debugLog.length > 120, `a boot prints ${full.m.debugLog.length} characters`);
  assert.is(m.debugLog, full.m.debugLog.slice(-60));
  const lines = events.filter((e) => e.kind === 'serial' && (e.data as { port: string }).port === 'debug').map((e) => `${(e.data as { line: string }).line}\n`);
  assert.is(lines.join(''), full.m.debugLog);
});

test('the RTC starts at the configured local time, 2026-01-01 00:00:00 by default', () => {
  assert.is(meter().m.rtc.unixtime(), unixOf(CLOCK));
  assert.is(meter({ clock: undefined }).m.rtc.unixtime(), Date.UTC(2026, 0, 1) / 1000);
});

test('`installed` NVRAM holds a non-zero first-setup timestamp at offset 4, a day before the start', () => {
  const { m } = meter({ nvram: 'installed' });
  assert.is(long(m.rtc.nvram, 4), unixOf(CLOCK) - 86_400);
});

test('`blank` NVRAM is all zero', () => {
  const { m } = meter({ nvram: 'blank' });
  assert.ok(m.rtc.nvram.every((b) => b === 0));
});

test('rtc `halted` sets CH and rtc `missing` leaves no DS1307 answering on the bus', () => {
  assert.is(meter({ rtc: 'halted' }).m.rtc.halted, true);
  assert.is(meter({ rtc: 'missing' }).m.rtc.start(false), false);
});

test('the relay keeps the contact position it had before the first power-up', () => {
  assert.is(meter().m.observe('relay'), 'open');
  assert.is(meter({ relayClosed: true }).m.observe('relay'), 'closed');
});

test('an unpowered meter has no firmware run and no firmware variables to observe', () => {
  const { m } = meter();
  assert.is(m.powered, false);
  assert.is(m.firmware, null);
  assert.is(m.observe('credit'), undefined);
  assert.is(m.observe('no.such.thing'), undefined);
});

test('pressKey holds the key for holdMs of virtual time', async () => {
  const { clock, m } = meter();
  m.pressKey('5', 120);
  assert.is(m.keypad.isPressed('5'), true);
  await clock.runFor(119_999);
  assert.is(m.keypad.isPressed('5'), true);
  await clock.runFor(1);
  assert.is(m.keypad.isPressed('5'), false);
});

test('setCoverOpen moves the cover switch and emits a cover trace event', () => {
  const { m, events } = meter();
  m.setCoverOpen(true);
  assert.is(m.cover.isOpen, true);
  assert.equal(events.filter((e) => e.kind === 'cover').map((e) => e.data), [{ open: true }]);
});

// ---------------------------------------------------------------------------------------------------- boot

test('boots to the main loop, pulses the relay on and shows the credit read from EEPROM address 9', async () => {
  const { clock, m, events } = meter({ credit: 500 });
  await boot(clock, m);
  assert.is(m.observe('relay'), 'closed');
  assert.ok(events.some((e) => e.kind === 'relay' && (e.data as { state: string }).state === 'closed'));
  assert.is(m.observe('credit'), 500);
  await clock.runFor(500_000);
  assert.match(String(m.observe('lcd')), /CREDIT=#500\.00/);
});

test('with `blank` NVRAM the firmware takes the boot as its first setup and sets the RTC to its compile time', async () => {
  const { clock, m } = meter({ nvram: 'blank' });
  await boot(clock, m);
  const t = m.rtc.unixtime();
  assert.ok(t >= COMPILE_UNIX && t < COMPILE_UNIX + 60, `RTC at ${new Date(t * 1000).toISOString()}`);
  assert.ok(long(m.rtc.nvram, 4) >= COMPILE_UNIX, 'the first-setup timestamp is stored at NVRAM offset 4');
});

test('with `installed` NVRAM the RTC keeps the scenario time and the boot counts a disconnection', async () => {
  const { clock, m } = meter({ nvram: 'installed' });
  await boot(clock, m);
  const elapsed = Math.floor(clock.now() / 1e6);
  assert.ok(Math.abs(m.rtc.unixtime() - (unixOf(CLOCK) + elapsed)) <= 1);
  assert.is(long(m.rtc.nvram, 4), unixOf(CLOCK) - 86_400);
});

// ---------------------------------------------------------------------------------------------------- power

test('a power cut keeps the EEPROM contents and the relay contact, and blanks the LCD and LEDs', async () => {
  const { clock, m, events } = meter({ credit: 500 });
  await boot(clock, m);
  await clock.runFor(1_000_000);
  const before = m.eeprom.dump();
  m.powerCut();
  assert.is(m.powered, false);
  assert.is(m.firmware, null);
  await clock.runFor(60_000_000);
  assert.equal(m.eeprom.dump(), before);
  assert.is(long(m.eeprom.dump(), 9), 500);
  assert.is(m.observe('relay'), 'closed');
  assert.is(m.observe('lcd'), `${' '.repeat(16)}\n${' '.repeat(16)}`);
  assert.equal([m.redLed.isOn, m.greenLed.isOn, m.buzzer.isOn], [false, false, false]);
  const power = events.filter((e) => e.kind === 'power').map((e) => e.data);
  assert.equal(power, [{ on: true }, { on: false, eepromBytesTorn: 0 }]);
});

test('after a power cut the firmware variables keep their last values for observation', async () => {
  const { clock, m } = meter({ credit: 500 });
  await boot(clock, m);
  m.powerCut();
  assert.is(m.observe('credit'), 500);
});

test('power restored after a cut boots the firmware again', async () => {
  const { clock, m } = meter({ credit: 500 });
  await boot(clock, m);
  m.powerCut();
  await clock.runFor(5_000_000);
  m.powerOn();
  await clock.runFor(3_000_000);
  assert.is(m.debugLog.split('Device Powered!').length - 1, 2);
  assert.is(m.powered, true);
});

test('a power cut while an EEPROM write cycle runs tears only the in-flight bytes and reports how many', async () => {
  const { clock, m, events } = meter({ credit: 500 });
  m.powerOn();
  await clock.runUntil(40_000_000, () => m.eeprom.busy);
  assert.ok(m.eeprom.busy, 'the boot writes the EEPROM');
  const before = m.eeprom.image.slice();
  m.powerCut();
  const torn = (events.filter((e) => e.kind === 'power').at(-1)!.data as { eepromBytesTorn: number }).eepromBytesTorn;
  assert.ok(torn > 0 && torn <= 32, `${torn} bytes torn`);
  const after = m.eeprom.dump();
  const changed = after.reduce((n, b, i) => n + (b !== before[i] ? 1 : 0), 0);
  assert.ok(changed <= torn, `${changed} bytes changed`);
});

test('powerOn on a powered meter and powerCut on an unpowered one do nothing', async () => {
  const { clock, m, events } = meter();
  m.powerCut();
  m.powerOn();
  m.powerOn();
  await clock.runFor(100_000);
  assert.is(events.filter((e) => e.kind === 'power').length, 1);
  assert.is(m.debugLog.split('Device Powered!').length - 1, 1);
});

test.run();
