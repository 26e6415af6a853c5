// `osm accuracy --board`: the IEC 62053-21 suite with the ATM90E26 behind a rig board as the meter. The host programs
// the unit's calibration into the chip over the board's hardware serial port, a reference source applies each test
// point (the accuracy bench's phantom load on the emulated board; a person at a real source otherwise), and the chip's
// own registers, read over the link, are judged against the applied values, in the table `osm accuracy` prints.
//
// How a point is measured (a lab's way, since the CF pulse timing is not visible through Firmata):
// - settle `settleS` after the source is applied, check SysStatus (CS1/CS2), clear APenergy (read-clear);
// - the window: APenergy read back to back (each read returns the tenths of a CF pulse since the last one) and, in
//   between, Urms, Irms2, PowerF2 and Freq in turn; the registered power is the least-squares slope of the cumulative
//   count against the time each read was answered, so neither the 0.1-pulse step nor the link's jitter sets the
//   resolution; its standard error is printed with the point;
// - an error point's window lasts at least `windowS` and until the register has counted `minPulses` CF pulses'
//   worth; starting and creep run the standard's durations and count pulses (count / 10);
// - the firmware column: the firmware's own accumulation (scenarios/accuracy/firmware-billing.ts) run on the register
//   values as last read over the link; the V/I/P read columns are its readings averaged over the window.
import type { ATM90E26 } from '../../models/afe/atm90e26.ts';
import { REG, SysStatusBits } from '../../models/afe/registers.ts';
import { Command } from '../../models/afe/registers.ts';
import type { SimTime } from '../../models/sim-time.ts';
import { FrontEnd } from '../../models/frontend/front-end.ts';
import { FIRMWARE_BILLING_DEFAULTS, FirmwareBilling, type FirmwareReadings } from './firmware-billing.ts';
import { creepMinutes } from './limits.ts';
import { CS1_REGISTERS, CS2_REGISTERS, type MeterUnit } from './meter-unit.ts';
import { clippingOf, ctKneeAmps, peakOf, pinsFor, sourceLines } from './phantom-load.ts';
import type { SuiteSpec, TestCondition } from './points.ts';
import { runSuiteWith, type BenchOptions, type Fidelity, type Measurement, type Mode, type SuiteResult } from './runner.ts';
import type { AfeRegisterLink, LinkTime } from '../../hil-rig/afe-registers.ts';
import type { ReferenceSource } from './reference-source.ts';

export interface BoardAccuracyConfig {
  /** Shortest window of an error point, s. */
  windowS: number;
  /** CF pulses' worth the energy register must count in an error point's window. */
  minPulses: number;
  /** Wait after the source is applied before the window opens, s. */
  settleS: number;
  /** Read period of the energy register in starting and creep tests, s (their totals are what count). */
  slowPollS: number;
  /**
   * Reads of the energy register whose round trip is longer than the window's shortest by more than this, us, are left
   * out of the slope: the host saw their reply late (a process starved of CPU), so their stamp is late too.
   */
  stampSlackUs: number;
}

export const BOARD_ACCURACY_DEFAULTS: Readonly<BoardAccuracyConfig> = Object.freeze({ windowS: 20, minPulses: 10, settleS: 2, slowPollS: 1, stampSlackUs: 5000 });

/** Program the unit's calibration as the firmware does (CalStart/AdjStart 5678H, blocks, checksums, 8765H). */
export async function programOverLink(link: AfeRegisterLink, unit: MeterUnit): Promise<number> {
  const r = unit.registers;
  await link.write(REG.FuncEn, r.FuncEn);
  await link.write(REG.SagTh, r.SagTh);
  await link.write(REG.CalStart, Command.Calibrate);
  for (const n of CS1_REGISTERS) await link.write(REG[n], r[n]);
  await link.write(REG.CS1, r.CS1);
  await link.write(REG.AdjStart, Command.Calibrate);
  for (const n of CS2_REGISTERS) await link.write(REG[n], r[n]);
  await link.write(REG.CS2, r.CS2);
  await link.write(REG.CalStart, Command.Check);
  await link.write(REG.AdjStart, Command.Check);
  return (await link.read(REG.SysStatus)).value;
}

/** Least-squares slope of y on x, and its standard error (NaN below three points). */
export function slopeOf(xs: readonly number[], ys: readonly number[]): { slope: number; se: number } {
  const n = xs.length;
  if (n < 2) return { slope: NaN, se: NaN };
  let mx = 0; let my = 0;
  for (let i = 0; i < n; i++) { mx += xs[i]; my += ys[i]; }
  mx /= n; my /= n;
  let sxx = 0; let sxy = 0;
  for (let i = 0; i < n; i++) { sxx += (xs[i] - mx) ** 2; sxy += (xs[i] - mx) * (ys[i] - my); }
  const slope = sxy / sxx;
  if (n < 3) return { slope, se: NaN };
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (ys[i] - my - slope * (xs[i] - mx)) ** 2;
  return { slope, se: Math.sqrt(rss / (n - 2) / sxx) };
}

export interface BoardSuiteContext {
  link: AfeRegisterLink;
  time: LinkTime & SimTime;
  source: ReferenceSource;
  unit: MeterUnit;
  spec: SuiteSpec;
  bench: BenchOptions;
  config?: Partial<BoardAccuracyConfig>;
  /** The emulated board's chip (for the phantom load's clipping and CT-knee checks, as `osm accuracy` makes them). */
  emulatedChip?: ATM90E26 | null;
  onPoint?: (index: number, total: number, name: string) => void;
  /** Progress inside a point's window. */
  onWindow?: (text: string) => void;
}

/** Run the suite on the chip behind the board; the same SuiteResult `osm accuracy` tables. */
export async function runBoardSuite(ctx: BoardSuiteContext): Promise<SuiteResult> {
  const status = await programOverLink(ctx.link, ctx.unit);
  const cfg = { ...BOARD_ACCURACY_DEFAULTS, ...ctx.config };
  const fe = new FrontEnd(ctx.unit.profile);
  let current = { index: 0, name: '' };
  const total = ctx.spec.points.length;
  const state = { status };
  return runSuiteWith(ctx.spec, ctx.bench, (c, mode, fidelity) => measureOnBoard(ctx, cfg, fe, c, mode, fidelity, current, total, state), {
    onPoint: (i, n, name) => { current = { index: i, name }; ctx.onPoint?.(i, n, name); },
  });
}

async function measureOnBoard(ctx: BoardSuiteContext, cfg: BoardAccuracyConfig, fe: FrontEnd, c: TestCondition, mode: Mode, fidelity: Fidelity,
  point: { index: number; name: string }, total: number, state: { status: number }): Promise<Measurement> {
  const { link, time, source, bench: o } = ctx;
  const label = c === ctx.spec.points[point.index]?.condition ? point.name : `${point.name}: its reference condition`;
  if (source.kind === 'emulated') (source as unknown as { fidelity: Fidelity }).fidelity = fidelity;
  const applied = await source.apply(c, label, point.index, total);
  const sleep = (us: number): Promise<boolean> => { const until = time.now() + us; return time.waitFor(() => time.now() >= until, us + 1000); };
  try {
    await sleep(cfg.settleS * 1e6);
    const sys = (await link.read(REG.SysStatus)).value | state.status;
    state.status = 0;
    const metering = (sys & SysStatusBits.CalErr) === 0;
    const measuring = (sys & SysStatusBits.AdjErr) === 0;

    // the firmware's registers, as last read over the link
    const cache = new Map<number, number>();
    const FW_REGS = [REG.Urms, REG.Irms2, REG.PowerF2, REG.Freq];
    for (const r of FW_REGS) cache.set(r, (await link.read(r)).value);
    const fw = new FirmwareBilling(time, { peekRegister: (a: number) => cache.get(a) ?? 0 }, o.defects, o.billing);
    const bill = { ...FIRMWARE_BILLING_DEFAULTS, ...o.billing };
    const calls: Array<{ t: number; e: number; billed: boolean; r: FirmwareReadings }> = [];
    // Calls after the first mesure() only: on a rig's wall time a starved process runs the interrupt's late ticks
    // back to back, the first ones after the time of the first mesure() but before it, with the readings still zero.
    fw.onCall = (t, e, w) => { if (fw.mesures > 0) calls.push({ t, e, billed: w > 0, r: fw.readings }); };
    const energyAtStart = fw.ENERGY;

    const start = await link.read(REG.APenergy); // read-clear: the window starts from 0
    fw.start();
    const xs: number[] = [0];
    const ys: number[] = [0];
    // each read's round trip; the slope is fitted on the reads within stampSlackUs of the shortest (their stamps are
    // where the chip answered, give or take the slack), and the window lasts until those span it
    const rts: number[] = [start.tUs - start.sentUs];
    let minRt = rts[0];
    const stamped = (): number[] => rts.flatMap((rt, i) => (rt <= minRt + cfg.stampSlackUs ? [i] : []));
    const spanS = (idx: readonly number[]): number => (idx.length ? (xs[idx[idx.length - 1]] - xs[idx[0]]) / 1e6 : 0);
    let cum = 0;
    const k = o.meterConstant;
    const P = applied.watts;
    const rate = (k * Math.max(P, 0)) / 3.6e6; // CF pulses per second expected
    const callsS = (bill.mesurePeriodUs / 1e6) + (o.gateCalls + 2) * 21 * (bill.tickUs / 1e6);
    let durationS: number;
    if (mode === 'creep') durationS = creepMinutes(ctx.spec.limits, ctx.spec.ratings, k) * 60;
    else if (mode === 'starting') durationS = rate > 0 ? Math.max(cfg.windowS, (ctx.spec.limits.starting.timeFactor * ctx.spec.limits.starting.pulses) / rate) : cfg.windowS;
    else durationS = cfg.windowS;
    const fast = mode === 'error';
    const maxS = fast ? Math.max(durationS, rate > 0 ? (3 * cfg.minPulses) / rate : durationS, callsS) : durationS;
    let turn = 0;
    let lastNote = time.now();
    for (;;) {
      const e = await link.read(REG.APenergy);
      cum += e.value;
      xs.push(e.tUs - start.tUs);
      ys.push(cum);
      rts.push(e.tUs - e.sentUs);
      minRt = Math.min(minRt, e.tUs - e.sentUs);
      const elapsedS = (e.tUs - start.tUs) / 1e6;
      const enough = fast
        ? elapsedS >= durationS && cum >= cfg.minPulses * 10 && (cfg.windowS < callsS || calls.length >= Math.min(o.gateCalls + 1, Math.floor(cfg.windowS)))
        : elapsedS >= durationS;
      const spanned = spanS(stamped()) >= durationS;
      // (late stamps may cost one window more, not more than that)
      if (((enough || elapsedS >= maxS) && spanned) || elapsedS >= maxS + durationS) break;
      if (time.now() - lastNote >= 5e6) {
        lastNote = time.now();
        ctx.onWindow?.(`${label}: ${elapsedS.toFixed(0)} s, ${(cum / 10).toFixed(1)} CF pulses' worth`);
      }
      if (fast) {
        const r = FW_REGS[turn++ % FW_REGS.length];
        cache.set(r, (await link.read(r)).value);
      } else {
        for (const r of FW_REGS) cache.set(r, (await link.read(r)).value);
        await sleep(cfg.slowPollS * 1e6);
      }
    }
    fw.stop();
    const endS = xs[xs.length - 1] / 1e6;

    const fitted = stamped();
    const fitIdx = fitted.length >= 2 ? fitted : xs.map((_, i) => i);
    const { slope, se } = slopeOf(fitIdx.map((i) => xs[i]), fitIdx.map((i) => ys[i])); // tenths of a pulse per microsecond
    const regW = (slope * 1e6 / 10) * 3.6e6 / k;
    let errorPercent: number | null = null;
    const notes: string[] = [];
    if (P > 0 && mode !== 'creep' && cum > 0 && Number.isFinite(regW)) {
      errorPercent = (regW / P - 1) * 100;
      const sePct = (se * 1e6 / 10) * 3.6e6 / k / P * 100;
      notes.push(`${label}: chip ${(cum / 10).toFixed(1)} CF pulses' worth in ${endS.toFixed(1)} s from ${xs.length - 1} reads of APenergy${fitIdx.length < xs.length ? ` (${xs.length - fitIdx.length} with a round trip over ${((minRt + cfg.stampSlackUs) / 1000).toFixed(1)} ms left out of the slope)` : ''}; error ±${Number.isFinite(sePct) ? sePct.toFixed(3) : '?'} % (1 standard error of the slope)`);
    }
    let firmwareErrorPercent: number | null = null;
    let callPeriodS = NaN;
    if (calls.length >= 2) {
      const a = calls[0];
      const b = calls[calls.length - 1];
      callPeriodS = (b.t - a.t) / 1e6 / (calls.length - 1);
      if (P > 0) firmwareErrorPercent = ((b.e - a.e) / ((P * (b.t - a.t)) / 1e6 / 3.6e6) - 1) * 100;
    }
    const readings = averageReadings(calls.map((x) => x.r), fw.readings);

    const hardware: string[] = [];
    let vPeak = NaN;
    let iPeak = NaN;
    if (ctx.emulatedChip && fidelity === 'phasor') {
      const pins = pinsFor(fe, sourceLines(c), c.hz);
      vPeak = peakOf(pins.V);
      iPeak = peakOf(pins.IN);
      for (const f of clippingOf(pins, ctx.unit.registers.MMode)) {
        const ch = f.channel === 'V' ? 'VP-VN' : f.channel === 'IN' ? 'I2P-I2N' : 'I1P-I1N';
        hardware.push(`clipping: ${ch} peak ${(f.peakVolts * 1000).toFixed(0)} mV exceeds the input range ±${(f.limitVolts * 1000).toFixed(0)} mV`);
      }
      const knee = ctKneeAmps(fe, c.hz);
      const i1 = sourceLines(c).i.find((l) => l.order === 1)?.rms ?? 0;
      if (i1 > knee) hardware.push(`CT saturates: ${i1.toFixed(1)} A primary is above the knee at ${knee.toFixed(1)} A (knee EMF ${fe.ct.config.kneeVolts} V)`);
    }
    if (ctx.emulatedChip && fidelity === 'waveform') notes.push(`${label}: the emulated board's chip was fed 8 kHz samples (CT core saturation modelled)`);
    if (!metering) hardware.push('CS1 mismatch: the chip halted energy metering (SysStatus CalErr), no CF pulses');
    if (!measuring) hardware.push('CS2 mismatch: the chip froze its measurement registers (SysStatus AdjErr), the firmware reads stale values');
    if (source.kind === 'operator') notes.push(`${label}: reference ${applied.volts} V, ${applied.amps} A, PF ${applied.pf}, ${applied.hz} Hz, ${applied.watts.toFixed(1)} W (${applied.source})`);

    return {
      volts: applied.volts,
      amps: applied.amps,
      hz: applied.hz,
      truePowerW: P,
      durationS: endS,
      trueEnergyKWh: (P * endS) / 3.6e6,
      cfPulses: Math.floor(cum / 10),
      cfEnergyKWh: cum / 10 / k,
      firmwareEnergyKWh: fw.ENERGY - energyAtStart,
      errorPercent,
      firmwareErrorPercent,
      readings,
      calls: calls.length,
      billedCalls: calls.filter((x) => x.billed).length,
      callPeriodS,
      vPeakVolts: vPeak,
      iPeakVolts: iPeak,
      hardware,
      // a real board's chip says nothing of its CT's core (the knee check above stands in for it); the emulated
      // board's source models the CT at the waveform level and says how long its core was saturated
      ctSaturatedShare: source.ctSaturatedShare ?? null,
      notes,
      metering,
      measuring,
    };
  } finally {
    source.release();
  }
}

/** The firmware's readings averaged over the window's billing calls (the last ones when there were none). */
function averageReadings(list: readonly FirmwareReadings[], last: FirmwareReadings): FirmwareReadings {
  if (!list.length) return last;
  const out: FirmwareReadings = { V: 0, curr: 0, PF: 0, freq: 0, true_power: 0, computed_power: 0 };
  for (const r of list) for (const key of Object.keys(out) as (keyof FirmwareReadings)[]) out[key] += r[key] / list.length;
  return out;
}
