// Runs the suite on one meter unit: for each test point a fresh virtual clock, an ATM90E26 brought up with the unit's
// registers, the phantom load's pins through the unit's front end, the chip's CF pulses and the firmware's own
// accumulation observed over the test, and a verdict against the limits table.
//
// Errors are gated as a bench with a scanning head gates them, so they do not depend on where a test starts or stops:
// - chip: from the first CF pulse to the pulse `gatePulses` later, registered = gatePulses / k kWh, true = P x time;
// - firmware: from the first `credit_formular()` call after the first `mesure()` to the last call of the test,
//   registered = the increase of ENERGY, true = P x time between the two calls.
// The energies printed for the whole test (true, CF, firmware) are over the whole test duration.
// At waveform level (`fidelity: 'waveform'`) the pins are 8 kHz samples (waveform-drive.ts) and the first
// WAVEFORM_WARMUP_US are not gated; the phasor level's clipping and CT-knee checks give way to the ADC's clip counts
// and the sample-level CT's saturation.
import { halfWaveDcAmps } from './dc-immunity.ts';
import type { ATM90E26 } from '../../models/afe/atm90e26.ts';
import { FrontEnd } from '../../models/frontend/front-end.ts';
import { rmsOf } from '../../models/signals.ts';
import { decodeMMode } from '../../models/afe/registers.ts';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import { Rng } from '../../twin/kernel/rng.ts';
import type { DefectId } from '../../twin/profiles/defects.ts';
import { FIRMWARE_BILLING_DEFAULTS, FirmwareBilling, type FirmwareBillingConfig, type FirmwareReadings } from './firmware-billing.ts';
import { creepMinutes, pfLabel, type AccuracyLimits } from './limits.ts';
import { newChip, programChip, type MeterUnit } from './meter-unit.ts';
import { FULL_SCALE_RMS_VOLTS, clippingOf, ctKneeAmps, peakOf, pinsFor, sourceLines, truthWatts, type ClipFinding } from './phantom-load.ts';
import type { PointKind, SuiteSpec, TestCondition, TestPoint } from './points.ts';
import type { MeterRatings } from './ratings.ts';
import { WaveformDrive } from './waveform-drive.ts';

/** Which registered energy the verdict is judged on: the chip's CF pulses, the firmware's ENERGY, or both. */
export type Judge = 'chip' | 'firmware' | 'both';
export const JUDGES: readonly Judge[] = ['chip', 'firmware', 'both'];

export interface BenchOptions {
  /** Meter constant k, imp/kWh: converts CF pulses to energy and sets the creep test duration. */
  meterConstant: number;
  /** Where k comes from, for reports ("implied by ...", "--meter-constant"). */
  meterConstantSource: string;
  /** Defects present in the firmware whose accumulation is reproduced (D14, D15, D16, D47 matter here). */
  defects: ReadonlySet<DefectId>;
  /** The firmware build, for reports (`field`, `fixed`, `field, fix D14`). */
  firmwareLabel: string;
  judge: Judge;
  /** CF pulses between the gates of the chip error (default 10). */
  gatePulses: number;
  /** Firmware billing calls between the gates of the firmware error (default 20, about 21 s). */
  gateCalls: number;
  /** Firmware loop and ISR timing, uptime and ENERGY at the start. */
  billing: Partial<FirmwareBillingConfig>;
  /**
   * phasor (default): pin phasors into the chip, fast; waveform: 8 kHz samples through the sample-level front end
   * (CT saturation) and the chip's ADC (clipping, quantisation, noise floor) and DSP.
   */
  fidelity?: Fidelity;
  /** Seed of the ADC noise floor at waveform level (each test condition forks its own source from it). */
  noiseSeed?: number;
}

export type Fidelity = 'phasor' | 'waveform';
export const FIDELITIES: readonly Fidelity[] = ['phasor', 'waveform'];

/**
 * Waveform level: pulses and billing calls before this are not gated. [UNDET] 3 s: the CT's magnetising branch settles
 * with L/R = 30 H / 12.8 ohm = 2.3 s after the current is switched on, the ADC's 0.3 Hz high-pass filters in about 1 s.
 */
export const WAVEFORM_WARMUP_US = 3_000_000;

/**
 * The verdict is the hardware's by default (`chip`): yield and the class verdict are about the board and its chip; the
 * firmware's billing error is reported beside it as its own verdict, with the defects that cause it named.
 */
export const BENCH_DEFAULTS = { gatePulses: 10, gateCalls: 20, judge: 'chip' as Judge } as const;

/** One condition measured on the bench. */
export interface Measurement {
  volts: number;
  amps: number;
  hz: number;
  truePowerW: number;
  durationS: number;
  trueEnergyKWh: number;
  cfPulses: number;
  cfEnergyKWh: number;
  firmwareEnergyKWh: number;
  /** Chip error, percent, gated on CF pulses; null when fewer than two pulses came (or no true energy). */
  errorPercent: number | null;
  /** Firmware error, percent, gated on billing calls; null without true energy. */
  firmwareErrorPercent: number | null;
  /** The firmware's readings after the last `mesure()`. */
  readings: FirmwareReadings;
  /** Billing calls after the first `mesure()`, and how many of them billed something. */
  calls: number;
  billedCalls: number;
  /** Mean time between billing calls, s. */
  callPeriodS: number;
  /** Peak pin voltages, volts. */
  vPeakVolts: number;
  iPeakVolts: number;
  /** Hardware reasons that void the measurement (clipping, CT knee, checksum errors). */
  hardware: string[];
  /** Waveform level: the share of samples the CT's core spent on its saturated slope (null at the phasor level). */
  ctSaturatedShare: number | null;
  /** Limitations of the model at this point (not failures). */
  notes: string[];
  metering: boolean;
  measuring: boolean;
}

export interface PointResult {
  name: string;
  kind: PointKind;
  currentLabel: string;
  /** Supplied quantities: rms volts, rms amps, fundamental displacement PF. */
  voltage: number;
  current: number;
  pf: number;
  pfLabel: string;
  hz: number;
  measurement: Measurement;
  /** Chip (CF) error, percent; null where undefined (creep, no pulses). */
  errorPercent: number | null;
  firmwareErrorPercent: number | null;
  /** Influence tests: error minus the reference condition's error, percentage points. */
  shiftPercent: number | null;
  firmwareShiftPercent: number | null;
  referenceErrorPercent: number | null;
  referenceFirmwareErrorPercent: number | null;
  /** +- percent (error or shift); null for starting and creep. */
  limitPercent: number | null;
  /** What the pass rule is, in words. */
  rule: string;
  chipPass: boolean;
  firmwarePass: boolean;
  /** The firmware's verdict failed because of these known defects (D14, D47, ...); empty when it passed or none applies. */
  firmwareDefects: string[];
  /** Why the firmware's verdict failed, judged or not (empty when it passed). */
  firmwareReasons: string[];
  pass: boolean;
  /** Why the point failed (empty when it passed). */
  reasons: string[];
  notes: string[];
}

export interface SuiteResult {
  pass: boolean;
  ratings: MeterRatings;
  limits: AccuracyLimits;
  meterConstant: number;
  meterConstantSource: string;
  creepMinutes: number;
  firmwareLabel: string;
  judge: Judge;
  fidelity: Fidelity;
  points: PointResult[];
  /** The firmware's own verdict over every point, whatever is judged: its billing error within the limits. */
  firmwarePass: boolean;
  /** Known defects behind the firmware's failures, in order of appearance. */
  firmwareDefects: string[];
}

/** Observers of a suite run (progress); they change nothing. */
export interface SuiteHooks {
  /** A point is about to be measured: its index (0-based), the number of points, its name (it may throw to stop). */
  onPoint?: (index: number, total: number, name: string) => void | Promise<void>;
}

/** Run every point of `spec` on `unit`. Same inputs, same result (no randomness, virtual time only). */
export async function runSuite(unit: MeterUnit, spec: SuiteSpec, options: BenchOptions, hooks: SuiteHooks = {}): Promise<SuiteResult> {
  checkOptions(options);
  const fe = new FrontEnd(unit.profile);
  return runSuiteWith(spec, options, (c, mode, fidelity) => measureCondition(unit, fe, c, mode, spec, { ...options, fidelity }), hooks);
}

/** Measures one condition: the twin's bench (measureCondition) or a chip behind a rig board (hil-rig/board-accuracy.ts). */
export type MeasureFn = (c: TestCondition, mode: Mode, fidelity: Fidelity) => Promise<Measurement>;

/** Every point of `spec`, each condition measured once by `measureFn`, judged and tabled as `runSuite` does. */
export async function runSuiteWith(spec: SuiteSpec, options: BenchOptions, measureFn: MeasureFn, hooks: SuiteHooks = {}): Promise<SuiteResult> {
  checkOptions(options);
  const memo = new Map<string, Promise<Measurement>>();
  const measure = (c: TestCondition, mode: Mode, fidelity: Fidelity): Promise<Measurement> => {
    const key = `${fidelity}|${mode}|${conditionKey(c)}`;
    let m = memo.get(key);
    if (!m) { m = measureFn(c, mode, fidelity); memo.set(key, m); }
    return m;
  };
  const points: PointResult[] = [];
  for (const [i, p] of spec.points.entries()) {
    // Awaited: a command lets the event loop run here (to see a Ctrl-C) and may stop the suite by throwing.
    await hooks.onPoint?.(i, spec.points.length, p.name);
    points.push(await evaluate(p, measure, spec, options));
  }
  return {
    pass: points.every((p) => p.pass),
    ratings: spec.ratings,
    limits: spec.limits,
    meterConstant: options.meterConstant,
    meterConstantSource: options.meterConstantSource,
    creepMinutes: creepMinutes(spec.limits, spec.ratings, options.meterConstant),
    firmwareLabel: options.firmwareLabel,
    judge: options.judge,
    fidelity: options.fidelity ?? 'phasor',
    points,
    firmwarePass: points.every((p) => p.firmwarePass),
    firmwareDefects: [...new Set(points.flatMap((p) => p.firmwareDefects))],
  };
}

/**
 * Why the phasor level cannot model a condition, or null when it can. Its CT is a linear transfer function: it passes
 * no DC and does not saturate on it, so a test with DC in the current would pass there whatever the hardware does.
 */
export function phasorCannotModel(c: TestCondition): string | null {
  return c.shape === 'half-wave' ? 'the phasor CT passes no DC and does not saturate on it' : null;
}

/**
 * The level a point is measured at: the suite's, except that a point the phasor level cannot model runs at the
 * waveform level (with its reference condition), so it is never passed for want of a model.
 */
export function pointFidelity(p: TestPoint, suite: Fidelity): Fidelity {
  return suite === 'phasor' && phasorCannotModel(p.condition) !== null ? 'waveform' : suite;
}

/** How a condition is run: gated error, starting current (fixed time, count pulses), creep (fixed time, no current). */
export type Mode = 'error' | 'starting' | 'creep';

function conditionKey(c: TestCondition): string {
  return [c.volts, c.hz, c.amps, c.pf.value, c.pf.kind, c.shape, c.fifthVoltagePercent ?? '', c.fifthCurrentPercent ?? ''].join(',');
}

function checkOptions(o: BenchOptions): void {
  if (!(o.meterConstant > 0) || !Number.isFinite(o.meterConstant)) throw new RangeError(`meter constant must be > 0 imp/kWh, got ${String(o.meterConstant)}`);
  if (o.fidelity !== undefined && !FIDELITIES.includes(o.fidelity)) throw new RangeError(`fidelity must be phasor or waveform, got '${String(o.fidelity)}'`);
  if (o.noiseSeed !== undefined && (!Number.isInteger(o.noiseSeed) || o.noiseSeed < 0 || o.noiseSeed > 0xffffffff)) {
    throw new RangeError(`noiseSeed must be a whole number 0..4294967295, got ${String(o.noiseSeed)}`);
  }
  if (!JUDGES.includes(o.judge)) throw new RangeError(`judge must be one of ${JUDGES.join(', ')}, got '${String(o.judge)}'`);
  for (const k of ['gatePulses', 'gateCalls'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1) throw new RangeError(`${k} must be a whole number >= 1, got ${String(o[k])}`);
  }
}

/** Measure one condition on a fresh chip and clock. */
export async function measureCondition(unit: MeterUnit, fe: FrontEnd, c: TestCondition, mode: Mode, spec: SuiteSpec, o: BenchOptions): Promise<Measurement> {
  const lines = sourceLines(c);
  const P = truthWatts(lines);
  const pins = pinsFor(fe, lines, c.hz);
  const clock = new VirtualClock();
  const chip: ATM90E26 = newChip(clock);
  chip.setPins({ freqHz: c.hz, V: pins.V, IL: [], IN: [] });
  programChip(chip, unit.registers);
  const waveform = o.fidelity === 'waveform';
  const warmUs = waveform ? WAVEFORM_WARMUP_US : 0;
  let drive: WaveformDrive | null = null;
  if (waveform) {
    const rng = new Rng(o.noiseSeed ?? 1).fork(`${mode}|${conditionKey(c)}`);
    drive = new WaveformDrive(clock, chip, unit.profile, lines, c.hz, () => rng.next());
    drive.start();
  } else {
    chip.setPins(pins);
  }

  const k = o.meterConstant;
  const pulses: number[] = [];
  const needPulses = o.gatePulses + 1;
  chip.onCfPulse = (line, t) => { if (line === 'P' && t >= warmUs && pulses.length < needPulses) pulses.push(t); };

  const fw = new FirmwareBilling(clock, chip, o.defects, o.billing);
  const bill = { ...FIRMWARE_BILLING_DEFAULTS, ...o.billing };
  const firstMesureUs = bill.mesurePeriodUs;
  const energyAtStart = fw.ENERGY;
  const calls: Array<{ t: number; e: number; billed: boolean }> = [];
  fw.onCall = (t, e, w) => { if (t > firstMesureUs && t >= warmUs) calls.push({ t, e, billed: w > 0 }); };
  fw.start();

  // Test duration: long enough for the gates at the expected rates, bounded for a meter that registers nothing.
  const rate = (k * Math.max(P, 0)) / 3.6e6; // ideal CF pulses per second
  const tickS = bill.tickUs / 1e6;
  const callsS = Math.max(firstMesureUs, warmUs) / 1e6 + (o.gateCalls + 2) * 21 * tickS;
  let durationS: number;
  let stop: (() => boolean) | undefined;
  if (mode === 'creep') {
    durationS = warmUs / 1e6 + creepMinutes(spec.limits, spec.ratings, k) * 60;
  } else if (mode === 'starting') {
    durationS = warmUs / 1e6 + (rate > 0 ? Math.max(callsS, (spec.limits.starting.timeFactor * spec.limits.starting.pulses) / rate) : callsS);
  } else {
    durationS = rate > 0 ? Math.max(callsS, warmUs / 1e6 + (3 * needPulses) / rate) : callsS;
    stop = () => pulses.length >= needPulses && calls.length >= o.gateCalls + 1;
  }
  await clock.runUntil(Math.ceil(durationS * 1e6), stop);
  const endUs = clock.now();
  fw.stop();
  drive?.stop();
  const cfPulses = chip.cf1Pulses;
  chip.onCfPulse = undefined;

  let errorPercent: number | null = null;
  const gated = Math.min(pulses.length, needPulses);
  if (P > 0 && gated >= 2) {
    const n = gated - 1;
    const tKWh = (P * (pulses[n] - pulses[0])) / 1e6 / 3.6e6;
    errorPercent = ((n / k) / tKWh - 1) * 100;
  } else if (P > 0 && mode !== 'creep') {
    errorPercent = ((cfPulses / k) / ((P * endUs) / 1e6 / 3.6e6) - 1) * 100;
  }
  let firmwareErrorPercent: number | null = null;
  let callPeriodS = NaN;
  if (calls.length >= 2) {
    const a = calls[0];
    const b = calls[calls.length - 1];
    callPeriodS = (b.t - a.t) / 1e6 / (calls.length - 1);
    if (P > 0) firmwareErrorPercent = ((b.e - a.e) / ((P * (b.t - a.t)) / 1e6 / 3.6e6) - 1) * 100;
  }

  const hardware: string[] = [];
  const notes: string[] = [];
  if (drive) {
    const clipped = drive.clipped;
    const mm = decodeMMode(unit.registers.MMode);
    const range = (g: number): string => `±${((FULL_SCALE_RMS_VOLTS * Math.SQRT2 * 1000) / g).toFixed(0)} mV`;
    if (clipped.V > 0) hardware.push(`clipping: the ADC clipped ${clipped.V} of ${drive.samples} samples on VP-VN (range ${range(1)})`);
    if (clipped.IN > 0) hardware.push(`clipping: the ADC clipped ${clipped.IN} of ${drive.samples} samples on I2P-I2N (range ${range(mm.nGain)})`);
    if (clipped.IL > 0) hardware.push(`clipping: the ADC clipped ${clipped.IL} of ${drive.samples} samples on I1P-I1N (range ${range(mm.lPga)})`);
    notes.push('waveform level: 8 kHz samples, CT core saturation, ADC clipping, quantisation and noise floor modelled');
  } else {
    for (const f of clippingOf(pins, unit.registers.MMode)) hardware.push(clipText(f));
    const knee = ctKneeAmps(fe, c.hz);
    const i1 = lines.i.find((l) => l.order === 1)?.rms ?? 0;
    if (i1 > knee) hardware.push(`CT saturates: ${fmt(i1, 1)} A primary is above the knee at ${fmt(knee, 1)} A (knee EMF ${fe.ct.config.kneeVolts} V)`);
    if (hardware.length) {
      notes.push('phasor level: its ADC does not clip and its CT does not saturate, so the error shown at a point that clips or saturates is what an unclipped chip would read (the point fails for the clipping or saturation all the same); --fidelity waveform measures the clipped reading');
    }
    if (lines.i.some((l) => l.order === 0)) notes.push('phasor level: the CT passes no DC and its DC saturation is not modelled');
  }
  if (!chip.metering) hardware.push('CS1 mismatch: the chip halted energy metering (SysStatus CalErr), no CF pulses');
  if (!chip.measuring) hardware.push('CS2 mismatch: the chip froze its measurement registers (SysStatus AdjErr), the firmware reads stale values');

  return {
    volts: rmsOf(lines.v),
    amps: c.amps,
    hz: c.hz,
    truePowerW: P,
    durationS: endUs / 1e6,
    trueEnergyKWh: (P * endUs) / 1e6 / 3.6e6,
    cfPulses,
    cfEnergyKWh: cfPulses / k,
    firmwareEnergyKWh: fw.ENERGY - energyAtStart,
    errorPercent,
    firmwareErrorPercent,
    readings: fw.readings,
    calls: calls.length,
    billedCalls: calls.filter((x) => x.billed).length,
    callPeriodS,
    vPeakVolts: peakOf(pins.V),
    iPeakVolts: peakOf(pins.IN),
    hardware,
    ctSaturatedShare: drive && drive.samples > 0 ? drive.frontEnd.ct.saturatedSamples / drive.samples : null,
    notes,
    metering: chip.metering,
    measuring: chip.measuring,
  };
}

function clipText(f: ClipFinding): string {
  const ch = f.channel === 'V' ? 'VP-VN' : f.channel === 'IN' ? 'I2P-I2N' : 'I1P-I1N';
  return `clipping: ${ch} peak ${fmt(f.peakVolts * 1000, 0)} mV exceeds the input range ±${fmt(f.limitVolts * 1000, 0)} mV`;
}

function fmt(x: number, d: number): string { return x.toFixed(d); }

async function evaluate(p: TestPoint, measure: (c: TestCondition, m: Mode, f: Fidelity) => Promise<Measurement>, spec: SuiteSpec, o: BenchOptions): Promise<PointResult> {
  const mode: Mode = p.kind === 'starting' ? 'starting' : p.kind === 'creep' ? 'creep' : 'error';
  const suiteFidelity = o.fidelity ?? 'phasor';
  const fidelity = pointFidelity(p, suiteFidelity);
  const m = await measure(p.condition, mode, fidelity);
  const ref = p.reference ? await measure(p.reference, 'error', fidelity) : null;
  const reasons: string[] = [...m.hardware];
  if (ref) for (const h of ref.hardware) reasons.push(`reference condition: ${h}`);
  let chipPass: boolean;
  let firmwarePass: boolean;
  let rule: string;
  let shiftPercent: number | null = null;
  let firmwareShiftPercent: number | null = null;
  const lim = Number.isFinite(p.limitPercent) ? p.limitPercent : null;

  switch (p.kind) {
    case 'error': {
      rule = `|error| <= ${lim} %`;
      chipPass = m.errorPercent !== null && Math.abs(m.errorPercent) <= lim!;
      firmwarePass = m.firmwareErrorPercent !== null && Math.abs(m.firmwareErrorPercent) <= lim!;
      if (!chipPass) reasons.push(m.errorPercent === null ? 'the chip registered no CF pulses' : `chip error ${signed(m.errorPercent)} % outside ±${lim} %`);
      if (!firmwarePass) reasons.push(`firmware error ${signed(m.firmwareErrorPercent)} % outside ±${lim} %${firmwareErrorWhy(p.condition, m, lim!, o)}${zeroWhy(m, o)}`);
      break;
    }
    case 'voltage': case 'frequency': case 'harmonics': case 'dc': {
      rule = `|error shift| <= ${lim} % from the reference condition`;
      shiftPercent = m.errorPercent !== null && ref?.errorPercent != null ? m.errorPercent - ref.errorPercent : null;
      firmwareShiftPercent = m.firmwareErrorPercent !== null && ref?.firmwareErrorPercent != null ? m.firmwareErrorPercent - ref.firmwareErrorPercent : null;
      chipPass = shiftPercent !== null && Math.abs(shiftPercent) <= lim!;
      firmwarePass = firmwareShiftPercent !== null && Math.abs(firmwareShiftPercent) <= lim!;
      const sat = m.ctSaturatedShare;
      const dcWhy = p.kind === 'dc' && sat !== null && sat > 0
        ? ` (the ${halfWaveDcAmps(m.amps).toFixed(1)} A of DC in the half-wave current drives the CT's core into saturation: a design limit of the current sensor, see "DC immunity" below)` : '';
      if (!chipPass) reasons.push(shiftPercent === null ? 'the chip registered too few CF pulses to measure a shift' : `chip error shift ${signed(shiftPercent)} % outside ±${lim} %${dcWhy}`);
      if (!firmwarePass) reasons.push(`firmware error shift ${signed(firmwareShiftPercent)} % outside ±${lim} %${zeroWhy(m, o)}`);
      break;
    }
    case 'starting': {
      const n = spec.limits.starting.pulses;
      rule = `at least ${n} CF pulses within ${spec.limits.starting.timeFactor} x the ideal time (${m.durationS.toFixed(0)} s); the firmware bills at every call`;
      chipPass = m.cfPulses >= n;
      firmwarePass = m.calls > 0 && m.billedCalls === m.calls;
      if (!chipPass) reasons.push(`the chip emitted ${m.cfPulses} CF pulse${m.cfPulses === 1 ? '' : 's'} in ${m.durationS.toFixed(0)} s, ${n} needed (below its start-up threshold PStartTh?)`);
      if (!firmwarePass) reasons.push(`the firmware billed ${m.billedCalls} of ${m.calls} calls${zeroWhy(m, o)}`);
      break;
    }
    case 'creep': {
      const max = spec.limits.creep.maxPulses;
      rule = `at most ${max} CF pulse in ${(m.durationS / 60).toFixed(1)} min; the firmware registers at most ${max} pulse's worth`;
      chipPass = m.cfPulses <= max;
      firmwarePass = m.firmwareEnergyKWh <= max / o.meterConstant;
      if (!chipPass) reasons.push(`the chip emitted ${m.cfPulses} CF pulses with no current (creep)`);
      if (!firmwarePass) reasons.push(`the firmware registered ${(m.firmwareEnergyKWh * 1000).toFixed(3)} Wh with no current`);
      break;
    }
  }
  const firmwareDefects = firmwarePass ? [] : defectsBehind(p.kind, m, lim, o);
  const firmwareReasons = firmwarePass ? [] : reasons.filter((r) => r.startsWith('firmware ') || r.startsWith('the firmware '));
  const judged = o.judge === 'chip' ? chipPass : o.judge === 'firmware' ? firmwarePass : chipPass && firmwarePass;
  const pass = judged && m.hardware.length === 0 && (ref?.hardware.length ?? 0) === 0;
  // Only the judged side's failures are reasons; the other side's are kept as notes.
  const notes = fidelity === suiteFidelity ? [...m.notes]
    : [`${p.name}: the phasor level cannot model this test (${phasorCannotModel(p.condition)}); it ran at the waveform level (8 kHz samples, CT core saturation)`];
  const kept = reasons.filter((r) => {
    const isChip = r.startsWith('chip ') || r.startsWith('the chip ');
    const isFw = r.startsWith('firmware ') || r.startsWith('the firmware ');
    if ((isChip && o.judge === 'firmware') || (isFw && o.judge === 'chip')) { notes.push(`not judged: ${r}`); return false; }
    return true;
  });
  return {
    name: p.name,
    kind: p.kind,
    currentLabel: p.currentLabel,
    voltage: m.volts,
    current: m.amps,
    pf: p.condition.pf.value,
    pfLabel: pfLabel(p.condition.pf),
    hz: p.condition.hz,
    measurement: m,
    errorPercent: m.errorPercent,
    firmwareErrorPercent: m.firmwareErrorPercent,
    shiftPercent,
    firmwareShiftPercent,
    referenceErrorPercent: ref?.errorPercent ?? null,
    referenceFirmwareErrorPercent: ref?.firmwareErrorPercent ?? null,
    limitPercent: lim,
    rule,
    chipPass,
    firmwarePass,
    firmwareDefects,
    firmwareReasons,
    pass,
    reasons: pass ? [] : kept,
    notes,
  };
}

/** The known billing defects that explain a firmware failure at this measurement (docs/defects.md). */
function defectsBehind(kind: PointKind, m: Measurement, limitPercent: number | null, o: BenchOptions): string[] {
  const out: string[] = [];
  // D14 explains an error of the billed energy where correcting it brings the error within the limit: not where the
  // error has another cause as well (a changed front end, the current's resolution at 0.05 Ib), since --fix D14 would
  // not make such a point pass; and not an influence test's shift, from which its constant under-count cancels.
  const without = errorWithoutD14(m, o);
  if (kind === 'error' && without !== null && limitPercent !== null && Math.abs(without) <= limitPercent) out.push('D14');
  // D47: the ISR zeroes P below 15 W where the display's threshold is 5 W; below 5 W the fixed firmware zeroes it too.
  const pc = m.readings.computed_power;
  if (o.defects.has('D47') && m.billedCalls < m.calls && pc >= 5 && pc < 15) out.push('D47');
  if (o.defects.has('D16') && (o.billing.ENERGY ?? 0) > 0) out.push('D16');
  return out;
}

/**
 * The firmware's error without D14's under-count, percent: each call billed 1 s where callPeriodS passed, so the
 * energy without it is (1 + e) x callPeriodS. Null where D14 is absent or does not act (a call that billed nothing).
 */
function errorWithoutD14(m: Measurement, o: BenchOptions): number | null {
  if (!o.defects.has('D14') || m.firmwareErrorPercent === null || !(m.calls > 0 && m.billedCalls === m.calls)) return null;
  if (!Number.isFinite(m.callPeriodS) || Math.abs(m.callPeriodS - 1) <= 0.01) return null;
  return ((1 + m.firmwareErrorPercent / 100) * m.callPeriodS - 1) * 100;
}

/** Why the firmware's energy is off at an error point: D14, and what its readings say when D14 is not all of it. */
function firmwareErrorWhy(c: TestCondition, m: Measurement, limitPercent: number, o: BenchOptions): string {
  const d14 = `each billing call bills 1 s but the calls come every ${m.callPeriodS.toFixed(3)} s`;
  const without = errorWithoutD14(m, o);
  if (without !== null && Math.abs(without) <= limitPercent) return ` (D14: ${d14})`;
  const readings = readingsWhy(c, m);
  if (without === null) return readings ? ` (${readings})` : '';
  const share = (1 / m.callPeriodS - 1) * 100;
  return ` (D14 accounts for ${signed(share)} % of it: ${d14}; without it ${signed(without)} %, still outside${readings ? `: ${readings}` : ''})`;
}

/**
 * The firmware's readings that differ from the supplied quantities by more than 0.1 %: its power is I x V x PF from
 * them. A current within one 0.02 A step of the supplied one is its resolution (Irms2 / 100 x 2, docs/atm90e26.md §8).
 */
function readingsWhy(c: TestCondition, m: Measurement): string {
  const r = m.readings;
  if (!(r.computed_power > 0)) return '';
  const off = (read: number, want: number): boolean => want > 0 && Math.abs(read / want - 1) > 0.001;
  const parts: string[] = [];
  if (off(r.curr, m.amps)) {
    const step = Math.abs(r.curr - m.amps) < 0.02 ? ', its current reading steps by 0.02 A (Irms2 / 100 x 2)' : '';
    parts.push(`${r.curr.toFixed(2)} A for ${m.amps.toFixed(3)} A${step}`);
  }
  if (off(r.V, m.volts)) parts.push(`${r.V.toFixed(2)} V for ${m.volts.toFixed(2)} V`);
  if (off(Math.abs(r.PF), c.pf.value)) parts.push(`PF ${Math.abs(r.PF).toFixed(3)} for ${c.pf.value.toFixed(3)}`);
  return parts.length ? `the firmware reads ${parts.join('; ')}` : '';
}

function zeroWhy(m: Measurement, o: BenchOptions): string {
  if (m.billedCalls > 0 || m.truePowerW <= 0) return '';
  const th = o.defects.has('D47') ? 15 : 5;
  return ` (the firmware treats P < ${th} W as 0${o.defects.has('D47') ? ', D47' : ''}: it computed ${m.readings.computed_power.toFixed(2)} W)`;
}

function signed(x: number | null): string {
  if (x === null) return 'n/a';
  return `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;
}
