import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_BOARD_PROFILE } from '../models/board-profile.ts';
import { Plant } from '../models/plant.ts';
import { VirtualClock } from '../twin/kernel/clock.ts';
import { ATM90E26 } from '../models/afe/atm90e26.ts';
import { FIRMWARE_REGISTERS, chipScale, programChip, withChecksums } from './accuracy/meter-unit.ts';
import { ReplayLoadFit, blockRegisters } from './replay-load-fit.ts';

// A 2 kW kettle beside a 150 W fridge (PF 0.75) as the twin's meter printed them: PF 1.00 hides the fridge's vars.
const KETTLE_AND_FRIDGE = { vrms: 230, hz: 50, amps: 8.6, watts: 1974.04, pf: 1 };

/** The registers an independent chip gives for a supply and a load on the nominal board. */
function registersOf(vrms: number, hz: number, load: { kind: 'resistive' | 'inductive' | 'capacitive'; amps: number; pf: number }) {
  const plant = new Plant({ profile: DEFAULT_BOARD_PROFILE, grid: { vrms, hz } });
  plant.setLoad({ id: 'x', ...load });
  const chip = new ATM90E26(new VirtualClock(), chipScale());
  programChip(chip, withChecksums({ ...FIRMWARE_REGISTERS }));
  chip.setPins(plant.pinPhasors());
  return { Urms: chip.peekRegister('Urms'), Irms2: chip.peekRegister('Irms2'), PowerF2: chip.peekRegister('PowerF2') };
}

test('the printed power gives the power factor\'s third decimal, which the printed PF rounds away', () => {
  const r = blockRegisters(KETTLE_AND_FRIDGE);
  assert.equal(r, { Urms: 23000, Irms2: 430, PowerF2: 998 });
});

test('a block whose current the firmware zeroed (under 5 W) or with no power factor fixes no registers', () => {
  assert.is(blockRegisters({ vrms: 230, hz: 50, amps: 0, watts: 0, pf: 0.5 }), null);
  assert.is(blockRegisters({ vrms: 230, hz: 50, amps: 1, watts: 230, pf: 0 }), null);
});

test('a block whose power no third decimal of its PF gives fixes no registers', () => {
  assert.is(blockRegisters({ ...KETTLE_AND_FRIDGE, watts: 1900 }), null);
});

test('the fitted supply and load give the block\'s registers on a chip of their own', () => {
  const fit = new ReplayLoadFit(DEFAULT_BOARD_PROFILE).fit(KETTLE_AND_FRIDGE)!;
  assert.ok(fit, 'a fit');
  assert.equal(registersOf(fit.vrms, fit.hz, fit.load as never), { Urms: 23000, Irms2: 430, PowerF2: 998 });
  assert.is(fit.load.kind, 'inductive');
});

test('a lagging block at PF 0.75 is fitted to a load the chip reads at 0.75, in the middle of its register steps', () => {
  const block = { vrms: 229.5, hz: 50, amps: 0.78, watts: 134.26, pf: 0.75 };
  const regs = blockRegisters(block)!;
  const fit = new ReplayLoadFit(DEFAULT_BOARD_PROFILE).fit(block)!;
  assert.equal(registersOf(fit.vrms, fit.hz, fit.load as never), regs);
  // The middle: a nudge of a quarter of a register step either way keeps every register.
  const step = { v: 0.0025, a: 0.005 };
  for (const s of [-1, 1]) {
    assert.equal(registersOf(fit.vrms + s * step.v, fit.hz, { ...fit.load, amps: fit.load.amps + s * step.a } as never), regs);
  }
});

test.run();
