// The chip's scale constants are pinned so that the firmware's calibration registers (Ugain 0x71D8, IgainN 0x0F56,
// docs/atm90e26.md §8) read exactly Urms = 100 x V and Irms2 = 50 x I on the nominal board at Un = 240 V, Ib = 5 A.
import { test } from 'uvu';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import { Plant } from '../plant.ts';
import { applyOverrides, DEFAULT_BOARD_PROFILE, type BoardProfile } from '../board-profile.ts';
import { FrontEnd } from '../frontend/front-end.ts';
import { ATM90E26 } from './atm90e26.ts';
import type { RegisterName } from './registers.ts';
import { chipScaleFor, FIRMWARE_CALIBRATION } from './factory-calibration.ts';

/** SET_register_values (docs/firmware.md §2), the registers that matter for the measurement path. */
const FIRMWARE: Array<[RegisterName, number]> = [
  ['FuncEn', 0x0030], ['SagTh', 0x1f2f], ['CalStart', 0x5678], ['PLconstH', 0x001e], ['PLconstL', 0xc8b4],
  ['Lgain', 0x1d39], ['Ngain', 0x1d39], ['Lphi', 0], ['PStartTh', 0x08bd], ['PNolTh', 0x08bd], ['QStartTh', 0x0aec],
  ['QNolTh', 0], ['MMode', 0x9422], ['CS1', 0x327c], ['AdjStart', 0x5678], ['Ugain', 0x71d8], ['IgainN', 0x0f56],
  ['CS2', 0x993b], ['CalStart', 0x8765], ['AdjStart', 0x8765],
];

/** A chip scaled for the nominal board, calibrated as the firmware does, reading `board` at `vrms` / `amps`. */
function reading(board: BoardProfile, vrms: number, amps: number): { Urms: number; Irms2: number } {
  const chip = new ATM90E26(new VirtualClock(), chipScaleFor(new FrontEnd(DEFAULT_BOARD_PROFILE)));
  const plant = new Plant({ grid: { vrms, hz: 50 }, profile: board, loads: amps > 0 ? [{ id: 'load', amps, pf: 1 }] : [] });
  chip.setPins(plant.pinPhasors());
  for (const [name, v] of FIRMWARE) chip.pokeRegister(name, v);
  return { Urms: chip.peekRegister('Urms'), Irms2: chip.peekRegister('Irms2') };
}

test('the firmware calibration constants are Ugain 0x71D8, IgainN 0x0F56 at Un 240 V, Ib 5 A, 50 Hz', () => {
  assert.equal(
    { ...FIRMWARE_CALIBRATION },
    { un: 240, ib: 5, hz: 50, ugain: 0x71d8, igainN: 0x0f56, urmsPerVolt: 100, irms2PerAmp: 50 },
  );
});

test('on the nominal board at 240 V / 5 A the firmware calibration reads Urms 24000 and Irms2 250', () => {
  assert.equal(reading(DEFAULT_BOARD_PROFILE, 240, 5), { Urms: 24000, Irms2: 250 });
});

test('on the nominal board the readings scale with the line: 230 V / 10 A read Urms 23000 and Irms2 500', () => {
  assert.equal(reading(DEFAULT_BOARD_PROFILE, 230, 10), { Urms: 23000, Irms2: 500 });
});

test('a board with a 2000:1 CT reads half the current with the nominal board\'s scale (Irms2 125 at 5 A)', () => {
  const board = applyOverrides(DEFAULT_BOARD_PROFILE, { 'ct.ratio': 2000 });
  const r = reading(board, 240, 5);
  assert.ok(Math.abs(r.Irms2 - 125) <= 1, `Irms2 ${r.Irms2}`);
  assert.is(r.Urms, 24000);
});

test('the L-channel constant KIL equals the N-channel KI', () => {
  const k = chipScaleFor(new FrontEnd(DEFAULT_BOARD_PROFILE));
  assert.is(k.KIL, k.KI);
  assert.ok(k.KU > 0 && k.KI > 0);
});

test('a calibration of Urms = 10 x V gives one tenth of the firmware\'s KU and the same KI', () => {
  const fe = new FrontEnd(DEFAULT_BOARD_PROFILE);
  const a = chipScaleFor(fe);
  const b = chipScaleFor(fe, { ...FIRMWARE_CALIBRATION, urmsPerVolt: 10 });
  assert.ok(Math.abs(b.KU / a.KU - 0.1) < 1e-12);
  assert.is(b.KI, a.KI);
});

test('the registers hold the integer part of the scaled value: 0.25 A reads Irms2 12 (12.5 scaled), 239.996 V reads Urms 23999', () => {
  assert.is(reading(DEFAULT_BOARD_PROFILE, 240, 0.25).Irms2, 12);
  assert.is(reading(DEFAULT_BOARD_PROFILE, 239.996, 5).Urms, 23999);
});

test('with no current Irms2 reads the 120 uV noise floor of the N channel: 1 count (0.02 A to the firmware)', () => {
  assert.is(reading(DEFAULT_BOARD_PROFILE, 240, 0).Irms2, 1);
});

const DOC = fileURLToPath(new URL('../../docs/atm90e26.md', import.meta.url));

test('docs/atm90e26.md §8 states the scaling the model uses (integer part, not rounding)', () => {
  if (!existsSync(DOC)) return;
  const text = readFileSync(DOC, 'utf8');
  const section = text.slice(text.indexOf('## 8.'), text.indexOf('## 9.'));
  const scaling = section.slice(section.indexOf("The twin's scaling"));
  assert.ok(scaling.length > 0, "§8 describes the twin's scaling");
  assert.not.match(scaling, /round\(/, 'the registers are not rounded');
  assert.match(scaling, /integer\s+part/);
});

test.run();
