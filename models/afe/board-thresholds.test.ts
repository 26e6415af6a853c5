// The start-up / no-load threshold the firmware writes (PStartTh = PNolTh = 0x08BD) on the nominal board, and the
// figure docs/atm90e26.md §4.5 gives for it. Hand calculation (independent of the model): the threshold is
// 0x08BD / 93.2067556 = 24.0 mV^2 of internal power p = G x VL x VU x (1 + Ngain/32768); on the nominal board
// VL = 4.7853 mV/A (1000:1 CT, 4.8 ohm, 1 kohm + 33 nF legs into 800 kohm), VU = 291.58 mV at 240 V and
// 1 + 0x1D39/32768 = 1.2283, so p = 1713.9 mV^2/A and the chip meters from 14.0 mA (3.36 W) at 240 V.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import { Plant } from '../plant.ts';
import { DEFAULT_BOARD_PROFILE } from '../board-profile.ts';
import { FrontEnd } from '../frontend/front-end.ts';
import { ATM90E26 } from './atm90e26.ts';
import { EnStatusBits, type RegisterName } from './registers.ts';
import { chipScaleFor } from './factory-calibration.ts';

/** SET_register_values (docs/firmware.md §2). */
const FIRMWARE: Array<[RegisterName, number]> = [
  ['FuncEn', 0x0030], ['SagTh', 0x1f2f], ['CalStart', 0x5678], ['PLconstH', 0x001e], ['PLconstL', 0xc8b4],
  ['Lgain', 0x1d39], ['Ngain', 0x1d39], ['Lphi', 0], ['PStartTh', 0x08bd], ['PNolTh', 0x08bd], ['QStartTh', 0x0aec],
  ['QNolTh', 0], ['MMode', 0x9422], ['CS1', 0x327c], ['AdjStart', 0x5678], ['Ugain', 0x71d8], ['IgainN', 0x0f56],
  ['CS2', 0x993b], ['CalStart', 0x8765], ['AdjStart', 0x8765],
];

/** True when the chip on the nominal board, set up as the firmware does, meters active energy at `amps`, 240 V, PF 1. */
function meters(amps: number): boolean {
  const chip = new ATM90E26(new VirtualClock(), chipScaleFor(new FrontEnd(DEFAULT_BOARD_PROFILE)));
  const plant = new Plant({ grid: { vrms: 240, hz: 50 }, loads: [{ id: 'load', amps, pf: 1 }] });
  chip.setPins(plant.pinPhasors());
  for (const [name, v] of FIRMWARE) chip.pokeRegister(name, v);
  return (chip.peekRegister('EnStatus') & EnStatusBits.Pnoload) === 0;
}

/** The current (mA, 0.01 mA resolution) from which the chip meters at 240 V. */
function thresholdMilliamps(): number {
  let lo = 1;
  let hi = 100;
  while (hi - lo > 0.01) {
    const mid = (lo + hi) / 2;
    if (meters(mid / 1000)) hi = mid;
    else lo = mid;
  }
  return hi;
}

test('with the firmware registers the chip on the nominal board meters from 14.0 mA at 240 V (3.36 W)', () => {
  const mA = thresholdMilliamps();
  assert.ok(Math.abs(mA - 14.0) < 0.05, `threshold ${mA.toFixed(3)} mA`);
  assert.ok(meters(0.02), 'the IEC starting current (0.004 Ib = 20 mA) is metered');
});

const DOC = fileURLToPath(new URL('../../docs/atm90e26.md', import.meta.url));

test('docs/atm90e26.md §4.5 gives the threshold this board has with the firmware registers', () => {
  if (!existsSync(DOC)) return;
  const text = readFileSync(DOC, 'utf8');
  const section = text.slice(text.indexOf('### 4.5'), text.indexOf('### 4.6'));
  const m = /On this board.*?threshold is ([\d.]+) W.*?meters from ([\d.]+) mA at 240 V/s.exec(section);
  assert.ok(m, '§4.5 states the threshold on this board in W and mA at 240 V');
  assert.ok(Math.abs(Number(m![2]) - thresholdMilliamps()) < 0.1, `doc ${m![2]} mA`);
  assert.ok(Math.abs(Number(m![1]) - 0.240 * thresholdMilliamps()) < 0.02, `doc ${m![1]} W`);
});

test.run();
