import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import { FirmataBoard } from './firmata-board.ts';
import { boardSpec } from '../boards.ts';
import * as F from '../firmata/protocol.ts';
import { AT24C32 } from '../../models/eeprom/at24c32.ts';
import { HD44780 } from '../../models/lcd/hd44780.ts';
import { DEFAULT_WIRING, loadWiring } from '../wiring.ts';
import { wireMeterParts } from './meter-parts.ts';
import type { EventHandle, SimTime } from '../../models/sim-time.ts';

function rig(world: FirmataBoard['world'] = {}) {
  const clock = new VirtualClock();
  const board = new FirmataBoard(boardSpec('mega2560'), clock);
  board.world = world;
  const out: { t: number; bytes: number[] }[] = [];
  board.onOutput = (b) => out.push({ t: clock.now(), bytes: [...b] });
  board.boot();
  const send = (bytes: number[]) => board.receive(bytes);
  const run = (us: number) => clock.runFor(us);
  const sysex = (cmd: number) => out.filter((m) => m.bytes[0] === F.START_SYSEX && m.bytes[1] === cmd);
  return { clock, board, out, send, run, sysex };
}

/** Turn off the analog reporting every analog pin starts with, and forget what was sent. */
async function quiet(r: ReturnType<typeof rig>) {
  for (let ch = 0; ch < 16; ch++) r.send([F.REPORT_ANALOG | ch, 0]);
  await r.run(100_000);
  r.out.length = 0;
}

test('the board reports protocol version 2.5 and the StandardFirmataPlus name at boot', async () => {
  const r = rig();
  await r.run(20_000);
  assert.equal(r.out[0].bytes, [F.REPORT_VERSION, 2, 5]);
  const fw = r.sysex(F.REPORT_FIRMWARE)[0].bytes;
  assert.equal(fw.slice(2, 4), [2, 5]);
  assert.is(String.fromCharCode(...F.decode7(fw, 4, fw.length - 1)), 'StandardFirmataPlus.ino');
});

test('a capability query lists every pin with its modes and resolutions', async () => {
  const r = rig();
  await quiet(r);
  r.send([F.START_SYSEX, F.CAPABILITY_QUERY, F.END_SYSEX]);
  await r.run(200_000);
  const msg = r.sysex(F.CAPABILITY_RESPONSE)[0].bytes;
  const pins: number[][] = [];
  let cur: number[] = [];
  for (const b of msg.slice(2, -1)) { if (b === 0x7f) { pins.push(cur); cur = []; } else cur.push(b); }
  assert.is(pins.length, 70);
  assert.equal(pins[0], []);
  assert.ok(pins[55].includes(F.PIN_MODE.ANALOG));
  const p18 = pins[18];
  assert.is(p18[p18.indexOf(F.PIN_MODE.SERIAL) + 1], 3, 'pin 18 is TX of HW_SERIAL1');
});

test('an analog mapping query maps A0..A15 to pins 54..69', async () => {
  const r = rig();
  await quiet(r);
  r.send([F.START_SYSEX, F.ANALOG_MAPPING_QUERY, F.END_SYSEX]);
  await r.run(50_000);
  const m = r.sysex(F.ANALOG_MAPPING_RESPONSE)[0].bytes.slice(2, -1);
  assert.is(m[54], 0);
  assert.is(m[69], 15);
  assert.is(m[22], 127);
});

test('a pin state query answers the mode and the output level', async () => {
  const r = rig();
  await quiet(r);
  r.send([F.SET_PIN_MODE, 22, F.PIN_MODE.OUTPUT, F.SET_DIGITAL_PIN_VALUE, 22, 1, F.START_SYSEX, F.PIN_STATE_QUERY, 22, F.END_SYSEX]);
  await r.run(20_000);
  assert.equal(r.sysex(F.PIN_STATE_RESPONSE)[0].bytes, [F.START_SYSEX, F.PIN_STATE_RESPONSE, 22, F.PIN_MODE.OUTPUT, 1, F.END_SYSEX]);
});

test('a digital port message drives the output pins of the port', async () => {
  const driven: [number, number | null][] = [];
  const r = rig({ drive: (pin, l) => driven.push([pin, l]) });
  await quiet(r);
  driven.length = 0;
  r.send([F.DIGITAL_MESSAGE | 2, 0b0000101, 0]); // pins 16 and 18
  await r.run(5_000);
  assert.equal(driven, [[16, 1], [18, 1]]);
});

test('a pull-up input reports HIGH and goes LOW when something pulls it down', async () => {
  let low = false;
  const r = rig({ level: (pin) => (pin === 30 && low ? 0 : undefined) });
  await quiet(r);
  r.send([F.SET_PIN_MODE, 30, F.PIN_MODE.PULLUP, F.REPORT_DIGITAL | 3, 1]);
  await r.run(10_000);
  assert.equal(r.out.at(-1)!.bytes, [F.DIGITAL_MESSAGE | 3, 0b1000000, 0]);
  low = true;
  r.board.wake();
  await r.run(10_000);
  assert.equal(r.out.at(-1)!.bytes, [F.DIGITAL_MESSAGE | 3, 0, 0]);
});

test('an input without pull-up reads LOW when nothing drives it', async () => {
  const r = rig();
  await quiet(r);
  r.send([F.SET_PIN_MODE, 30, F.PIN_MODE.INPUT, F.REPORT_DIGITAL | 3, 1]);
  await r.run(10_000);
  assert.equal(r.out.at(-1)!.bytes, [F.DIGITAL_MESSAGE | 3, 0, 0]);
});

test('analog reporting sends the channel every sampling interval', async () => {
  const r = rig({ analog: (pin) => (pin === 55 ? 512 : 0) });
  await quiet(r);
  r.send([F.START_SYSEX, F.SAMPLING_INTERVAL, 50, 0, F.END_SYSEX, F.REPORT_ANALOG | 1, 1]);
  await r.run(1_000_000);
  const msgs = r.out.filter((m) => m.bytes[0] === (F.ANALOG_MESSAGE | 1));
  assert.ok(msgs.length >= 20 && msgs.length <= 22, `${msgs.length} reports in 1 s at 50 ms`);
  assert.equal(msgs[0].bytes.slice(1), [512 & 0x7f, 512 >> 7]);
});

test('the host link delays each message by its bytes at 57600 baud plus the bridge latency', async () => {
  const r = rig();
  await quiet(r);
  const t0 = r.clock.now();
  r.send([F.REPORT_VERSION]);
  await r.run(20_000);
  const dt = r.out[0].t - t0;
  // loop boundary (<= 100 us) + 3 bytes * 173.6 us + 1000 us
  assert.ok(dt >= 1520 && dt <= 1625, `reply after ${dt} us`);
});

test('I2C write then read once returns the device bytes with address and register', async () => {
  const r = rig();
  const e = new AT24C32(r.clock);
  e.image[0x123] = 0xab; e.image[0x124] = 0xcd;
  r.board.i2cDevices.push(e);
  await quiet(r);
  r.send([F.START_SYSEX, F.I2C_CONFIG, 0, 0, F.END_SYSEX]);
  // random read: write the 2-byte address, then read 2 bytes without a register
  r.send([F.START_SYSEX, F.I2C_REQUEST, 0x50, 0, ...F.encode7([0x01, 0x23]), F.END_SYSEX]);
  r.send([F.START_SYSEX, F.I2C_REQUEST, 0x50, F.I2C_READ << 3, 2, 0, F.END_SYSEX]);
  await r.run(30_000);
  const rep = r.sysex(F.I2C_REPLY)[0].bytes;
  assert.equal(F.decode7(rep, 2, rep.length - 1), [0x50, 0xff, 0xab, 0xcd]);
});

test('an I2C read from an absent device gives a short reply and the firmware\'s string', async () => {
  const r = rig();
  await quiet(r);
  r.send([F.START_SYSEX, F.I2C_CONFIG, 0, 0, F.END_SYSEX, F.START_SYSEX, F.I2C_REQUEST, 0x68, F.I2C_READ << 3, 0, 0, 7, 0, F.END_SYSEX]);
  await r.run(30_000);
  const s = r.sysex(F.STRING_DATA)[0].bytes;
  assert.is(String.fromCharCode(...F.decode7(s, 2, s.length - 1)), 'I2C: Too few bytes received');
  const rep = r.sysex(F.I2C_REPLY)[0].bytes;
  assert.equal(F.decode7(rep, 2, rep.length - 1), [0x68, 0]);
});

test('I2C continuous read repeats every sampling interval until stopped', async () => {
  const r = rig();
  r.board.i2cDevices.push(new AT24C32(r.clock));
  await quiet(r);
  r.send([F.START_SYSEX, F.I2C_CONFIG, 0, 0, F.END_SYSEX, F.START_SYSEX, F.I2C_REQUEST, 0x50, F.I2C_READ_CONTINUOUSLY << 3, 1, 0, F.END_SYSEX]);
  await r.run(200_000);
  const n = r.sysex(F.I2C_REPLY).length;
  assert.ok(n >= 9 && n <= 11, `${n} replies in 200 ms`);
  r.send([F.START_SYSEX, F.I2C_REQUEST, 0x50, F.I2C_STOP_READING << 3, F.END_SYSEX]);
  await r.run(20_000);
  const n2 = r.sysex(F.I2C_REPLY).length;
  await r.run(200_000);
  assert.is(r.sysex(F.I2C_REPLY).length, n2);
});

test('serial config, write and continuous read carry bytes through HW_SERIAL1 at its baud', async () => {
  const r = rig();
  const sent: [number, number, number][] = [];
  r.board.connectSerial(1, { receive: (b, baud) => sent.push([b, baud, r.clock.now()]) });
  await quiet(r);
  r.send([F.START_SYSEX, F.SERIAL_MESSAGE, F.SERIAL_CONFIG | 1, ...[9600 & 0x7f, (9600 >> 7) & 0x7f, 9600 >> 14], F.END_SYSEX]);
  r.send([F.START_SYSEX, F.SERIAL_MESSAGE, F.SERIAL_READ | 1, 0, F.END_SYSEX]);
  r.send([F.START_SYSEX, F.SERIAL_MESSAGE, F.SERIAL_WRITE | 1, ...F.encode7([0xfe, 0xc9, 0xc9]), F.END_SYSEX]);
  await r.run(20_000);
  assert.equal(sent.map((s) => s[0]), [0xfe, 0xc9, 0xc9]);
  assert.ok(Math.abs(sent[2][2] - sent[0][2] - 2083) <= 2, 'bytes 1.04 ms apart at 9600 baud');
  assert.is(r.board.pinMode(18), F.PIN_MODE.SERIAL);
  const rx = r.board.serialRx(1);
  rx.receive(0x12, 9600); rx.receive(0x34, 9600);
  await r.run(10_000);
  const rep = r.out.filter((m) => m.bytes[1] === F.SERIAL_MESSAGE).map((m) => m.bytes);
  assert.equal(rep.length, 1);
  assert.equal(rep[0].slice(0, 3), [F.START_SYSEX, F.SERIAL_MESSAGE, F.SERIAL_REPLY | 1]);
  assert.equal(F.decode7(rep[0], 3, rep[0].length - 1), [0x12, 0x34]);
});

test('serial bytes at another baud rate are not received', async () => {
  const r = rig();
  await quiet(r);
  r.send([F.START_SYSEX, F.SERIAL_MESSAGE, F.SERIAL_CONFIG | 2, 0x00, 0x4b, 0x00, F.END_SYSEX, F.START_SYSEX, F.SERIAL_MESSAGE, F.SERIAL_READ | 2, 0, F.END_SYSEX]);
  await r.run(10_000);
  r.board.serialRx(2).receive(0x55, 115200);
  await r.run(10_000);
  assert.is(r.out.length, 0);
});

test('a system reset stops reporting and returns output pins LOW', async () => {
  const driven: [number, number | null][] = [];
  const r = rig({ drive: (pin, l) => driven.push([pin, l]), analog: () => 100 });
  await quiet(r);
  r.send([F.SET_PIN_MODE, 22, F.PIN_MODE.OUTPUT, F.SET_DIGITAL_PIN_VALUE, 22, 1, F.SYSTEM_RESET]);
  await r.run(10_000);
  assert.equal(driven.at(-1), [22, 0]);
  assert.is(r.board.pinMode(55), F.PIN_MODE.ANALOG);
});

test('a frozen board answers nothing', async () => {
  const r = rig();
  await quiet(r);
  r.board.freeze();
  r.send([F.REPORT_VERSION]);
  await r.run(50_000);
  assert.is(r.out.length, 0);
});

/**
 * A clock whose time the test sets and whose events run only when asked: a wall clock on a loaded host, where a
 * loop pass can run after the time has moved on (WallTime hands out no earlier time than one already read).
 */
class LateClock implements SimTime {
  t = 0;
  readonly #events: { t: number; fn: () => void }[] = [];
  now(): number { return this.t; }
  at(t: number, fn: () => void): EventHandle {
    const e = { t, fn };
    this.#events.push(e);
    return { cancel: () => { const i = this.#events.indexOf(e); if (i >= 0) this.#events.splice(i, 1); } };
  }
  /** Run the events due up to `untilUs`, in time order; the clock never goes back. */
  run(untilUs: number): void {
    for (;;) {
      this.#events.sort((a, b) => a.t - b.t);
      const e = this.#events[0];
      if (!e || e.t > untilUs) break;
      this.#events.shift();
      this.t = Math.max(this.t, e.t);
      e.fn();
    }
  }
}

/** The Firmata bytes of LiquidCrystal-like 4-bit writes on the Mega map's LCD pins (40 RS, 41 E, 42..45 D4..D7, port 5). */
function lcdBytes(commands: number[], text: string): number[] {
  const bytes: number[] = [];
  for (const p of [40, 41, 42, 43, 44, 45]) bytes.push(F.SET_PIN_MODE, p, F.PIN_MODE.OUTPUT);
  const nibble = (n: number, rs: number): void => {
    const v = rs | (n << 2);
    for (const level of [v, v | 2, v]) bytes.push(F.DIGITAL_MESSAGE | 5, level & 0x7f, level >> 7); // E low, high, low
  };
  const byte = (b: number, rs: number): void => { nibble(b >> 4, rs); nibble(b & 0x0f, rs); };
  for (const n of [3, 3, 3, 2]) nibble(n, 0);
  for (const c of commands) byte(c, 0);
  for (const ch of text) byte(ch.charCodeAt(0), 1);
  return bytes;
}

test('paced input reaches the parts as far apart as the link delivered it, also when the loop pass runs after the clock moved on', () => {
  const clock = new LateClock();
  const board = new FirmataBoard(boardSpec('mega2560'), clock, { hostBaud: 57600, paceInput: true });
  const lcd = new HD44780();
  wireMeterParts(board, loadWiring(DEFAULT_WIRING), { lcd });
  board.boot();
  clock.run(0);
  // 4-bit mode, display on, entry mode, clear (1.52 ms busy), then the text: about 80 ms of bytes at 57600 baud
  board.receive(lcdBytes([0x28, 0x0c, 0x06, 0x01], 'DEVELOPED BY'));
  clock.t = 200_000; // the loop pass comes late: the time has moved past every byte's arrival
  clock.run(200_000);
  assert.is(lcd.visibleLines()[0], 'DEVELOPED BY    ');
});

test.run();
