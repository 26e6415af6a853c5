// The simulated blue pill (docs/firmware.md §1.2 pins, §1.7 serial ports, §1.3 relay, §1.4 PA1, §1.5 keypad):
// the Board HAL wired to the part models on the virtual clock, with the CPU time each operation takes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../kernel/clock.ts';
import { Cpu } from './cpu.ts';
import { HIGH, LOW, PINS, type PinName } from './board.ts';
import { ADC_US, createSimulatedBoard, I2C_BYTE_US, LCD_BYTE_US, SERIAL_BUFFER, SimulatedBoard, type SerialName } from './simulated-board.ts';
import { sampleUartByte } from './hardware-serial.ts';
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

test('onLine splits the written text at LF and drops CR, as the code writes it', () => {
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

/** The 4-bit initialisation by instruction (HD44780U figure 24) as LiquidCrystal sends it, with its waits. */
function initLcd(board: SimulatedBoard): void {
  board.lcd.command(0x33);
  board.delayMicroseconds(9000);
  board.lcd.command(0x32);
  board.delayMicroseconds(150);
  board.lcd.command(0x28); // 4-bit, 2 lines, 5x8
  board.lcd.command(0x0c); // display on
  board.lcd.command(0x01); // clear
  board.delayMicroseconds(2000);
  board.lcd.command(0x06); // entry mode: increment
}

test('each LCD byte sent in 4-bit mode costs 220 us of CPU time and reaches the HD44780', () => {
  const { cpu, board, lcd } = rig();
  initLcd(board);
  const t0 = cpu.nowUs();
  board.lcd.command(0xc0);
  board.lcd.write(0x41);
  assert.is(cpu.nowUs() - t0, 2 * LCD_BYTE_US);
  assert.is(lcd.visibleLines()[1][0], 'A');
  assert.is(board.lcd.ignoredNibbles, 0);
});

test('the LCD powers up in 8-bit mode: the 3, 3, 3, 2 nibbles of the initialisation switch it to 4-bit mode', () => {
  const { board, lcd } = rig();
  assert.is(lcd.eightBitInterface, true);
  board.lcd.command(0x33);
  assert.is(lcd.eightBitInterface, true);
  board.lcd.command(0x32);
  assert.is(lcd.eightBitInterface, false);
});

test('before the 4-bit initialisation each nibble is a whole instruction: write(0x41) stores 0x40 and 0x10', () => {
  const { board, lcd } = rig();
  board.lcd.write(0x41);
  assert.equal([lcd.ddram[0], lcd.ddram[1]], [0x40, 0x10]);
});

test('a byte sent while a clear is still executing (1.52 ms) is lost, and the lost nibbles shift the pairing', () => {
  const { board, lcd } = rig();
  initLcd(board);
  board.lcd.command(0x01); // clear, without the library's 2 ms wait
  board.lcd.write(0x41);
  board.lcd.write(0x42);
  assert.ok(board.lcd.ignoredNibbles >= 2, `${board.lcd.ignoredNibbles} nibbles ignored`);
  assert.is(lcd.visibleLines()[0][0] === 'A', false);
});

test('with the library\'s 2 ms wait after clear nothing is lost', () => {
  const { board, lcd } = rig();
  initLcd(board);
  board.lcd.command(0x01);
  board.delayMicroseconds(2000);
  board.lcd.write(0x41);
  assert.is(lcd.visibleLines()[0][0], 'A');
  assert.is(board.lcd.ignoredNibbles, 0);
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

// ---------------------------------------------------------------------------------------------------- more serial

test('board.onTransmit and board.onLine name the port for every byte and line of every port', async () => {
  const { board, clock } = rig();
  const bytes: string[] = [];
  const lines: string[] = [];
  board.onTransmit = (port, b) => bytes.push(`${port}:${String.fromCharCode(b)}`);
  board.onLine = (port, line) => lines.push(`${port}:${line}`);
  board.serial.debug.begin(115200);
  board.serial.modem.begin(9600);
  board.serial.debug.write('ok\n');
  board.serial.modem.write('AT\r\n');
  await clock.runFor(10_000);
  assert.equal(bytes.filter((b) => b.startsWith('debug')), ['debug:o', 'debug:k', 'debug:\n']);
  assert.equal(lines, ['debug:ok', 'modem:AT']);
});

test('a byte written inside the interrupt starts at the interrupt\'s own time (its CPU cursor)', async () => {
  const clock = new VirtualClock();
  const l = listener(clock);
  const { board } = rig({ clock, peers: { afe: l.peer } });
  board.serial.afe.begin(9600);
  board.createTimer(55, 65454, () => {
    if (l.got.length > 0) return;
    board.delayMicroseconds(3000); // work before the write
    board.serial.afe.write(0xfe);
  }).resume();
  await clock.runFor(60_000);
  const tick = (55 * 65454) / 72;
  assert.ok(Math.abs(l.got[0].t - (Math.floor(tick) + 3000 + BYTE_9600)) <= 1, `arrived at ${l.got[0].t} us`);
});

test('a sender at 115200 read by a 9600 receiver gives 0xFF (it sees only idle after the start edge)', () => {
  assert.equal(sampleUartByte(0x41, 115200, 9600), { byte: 0xff, framingError: false });
});

test('a sender at 4800 read at 9600 reads the bits twice as wide and a LOW stop bit: a framing error', () => {
  // The receiver's stop-bit sample falls in the sender's data bit 3, which is 0 in 0xF0.
  const r = sampleUartByte(0xf0, 4800, 9600);
  assert.is(r.framingError, true);
  assert.is(r.byte, 0x00);
});

test('1 % baud error still decodes every byte value', () => {
  for (let b = 0; b < 256; b++) assert.equal(sampleUartByte(b, 9696, 9600), { byte: b, framingError: false });
});

test('bytes arriving at a full RX buffer are counted as overruns', () => {
  const { board } = rig();
  board.serial.afe.begin(9600);
  for (let i = 0; i < 70; i++) board.serialPeer('afe').receive(i, 9600);
  assert.is(board.serial.afe.overruns, 70 - (SERIAL_BUFFER - 1));
});

test('end() drains TX (charging the time) and empties RX; the port then sends nothing', () => {
  const { board, cpu } = rig();
  const port = board.serial.modem;
  port.begin(9600);
  port.write('AT');
  board.serialPeer('modem').receive(0x4f, 9600);
  port.end();
  assert.ok(Math.abs(cpu.nowUs() - 2 * BYTE_9600) < 1e-6);
  assert.is(port.available(), 0);
  assert.is(port.write('X'), 0);
});

test('a serial write of something that is not a byte, text or byte array is refused with a clear message', () => {
  const { board } = rig();
  board.serial.debug.begin(115200);
  assert.throws(() => board.serial.debug.write(1.5), /serial debug: write\(\) takes a byte, got 1.5/);
  assert.throws(() => board.serial.debug.write([1, 2] as unknown as Uint8Array), /takes a byte, a string or a Uint8Array/);
});

test('serialPeer of an unknown port names the ports', () => {
  const { board } = rig();
  assert.throws(() => board.serialPeer('gsm' as SerialName), /no serial port 'gsm' \(ports: afe, modem, debug\)/);
});

// ---------------------------------------------------------------------------------------------------- more I2C

test('a random read with a repeated START (endTransmission(false), then requestFrom) reads the EEPROM', () => {
  const { board, eeprom } = rig();
  const img = new Uint8Array(4096);
  img.set([0x7b, 0x28, 0x6b, 0xee], 9);
  eeprom.load(img);
  const w = board.wire;
  w.beginTransmission(0x50);
  w.write(0x00);
  w.write(0x09);
  assert.is(w.endTransmission(false), 0);
  assert.is(w.requestFrom(0x50, 4), 4);
  assert.equal([w.read(), w.read(), w.read(), w.read()], [0x7b, 0x28, 0x6b, 0xee]);
});

test('an I2C address outside 0..127 is refused with a clear message', () => {
  const { board } = rig();
  assert.throws(() => board.wire.beginTransmission(0xa0), /I2C address must be a 7-bit integer 0\.\.127, got 160/);
  assert.throws(() => board.wire.requestFrom(0x50, -1), /count must be a whole number >= 0, got -1/);
});

test('Wire.write outside a transmission queues nothing and returns 0', () => {
  const { board } = rig();
  assert.is(board.wire.write(0x12), 0);
});

// ---------------------------------------------------------------------------------------------------- more timer and CPU

test('a delay in the main context ends after an interrupt that overlaps its end (20 ms busy-wait in the ISR)', async () => {
  const { clock, cpu, board } = rig();
  const tick = Math.floor((55 * 65454) / 72); // 49 999 us
  let isrEnd = -1;
  board.createTimer(55, 65454, () => { board.delayBlocking(20); if (isrEnd < 0) isrEnd = cpu.nowUs(); }).resume();
  let woke = -1;
  clock.spawn('main', async () => {
    await board.delay(45); // to 45 ms
    await board.delay(10); // would end at 55 ms; the ISR runs 49.999 .. 70 ms
    woke = clock.now();
  });
  await clock.runFor(100_000);
  // delay(20) in the ISR ends at the 20th millisecond tick after 49.999 ms: 69 ms.
  assert.is(isrEnd, 69_000);
  assert.ok(isrEnd > tick + 19_000 && 55_000 < isrEnd, 'the ISR overlaps the end of the 10 ms delay');
  assert.is(woke, isrEnd, `main woke at ${woke} us`);
});

test('a timer period beyond the 16-bit registers is refused with a clear message', () => {
  const { board } = rig();
  assert.throws(() => board.createTimer(70000, 10, () => {}), /<= 65536 \(16-bit registers\), got 70000, 10/);
});

// ---------------------------------------------------------------------------------------------------- more GPIO

test('a keypad column released to an input (not driven) does not pull a row LOW', () => {
  const { board, keypad } = rig();
  keypadPins(board);
  keypad.press('6');
  board.digitalWrite('PA5', LOW);
  assert.is(board.digitalRead('PB8'), LOW);
  board.pinMode('PA5', 'INPUT');
  assert.is(board.digitalRead('PB8'), HIGH);
});

test('PA1 read as a digital input is LOW with the cover closed (0.54 V is below the input threshold)', () => {
  const { board } = rig();
  board.pinMode('PA1', 'INPUT');
  assert.is(board.digitalRead('PA1'), LOW);
});

test('digitalWrite of a level other than LOW or HIGH is refused with a clear message', () => {
  const { board } = rig();
  assert.throws(() => board.digitalWrite('PA0', 2 as unknown as 0), /level must be LOW \(0\) or HIGH \(1\), got 2/);
});

// ---------------------------------------------------------------------------------------------------- power and factory

test('powerOff with a random source tears the EEPROM page write in flight and returns the torn byte count', () => {
  const { board, eeprom } = rig();
  board.wire.beginTransmission(0x50);
  board.wire.write(new Uint8Array([0x00, 0x09, 1, 2, 3, 4]));
  board.wire.endTransmission();
  assert.is(board.powerOff(() => 0.9), 4); // >= 2/3: erased
  assert.equal(Array.from(eeprom.dump().subarray(9, 13)), [0xff, 0xff, 0xff, 0xff]);
});

test('powerOff without a random source leaves the in-flight EEPROM write to the caller', () => {
  const { board, eeprom } = rig();
  board.wire.beginTransmission(0x50);
  board.wire.write(new Uint8Array([0x00, 0x09, 1]));
  board.wire.endTransmission();
  assert.is(board.powerOff(), 0);
  assert.is(eeprom.powerCut(() => 0.5), 1);
  assert.is(eeprom.dump()[9], 1);
});

test('a power cut resets the LCD controller (blank, display off, 8-bit mode)', () => {
  const { board, lcd } = rig();
  initLcd(board);
  board.lcd.write(0x41);
  board.powerOff();
  assert.is(lcd.displayOn, false);
  assert.is(lcd.eightBitInterface, true);
  assert.is(lcd.visibleLines()[0].trim(), '');
});

test('createSimulatedBoard builds the parts with datasheet defaults on the CPU\'s time', async () => {
  const clock = new VirtualClock();
  const cpu = new Cpu(clock);
  const board = createSimulatedBoard(cpu, {
    eeprom: { image: new Uint8Array(4096).fill(0) },
    rtc: { unixTime: Date.UTC(2026, 2, 1, 8, 0, 0) / 1000 },
  });
  assert.is(board.parts.eeprom!.dump()[0], 0);
  assert.is(board.parts.rtc!.unixtime(), Date.UTC(2026, 2, 1, 8, 0, 0) / 1000);
  assert.is(board.analogRead('PA1'), 167);
  board.wire.beginTransmission(0x68);
  board.wire.write(0x00);
  assert.is(board.wire.endTransmission(), 0);
  board.wire.beginTransmission(0x50);
  assert.is(board.wire.endTransmission(), 0);
  assert.is(board.parts.relay.isClosed, false);
});

test('createSimulatedBoard refuses an EEPROM image of the wrong size with the EEPROM\'s message', () => {
  const cpu = new Cpu(new VirtualClock());
  assert.throws(() => createSimulatedBoard(cpu, { eeprom: { image: new Uint8Array(10) } }), /exactly 4096 bytes, got 10/);
});

test('after a power cut a pin is back in its reset state, even the pin read last (a floating input reads LOW)', () => {
  const { board } = rig();
  board.pinMode('PB12', 'OUTPUT');
  board.digitalWrite('PB12', HIGH);
  assert.is(board.digitalRead('PB12'), HIGH);
  board.powerOff();
  assert.is(board.digitalRead('PB12'), LOW);
  assert.is(board.analogRead('PB12'), 0);
});

test('reading pins in turn gives each its own state', () => {
  const { board } = rig();
  board.pinMode('PB12', 'OUTPUT');
  board.digitalWrite('PB12', HIGH);
  board.pinMode('PB4', 'INPUT_PULLUP');
  for (let i = 0; i < 3; i++) {
    assert.is(board.digitalRead('PB12'), HIGH);
    assert.is(board.analogRead('PB4'), 1023);
    assert.is(board.analogRead('PB13'), 0);
  }
});

test.run();
