import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  REG, REGISTERS, addressOf, atmChecksum, cs1Of, cs2Of, decodeMMode, decodePangle, decodePhi, decodePowerF,
  encodePangle, encodePhi, encodePowerF, fromInt16, isValidAddress, pthreshFraction, registerInfo, resetValue, toInt16,
} from './registers.ts';

// SET_register_values() of the firmware (docs/firmware.md §2, docs/atm90e26.md §3.1).
const FIRMWARE_CS1_BLOCK = {
  PLconstH: 0x001e, PLconstL: 0xc8b4, Lgain: 0x1d39, Lphi: 0x0000, Ngain: 0x1d39, Nphi: 0x0000,
  PStartTh: 0x08bd, PNolTh: 0x08bd, QStartTh: 0x0aec, QNolTh: 0x0000, MMode: 0x9422,
};
const FIRMWARE_CS2_BLOCK = { Ugain: 0x71d8, IgainN: 0x0f56 }; // IgainL stays at its default 0x7A13

test('CS1 of the firmware calibration values is 0x327C', () => {
  assert.is(cs1Of(FIRMWARE_CS1_BLOCK), 0x327c);
});

test('CS2 of the firmware calibration values (IgainL at its default) is 0x993B', () => {
  assert.is(cs2Of(FIRMWARE_CS2_BLOCK), 0x993b);
});

test('CS1 of the power-on defaults is 0x55CB and CS2 is 0x6BB9', () => {
  assert.is(cs1Of({}), 0x55cb);
  assert.is(cs2Of({}), 0x6bb9);
});

test('the whatnick library values check: CS1 0x4A34 and CS2 0xD294', () => {
  assert.is(atmChecksum([0x00b9, 0xc1f3, 0x1d39, 0, 0, 0, 0x08bd, 0, 0x0aec, 0, 0x9422]), 0x4a34);
  assert.is(atmChecksum([0xd464, 0x6e49, 0x7530, 0, 0, 0, 0, 0, 0, 0]), 0xd294);
});

test('CS2 with IgainL = 0 would be 0xF0AE (the 5678H reload matters)', () => {
  assert.is(cs2Of({ ...FIRMWARE_CS2_BLOCK, IgainL: 0 }), 0xf0ae);
});

test('the checksum low byte is the byte sum and the high byte the byte XOR (worked CS2 example)', () => {
  assert.is(atmChecksum([0x6720, 0x7a13, 0x7530]), 0x6bb9);
});

test('a checksum source may be a getter by address', () => {
  const regs = new Map<number, number>([[0x31, 0x71d8], [0x32, 0x7a13], [0x33, 0x0f56]]);
  assert.is(cs2Of((a) => regs.get(a) ?? 0), 0x993b);
});

test('a checksum of a non-16-bit word is refused with a clear message', () => {
  assert.throws(() => atmChecksum([0x10000]), /16-bit register words/);
});

test('the command and checksum registers sit at the datasheet addresses', () => {
  assert.is(REG.CalStart, 0x20);
  assert.is(REG.CS1, 0x2c);
  assert.is(REG.AdjStart, 0x30);
  assert.is(REG.CS2, 0x3b);
  assert.is(REG.Urms, 0x49);
  assert.is(REG.Irms2, 0x68);
  assert.is(REG.PowerF2, 0x6d);
});

test('unlisted addresses are invalid (05, 07, 2D, 3C, 47, 50, 69, 6C, 7F)', () => {
  for (const a of [0x05, 0x07, 0x2d, 0x3c, 0x47, 0x50, 0x69, 0x6c, 0x7f]) assert.not.ok(isValidAddress(a), `0x${a.toString(16)}`);
  assert.ok(isValidAddress(0x6f));
  assert.is(resetValue(0x05), 0);
});

test('reset defaults follow the register list', () => {
  assert.is(resetValue(REG.FuncEn), 0x000c);
  assert.is(resetValue(REG.SagTh), 0x1d6a);
  assert.is(resetValue(REG.CalStart), 0x6886);
  assert.is(resetValue(REG.PLconstL), 0xd174);
  assert.is(resetValue(REG.Ugain), 0x6720);
  assert.is(resetValue(REG.IgainL), 0x7a13);
  assert.is(resetValue(REG.IgainN), 0x7530);
  assert.is(resetValue(REG.EnStatus), 0xc800);
});

test('access types: energy registers read-clear, measurement read-only, SoftReset write-only', () => {
  assert.is(registerInfo(REG.APenergy)!.access, 'R/C');
  assert.is(registerInfo(REG.SysStatus)!.access, 'R/C');
  assert.is(registerInfo(REG.Pmean)!.access, 'R');
  assert.is(registerInfo(REG.EnStatus)!.access, 'R');
  assert.is(registerInfo(REG.SoftReset)!.access, 'W');
  assert.is(registerInfo(REG.MMode)!.access, 'R/W');
  assert.is(REGISTERS.length, new Set(REGISTERS.map((r) => r.addr)).size);
});

test('a register can be named as in the datasheet, in any case, or by number', () => {
  assert.is(addressOf('Urms'), 0x49);
  assert.is(addressOf('igainn'), 0x33);
  assert.is(addressOf('0x6D'), 0x6d);
  assert.is(addressOf(0x2c), 0x2c);
});

test('an unknown register name or an invalid address gets a message listing the valid ones', () => {
  assert.throws(() => addressOf('Vrms'), /unknown ATM90E26 register "Vrms".*Urms/);
  assert.throws(() => addressOf(0x05), /not an ATM90E26 register address/);
});

test('PowerF 0x03E8 is +1.000 and 0x83E8 is -1.000 (sign-magnitude)', () => {
  assert.is(encodePowerF(1), 0x03e8);
  assert.is(encodePowerF(-1), 0x83e8);
  assert.is(decodePowerF(0x83e8), -1);
  assert.is(decodePowerF(0x01f4), 0.5);
});

test('a reverse power factor too small for one LSB keeps the sign bit', () => {
  assert.is(encodePowerF(-0.0001), 0x8000);
});

test('Pangle is 0.1 degree per LSB, sign-magnitude, limited to +-180.0', () => {
  assert.is(encodePangle(60), 600);
  assert.is(encodePangle(-60), 0x8000 | 600);
  assert.is(encodePangle(200), 1800);
  assert.is(decodePangle(0x8000 | 25), -2.5);
});

test('Lphi is sign-magnitude with a 10-bit magnitude; bits 14..10 are ignored', () => {
  assert.is(encodePhi(35.8), 0x0024); // AN step 6 example
  assert.is(encodePhi(-36), 0x8024);
  assert.is(decodePhi(0x7c24), 36);
  assert.is(decodePhi(0x8024), -36);
  assert.is(encodePhi(5000), 0x03ff);
});

test('two\'s complement words convert both ways and saturate', () => {
  assert.is(toInt16(0xffcb), -53);
  assert.is(fromInt16(-53), 0xffcb);
  assert.is(fromInt16(40000), 0x7fff);
  assert.is(fromInt16(-40000), 0x8000);
});

test('MMode 0x9422 is L x1, N x1, LNSel L, HPFs on, forward/reverse CF, ZX both edges, 3.125 %', () => {
  assert.equal(decodeMMode(0x9422), {
    lPga: 1, nGain: 1, lnSel: 'L', disHpf: 0, amodAbsolute: false, rmodAbsolute: false, zxcon: 2, pthresh: 0.03125,
  });
});

test('MMode 0x7C22 (AN example) is L x24 and N x1', () => {
  const m = decodeMMode(0x7c22);
  assert.is(m.lPga, 24);
  assert.is(m.nGain, 1);
});

test('N gain codes 00, 01, 10, 11 mean x2, x4, x1, x1', () => {
  assert.equal([0x0000, 0x0800, 0x1000, 0x1800].map((v) => decodeMMode(v).nGain), [2, 4, 1, 1]);
});

test('Pthresh codes 0..3 halve from 12.5 % and 4..15 are 1 %..12 %', () => {
  assert.equal([0, 1, 2, 3].map(pthreshFraction), [0.125, 0.0625, 0.03125, 0.015625]);
  assert.is(pthreshFraction(4), 0.01);
  assert.is(pthreshFraction(15), 0.12);
});

test.run();
