// The simulated blue pill (firmware-behaviour.md §1.2 pins, §1.7 serial ports, §1.3 relay, §1.4 PA1, §1.5 keypad):
// the Board HAL wired to the part models on the virtual clock, with the CPU time each operation takes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../kernel/clock.ts';
import { Cpu } from './cpu.ts';
import { HIGH, LOW, PINS, type PinName } from './board.ts';
import { ADC_US, I2C_BYTE_US, LCD_BYTE_US, SERIAL_BUFFER, SimulatedBoard, type SerialName } from './simulated-board.ts';
import type { SimTime } from '../../models/sim-time.ts';
import type { UartPeer } from '../../models/uart.ts';
import { AT24C32 } from '../../models/eeprom/at24c32.ts';
import { DS1307 } from '../../models/rtc/ds1307.ts';
import { HD44780 } from '../../models/lcd/hd44780.ts';
import { KeypadMatrix } from '../../models/keypad/keypad-matrix.ts';
import { LatchingRelay } from '../../models/relay/latching-relay.ts';
import { Indicator } from '../../models/indicators/indicator.ts';
import { CoverSwitch } from '../../models/indicators/cover-switch.ts';

const BYTE_9600 = 10e6 / 9600; // one 8N1 character at 9600 baud: 1041.67 us

/** The board as TwinMeter wires it: the parts see the running code's time (the CPU cursor). */
function rig(opts: { clock?: VirtualClock; eepromPresent?: boolean; peers?: Partial<Record<SerialName, UartPeer>> } = {}) {
  const clock = opts.clock ?? new VirtualClock();
  const cpu = new Cpu(clock);
  const time: SimTime = { now: () => cpu.nowUs(), at: (t, fn) => clock.at(Math.max(t, clock.now()), fn) };
  const parts = {
    lcd: new HD44780(),
    keypad: new KeypadMatrix(),
    relay: new LatchingRelay(time),
    redLed: new Indicator(time, { name: 'red' }),
    greenLed: new Indicator(time, { name: 'green' }),
    buzzer: new Indicator(time, { name: 'buzzer' }),
    cover: new CoverSwitch(),
    eeprom: new AT24C32(time, { present: opts.eepromPresent ?? true }),
    rtc: new DS1307(time),
  };
  const board = new SimulatedBoard(cpu, { ...parts, i2c: [parts.eeprom, parts.rtc], peers: opts.peers ?? {} });
  return { clock, cpu, board, ...parts };
}

/** A device at the far end of a serial line that records what arrives and when. */
function listener(clock: VirtualClock) {
  const got: { byte: number; baud: number; t: number }[] = [];
  const peer: UartPeer = { receive: (byte, baud) => got.push({ byte, baud, t: clock.now() }) };
  return { got, peer };
}

// ---------------------------------------------------------------------------------------------------- serial ports

test('five bytes written at 9600 baud reach the peer one character time apart, the last at about 5.21 ms', async () => {
  const clock = new VirtualClock();
  const l = listener(clock);
  const { board } = rig({ clock, peers: { debug: l.peer } });
  board.serial.debug.begin(9600);
  assert.is(board.serial.debug.write('HELLO'), 5);
  await clock.runFor(20_000);
  assert.equal(l.got.map((g) => String.fromCharCode(g.byte)).join(''), 'HELLO');
  l.got.forEach((g, i) => assert.ok(Math.abs(g.t - (i + 1) * BYTE_9600) < 1, `byte ${i} at ${g.t} us`));
  assert.ok(Math.abs(l.got[4].t - 5208.3) < 1);
  assert.ok(l.got.every((g) => g.baud === 9600));
});

test('onTransmit reports each byte when its stop bit ends', async () => {
  const { clock, board } = rig();
  const seen: [number, number][] = [];
  board.serial.modem.onTransmit = (b, t) => seen.push([b, Math.round(t)]);
  board.serial.modem.begin(115200);
  board.serial.modem.write(new Uint8Array([0x41, 0x54]));
  await clock.runFor(1_000);
  assert.equal(seen, [[0x41, 87], [0x54, 174]]);
});

test('writing no more than the TX buffer holds costs the writer no time', () => {
  const { cpu, board } = rig();
  board.serial.debug.begin(9600);
  board.serial.debug.write('x'.repeat(SERIAL_BUFFER - 1));
  assert.is(cpu.nowUs(), 0);
});

test('a full 64-byte TX buffer blocks the writer until bytes have left: 100 bytes at 9600 baud cost 37 byte times', () => {
  const { cpu, board } = rig();
  board.serial.debug.begin(9600);
  board.serial.debug.write('x'.repeat(100));
  const charged = cpu.nowUs() / BYTE_9600;
  assert.ok(Math.abs(charged - (100 - (SERIAL_BUFFER - 1))) < 0.01, `charged ${charged} byte times`);
});

test('bytes written past a full TX buffer still all arrive, back to back', async () => {
  const clock = new VirtualClock();
  const l = listener(clock);
  const { board } = rig({ clock, peers: { debug: l.peer } });
  board.serial.debug.begin(9600);
  board.serial.debug.write('y'.repeat(100));
  await clock.runFor(200_000);
  assert.is(l.got.length, 100);
  assert.ok(Math.abs(l.got[99].t - 100 * BYTE_9600) < 1);
});

test('flush() charges the time until the last byte has left the wire', () => {
  const { cpu, board } = rig();
  board.serial.afe.begin(9600);
  board.serial.afe.write(new Uint8Array([0xfe, 0xac, 0xac]));
  board.serial.afe.flush();
  assert.ok(Math.abs(cpu.nowUs() - 3 * BYTE_9600) < 1e-6);
});

test('a port that is not begun sends nothing and write() returns 0', async () => {
  const clock = new VirtualClock();
  const l = listener(clock);
  const { board } = rig({ clock, peers: { modem: l.peer } });
  assert.is(board.serial.modem.write('AT\r\n'), 0);
  await clock.runFor(50_000);
  assert.is(l.got.length, 0);
});

test('begin() with a baud rate that is not positive throws a RangeError naming the port', () => {
  const { board } = rig();
  assert.throws(() => board.serial.debug.begin(0), /serial debug: baud must be positive, got 0/);
});

test('bytes from the device on the RX line are read in order; read() gives -1 when empty', () => {
  const { board } = rig();
  board.serial.afe.begin(9600);
  const rx = board.serialPeer('afe');
  for (const b of [0x00, 0x30, 0x30]) rx.receive(b, 9600);
  assert.is(board.serial.afe.available(), 3);
  assert.is(board.serial.afe.peek(), 0x00);
  assert.equal([board.serial.afe.read(), board.serial.afe.read(), board.serial.afe.read(), board.serial.afe.read()], [0x00, 0x30, 0x30, -1]);
});

test('a byte sent at a baud rate more than 3 % off arrives garbled (framing errors)', () => {
  const { board } = rig();
  board.serial.modem.begin(9600);
  board.serialPeer('modem').receive(0x41, 115200);
  board.serialPeer('modem').receive(0x41, 9700);
  assert.ok(board.serial.modem.read() !== 0x41, 'wrong baud garbles');
  assert.is(board.serial.modem.read(), 0x41, '1 % off is still decoded');
});

test('the RX ring buffer keeps 63 bytes (one of its 64 slots stays empty) and drops the rest', () => {
  const { board } = rig();
  board.serial.debug.begin(115200);
  for (let i = 0; i < 70; i++) board.serialPeer('debug').receive(i, 115200);
  assert.is(board.serial.debug.available(), SERIAL_BUFFER - 1);
  assert.is(board.serial.debug.read(), 0);
});

test('bytes arriving at a port that is not begun are lost', () => {
  const { board } = rig();
  board.serialPeer('debug').receive(0x41, 115200);
  board.serial.debug.begin(115200);
  assert.is(board.serial.debug.available(), 0);
});

test('onLine splits the transmitted text at LF and drops CR', () => {
  const { board } = rig();
  const lines: string[] = [];
  board.serial.debug.onLine = (l) => lines.push(l);
  board.serial.debug.begin(115200);
  board.serial.debug.write('Device Powered! \nChecksum 1:327C\r\nAFE');
  assert.equal(lines, ['Device Powered! ', 'Checksum 1:327C']);
});

// ---------------------------------------------------------------------------------------------------- I2C (Wire)

test('an I2C write to the EEPROM at 0x50 and a read back after its write cycle return the bytes', async () => {
  const { clock, board } = rig();
  const w = board.wire;
  w.beginTransmission(0x50);
  w.write(new Uint8Array([0x00, 0x09, 0xf4, 0x01, 0x00, 0x00]));
  assert.is(w.endTransmission(), 0);
  await clock.runFor(20_000);
  w.beginTransmission(0x50);
  w.write(0x00);
  w.write(0x09);
  assert.is(w.endTransmission(), 0);
  assert.is(w.requestFrom(0x50, 4), 4);
  assert.is(w.available(), 4);
  assert.equal([w.read(), w.read(), w.read(), w.read(), w.read()], [0xf4, 0x01, 0x00, 0x00, -1]);
});

test('the EEPROM NACKs its address (endTransmission 2) during its 10 ms write cycle', () => {
  const { board } = rig();
  const w = board.wire;
  w.beginTransmission(0x50);
  w.write(new Uint8Array([0x00, 0x20, 0x01]));
  assert.is(w.endTransmission(), 0);
  w.beginTransmission(0x50);
  assert.is(w.endTransmission(), 2);
});

test('an address no device answers gives endTransmission 2 and requestFrom 0', () => {
  const { board } = rig();
  const w = board.wire;
  w.beginTransmission(0x51);
  w.write(0x00);
  assert.is(w.endTransmission(), 2);
  assert.is(w.requestFrom(0x51, 4), 0);
  assert.is(w.available(), 0);
  assert.is(w.read(), -1);
});

test('an EEPROM that is not fitted NACKs at 0x50 (endTransmission 2)', () => {
  const { board } = rig({ eepromPresent: false });
  board.wire.beginTransmission(0x50);
  assert.is(board.wire.endTransmission(), 2);
});

test('the DS1307 at 0x68 answers a register read through Wire in BCD', () => {
  const { board, rtc } = rig();
  rtc.setUnixTime(Date.UTC(2026, 2, 1, 8, 30, 15) / 1000);
  board.wire.beginTransmission(0x68);
  board.wire.write(0x00);
  assert.is(board.wire.endTransmission(), 0);
  assert.is(board.wire.requestFrom(0x68, 3), 3);
  assert.equal([board.wire.read(), board.wire.read(), board.wire.read()], [0x15, 0x30, 0x08]);
});

test('each I2C byte at 100 kHz costs 90 us of CPU time, the address byte included', () => {
  const { cpu, board } = rig();
  board.wire.beginTransmission(0x68);
  board.wire.write(0x08);
  board.wire.endTransmission();
  assert.is(cpu.nowUs(), 2 * I2C_BYTE_US);
  board.wire.requestFrom(0x68, 4);
  assert.is(cpu.nowUs(), 7 * I2C_BYTE_US);
  assert.is(I2C_BYTE_US, 90);
});

// ---------------------------------------------------------------------------------------------------- timer

test('the TIM1 interrupt at prescaler 55, overflow 65454 fires at 20.0002 Hz (the 1000th tick at 49.999583 s)', async () => {
  const { clock, board } = rig();
  const ticks: number[] = [];
  board.createTimer(55, 65454, () => ticks.push(clock.now())).resume();
  await clock.runFor(50_000_000);
  assert.is(ticks.length, 1000);
  assert.ok(Math.abs(ticks[999] - (1000 * 55 * 65454) / 72) <= 1, `1000th tick at ${ticks[999]} us`);
  const hz = 999e6 / (ticks[999] - ticks[0]);
  assert.ok(Math.abs(hz - 20.0002) < 0.00005, `${hz} Hz`);
});

test('the timer does not fire before resume(), stops on pause() and runs again on resume()', async () => {
  const { clock, board } = rig();
  let n = 0;
  const t = board.createTimer(55, 65454, () => n++);
  await clock.runFor(1_000_000);
  assert.is(n, 0);
  t.resume();
  await clock.runFor(1_000_000);
  assert.is(n, 20);
  t.pause();
  await clock.runFor(1_000_000);
  assert.is(n, 20);
  t.resume();
  await clock.runFor(1_000_000);
  assert.is(n, 40);
});

test('the timer handler runs in interrupt context', async () => {
  const { clock, board } = rig();
  const ctx: boolean[] = [];
  board.createTimer(55, 65454, () => ctx.push(board.inInterrupt)).resume();
  assert.is(board.inInterrupt, false);
  await clock.runFor(100_000);
  assert.equal(ctx, [true, true]);
});

test('a timer with a prescaler or overflow below 1 is refused with a RangeError', () => {
  const { board } = rig();
  assert.throws(() => board.createTimer(0, 65454, () => {}), /prescaler and overflow must be >= 1/);
  assert.throws(() => board.createTimer(55, 0, () => {}), (e: unknown) => e instanceof RangeError);
});

// ---------------------------------------------------------------------------------------------------- GPIO and ADC

/** Rows as pulled-up inputs, columns as outputs idling HIGH, as the Keypad library sets them. */
function keypadPins(board: SimulatedBoard): void {
  for (const r of PINS.keypadRows) board.pinMode(r, 'INPUT_PULLUP');
  for (const c of PINS.keypadCols) { board.pinMode(c, 'OUTPUT'); board.digitalWrite(c, HIGH); }
}

test('a pressed key reads LOW on its row pin only while its column pin is driven LOW', () => {
  const { board, keypad } = rig();
  keypadPins(board);
  keypad.press('6'); // row PB8, column PA5
  for (const col of PINS.keypadCols) {
    board.digitalWrite(col, LOW);
    assert.is(board.digitalRead('PB8'), col === 'PA5' ? LOW : HIGH, `column ${col} LOW`);
    board.digitalWrite(col, HIGH);
  }
});

test('with a column driven LOW the rows of unpressed keys read HIGH through their pull-ups', () => {
  const { board, keypad } = rig();
  keypadPins(board);
  keypad.press('A'); // row PB9, column PC13
  board.digitalWrite('PC13', LOW);
  assert.equal(PINS.keypadRows.map((r) => board.digitalRead(r)), [LOW, HIGH, HIGH, HIGH]);
});

test('a 200 ms HIGH pulse on PB12 closes the relay and one on PB4 opens it', async () => {
  const { clock, board, relay } = rig();
  board.pinMode(PINS.relayA, 'OUTPUT');
  board.pinMode(PINS.relayB, 'OUTPUT');
  board.digitalWrite(PINS.relayA, HIGH);
  await clock.runFor(200_000);
  board.digitalWrite(PINS.relayA, LOW);
  assert.is(relay.isClosed, true);
  board.digitalWrite(PINS.relayB, HIGH);
  await clock.runFor(200_000);
  board.digitalWrite(PINS.relayB, LOW);
  assert.is(relay.isClosed, false);
});

test('PB12 and PB4 HIGH together do not move the relay', async () => {
  const { clock, board, relay } = rig();
  board.pinMode(PINS.relayA, 'OUTPUT');
  board.pinMode(PINS.relayB, 'OUTPUT');
  board.digitalWrite(PINS.relayA, HIGH);
  board.digitalWrite(PINS.relayB, HIGH);
  await clock.runFor(200_000);
  assert.is(relay.isClosed, false);
});

test('PA0 drives the red LED, PA4 the green LED and PB5 the buzzer, HIGH = on', () => {
  const { board, redLed, greenLed, buzzer } = rig();
  for (const p of [PINS.redLed, PINS.greenLed, PINS.buzzer]) board.pinMode(p, 'OUTPUT');
  board.digitalWrite(PINS.redLed, HIGH);
  assert.equal([redLed.isOn, greenLed.isOn, buzzer.isOn], [true, false, false]);
  board.digitalWrite(PINS.greenLed, HIGH);
  board.digitalWrite(PINS.buzzer, HIGH);
  board.digitalWrite(PINS.redLed, LOW);
  assert.equal([redLed.isOn, greenLed.isOn, buzzer.isOn], [false, true, true]);
});

test('a pin that is not an output does not drive its part', () => {
  const { board, redLed } = rig();
  board.digitalWrite(PINS.redLed, HIGH);
  assert.is(redLed.isOn, false);
});

test('onPinChange reports output changes with the CPU time', () => {
  const { board } = rig();
  const seen: [PinName, number][] = [];
  board.onPinChange = (pin, level) => seen.push([pin, level]);
  board.pinMode(PINS.greenLed, 'OUTPUT');
  board.digitalWrite(PINS.greenLed, HIGH);
  board.digitalWrite(PINS.greenLed, HIGH);
  board.digitalWrite(PINS.greenLed, LOW);
  assert.equal(seen, [['PA4', LOW], ['PA4', HIGH], ['PA4', LOW]]);
});

test('analogRead(PA1) reads 167 with the cover closed and 0 with it open, in 10 us', () => {
  const { cpu, board, cover } = rig();
  assert.is(board.analogRead(PINS.batteryInput), 167);
  assert.is(cpu.nowUs(), ADC_US);
  cover.setOpen(true);
  assert.is(board.analogRead(PINS.batteryInput), 0);
});

// ---------------------------------------------------------------------------------------------------- LCD

test('each LCD byte sent in 4-bit mode costs 220 us of CPU time and reaches the HD44780', () => {
  const { cpu, board, lcd } = rig();
  board.lcd.command(0x0c);
  board.lcd.write(0x41);
  assert.is(cpu.nowUs(), 2 * LCD_BYTE_US);
  assert.is(lcd.visibleLines()[0][0], 'A');
});

// ---------------------------------------------------------------------------------------------------- power

test('a power cut de-energises the relay coils: a SET pulse cut at 5 ms leaves the contact open', async () => {
  const { clock, board, relay } = rig();
  board.pinMode(PINS.relayA, 'OUTPUT');
  board.digitalWrite(PINS.relayA, HIGH);
  await clock.runFor(5_000);
  board.powerOff();
  await clock.runFor(200_000);
  assert.is(relay.isClosed, false);
});

test('a power cut turns the LEDs and the buzzer off', () => {
  const { board, redLed, buzzer } = rig();
  board.pinMode(PINS.redLed, 'OUTPUT');
  board.pinMode(PINS.buzzer, 'OUTPUT');
  board.digitalWrite(PINS.redLed, HIGH);
  board.digitalWrite(PINS.buzzer, HIGH);
  board.powerOff();
  assert.is(redLed.isOn, false);
  assert.is(buzzer.isOn, false);
});

test('bytes still in the TX buffer at a power cut never reach the peer', async () => {
  const clock = new VirtualClock();
  const l = listener(clock);
  const { board } = rig({ clock, peers: { modem: l.peer } });
  board.serial.modem.begin(9600);
  board.serial.modem.write('AT\r\n');
  await clock.runFor(1_500);
  board.powerOff();
  await clock.runFor(10_000);
  assert.is(l.got.length, 1);
});

test('a power cut stops the timer interrupt', async () => {
  const { clock, board } = rig();
  let n = 0;
  board.createTimer(55, 65454, () => n++).resume();
  await clock.runFor(100_000);
  board.powerOff();
  await clock.runFor(1_000_000);
  assert.is(n, 2);
});

test.run();
