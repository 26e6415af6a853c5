// Energy metering: CF pulses, energy registers, start-up threshold and metering line, on the virtual clock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import type { AfePinPhasors } from '../signals.ts';
import { ATM90E26, type Atm90e26Config, type CfLine } from './atm90e26.ts';
import { EnStatusBits, SysStatusBits, toInt16, type RegisterName } from './registers.ts';

const FIRMWARE: Array<[RegisterName, number]> = [
  ['FuncEn', 0x0030], ['SagTh', 0x1f2f], ['CalStart', 0x5678], ['PLconstH', 0x001e], ['PLconstL', 0xc8b4],
  ['Lgain', 0x1d39], ['Ngain', 0x1d39], ['Lphi', 0], ['PStartTh', 0x08bd], ['PNolTh', 0x08bd], ['QStartTh', 0x0aec],
  ['QNolTh', 0], ['MMode', 0x9422], ['CS1', 0x327c], ['AdjStart', 0x5678], ['Ugain', 0x71d8], ['IgainN', 0x0f56],
  ['CS2', 0x993b], ['CalStart', 0x8765], ['AdjStart', 0x8765],
];
const FW_PL = 0x001ec8b4;
const FW_GAIN = 1 + 0x1d39 / 32768;

const V_PIN_PER_VOLT = 0.29159671 / 240;
const I_PIN_PER_AMP = 0.0048;

function pins(volts: number, ampsN: number, lagDeg = 0, ampsL = 0): AfePinPhasors {
  const phaseRad = (-lagDeg * Math.PI) / 180;
  return {
    freqHz: 50,
    V: [{ order: 1, rms: volts * V_PIN_PER_VOLT, phaseRad: 0 }],
    IL: ampsL ? [{ order: 1, rms: ampsL * I_PIN_PER_AMP, phaseRad }] : [],
    IN: [{ order: 1, rms: ampsN * I_PIN_PER_AMP, phaseRad }],
  };
}

function calibrated(config: Partial<Atm90e26Config> = {}): { clock: VirtualClock; chip: ATM90E26 } {
  const clock = new VirtualClock();
  const chip = new ATM90E26(clock, config);
  chip.setPins(pins(240, 0));
  for (const [name, v] of FIRMWARE) chip.pokeRegister(name, v);
  return { clock, chip };
}

/** Internal power p = G x Vi[mV] x Vu[mV] x cos(phi) x (1 + gain/32768) on the N line at gain 1. */
function pOf(volts: number, amps: number, cosPhi = 1): number {
  return amps * I_PIN_PER_AMP * 1000 * volts * V_PIN_PER_VOLT * 1000 * cosPhi * FW_GAIN;
}

test('CF1 pulse rate matches 233.017 x p / PL_Constant', async () => {
  const { clock, chip } = calibrated();
  let pulses = 0;
  chip.onCfPulse = (line) => { if (line === 'P') pulses++; };
  chip.setPins(pins(240, 5));
  await clock.runFor(1000e6);
  const expected = (233.017 * pOf(240, 5) / FW_PL) * 1000;
  assert.ok(Math.abs(pulses - expected) <= 1, `${pulses} pulses, expected ${expected.toFixed(2)}`);
  assert.is(chip.cf1Pulses, pulses);
});

test('CF pulses are reported at their exact crossing times, evenly spaced at constant power', async () => {
  const { clock, chip } = calibrated();
  const times: number[] = [];
  chip.onCfPulse = (line, t) => { if (line === 'P') times.push(t); };
  chip.setPins(pins(240, 20));
  await clock.runFor(10e6);
  const period = 1e6 / (233.017 * pOf(240, 20) / FW_PL);
  assert.ok(times.length > 10);
  for (let k = 1; k < times.length; k++) assert.ok(Math.abs(times[k] - times[k - 1] - period) < 0.01 * period);
});

test('APenergy counts 10 LSB per CF1 pulse (0.1 pulse per LSB)', async () => {
  const { clock, chip } = calibrated();
  chip.setPins(pins(240, 10));
  await clock.runFor(100e6);
  const tenths = chip.peekRegister('APenergy');
  assert.ok(Math.abs(tenths - 10 * chip.cf1Pulses) < 10, `${tenths} LSB for ${chip.cf1Pulses} pulses`);
  assert.is(chip.peekRegister('ATenergy'), tenths);
  assert.is(chip.peekRegister('ANenergy'), 0);
});

test('an energy register wraps from FFFFH to 0000H: poked to FFF0H, it reads 16 LSB less than a fresh one', async () => {
  const fresh = calibrated();
  const poked = calibrated();
  poked.chip.pokeRegister('APenergy', 0xfff0);
  for (const u of [fresh, poked]) u.chip.setPins(pins(240, 10));
  await fresh.clock.runFor(10e6);
  await poked.clock.runFor(10e6);
  const n = fresh.chip.peekRegister('APenergy');
  assert.ok(n > 16 && n < 0x1000, `${n} LSB in 10 s`);
  assert.is(poked.chip.peekRegister('APenergy'), n - 16);
});

test('energy integrates piecewise: 50 s at 5 A then 50 s at 15 A equals 100 s at 10 A', async () => {
  const a = calibrated();
  a.chip.setPins(pins(240, 5));
  await a.clock.runFor(50e6);
  a.chip.setPins(pins(240, 15));
  await a.clock.runFor(50e6);
  const b = calibrated();
  b.chip.setPins(pins(240, 10));
  await b.clock.runFor(100e6);
  assert.ok(Math.abs(a.chip.peekRegister('APenergy') - b.chip.peekRegister('APenergy')) <= 1);
});

test('peeking does not change what the chip accumulates', async () => {
  const a = calibrated();
  const b = calibrated();
  a.chip.setPins(pins(240, 7));
  b.chip.setPins(pins(240, 7));
  for (let k = 0; k < 100; k++) {
    await a.clock.runFor(1e6 + 137);
    a.chip.peekRegister('APenergy');
    a.chip.peekRegister('EnStatus');
  }
  await b.clock.runFor(100 * (1e6 + 137));
  assert.is(a.chip.peekRegister('APenergy'), b.chip.peekRegister('APenergy'));
  assert.is(a.chip.cf1Pulses, b.chip.cf1Pulses);
});

test('below the start-up threshold (PStartTh 08BDH, about 14 mA here) nothing accumulates and Pnoload is set', async () => {
  const { clock, chip } = calibrated();
  chip.setPins(pins(240, 0.010));
  await clock.runFor(3600e6);
  assert.is(chip.peekRegister('APenergy'), 0);
  assert.is(chip.peekRegister('EnStatus') & EnStatusBits.Pnoload, EnStatusBits.Pnoload);
});

test('just above the start-up threshold (20 mA) energy accumulates and Pnoload clears', async () => {
  const { clock, chip } = calibrated();
  chip.setPins(pins(240, 0.020));
  await clock.runFor(3600e6);
  assert.ok(chip.peekRegister('APenergy') > 0);
  assert.is(chip.peekRegister('EnStatus') & EnStatusBits.Pnoload, 0);
});

test('reverse power counts ANenergy, not APenergy, and sets EnStatus.RevP', async () => {
  const { clock, chip } = calibrated();
  chip.setPins(pins(240, 10, 180));
  await clock.runFor(100e6);
  assert.is(chip.peekRegister('APenergy'), 0);
  assert.ok(chip.peekRegister('ANenergy') > 100);
  assert.is(chip.peekRegister('ATenergy'), chip.peekRegister('ANenergy'));
  assert.is(chip.peekRegister('EnStatus') & EnStatusBits.RevP, EnStatusBits.RevP);
});

test('a change of energy direction sets SysStatus.RevPchg when FuncEn.RevPEn is on', async () => {
  const { clock, chip } = calibrated();
  chip.pokeRegister('FuncEn', 0x000c);
  chip.setPins(pins(240, 10));
  await clock.runFor(10e6);
  assert.is(chip.peekRegister('SysStatus') & SysStatusBits.RevPchg, 0);
  chip.setPins(pins(240, 10, 180));
  await clock.runFor(10e6);
  assert.is(chip.peekRegister('SysStatus') & SysStatusBits.RevPchg, SysStatusBits.RevPchg);
});

test('the firmware\'s FuncEn 0030H leaves RevPchg off', async () => {
  const { clock, chip } = calibrated();
  chip.setPins(pins(240, 10));
  await clock.runFor(10e6);
  chip.setPins(pins(240, 10, 180));
  await clock.runFor(10e6);
  assert.is(chip.peekRegister('SysStatus') & SysStatusBits.RevPchg, 0);
});

test('with MMode.Amod absolute, reverse power still gives CF1 pulses and RevP reads 0', async () => {
  const { clock, chip } = calibrated();
  chip.pokeRegister('CalStart', 0x5678); // unchecked, so MMode may change freely
  chip.pokeRegister('PLconstH', 0x001e);
  chip.pokeRegister('PLconstL', 0xc8b4);
  chip.pokeRegister('MMode', 0x9422 | 0x0080);
  chip.setPins(pins(240, 10, 180));
  await clock.runFor(100e6);
  assert.ok(chip.cf1Pulses > 10);
  assert.is(chip.peekRegister('EnStatus') & EnStatusBits.RevP, 0);
});

test('an inductive load counts forward reactive energy and CF2 pulses', async () => {
  const { clock, chip } = calibrated();
  const lines: CfLine[] = [];
  chip.onCfPulse = (line) => lines.push(line);
  chip.setPins(pins(240, 10, 60));
  await clock.runFor(100e6);
  assert.ok(chip.peekRegister('RPenergy') > 100);
  assert.is(chip.peekRegister('RNenergy'), 0);
  assert.ok(chip.cf2Pulses > 10);
  assert.is(lines.filter((l) => l === 'Q').length, chip.cf2Pulses);
});

test('Ngain changes the energy rate but not Pmean2', async () => {
  const { clock, chip } = calibrated();
  chip.pokeRegister('CalStart', 0x5678);
  chip.pokeRegister('PLconstH', 0x001e);
  chip.pokeRegister('PLconstL', 0xc8b4);
  chip.setPins(pins(240, 20));
  const pmean = toInt16(chip.peekRegister('Pmean2'));
  await clock.runFor(100e6);
  const base = chip.cf1Pulses;
  chip.pokeRegister('Ngain', 0x4000); // +50 %
  await clock.runFor(100e6);
  const withGain = chip.cf1Pulses - base;
  assert.ok(Math.abs(withGain / base - 1.5) < 0.03, `${withGain} vs ${base}`);
  assert.is(toInt16(chip.peekRegister('Pmean2')), pmean);
});

test('PLconstH takes effect only when PLconstL is written', () => {
  const chip = new ATM90E26(new VirtualClock());
  chip.pokeRegister('CalStart', 0x5678);
  assert.is(chip.plConstant, 0x0015d174);
  chip.pokeRegister('PLconstH', 0x001e);
  assert.is(chip.plConstant, 0x0015d174);
  chip.pokeRegister('PLconstL', 0xc8b4);
  assert.is(chip.plConstant, 0x001ec8b4);
});

test('energy registers wrap from FFFFH to 0000H', async () => {
  const { clock, chip } = calibrated();
  chip.setPins(pins(240, 80));
  chip.pokeRegister('APenergy', 0xfff0);
  await clock.runFor(5e6); // about 16 pulses/s -> 800 LSB
  const v = chip.peekRegister('APenergy');
  assert.ok(v > 0 && v < 0x1000, `APenergy ${v}`);
});

test('nothing is metered after power-on until CalStart starts metering', async () => {
  const clock = new VirtualClock();
  const chip = new ATM90E26(clock);
  chip.setPins(pins(240, 10));
  await clock.runFor(100e6);
  assert.is(chip.peekRegister('APenergy'), 0);
  assert.is(chip.cf1Pulses, 0);
  assert.is(chip.peekRegister('EnStatus'), 0xc802);
});

test('a soft reset clears the energy registers but not the CF1 pulse count', async () => {
  const { clock, chip } = calibrated();
  chip.setPins(pins(240, 10));
  await clock.runFor(20e6);
  const pulses = chip.cf1Pulses;
  assert.ok(pulses > 0);
  chip.pokeRegister('SoftReset', 0x789a);
  assert.is(chip.peekRegister('APenergy'), 0);
  assert.is(chip.cf1Pulses, pulses);
});

test('L+N mode (MMD = 10) meters the sum of both lines', async () => {
  const a = calibrated({ mmd: 0b10 });
  a.chip.setPins(pins(240, 6, 0, 4));
  await a.clock.runFor(100e6);
  const b = calibrated({ mmd: 0b10 });
  b.chip.setPins(pins(240, 10));
  await b.clock.runFor(100e6);
  assert.ok(Math.abs(a.chip.cf1Pulses - b.chip.cf1Pulses) <= 1, `${a.chip.cf1Pulses} vs ${b.chip.cf1Pulses}`);
});

test('L-only mode (MMD = 01) ignores the CT on the N channel', async () => {
  const { clock, chip } = calibrated({ mmd: 0b01 });
  chip.setPins(pins(240, 10));
  await clock.runFor(100e6);
  assert.is(chip.cf1Pulses, 0);
});

test('anti-tamper mode (MMD = 00) switches to the N line when it carries more power and flags LNchange', async () => {
  const { chip } = calibrated({ mmd: 0b00 });
  chip.setPins(pins(240, 10, 0, 10));
  assert.is(chip.peekRegister('EnStatus') & EnStatusBits.Lline, EnStatusBits.Lline);
  assert.is(chip.peekRegister('SysStatus') & SysStatusBits.LNchange, 0);
  chip.setPins(pins(240, 10, 0, 9)); // N 11 % above L: beyond the 3.125 % threshold
  assert.is(chip.peekRegister('EnStatus') & EnStatusBits.Lline, 0);
  assert.is(chip.peekRegister('SysStatus') & SysStatusBits.LNchange, SysStatusBits.LNchange);
});

test('anti-tamper mode keeps the L line while N is only 2 % larger (hysteresis)', () => {
  const { chip } = calibrated({ mmd: 0b00 });
  chip.setPins(pins(240, 10.2, 0, 10));
  assert.is(chip.peekRegister('EnStatus') & EnStatusBits.Lline, EnStatusBits.Lline);
});

test.run();
