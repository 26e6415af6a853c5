// What-if overrides: parsing, clear messages, and checksums recomputed so the chip runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import { cs1Of, cs2Of } from '../../models/afe/registers.ts';
import { FIRMWARE_REGISTERS, newChip, programChip } from './meter-unit.ts';
import { WhatIfError, parseWhatIf, whatIfProfile, whatIfRegisters, whatIfUnit } from './what-if.ts';
import { builtInNetlist } from '../../models/frontend/circuit/netlist.ts';

test('takes board values as frontend.<section>.<name>, with SI prefixes', () => {
  const u = whatIfUnit(parseWhatIf(['frontend.ct.ratio=2000', 'frontend.ct.burdenOhms=30', 'frontend.divider.rTopOhms=680k']));
  assert.is(u.profile.ct.ratio, 2000);
  assert.is(u.profile.ct.burdenOhms, 30);
  assert.is(u.profile.divider.rTopOhms, 680e3);
});

test('accepts the issue\'s short forms frontend.ctRatio and frontend.burdenOhms', () => {
  const u = whatIfUnit(parseWhatIf(['frontend.ctRatio=2000', 'frontend.burdenOhms=10']));
  assert.is(u.profile.ct.ratio, 2000);
  assert.is(u.profile.ct.burdenOhms, 10);
});

test('a name in several sections must be qualified', () => {
  assert.throws(() => parseWhatIf(['frontend.rPOhms=2k']), /in several sections; write one of frontend.filter.rPOhms, frontend.filterL.rPOhms/);
});

test('takes calibration registers as afe.<Name> in hex or decimal and recomputes CS1 and CS2', () => {
  const regs = whatIfRegisters(parseWhatIf(['afe.IgainN=0x1000', 'afe.Ngain=100']));
  assert.is(regs.IgainN, 0x1000);
  assert.is(regs.Ngain, 100);
  assert.is(regs.CS1, cs1Of(regs));
  assert.is(regs.CS2, cs2Of(regs));
  assert.is.not(regs.CS2, FIRMWARE_REGISTERS.CS2);
});

test('a chip brought up with the recomputed checksums meters and measures', () => {
  const regs = whatIfRegisters(parseWhatIf(['afe.IgainN=0x1000', 'afe.PLconstL=0x1234']));
  const chip = newChip(new VirtualClock());
  programChip(chip, regs);
  assert.ok(chip.metering);
  assert.ok(chip.measuring);
});

test('keeps a checksum set explicitly (to try a wrong one)', () => {
  const regs = whatIfRegisters(parseWhatIf(['afe.IgainN=0x1000', 'afe.CS2=0x993B']));
  assert.is(regs.CS2, 0x993b);
  const chip = newChip(new VirtualClock());
  programChip(chip, regs);
  assert.not.ok(chip.measuring);
});

test('firmware.ENERGY sets the firmware\'s energy at the start', () => {
  assert.is(parseWhatIf(['firmware.ENERGY=5000']).billing.ENERGY, 5000);
});

test('an unknown namespace, board parameter or register is refused with a clear message and a suggestion', () => {
  assert.throws(() => parseWhatIf(['board.ct.ratio=2']), /unknown key 'board.ct.ratio'; keys start with frontend., afe., firmware./);
  assert.throws(() => parseWhatIf(['frontend.ct.ratoi=2']), /unknown board parameter 'frontend.ct.ratoi' \(did you mean 'frontend.ct.ratio'\?\)/);
  assert.throws(() => parseWhatIf(['afe.Igainn2=1']), /'Igainn2' is not a calibration register of the ATM90E26/);
  assert.throws(() => parseWhatIf(['afe.Urms=1']), /not a calibration register/);
  assert.throws(() => parseWhatIf(['firmware.credit=1']), /unknown firmware value 'credit'/);
});

test('a bad value is refused naming the entry: not key=value, a 17-bit register, a negative ratio', () => {
  assert.throws(() => parseWhatIf(['frontend.ct.ratio']), /expected key=value/);
  assert.throws(() => parseWhatIf(['afe.IgainN=0x10000']), /--set 'afe.IgainN=0x10000': a register value is a 16-bit word/);
  assert.throws(() => parseWhatIf(['afe.IgainN=12ab']), /16-bit word/);
  assert.throws(() => parseWhatIf(['frontend.ct.ratio=-3']), /--set 'frontend.ct.ratio=-3': .*must be > 0/);
  assert.throws(() => parseWhatIf(['frontend.ct.ratio=lots']), /must be a number/);
  assert.throws(() => parseWhatIf(['frontend.ct.ratio=-3']), (err: unknown) => err instanceof WhatIfError);
});

test('a board-profile value on a front end solved as a circuit (a --netlist file) is refused, saying where the part is', () => {
  const w = { ...parseWhatIf(['frontend.ct.ratio=2000']), circuit: { netlist: builtInNetlist(), label: 'netlist board.yaml', args: [] } };
  assert.throws(() => whatIfProfile(w), (e: unknown) => e instanceof WhatIfError
    && /^frontend\.ct\.ratio: the front end \(netlist board\.yaml\) is solved as a circuit, so board-profile parameters do not apply to it; .*edit its netlist \(the CT is its ct: section\)$/.test((e as Error).message));
});

test.run();
