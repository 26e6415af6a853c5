import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FrameReceiver, detectBaud, readFrame, readReply, writeFrame } from './uart-frame.ts';

test('soft reset frame is FE 00 78 9A 12', () => {
  assert.equal(writeFrame(0x00, 0x789a), [0xfe, 0x00, 0x78, 0x9a, 0x12]);
});

test('CalStart = 5678H frame is FE 20 56 78 EE and MMode = 9422H is FE 2B 94 22 E1', () => {
  assert.equal(writeFrame(0x20, 0x5678), [0xfe, 0x20, 0x56, 0x78, 0xee]);
  assert.equal(writeFrame(0x2b, 0x9422), [0xfe, 0x2b, 0x94, 0x22, 0xe1]);
});

test('firmware frames for EnStatus, CS2, CalStart and AdjStart = 8765H match the firmware table', () => {
  assert.equal(writeFrame(0x46, 0x4802), [0xfe, 0x46, 0x48, 0x02, 0x90]);
  assert.equal(writeFrame(0x3b, 0x993b), [0xfe, 0x3b, 0x99, 0x3b, 0x0f]);
  assert.equal(writeFrame(0x20, 0x8765), [0xfe, 0x20, 0x87, 0x65, 0x0c]);
  assert.equal(writeFrame(0x30, 0x8765), [0xfe, 0x30, 0x87, 0x65, 0x1c]);
});

test('a read of Urms is FE C9 C9 and 240.00 V is answered 5D C0 1D', () => {
  assert.equal(readFrame(0x49), [0xfe, 0xc9, 0xc9]);
  assert.equal(readReply(24000), [0x5d, 0xc0, 0x1d]);
});

test('frame encoders refuse addresses above 7FH and values above FFFFH', () => {
  assert.throws(() => writeFrame(0x80, 0), /address must be 0\.\.0x7F/);
  assert.throws(() => writeFrame(0x20, 0x10000), /value must be 0\.\.0xFFFF/);
});

test('the chip detects 2400 and 9600 baud within +-2 % and nothing else', () => {
  assert.is(detectBaud(9600, 0.02), 9600);
  assert.is(detectBaud(9600 * 1.019, 0.02), 9600);
  assert.is(detectBaud(9600 * 1.03, 0.02), null);
  assert.is(detectBaud(2400, 0.02), 2400);
  assert.is(detectBaud(4800, 0.02), null);
  assert.is(detectBaud(115200, 0.02), null);
});

test('bytes before 0xFE are discarded and the frame after them is decoded', () => {
  const rx = new FrameReceiver(() => ({ baudTolerance: 0.02, interByteTimeoutUs: 20000 }));
  let t = 0;
  let out = null;
  for (const b of [0x00, 0x12, 0x49, ...readFrame(0x49)]) out = rx.push(b, 9600, (t += 1042));
  assert.equal(out, { frame: { kind: 'read', addr: 0x49 }, baud: 9600 });
});

test('a write frame with a wrong checksum yields nothing', () => {
  const rx = new FrameReceiver(() => ({ baudTolerance: 0.02, interByteTimeoutUs: 20000 }));
  const why: string[] = [];
  rx.onReject = (w) => why.push(w);
  let t = 0;
  let out = null;
  for (const b of [0xfe, 0x20, 0x56, 0x78, 0xef]) out = rx.push(b, 9600, (t += 1042));
  assert.is(out, null);
  assert.equal(why, ['badChecksum']);
});

test.run();
