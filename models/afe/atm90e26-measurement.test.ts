// Measurement registers from the pin phasors, with the firmware's calibration (SET_register_values, applied by pokes).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import type { AfePinPhasors, Harmonic } from '../signals.ts';
import { ATM90E26, type Atm90e26Config } from './atm90e26.ts';
import { REG, SysStatusBits, decodePangle, decodePowerF, fromInt16, toInt16, type RegisterName } from './registers.ts';

const FIRMWARE: Array<[RegisterName, number]> = [
  ['FuncEn', 0x0030], ['SagTh', 0x1f2f], ['CalStart', 0x5678], ['PLconstH', 0x001e], ['PLconstL', 0xc8b4],
  ['Lgain', 0x1d39], ['Ngain', 0x1d39], ['Lphi', 0], ['PStartTh', 0x08bd], ['PNolTh', 0x08bd], ['QStartTh', 0x0aec],
  ['QNolTh', 0], ['MMode', 0x9422], ['CS1', 0x327c], ['AdjStart', 0x5678], ['Ugain', 0x71d8], ['IgainN', 0x0f56],
  ['CS2', 0x993b], ['CalStart', 0x8765], ['AdjStart', 0x8765],
];

const V_PIN_PER_VOLT = 0.29159671 / 240; // nominal 1/823.05 divider
const I_PIN_PER_AMP = 0.0048; // 1000:1 CT into 4.8 ohm

function boardPins(volts: number, amps: number, lagDeg = 0, freqHz = 50, extraI: Harmonic[] = []): AfePinPhasors {
  return {
    freqHz,
    V: [{ order: 1, rms: volts * V_PIN_PER_VOLT, phaseRad: 0 }],
    IL: [],
    IN: [{ order: 1, rms: amps * I_PIN_PER_AMP, phaseRad: (-lagDeg * Math.PI) / 180 }, ...extraI],
  };
}

/** A chip on the board at 240 V and no load, calibrated as the firmware does (no sag latched during the init). */
function calibrated(config: Partial<Atm90e26Config> = {}): { clock: VirtualClock; chip: ATM90E26 } {
  const clock = new VirtualClock();
  const chip = new ATM90E26(clock, config);
  chip.setPins(boardPins(240, 0));
  for (const [name, v] of FIRMWARE) chip.pokeRegister(name, v);
  return { clock, chip };
}

test('at 240 V / 5 A / PF 1 on the board pins the firmware calibration reads Urms 24000, Irms2 250, PowerF2 1000', () => {
  const { chip } = calibrated();
  chip.setPins({ freqHz: 50, V: [{ order: 1, rms: 0.29159671, phaseRad: 0 }], IL: [], IN: [{ order: 1, rms: 0.024, phaseRad: 0 }] });
  assert.is(chip.peekRegister('Urms'), 24000);
  assert.is(chip.peekRegister('Irms2'), 250);
  assert.is(chip.peekRegister('PowerF2'), 1000);
});

test('Pmean2 reads 60 W at 240 V / 5 A (P/20 with the firmware current scaling) and Smean2 60 VA', () => {
  const { chip } = calibrated();
  chip.setPins(boardPins(240, 5));
  assert.is(toInt16(chip.peekRegister('Pmean2')), 60);
  assert.is(chip.peekRegister('Smean2'), 60);
  assert.is(toInt16(chip.peekRegister('Qmean2')), 0);
});

test('at PF 0.5 inductive PowerF2 reads 500 and Pangle2 +60.0 degrees', () => {
  const { chip } = calibrated();
  chip.setPins(boardPins(240, 5, 60));
  assert.is(chip.peekRegister('PowerF2'), 500);
  assert.is(decodePangle(chip.peekRegister('Pangle2')), 60);
  assert.ok(toInt16(chip.peekRegister('Qmean2')) > 0, 'inductive reactive power is positive');
});

test('a leading (capacitive) current gives a positive PF and a negative Pangle2', () => {
  const { chip } = calibrated();
  chip.setPins(boardPins(240, 5, -30));
  assert.is(chip.peekRegister('PowerF2'), 866);
  assert.is(decodePangle(chip.peekRegister('Pangle2')), -30);
  assert.ok(toInt16(chip.peekRegister('Qmean2')) < 0);
});

test('a reversed CT gives PowerF2 with bit 15 set and a negative Pmean2', () => {
  const { chip } = calibrated();
  chip.setPins(boardPins(240, 5, 180));
  assert.is(chip.peekRegister('PowerF2'), 0x83e8);
  assert.is(decodePowerF(chip.peekRegister('PowerF2')), -1);
  assert.is(toInt16(chip.peekRegister('Pmean2')), -60);
});

test('Freq reads 5000 at 50 Hz and is limited to 45.00..65.00 Hz', () => {
  const { chip } = calibrated();
  chip.setPins(boardPins(240, 5, 0, 50));
  assert.is(chip.peekRegister('Freq'), 5000);
  chip.setPins(boardPins(240, 5, 0, 50.37));
  assert.is(chip.peekRegister('Freq'), 5037);
  chip.setPins(boardPins(240, 5, 0, 70));
  assert.is(chip.peekRegister('Freq'), 6500);
  chip.setPins(boardPins(240, 5, 0, 40));
  assert.is(chip.peekRegister('Freq'), 4500);
});

test('Freq keeps its last value when there is no voltage to time', () => {
  const { chip } = calibrated();
  chip.setPins(boardPins(240, 5, 0, 51));
  chip.setPins(boardPins(0, 5, 0, 49));
  assert.is(chip.peekRegister('Freq'), 5100);
});

test('halving Ugain halves Urms and the mean powers (AN 4.2)', () => {
  const { chip } = calibrated();
  chip.setPins(boardPins(240, 50));
  const p = toInt16(chip.peekRegister('Pmean2'));
  chip.pokeRegister('Ugain', 29144 / 2);
  assert.is(chip.peekRegister('Urms'), 12000);
  assert.is(toInt16(chip.peekRegister('Pmean2')), p / 2);
});

test('Irms2 follows the N gain field of MMode', () => {
  const { chip } = calibrated();
  chip.setPins(boardPins(240, 5));
  chip.pokeRegister('MMode', 0x9422 & ~0x1800 | 0x0800); // N gain x4
  assert.is(chip.peekRegister('Irms2'), 1000);
});

test('measurement registers stay 0 after power-on until AdjStart starts measurement', () => {
  const chip = new ATM90E26(new VirtualClock());
  chip.setPins(boardPins(240, 5));
  assert.is(chip.peekRegister('Urms'), 0);
  assert.not.ok(chip.measuring);
  chip.pokeRegister('AdjStart', 0x5678);
  assert.ok(chip.peekRegister('Urms') > 0);
});

test('a current harmonic without a voltage harmonic adds to Irms2 but not to Pmean2', () => {
  const { chip } = calibrated();
  chip.setPins(boardPins(240, 40, 0, 50, [{ order: 3, rms: 30 * I_PIN_PER_AMP, phaseRad: 0 }]));
  assert.is(chip.peekRegister('Irms2'), 2500); // sqrt(40^2 + 30^2) = 50 A -> 50 x 50 = 2500
  assert.is(toInt16(chip.peekRegister('Pmean2')), 480); // 240 V x 2 A (40 A / 20)
  assert.is(chip.peekRegister('PowerF2'), 800);
});

test('harmonics above the 1.1 kHz bandwidth are not measured', () => {
  const { chip } = calibrated();
  chip.setPins(boardPins(240, 40, 0, 50, [{ order: 23, rms: 30 * I_PIN_PER_AMP, phaseRad: 0 }]));
  assert.is(chip.peekRegister('Irms2'), 2000);
});

test('DC on the pins is removed by the high-pass filters and measured with both switched off', () => {
  const { chip } = calibrated();
  const pins = boardPins(240, 30, 0, 50, [{ order: 0, rms: 40 * I_PIN_PER_AMP, phaseRad: 0 }]);
  chip.setPins(pins);
  assert.is(chip.peekRegister('Irms2'), 1500);
  chip.pokeRegister('MMode', 0x9722); // DisHPF = 11
  assert.is(chip.peekRegister('Irms2'), 2500);
});

test('Nphi = 400 LSB delays the current by 195 us: 3.5 degrees more lag at 50 Hz', () => {
  const { chip } = calibrated();
  chip.setPins(boardPins(240, 5));
  chip.pokeRegister('Nphi', 400);
  assert.is(decodePangle(chip.peekRegister('Pangle2')), 3.5);
  chip.pokeRegister('Nphi', 0x8000 | 400);
  assert.is(decodePangle(chip.peekRegister('Pangle2')), -3.5);
});

test('an IoffsetN computed as AN step 12 describes nulls the residual current reading', () => {
  const { chip } = calibrated();
  chip.setPins(boardPins(240, 0.1)); // residual 5 LSB
  const residual = chip.peekRegister('Irms2');
  assert.is(residual, 5);
  const igain = chip.peekRegister('IgainN');
  chip.pokeRegister('IoffsetN', fromInt16(-Math.round((residual * igain / 65536) * 256)));
  assert.ok(chip.peekRegister('Irms2') <= 1, `Irms2 after offset: ${chip.peekRegister('Irms2')}`);
});

test('a PoffsetN of the negated small-power reading (AN step 4) nulls Pmean2 in small-power mode', () => {
  const { chip } = calibrated();
  chip.setPins(boardPins(240, 0.003)); // 3 mA of creep
  chip.pokeRegister('SmallPMod', 0xa987);
  const small = toInt16(chip.peekRegister('Pmean2'));
  assert.ok(small > 10, `small-power reading ${small}`);
  chip.pokeRegister('PoffsetN', fromInt16(-small));
  assert.ok(Math.abs(toInt16(chip.peekRegister('Pmean2'))) <= 1);
});

test('sag at 195 V with the firmware SagTh (trip 200.8 V) sets SagWarn; 205 V does not', () => {
  const { chip } = calibrated();
  chip.setPins(boardPins(205, 5));
  assert.is(chip.peekRegister('SysStatus') & SysStatusBits.SagWarn, 0);
  chip.setPins(boardPins(195, 5));
  assert.is(chip.peekRegister('SysStatus') & SysStatusBits.SagWarn, SysStatusBits.SagWarn);
  assert.ok(chip.irq);
});

test('no SagWarn while FuncEn.SagEn is off (the power-on default)', () => {
  const chip = new ATM90E26(new VirtualClock());
  chip.setPins(boardPins(100, 5));
  assert.is(chip.peekRegister('SysStatus') & SysStatusBits.SagWarn, 0);
});

test('WarnOut follows a sag when FuncEn.SagWo is set', () => {
  const { chip } = calibrated();
  chip.setPins(boardPins(195, 5));
  assert.ok(chip.warnOut);
  chip.setPins(boardPins(240, 5));
  assert.not.ok(chip.warnOut);
});

test('the sag trip level does not move with Ugain (a raw ADC comparison)', () => {
  const { chip } = calibrated();
  chip.pokeRegister('Ugain', 20000);
  chip.setPins(boardPins(205, 5));
  assert.is(chip.peekRegister('SysStatus') & SysStatusBits.SagWarn, 0);
});

test('a larger KU scales Urms for a board whose divider differs', () => {
  const { chip } = calibrated({ KU: (24000 / (0.29159671 * 29144)) * 1.1 });
  chip.setPins(boardPins(240, 5));
  assert.is(chip.peekRegister('Urms'), 26400);
});

test('pins with a bad frequency or amplitude are refused with a clear message', () => {
  const { chip } = calibrated();
  assert.throws(() => chip.setPins({ ...boardPins(240, 5), freqHz: 0 }), /freqHz must be a positive number/);
  assert.throws(() => chip.setPins({ ...boardPins(240, 5), V: [{ order: 1, rms: Number.NaN, phaseRad: 0 }] }), /V\[0\]\.rms/);
  assert.throws(() => chip.setPins({ ...boardPins(240, 5), IN: [{ order: 1.5, rms: 0, phaseRad: 0 }] }), /IN\[0\]\.order/);
});

test('peek and poke refuse unknown registers and out-of-range values', () => {
  const { chip } = calibrated();
  assert.throws(() => chip.peekRegister('Vrms' as RegisterName), /unknown ATM90E26 register/);
  assert.throws(() => chip.pokeRegister(REG.Ugain, 0x10000), /0\.\.0xFFFF/);
  assert.throws(() => chip.pokeRegister(REG.EnStatus, 0), /cannot be poked/);
});

test.run();
