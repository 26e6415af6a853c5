// The two fidelity levels must agree (README.md "Plant fidelity"): on every steady state of the
// accuracy suite the ATM90E26 fed with 8 kHz samples (waveform plant + ADC + DSP) and the one fed with pin phasors give
// the same registers within 0.05 %. Both chips carry the firmware's calibration; registers are read over the UART as
// the firmware reads them, with the LSB register (08H) for the fraction below one count.
//
// Tolerances: RMS and apparent power 0.05 % of the value; active and reactive power 0.05 % of the apparent power
// (near PF 0 or 1 the small one has no meaningful relative error); PowerF2 and Pangle2 one count (0.001 and 0.1 deg,
// below 0.05 % of their full scale); Freq one count (0.01 Hz). The noise floor is off at both levels here (with it the
// small currents' RMS carry the noise power, see waveform-front-end.test.ts); quantisation and both HPFs are on.
// The DC point (half-wave rectified current) is not a steady state the levels share: the waveform CT saturates on DC.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import { byteTimeUs, type UartPeer } from '../uart.ts';
import { DEFAULT_BOARD_PROFILE } from '../board-profile.ts';
import { FrontEnd } from '../frontend/front-end.ts';
import type { AfePinPhasors, Harmonic } from '../signals.ts';
import { WaveformPlant } from '../waveform/waveform-plant.ts';
import { CurrentLinesLoad } from '../waveform/loads/current-lines.ts';
import { ATM90E26 } from './atm90e26.ts';
import { REG, decodePangle, decodePowerF, type RegisterName } from './registers.ts';
import { readFrame } from './uart-frame.ts';
import { lineProducts, maxOrderFor, spectrumOf } from './phasor-dsp.ts';
import { WaveformFrontEnd } from './waveform-front-end.ts';
import type { WaveformCycle } from './waveform-dsp.ts';

const FIRMWARE: Array<[RegisterName, number]> = [
  ['FuncEn', 0x0030], ['SagTh', 0x1f2f], ['CalStart', 0x5678], ['PLconstH', 0x001e], ['PLconstL', 0xc8b4],
  ['Lgain', 0x1d39], ['Ngain', 0x1d39], ['Lphi', 0], ['PStartTh', 0x08bd], ['PNolTh', 0x08bd], ['QStartTh', 0x0aec],
  ['QNolTh', 0], ['MMode', 0x9422], ['CS1', 0x327c], ['AdjStart', 0x5678], ['Ugain', 0x71d8], ['IgainN', 0x0f56],
  ['CS2', 0x993b], ['CalStart', 0x8765], ['AdjStart', 0x8765],
];

const UN = 240;
const IB = 5;
const IMAX = 80;

interface State { name: string; volts: number; hz: number; amps: number; lagDeg: number; v5?: number; i5?: number }

/** The accuracy suite's steady states (scenarios/accuracy/points.ts): error table, voltage, frequency, harmonics. */
function suiteStates(): State[] {
  const out: State[] = [];
  const table = (from: number): number[] => [0.05, 0.1, 0.2, 0.5, 1, 2].filter((m) => m >= from).map((m) => m * IB).concat([30, 60, IMAX]);
  for (const a of table(0.05)) out.push({ name: `${a} A PF 1`, volts: UN, hz: 50, amps: a, lagDeg: 0 });
  for (const a of table(0.1)) out.push({ name: `${a} A PF 0.5L`, volts: UN, hz: 50, amps: a, lagDeg: 60 });
  for (const a of table(0.1)) out.push({ name: `${a} A PF 0.8C`, volts: UN, hz: 50, amps: a, lagDeg: -36.87 });
  for (const lag of [0, 60]) {
    for (const v of [0.9 * UN, 1.1 * UN]) out.push({ name: `${v} V Ib lag ${lag}`, volts: v, hz: 50, amps: IB, lagDeg: lag });
    for (const hz of [49, 51]) out.push({ name: `${hz} Hz Ib lag ${lag}`, volts: UN, hz, amps: IB, lagDeg: lag });
  }
  out.push({ name: '5th harmonic 10 % V 40 % I, 0.5 Imax PF 1', volts: UN, hz: 50, amps: 0.5 * IMAX, lagDeg: 0, v5: 0.1, i5: 0.4 });
  return out;
}

function lines(s: State): { v: Harmonic[]; i: Harmonic[] } {
  const phi = (-s.lagDeg * Math.PI) / 180;
  const v: Harmonic[] = [{ order: 1, rms: s.volts, phaseRad: 0 }];
  const i: Harmonic[] = [{ order: 1, rms: s.amps, phaseRad: phi }];
  if (s.v5) v.push({ order: 5, rms: s.v5 * s.volts, phaseRad: 0 });
  if (s.i5) i.push({ order: 5, rms: s.i5 * s.amps, phaseRad: 5 * phi });
  return { v, i };
}

/** Pin phasors through the phasor level's front end of the default board. */
function phasorPins(s: State, fe: FrontEnd): AfePinPhasors {
  const { v, i } = lines(s);
  const through = (ls: Harmonic[], t: (hz: number) => { re: number; im: number }): Harmonic[] => ls.map((l) => {
    const x = t(l.order * s.hz);
    return { order: l.order, rms: l.rms * Math.hypot(x.re, x.im), phaseRad: l.phaseRad + Math.atan2(x.im, x.re) };
  });
  return { freqHz: s.hz, V: through(v, (hz) => fe.voltagePin(hz)), IL: [], IN: through(i, (hz) => fe.currentPinN(hz)) };
}

/** A host reading registers over the chip's UART at 9600 baud, as the firmware does. */
class Host implements UartPeer {
  readonly got: number[] = [];
  constructor(readonly clock: VirtualClock, readonly chip: ATM90E26) { chip.attachHost(this); }
  receive(byte: number): void { this.got.push(byte); }
  async read(addr: number): Promise<number> {
    const from = this.got.length;
    let t = this.clock.now();
    for (const b of readFrame(addr)) {
      t += byteTimeUs(9600);
      this.clock.at(t, () => this.chip.uart.receive(b, 9600));
    }
    await this.clock.runUntil(this.clock.now() + 10_000);
    const r = this.got.slice(from);
    if (r.length !== 3) throw new Error(`no reply to the read of 0x${addr.toString(16)}`);
    return (r[0] << 8) | r[1];
  }
  /** Register value with its 8-bit fraction from the LSB register (08H). */
  async readExtended(name: RegisterName, signed: boolean): Promise<number> {
    const whole = await this.read(REG[name]);
    const lsb = await this.read(REG.LSB);
    const w = signed && whole >= 0x8000 ? whole - 0x10000 : whole;
    return w + lsb / 65536;
  }
}

interface Reading { urms: number; irms: number; p: number; q: number; s: number; pf: number; angle: number; freq: number }

async function readAll(host: Host): Promise<Reading> {
  return {
    urms: await host.readExtended('Urms', false),
    irms: await host.readExtended('Irms2', false),
    p: await host.readExtended('Pmean2', true),
    q: await host.readExtended('Qmean2', true),
    s: await host.readExtended('Smean2', false),
    pf: decodePowerF(await host.read(REG.PowerF2)),
    angle: decodePangle(await host.read(REG.Pangle2)),
    freq: (await host.read(REG.Freq)) / 100,
  };
}

function firmwareChip(clock: VirtualClock): ATM90E26 {
  // the phasor level's noise floor off too, as the ADC's here
  const chip = new ATM90E26(clock, { noiseFloorVrms: 0 });
  for (const [name, v] of FIRMWARE) chip.pokeRegister(name, v);
  return chip;
}

async function phasorReading(s: State, fe: FrontEnd): Promise<{ r: Reading; pins: AfePinPhasors }> {
  const clock = new VirtualClock();
  const chip = firmwareChip(clock);
  const pins = phasorPins(s, fe);
  chip.setPins(pins);
  return { r: await readAll(new Host(clock, chip)), pins };
}

async function waveformReading(s: State): Promise<{ r: Reading; cycle: WaveformCycle }> {
  const clock = new VirtualClock();
  const chip = firmwareChip(clock);
  const plant = new WaveformPlant({ grid: { vrms: s.volts, hz: s.hz, harmonics: s.v5 ? [{ order: 5, percent: s.v5 * 100 }] : [] } });
  plant.addLoad(new CurrentLinesLoad('phantom', lines(s).i));
  const feed = new WaveformFrontEnd(chip, clock);
  let cycle: WaveformCycle | null = null;
  const toChip = feed.dsp.onCycle!;
  feed.dsp.onCycle = (c, sample) => { cycle = c; toChip(c, sample); };
  // 3 s: the CT's magnetising transient (Lm / R = 2.3 s, a fraction of a percent of the current) and the HPFs settle.
  for (let b = 0; b < 15; b++) {
    feed.setPinSamples(plant.render(1600).pins);
    await clock.runFor(200_000);
  }
  return { r: await readAll(new Host(clock, chip)), cycle: cycle! };
}

const fe = new FrontEnd(DEFAULT_BOARD_PROFILE);
const results = new Map<string, { ph: Reading; wf: Reading; pins: AfePinPhasors; cycle: WaveformCycle }>();
async function both(s: State) {
  let r = results.get(s.name);
  if (!r) {
    const [p, w] = [await phasorReading(s, fe), await waveformReading(s)];
    r = { ph: p.r, wf: w.r, pins: p.pins, cycle: w.cycle };
    results.set(s.name, r);
  }
  return r;
}

function within(what: string, s: State, got: number, want: number, tol: number): void {
  assert.ok(Math.abs(got - want) <= tol, `${s.name}: ${what} waveform ${got} vs phasor ${want} (tolerance ${tol})`);
}

const STATES = suiteStates();

test(`reads the same Urms, Irms2 and Smean2 (0.05 %) on all ${STATES.length} steady states of the accuracy suite`, async () => {
  for (const s of STATES) {
    const { ph, wf } = await both(s);
    within('Urms', s, wf.urms, ph.urms, 5e-4 * ph.urms);
    within('Irms2', s, wf.irms, ph.irms, 5e-4 * ph.irms);
    within('Smean2', s, wf.s, ph.s, 5e-4 * ph.s);
  }
});

test('reads the same Pmean2 and Qmean2 within 0.05 % of the apparent power on every steady state', async () => {
  for (const s of STATES) {
    const { ph, wf } = await both(s);
    within('Pmean2', s, wf.p, ph.p, 5e-4 * ph.s);
    within('Qmean2', s, wf.q, ph.q, 5e-4 * ph.s);
  }
});

test('reads the same PowerF2, Pangle2 and Freq (one count) on every steady state', async () => {
  for (const s of STATES) {
    const { ph, wf } = await both(s);
    within('PowerF2', s, wf.pf, ph.pf, 0.001 + 1e-9);
    within('Pangle2', s, wf.angle, ph.angle, 0.1 + 1e-9);
    within('Freq', s, wf.freq, ph.freq, 0.01 + 1e-9);
  }
});

test('drives the energy path (thresholds, energy registers, CF) with the same active and reactive power', async () => {
  for (const s of STATES) {
    const { pins, cycle, ph } = await both(s);
    const n = maxOrderFor(s.hz, 1100);
    const prod = lineProducts(spectrumOf(pins.V, n), spectrumOf(pins.IN, n), s.hz, 0, false);
    const sPin = Math.hypot(prod.p, prod.q);
    within('energy P', s, cycle.N.p, prod.p, 5e-4 * sPin);
    within('energy Q', s, cycle.N.q, prod.q, 5e-4 * sPin);
    assert.ok(ph.s > 0);
  }
});

test('counts the same active energy over 10 s at Imax (APenergy, 0.05 % + one count)', async () => {
  const s: State = { name: 'Imax PF 1', volts: UN, hz: 50, amps: IMAX, lagDeg: 0 };
  const clockP = new VirtualClock();
  const chipP = firmwareChip(clockP);
  chipP.setPins(phasorPins(s, fe));
  const clockW = new VirtualClock();
  const chipW = firmwareChip(clockW);
  const plant = new WaveformPlant({ grid: { vrms: UN, hz: 50 } });
  plant.addLoad(new CurrentLinesLoad('phantom', lines(s).i));
  const feed = new WaveformFrontEnd(chipW, clockW);
  // Let both settle 3 s, clear the energy registers (read-clear), then count 10 s.
  for (let b = 0; b < 15; b++) { feed.setPinSamples(plant.render(1600).pins); await clockW.runFor(200_000); }
  await clockP.runFor(3_000_000);
  const hp = new Host(clockP, chipP);
  const hw = new Host(clockW, chipW);
  await hp.read(REG.APenergy);
  await hw.read(REG.APenergy);
  // The host's read took 10 ms on the waveform chip's clock: keep its samples in step with it.
  for (let b = 0; b < 50; b++) { feed.setPinSamples(plant.render(1600).pins); await clockW.runFor(200_000); }
  await clockP.runFor(10_000_000);
  const eP = await hp.read(REG.APenergy);
  const eW = await hw.read(REG.APenergy);
  assert.ok(eP > 1000, `${eP}`);
  assert.ok(Math.abs(eW - eP) <= 5e-4 * eP + 1, `APenergy waveform ${eW} vs phasor ${eP}`);
});
test.run();
