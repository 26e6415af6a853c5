// The ATM90E26 as the firmware sees it: over its UART, byte by byte, on the virtual clock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import { byteTimeUs, type UartPeer } from '../uart.ts';
import type { AfePinPhasors } from '../signals.ts';
import { ATM90E26, type Atm90e26Config } from './atm90e26.ts';
import { REG, SysStatusBits } from './registers.ts';
import { readFrame, writeFrame } from './uart-frame.ts';

/** A host on the chip's UART: sends bytes back to back at its baud rate and records what comes back. */
class Host implements UartPeer {
  readonly got: Array<{ byte: number; t: number }> = [];
  constructor(readonly clock: VirtualClock, readonly chip: ATM90E26, readonly baud = 9600) { chip.attachHost(this); }
  receive(byte: number): void { this.got.push({ byte, t: this.clock.now() }); }
  /** Queue `bytes` from now (optional extra gap before each byte after the first); returns the last stop-bit end. */
  send(bytes: number[], gapUs = 0, baud = this.baud): number {
    let t = this.clock.now();
    bytes.forEach((b, k) => {
      t += byteTimeUs(baud) + (k > 0 ? gapUs : 0);
      this.clock.at(t, () => this.chip.uart.receive(b, baud));
    });
    return t;
  }
  /** As the firmware: queue the frame, wait 10 ms from queuing, collect what arrived. */
  async transact(bytes: number[], baud = this.baud): Promise<number[]> {
    const from = this.got.length;
    const start = this.clock.now();
    this.send(bytes, 0, baud);
    await this.clock.runUntil(start + 10_000 + (baud === 9600 ? 0 : 30_000));
    return this.got.slice(from).map((g) => g.byte);
  }
  async write(addr: number, value: number): Promise<number[]> { return this.transact(writeFrame(addr, value)); }
  async read(addr: number): Promise<number> {
    const r = await this.transact(readFrame(addr));
    if (r.length !== 3 || ((r[0] + r[1]) & 0xff) !== r[2]) throw new Error(`bad reply to read of 0x${addr.toString(16)}: ${r}`);
    return (r[0] << 8) | r[1];
  }
}

function setup(config: Partial<Atm90e26Config> = {}): { clock: VirtualClock; chip: ATM90E26; host: Host } {
  const clock = new VirtualClock();
  const chip = new ATM90E26(clock, config);
  return { clock, chip, host: new Host(clock, chip) };
}

/** Pins of the nominal OSM board: 1/823.05 divider, 1000:1 CT into 4.8 ohm; current lagging by `lagDeg`. */
function boardPins(volts: number, amps: number, lagDeg = 0): AfePinPhasors {
  return {
    freqHz: 50,
    V: [{ order: 1, rms: (volts * 0.29159671) / 240, phaseRad: 0 }],
    IL: [],
    IN: [{ order: 1, rms: amps * 0.0048, phaseRad: (-lagDeg * Math.PI) / 180 }],
  };
}

// SET_register_values() (docs/firmware.md §2): [op, addr, value].
const FIRMWARE_INIT: Array<['W', number, number] | ['R', number]> = [
  ['W', 0x00, 0x789a], ['W', 0x02, 0x0030], ['W', 0x03, 0x1f2f], ['W', 0x20, 0x5678], ['W', 0x21, 0x001e],
  ['W', 0x22, 0xc8b4], ['W', 0x23, 0x1d39], ['W', 0x25, 0x1d39], ['W', 0x24, 0x0000], ['W', 0x27, 0x08bd],
  ['W', 0x28, 0x08bd], ['W', 0x29, 0x0aec], ['W', 0x2a, 0x0000], ['W', 0x2b, 0x9422], ['W', 0x2c, 0x327c],
  ['R', 0x2c], ['W', 0x30, 0x5678], ['W', 0x31, 0x71d8], ['W', 0x33, 0x0f56], ['W', 0x34, 0], ['W', 0x36, 0],
  ['W', 0x39, 0], ['W', 0x3a, 0], ['W', 0x35, 0], ['W', 0x37, 0], ['W', 0x38, 0], ['W', 0x4a, 0], ['W', 0x4b, 0],
  ['W', 0x46, 0x4802], ['R', 0x40], ['R', 0x41], ['R', 0x42], ['W', 0x3b, 0x993b], ['R', 0x3b],
  ['W', 0x20, 0x8765], ['W', 0x30, 0x8765], ['R', 0x01],
];

async function firmwareInit(host: Host, override: Record<number, number> = {}): Promise<{ failedWrites: number; sysStatus: number }> {
  let failedWrites = 0;
  let sysStatus = -1;
  for (const step of FIRMWARE_INIT) {
    if (step[0] === 'W') {
      const value = override[step[1]] ?? step[2];
      const frame = writeFrame(step[1], value);
      const reply = await host.transact(frame);
      if (reply.length !== 1 || reply[0] !== frame[4]) failedWrites++;
    } else {
      const v = await host.read(step[1]);
      if (step[1] === 0x01) sysStatus = v;
    }
  }
  return { failedWrites, sysStatus };
}

test('soft reset FE 00 78 9A 12 is answered 12 and brings the registers back to their defaults', async () => {
  const { chip, host } = setup();
  chip.pokeRegister('FuncEn', 0x0030);
  assert.equal(await host.transact([0xfe, 0x00, 0x78, 0x9a, 0x12]), [0x12]);
  assert.is(chip.peekRegister('FuncEn'), 0x000c);
});

test('soft reset replies before it resets: a write just before it is still answered', async () => {
  const { clock, chip, host } = setup();
  chip.pokeRegister('SagTh', 0x1f2f);
  const end = host.send(writeFrame(0x00, 0x789a));
  await clock.runUntil(end + 1); // the reset has not happened yet: the reply is still on its way
  assert.is(chip.peekRegister('SagTh'), 0x1f2f);
  await clock.runFor(10_000);
  assert.equal(host.got.map((g) => g.byte), [0x12]);
  assert.is(chip.peekRegister('SagTh'), 0x1d6a);
});

test('CalStart = 5678H (FE 20 56 78 EE) is answered EE and reloads 21H..2BH defaults', async () => {
  const { chip, host } = setup();
  chip.pokeRegister('PLconstH', 0x001e);
  chip.pokeRegister('MMode', 0x7c22);
  assert.equal(await host.transact([0xfe, 0x20, 0x56, 0x78, 0xee]), [0xee]);
  assert.is(chip.peekRegister('PLconstH'), 0x0015);
  assert.is(chip.peekRegister('MMode'), 0x9422);
  assert.ok(chip.metering);
});

test('MMode = 9422H (FE 2B 94 22 E1) is answered E1 and stored', async () => {
  const { chip, host } = setup();
  chip.pokeRegister('MMode', 0x0000);
  assert.equal(await host.transact([0xfe, 0x2b, 0x94, 0x22, 0xe1]), [0xe1]);
  assert.is(chip.peekRegister('MMode'), 0x9422);
});

test('read Urms (FE C9 C9) at 240 V with the firmware calibration answers 5D C0 1D', async () => {
  const { chip, host } = setup();
  await firmwareInit(host);
  chip.setPins(boardPins(240, 5));
  assert.equal(await host.transact([0xfe, 0xc9, 0xc9]), [0x5d, 0xc0, 0x1d]);
});

test('answers a write within 3 ms of the checksum byte at 9600 baud', async () => {
  const { clock, host } = setup();
  const last = host.send(writeFrame(0x02, 0x0030));
  await clock.runFor(20_000);
  assert.is(host.got.length, 1);
  assert.ok(host.got[0].t - last <= 3000, `first reply byte ${host.got[0].t - last} us after the last host byte`);
});

test('a read reply is complete before the firmware\'s 10 ms wait ends at 9600 baud', async () => {
  const { clock, host } = setup();
  const queued = clock.now();
  host.send(readFrame(0x2c));
  await clock.runFor(20_000);
  assert.is(host.got.length, 3);
  assert.ok(host.got[2].t - queued < 10_000, `reply complete ${host.got[2].t - queued} us after queuing`);
  assert.ok(host.got[1].t - host.got[0].t <= Math.ceil(byteTimeUs(9600)), 'reply bytes back to back');
});

test('a bad checksum gets no reply and no register change', async () => {
  const { chip, host } = setup();
  assert.equal(await host.transact([0xfe, 0x02, 0x00, 0x30, 0x33]), []);
  assert.is(chip.peekRegister('FuncEn'), 0x000c);
});

test('a bad read checksum gets no reply', async () => {
  const { host } = setup();
  assert.equal(await host.transact([0xfe, 0xc9, 0x49]), []);
});

test('a host gap above 20 ms between bytes aborts the transaction', async () => {
  const { clock, chip, host } = setup();
  host.send(writeFrame(0x02, 0x0030), 20_100);
  await clock.runFor(200_000);
  assert.is(host.got.length, 0);
  assert.is(chip.peekRegister('FuncEn'), 0x000c);
});

test('a host gap of 15 ms between bytes is still one transaction', async () => {
  const { clock, chip, host } = setup();
  host.send(writeFrame(0x02, 0x0030), 15_000);
  await clock.runFor(200_000);
  assert.equal(host.got.map((g) => g.byte), [0x32]);
  assert.is(chip.peekRegister('FuncEn'), 0x0030);
});

test('bytes before 0xFE are discarded', async () => {
  const { host } = setup();
  assert.equal(await host.transact([0x00, 0x55, ...writeFrame(0x02, 0x0030)]), [0x32]);
});

test('2400 baud works and the reply comes back at 2400 baud', async () => {
  const { clock, chip, host } = setup();
  const last = host.send(writeFrame(0x02, 0x0030), 0, 2400);
  await clock.runFor(60_000);
  assert.equal(host.got.map((g) => g.byte), [0x32]);
  assert.ok(host.got[0].t - last >= byteTimeUs(2400), 'a 2400-baud byte takes 4.17 ms');
  assert.is(chip.peekRegister('FuncEn'), 0x0030);
});

test('4800 baud is not a rate the chip detects: no reply, no write', async () => {
  const { clock, chip, host } = setup();
  host.send(writeFrame(0x02, 0x0030), 0, 4800);
  await clock.runFor(60_000);
  assert.is(host.got.length, 0);
  assert.is(chip.peekRegister('FuncEn'), 0x000c);
});

test('a host 1.5 % fast is understood, 3 % fast is not', async () => {
  const { clock, host } = setup();
  host.send(writeFrame(0x02, 0x0030), 0, 9600 * 1.015);
  await clock.runFor(30_000);
  assert.is(host.got.length, 1);
  host.send(writeFrame(0x02, 0x0030), 0, 9600 * 1.03);
  await clock.runFor(30_000);
  assert.is(host.got.length, 1);
});

test('the full firmware init leaves CS1 = 327CH, CS2 = 993BH and no SysStatus error bits', async () => {
  const { chip, host } = setup();
  const r = await firmwareInit(host);
  assert.is(r.failedWrites, 0);
  assert.is(r.sysStatus & 0xf000, 0);
  assert.is(await host.read(REG.CS1), 0x327c);
  assert.is(await host.read(REG.CS2), 0x993b);
  assert.ok(chip.metering);
  assert.ok(chip.measuring);
});

test('writes to read-only Pmean, Qmean and EnStatus are echoed and ignored', async () => {
  const { chip, host } = setup();
  assert.equal(await host.write(0x46, 0x4802), [0x90]);
  assert.is(chip.peekRegister('EnStatus'), 0xc802);
  assert.equal(await host.write(0x4a, 0x1234), [(0x4a + 0x12 + 0x34) & 0xff]);
  assert.is(chip.peekRegister('Pmean'), 0);
});

test('EnStatus after power-on is C800H with the MMD pins low, LNMode copying them otherwise', () => {
  assert.is(new ATM90E26(new VirtualClock(), { mmd: 0 }).peekRegister('EnStatus'), 0xc800);
  assert.is(new ATM90E26(new VirtualClock(), { mmd: 3 }).peekRegister('EnStatus'), 0xc803);
});

test('an invalid address reads 0000H and a write to it is echoed and discarded', async () => {
  const { chip, host } = setup();
  assert.is(await host.read(0x05), 0);
  assert.equal(await host.write(0x05, 0x1234), [(0x05 + 0x12 + 0x34) & 0xff]);
  assert.is(await host.read(0x05), 0);
  assert.is(chip.peekRegister('LastData'), 0);
});

test('LastData holds the last value read or written', async () => {
  const { chip, host } = setup();
  await host.write(REG.SagTh, 0x1f2f);
  assert.is(chip.peekRegister('LastData'), 0x1f2f);
  await host.read(REG.IgainN);
  assert.is(chip.peekRegister('LastData'), 0x7530);
});

test('a wrong CS2 before AdjStart = 8765H sets AdjErr and freezes Urms and Irms2', async () => {
  const { chip, host } = setup();
  chip.setPins(boardPins(240, 5));
  const r = await firmwareInit(host, { 0x3b: 0x993c });
  assert.is(r.sysStatus & SysStatusBits.AdjErr, SysStatusBits.AdjErr);
  assert.is(r.sysStatus & SysStatusBits.CalErr, 0);
  const urms = await host.read(REG.Urms);
  const irms2 = await host.read(REG.Irms2);
  chip.setPins(boardPins(200, 10));
  assert.is(await host.read(REG.Urms), urms);
  assert.is(await host.read(REG.Irms2), irms2);
  assert.not.ok(chip.measuring);
  assert.ok(chip.metering);
});

test('with CS2 right, Urms follows the pins', async () => {
  const { chip, host } = setup();
  await firmwareInit(host);
  chip.setPins(boardPins(240, 5));
  assert.is(await host.read(REG.Urms), 24000);
  chip.setPins(boardPins(200, 5));
  assert.is(await host.read(REG.Urms), 20000);
});

test('a wrong CS1 sets CalErr and stops energy metering', async () => {
  const { clock, chip, host } = setup();
  chip.setPins(boardPins(240, 5));
  const r = await firmwareInit(host, { 0x2c: 0x327d });
  assert.is(r.sysStatus & SysStatusBits.CalErr, SysStatusBits.CalErr);
  assert.not.ok(chip.metering);
  await host.read(REG.APenergy);
  await clock.runFor(60_000_000);
  assert.is(await host.read(REG.APenergy), 0);
  assert.is(chip.cf1Pulses, 0);
  assert.ok(chip.measuring);
});

test('energy registers are read-clear', async () => {
  const { clock, chip, host } = setup();
  await firmwareInit(host);
  chip.setPins(boardPins(240, 5));
  await clock.runFor(60_000_000);
  const first = await host.read(REG.APenergy);
  assert.ok(first > 500, `APenergy after a minute at 1.2 kW: ${first}`);
  assert.ok(await host.read(REG.APenergy) <= 1, 'cleared by the read');
});

test('a later change of a protected register while 8765H is in force raises CalErr at the next check, not at once', async () => {
  const { clock, chip, host } = setup({ checksumCheckPeriodUs: 1_000_000 });
  await firmwareInit(host);
  await host.write(REG.PStartTh, 0x0900);
  assert.ok(chip.metering, 'still metering right after the write');
  assert.is(chip.peekRegister('SysStatus') & SysStatusBits.CalErr, 0);
  await clock.runFor(1_000_001); // one check period later a check has run
  assert.is(chip.peekRegister('SysStatus') & SysStatusBits.CalErr, SysStatusBits.CalErr);
  assert.not.ok(chip.metering);
});

test('periodic checks fall on a grid of checksumCheckPeriodUs from the last reset', async () => {
  const { clock, chip } = setup({ checksumCheckPeriodUs: 1_000_000 });
  chip.pokeRegister('CS1', 0x55cb); // defaults
  chip.pokeRegister('CalStart', 0x8765);
  await clock.runUntil(300_000);
  chip.pokeRegister('Lgain', 0x0001);
  await clock.runUntil(999_999);
  assert.ok(chip.metering, 'no check between the grid points');
  await clock.runUntil(1_000_000);
  assert.not.ok(chip.metering, 'the check at 1 s found the mismatch');
});

test('CalErr clears on a SysStatus read and re-asserts at the next check while the mismatch persists', async () => {
  const { clock, chip, host } = setup();
  await firmwareInit(host, { 0x2c: 0x0000 });
  assert.is(await host.read(REG.SysStatus), 0); // the init already read (and cleared) it
  await clock.runFor(1_100_000);
  assert.is(await host.read(REG.SysStatus) & SysStatusBits.CalErr, SysStatusBits.CalErr);
  assert.not.ok(chip.metering);
});

test('writing back the right CS1 lets metering resume at the next check', async () => {
  const { clock, chip, host } = setup();
  await firmwareInit(host, { 0x2c: 0x0000 });
  await host.write(REG.CS1, 0x327c);
  await clock.runFor(1_100_000);
  assert.ok(chip.metering);
});

test('CalStart = any other value stops metering and flags CalErr; 6886H stops it without an error', async () => {
  const { chip, host } = setup();
  await host.write(REG.CalStart, 0x5678);
  assert.ok(chip.metering);
  await host.write(REG.CalStart, 0x1234);
  assert.not.ok(chip.metering);
  assert.is(chip.peekRegister('SysStatus') & SysStatusBits.CalErr, SysStatusBits.CalErr);
  await host.write(REG.CalStart, 0x6886);
  assert.not.ok(chip.metering);
  assert.is(chip.peekRegister('SysStatus') & SysStatusBits.CalErr, 0);
});

test('AdjStart = 5678H reloads IgainL with its default so the firmware CS2 matches', async () => {
  const { chip, host } = setup();
  chip.pokeRegister('IgainL', 0);
  await host.write(REG.AdjStart, 0x5678);
  assert.is(chip.peekRegister('IgainL'), 0x7a13);
});

test('a read of Urms latches the low bits of the result into LSB', async () => {
  const { chip, host } = setup();
  await firmwareInit(host);
  chip.setPins(boardPins(240.005, 5)); // 24000.5 LSB
  assert.is(await host.read(REG.Urms), 24000);
  assert.is(chip.peekRegister('LSB'), 0x8000);
});

test('a CS1 write stores the expected value while a CS1 read returns the chip\'s own calculation', async () => {
  const { host } = setup();
  assert.equal(await host.write(REG.CS1, 0x1234), [(0x2c + 0x12 + 0x34) & 0xff]);
  assert.is(await host.read(REG.CS1), 0x55cb);
});

test('SagWarn clears on a SysStatus read and re-asserts one line cycle later while the sag persists', async () => {
  const { clock, chip, host } = setup();
  chip.setPins(boardPins(150, 5)); // below the default SagTh trip (189 V)
  await host.write(REG.FuncEn, 0x0030);
  assert.is(await host.read(REG.SysStatus) & SysStatusBits.SagWarn, SysStatusBits.SagWarn);
  assert.is(chip.peekRegister('SysStatus') & SysStatusBits.SagWarn, 0);
  await clock.runFor(20_000);
  assert.is(chip.peekRegister('SysStatus') & SysStatusBits.SagWarn, SysStatusBits.SagWarn);
});

test('SagWarn stays clear after a read once the voltage is back', async () => {
  const { clock, chip, host } = setup();
  chip.setPins(boardPins(150, 5)); // below the default SagTh trip (189 V)
  await host.write(REG.FuncEn, 0x0030);
  chip.setPins(boardPins(240, 5));
  assert.is(await host.read(REG.SysStatus) & SysStatusBits.SagWarn, SysStatusBits.SagWarn);
  await clock.runFor(100_000);
  assert.is(chip.peekRegister('SysStatus'), 0);
});

test('extraReplyByte sends one FF after each reply', async () => {
  const { host } = setup({ extraReplyByte: true });
  assert.equal(await host.write(REG.FuncEn, 0x0030), [0x32, 0xff]);
});

test('a dead chip never answers and performs no write', async () => {
  const { chip, host } = setup({ dead: true });
  assert.equal(await host.write(REG.FuncEn, 0x0030), []);
  assert.is(chip.peekRegister('FuncEn'), 0x000c);
});

test('a late reply (replyLatencyUs 7 ms) misses the firmware\'s 10 ms window', async () => {
  const { host } = setup({ replyLatencyUs: 7000 });
  assert.equal(await host.transact(readFrame(REG.CS1)), []);
});

test('a reply observer sees every byte on UTX', async () => {
  const { chip, host } = setup();
  const seen: number[] = [];
  chip.onTransmit = (b) => seen.push(b);
  await host.read(REG.CS2);
  assert.equal(seen, [0x6b, 0xb9, (0x6b + 0xb9) & 0xff]);
});

test('fault knobs changed with configure() act on the next transaction', async () => {
  const { chip, host } = setup();
  assert.equal(await host.write(REG.FuncEn, 0x0030), [0x32]);
  chip.configure({ dead: true });
  assert.equal(await host.write(REG.FuncEn, 0x0030), []);
  chip.configure({ dead: false, extraReplyByte: true });
  assert.equal(await host.write(REG.FuncEn, 0x0030), [0x32, 0xff]);
});

test('an unknown setting is refused with the list of known ones', () => {
  assert.throws(() => new ATM90E26(new VirtualClock(), { replyLatency: 5 } as unknown as Partial<Atm90e26Config>), /unknown ATM90E26 setting "replyLatency".*replyLatencyUs/);
  assert.throws(() => new ATM90E26(new VirtualClock(), { mmd: 4 as 0 }), /MMD1\/MMD0/);
});

test.run();
