// The AFE responder's image in avr8js on a virtual clock, as rig-emulated runs it. Skipped (counted as skipped) where
// gcc-avr, avr-libc or arduino-core-avr are missing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildSketch, toolchainProblem } from '../firmware/build-sketch.ts';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import { byteTimeUs } from '../../models/uart.ts';
import { EmulatedResponder } from './emulated-responder.ts';
import { ReportDecoder, encodeCommand, type ResponderReport } from '../responder/protocol.ts';

const run = toolchainProblem() === null ? test : test.skip;
let image: Uint8Array | null = null;

function setup() {
  image ??= buildSketch('afe-responder').image;
  const clock = new VirtualClock();
  const r = new EmulatedResponder(image, clock);
  const reports: ResponderReport[] = [];
  const dec = new ReportDecoder();
  r.onHostBytes = (b) => reports.push(...dec.push(b));
  const meterGot: { byte: number; t: number }[] = [];
  r.meterRx = { receive: (byte) => meterGot.push({ byte, t: clock.now() }) };
  /** The meter sends `bytes` at 9600 baud from now, each arriving at its stop bit. */
  const meterSends = (bytes: number[]): number => {
    const t0 = clock.now();
    bytes.forEach((b, i) => clock.at(Math.round(t0 + (i + 1) * byteTimeUs(9600)), () => r.meterPeer.receive(b, 9600)));
    return t0;
  };
  return { clock, r, reports, meterGot, meterSends };
}

run('announces its reset to the host and answers a ping', async () => {
  const { clock, r, reports } = setup();
  await clock.runFor(10_000);
  assert.equal(reports[0], { type: 'pong', seq: 0, version: 1 });
  r.hostWrite(encodeCommand({ type: 'ping', seq: 9 }));
  await clock.runFor(10_000);
  assert.ok(reports.some((x) => x.type === 'pong' && x.seq === 9));
});

run('answers the meter\'s read with the mirror\'s value, complete inside the 10 ms window', async () => {
  const { clock, r, reports, meterGot, meterSends } = setup();
  await clock.runFor(10_000);
  r.hostWrite(encodeCommand({ type: 'set', addr: 0x49, value: 23000 }));
  await clock.runFor(10_000);
  const t0 = meterSends([0xfe, 0xc9, 0xc9]);
  await clock.runFor(10_000);
  assert.equal(meterGot.map((g) => g.byte), [23000 >> 8, 23000 & 0xff, ((23000 >> 8) + (23000 & 0xff)) & 0xff]);
  assert.ok(meterGot[2].t - t0 <= 10_000, `last reply byte ${meterGot[2].t - t0} us after the frame was queued`);
  assert.ok(reports.some((x) => x.type === 'read' && x.addr === 0x49 && x.value === 23000));
});

run('idle time is skipped, not simulated, and the next read is still answered', async () => {
  const { clock, r, meterGot, meterSends } = setup();
  await clock.runFor(60_000_000);
  meterSends([0xfe, 0x81, 0x81]);
  await clock.runFor(10_000);
  assert.is(meterGot.length, 3);
  assert.ok(r.runUs < 100_000, `simulated ${r.runUs} us of a quiet minute and a read`);
  assert.ok(r.skippedUs > 59_000_000, `skipped ${r.skippedUs} us (the skip is taken when the next byte wakes the CPU)`);
});

run('a frozen responder sends nothing more', async () => {
  const { clock, r, meterGot, meterSends } = setup();
  await clock.runFor(10_000);
  r.freeze();
  meterSends([0xfe, 0x81, 0x81]);
  await clock.runFor(20_000);
  assert.is(meterGot.length, 0);
});

test.run();
