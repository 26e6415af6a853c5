// The AFE responder sketch, built from hil-rig/firmware/afe-responder with Debian's toolchain and run in avr8js as a
// Mega 2560: it must answer the meter firmware's transactions on its UART exactly as the ATM90E26 does and within the
// firmware's fixed window. The firmware queues a frame at 9600 baud, waits delay(10) and then reads the reply without
// checking available(): the reply's last byte must be in 10 ms after the frame was queued.
// Skipped (counted as skipped) where gcc-avr, avr-libc or arduino-core-avr are missing; .ci/run installs them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildSketch, toolchainProblem } from '../firmware/build-sketch.ts';
import { ResponderSim, FIRMWARE_WINDOW_US, METER_CHAR_US } from './responder-sim.ts';
import { encodeCommand } from './protocol.ts';
import { AfeMirror } from './afe-mirror.ts';
import { ATM90E26 } from '../../models/afe/atm90e26.ts';
import { REG } from '../../models/afe/registers.ts';
import { VirtualClock } from '../../twin/kernel/clock.ts';

const run = toolchainProblem() === null ? test : test.skip;
const WINDOW_US = FIRMWARE_WINDOW_US;

let image: Uint8Array | null = null;
function responder(): ResponderSim {
  image ??= buildSketch('afe-responder').image;
  return new ResponderSim(image);
}

const readFrame = ResponderSim.readFrame;
const writeFrame = ResponderSim.writeFrame;
run('announces itself after reset with a pong of sequence 0', () => {
  const r = responder();
  assert.equal(r.reports[0], { type: 'pong', seq: 0, version: 1 });
});

run('answers 1000 register reads at the firmware\'s timing, every reply complete inside the 10 ms window', () => {
  const r = responder();
  const chip = new ATM90E26(new VirtualClock());
  r.host(new AfeMirror(chip).configure());
  const addrs = [REG.Urms, REG.Irms2, REG.PowerF2, REG.Freq, REG.Pmean2];
  let worst = 0;
  let t = r.us + 100;
  for (let k = 0; k < 1000; k++) {
    const addr = addrs[k % addrs.length];
    const want = chip.peekRegister(addr);
    const { reply, lastEndUs } = r.transaction(readFrame(addr), t);
    assert.equal(reply, [want >> 8, want & 0xff, ((want >> 8) + (want & 0xff)) & 0xff], `read ${k} of ${addr.toString(16)}`);
    worst = Math.max(worst, lastEndUs);
    t += WINDOW_US; // the firmware queues the next frame right after reading
  }
  process.stdout.write(` [worst reply end ${(worst / 1000).toFixed(3)} ms after the frame was queued] `);
  assert.ok(worst < WINDOW_US);
});

run('a write is echoed with its checksum, stored, and read back', () => {
  const r = responder();
  r.host(new AfeMirror(new ATM90E26(new VirtualClock())).configure());
  const w = r.transaction(writeFrame(REG.Ugain, 0x71d8), r.us + 100);
  assert.equal(w.reply, [(REG.Ugain + 0x71 + 0xd8) & 0xff]);
  const rd = r.transaction(readFrame(REG.Ugain), r.us + 100);
  assert.equal(rd.reply, [0x71, 0xd8, (0x71 + 0xd8) & 0xff]);
  assert.ok(r.reports.some((x) => x.type === 'write' && x.addr === REG.Ugain && x.value === 0x71d8));
  const last = r.transaction(readFrame(REG.LastData), r.us + 100);
  assert.equal(last.reply.slice(0, 2), [0x71, 0xd8], 'LastData holds the last good transaction');
});

run('a frame with a wrong checksum gets no reply and writes nothing', () => {
  const r = responder();
  r.host(new AfeMirror(new ATM90E26(new VirtualClock())).configure());
  const bad = writeFrame(REG.Ugain, 0x1234);
  bad[4] ^= 0x01;
  assert.equal(r.transaction(bad, r.us + 100).reply, []);
  assert.equal(r.transaction([0xfe, REG.Urms | 0x80, 0x00], r.us + 100).reply, []);
  const rd = r.transaction(readFrame(REG.Ugain), r.us + 100);
  assert.is((rd.reply[0] << 8) | rd.reply[1], new ATM90E26(new VirtualClock()).peekRegister(REG.Ugain));
  assert.is(r.reports.filter((x) => x.type === 'badChecksum').length, 2);
});

run('a write to a read-only register is echoed and not stored', () => {
  const r = responder();
  r.host(new AfeMirror(new ATM90E26(new VirtualClock())).configure());
  assert.equal(r.transaction(writeFrame(REG.EnStatus, 0x4802), r.us + 100).reply, [(REG.EnStatus + 0x48 + 0x02) & 0xff]);
  assert.ok(r.reports.some((x) => x.type === 'readOnlyWrite' && x.addr === REG.EnStatus));
});

run('a gap of more than 20 ms inside a frame aborts it', () => {
  const r = responder();
  r.host(new AfeMirror(new ATM90E26(new VirtualClock())).configure());
  const t = r.us + 100;
  r.m.receiveAt('usart1', 0xfe, Math.round((t + METER_CHAR_US) * 16));
  r.m.runForUs(25_000);
  // the rest of the read comes late: it is no frame of its own (no FE), so nothing answers
  assert.equal(r.transaction([REG.Urms | 0x80, REG.Urms | 0x80], r.us + 100).reply, []);
  assert.ok(r.reports.some((x) => x.type === 'timeout' && x.bytes === 1));
});

run('energy taken from the model is served once and cleared by the read, as the chip\'s read-clear register', () => {
  const r = responder();
  const chip = new ATM90E26(new VirtualClock());
  const mirror = new AfeMirror(chip);
  r.host(mirror.configure());
  chip.pokeRegister(REG.APenergy, 7);
  r.host(mirror.sync());
  assert.is(chip.peekRegister(REG.APenergy), 0, 'the model gave the pulses to the mirror');
  chip.pokeRegister(REG.APenergy, 5);
  r.host(mirror.sync());
  const first = r.transaction(readFrame(REG.APenergy), r.us + 100);
  assert.equal(first.reply.slice(0, 2), [0, 12]);
  const second = r.transaction(readFrame(REG.APenergy), r.us + 100);
  assert.equal(second.reply.slice(0, 2), [0, 0]);
});

run('a changed register is pushed by sync and served at the next read', () => {
  const r = responder();
  const chip = new ATM90E26(new VirtualClock());
  const mirror = new AfeMirror(chip);
  r.host(mirror.configure());
  chip.pokeRegister(REG.Urms, 24000);
  r.host(mirror.sync());
  assert.equal(r.transaction(readFrame(REG.Urms), r.us + 100).reply, [0x5d, 0xc0, 0x1d]);
  assert.equal(mirror.sync().length, 0, 'nothing changed since');
});

run('answers a ping from the host, and reports a host frame with a bad sum', () => {
  const r = responder();
  r.host([encodeCommand({ type: 'ping', seq: 42 })]);
  assert.ok(r.reports.some((x) => x.type === 'pong' && x.seq === 42));
  const bad = encodeCommand({ type: 'ping', seq: 1 });
  bad[5] ^= 0xff;
  r.host([bad]);
  assert.ok(r.reports.some((x) => x.type === 'badHostFrame'));
});

test.run();
