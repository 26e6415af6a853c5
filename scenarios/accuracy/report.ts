// The suite's results as text: a console table shaped like the original OSM accuracy report (voltage supplied, voltage
// read, current supplied, current read, expected power, read power, error %), with the firmware's error, the limit
// and the verdict; the other type tests; the reasons for every failure; and the one-object JSON of `--json`.
import { dcImmunityExplanation, dcImmunityPoint, failsOnlyDcImmunity, passWithoutDcImmunity } from './dc-immunity.ts';
import type { MonteCarloJob, MonteCarloResult } from './monte-carlo.ts';
import type { PointResult, SuiteResult } from './runner.ts';
import { plural } from '../../io/plural.ts';

export interface TextOptions {
  /** ANSI colours for PASS/FAIL. */
  color?: boolean;
  /** What ran: "nominal board", "unit 3 of seed 7", ... */
  unitLabel?: string;
  /** The what-if entries as typed. */
  whatIf?: readonly string[];
}

/** The sentence every report carries: the limits are the project's table, not a licensed copy of the standard. */
export const LIMITS_NOTE = 'per the limits configured in the project (scenarios/accuracy/limits.ts)';

function judgedOn(r: SuiteResult): string {
  return r.judge === 'chip' ? 'the chip\'s CF pulses (the hardware); the firmware\'s billing is judged beside it as its own verdict (--judge both: one verdict on both)'
    : r.judge === 'firmware' ? 'the firmware\'s own energy' : 'the chip\'s CF pulses and the firmware\'s own energy';
}

/** The billing defects the bench can name, with what they do (docs/defects.md has the whole entries). */
export const BILLING_DEFECTS: Readonly<Record<string, string>> = {
  D14: 'each billing call bills 1 s but the calls come every 1.05 s (21 ticks of 50 ms)',
  D15: 'millis() kept in a float',
  D16: 'ENERGY kept in float32: small increments are lost on a large total',
  D47: 'the billing zeroes P below 15 W although the display\'s threshold is 5 W',
};

/** The firmware's verdict at a point: `PASS`, or `FAIL` with the defects that cause it (`FAIL D14`). */
function firmwareVerdict(p: PointResult, color: boolean): string {
  const t = p.firmwarePass ? 'PASS' : `FAIL${p.firmwareDefects.length ? ` ${p.firmwareDefects.join(',')}` : ''}`;
  if (!color) return t;
  return p.firmwarePass ? `\x1b[32m${t}\x1b[0m` : `\x1b[31m${t}\x1b[0m`;
}

/** The firmware's billing verdict over the suite, in one line. */
export function firmwareSummary(r: SuiteResult): string {
  const failed = r.points.filter((p) => !p.firmwarePass).length;
  if (r.firmwarePass) return `Firmware billing (${r.firmwareLabel}): PASS, all ${r.points.length} points within the limits`;
  const named = r.firmwareDefects.map((d) => {
    const n = r.points.filter((p) => p.firmwareDefects.includes(d)).length;
    return `; ${n} of them from ${d} (${BILLING_DEFECTS[d] ?? 'see docs/defects.md'}, --fix ${d} corrects it)`;
  }).join('');
  return `Firmware billing (${r.firmwareLabel}): FAIL, ${failed} of ${r.points.length} points outside the limits${named}`;
}

/** Header lines shared by the text and HTML reports. */
export function headerLines(r: SuiteResult, o: TextOptions = {}): string[] {
  const rt = r.ratings;
  const lines = [
    `OpenSmartMeter twin: IEC 62053-21 class ${r.limits.meterClass} accuracy test on the virtual bench (${r.fidelity} level${r.fidelity === 'phasor' ? '; tests it cannot model at the waveform level' : ''}), ${LIMITS_NOTE}`,
    `Meter: Un ${rt.Un} V, Ib ${rt.Ib} A, Imax ${rt.Imax} A, ${rt.fn} Hz; ${o.unitLabel ?? 'nominal board'}; firmware ${r.firmwareLabel}`,
    'Supply: the meter is powered at its terminals with its relay contact closed (the test current flows through it)',
    `Meter constant k = ${r.meterConstant.toFixed(2)} imp/kWh (${r.meterConstantSource})`,
    `Creep test duration dt = 600e6 / (k x m x Un x Imax) = 600e6 / (${r.meterConstant.toFixed(2)} x ${rt.elements} x ${rt.Un} x ${rt.Imax}) = ${r.creepMinutes.toFixed(2)} min`,
    `Verdicts judged on ${judgedOn(r)}`,
  ];
  if (o.whatIf?.length) lines.push(`What-if: ${o.whatIf.join('  ')}`);
  return lines;
}

function num(x: number | null | undefined, d: number, signed = false): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  const v = Math.abs(x) < 0.5 * 10 ** -d ? 0 : x; // no "-0.000"
  return `${signed && v >= 0 ? '+' : ''}${v.toFixed(d)}`;
}

function verdict(p: { pass: boolean }, color: boolean): string {
  const t = p.pass ? 'PASS' : 'FAIL';
  if (!color) return t;
  return p.pass ? `\x1b[32m${t}\x1b[0m` : `\x1b[31m${t}\x1b[0m`;
}

function table(head: string[], rows: string[][], rightFrom = 1): string[] {
  const plain = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');
  const w = head.map((h, i) => Math.max(plain(h).length, ...rows.map((r) => plain(r[i]).length)));
  const pad = (s: string, i: number): string => {
    const fill = ' '.repeat(w[i] - plain(s).length);
    return i >= rightFrom && i < head.length - 1 ? fill + s : s + fill;
  };
  const line = (cells: string[]): string => cells.map(pad).join('  ').trimEnd();
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)];
}

/** The console report. */
export function formatSuite(r: SuiteResult, o: TextOptions = {}): string {
  const color = o.color === true;
  const out = [...headerLines(r, o), ''];
  const errors = r.points.filter((p) => p.kind === 'error');
  if (errors.length) {
    out.push('Percentage error (chip: CF pulses; firmware: its own ENERGY accumulation); V, I and P read are the firmware\'s readings (I x V x PF), as the meter shows them, not the chip\'s CF energy');
    out.push(...table(
      ['Test point', 'V supplied', 'V read', 'I supplied', 'I read', 'P expected W', 'P read W', 'error %', 'fw error %', 'limit %', 'fw verdict', 'verdict'],
      errors.map((p) => [
        p.name, num(p.voltage, 2), num(p.measurement.readings.V, 2), num(p.current, 3), num(p.measurement.readings.curr, 2),
        num(p.measurement.truePowerW, 1), num(p.measurement.readings.true_power, 1), num(p.errorPercent, 3, true),
        num(p.firmwareErrorPercent, 3, true), `±${num(p.limitPercent, 1)}`, firmwareVerdict(p, color), verdict(p, color),
      ])));
    out.push('');
  }
  const influence = r.points.filter((p) => p.kind === 'voltage' || p.kind === 'frequency' || p.kind === 'harmonics' || p.kind === 'dc');
  if (influence.length) {
    out.push('Influence quantities (error shift from the reference condition)');
    out.push(...table(
      ['Test', 'V', 'Hz', 'I', 'error %', 'ref error %', 'shift %', 'fw shift %', 'limit %', 'fw verdict', 'verdict'],
      influence.map((p) => [
        p.name, num(p.voltage, 2), num(p.hz, 2), num(p.current, 3), num(p.errorPercent, 3, true), num(p.referenceErrorPercent, 3, true),
        num(p.shiftPercent, 3, true), num(p.firmwareShiftPercent, 3, true), `±${num(p.limitPercent, 1)}`, firmwareVerdict(p, color), verdict(p, color),
      ])));
    out.push('');
  }
  const other = r.points.filter((p) => p.kind === 'starting' || p.kind === 'creep');
  if (other.length) {
    out.push('Starting current and no-load (creep)');
    out.push(...table(
      ['Test', 'V', 'I', 'duration s', 'CF pulses', 'fw energy Wh', 'error %', 'rule', 'fw verdict', 'verdict'],
      other.map((p) => [
        p.name, num(p.voltage, 2), num(p.current, 3), num(p.measurement.durationS, 0), String(p.measurement.cfPulses),
        num(p.measurement.firmwareEnergyKWh * 1000, 4), num(p.errorPercent, 3, true), p.rule, firmwareVerdict(p, color), verdict(p, color),
      ]), 1));
    out.push('');
  }
  const failed = r.points.filter((p) => !p.pass);
  if (failed.length) {
    out.push('Why points failed:');
    for (const p of failed) out.push(`  ${p.name}: ${p.reasons.join('; ')}`);
    out.push('');
  }
  const fwFailed = r.judge === 'chip' ? r.points.filter((p) => !p.firmwarePass) : [];
  if (fwFailed.length) {
    out.push('Why the firmware\'s billing failed (its own verdict, not the hardware\'s):');
    for (const p of fwFailed) out.push(`  ${p.name}: ${p.firmwareReasons.join('; ')}`);
    out.push('');
  }
  const notes = [...new Set(r.points.flatMap((p) => p.notes.filter((n) => !n.startsWith('not judged')).map((n) => n)))];
  if (notes.length) {
    out.push('Notes:');
    for (const n of notes) out.push(`  ${n}`);
    out.push('');
  }
  const dc = dcImmunityPoint(r);
  const dcWhy = dc ? dcImmunityExplanation(dc) : null;
  if (dcWhy) out.push(dcWhy, '');
  const what = r.judge === 'chip' ? 'Hardware (chip CF pulses)' : r.judge === 'firmware' ? 'Firmware billing' : 'Chip and firmware';
  out.push(r.pass
    ? `${what}: ${verdict(r, color)}: all ${r.points.length} points within the limits`
    : `${what}: ${verdict(r, color)}: ${failed.length} of ${r.points.length} points outside the limits${failsOnlyDcImmunity(r) ? ': only DC immunity' : ''}`);
  const without = withoutDcImmunityLine(r, color);
  if (without) out.push(without);
  if (r.judge === 'chip') out.push(firmwareSummary(r));
  return `${out.join('\n')}\n`;
}

/** When the DC immunity point failed: the judged verdict over the other points, as a line (else null). */
export function withoutDcImmunityLine(r: SuiteResult, color = false): string | null {
  const dc = dcImmunityPoint(r);
  if (!dc || dc.pass) return null;
  const what = r.judge === 'chip' ? 'Hardware (chip CF pulses)' : r.judge === 'firmware' ? 'Firmware billing' : 'Chip and firmware';
  const others = r.points.filter((p) => p !== dc);
  const bad = others.filter((p) => !p.pass).length;
  return `${what} without the DC immunity point: ${verdict({ pass: bad === 0 }, color)}: `
    + `${bad === 0 ? `all ${others.length} other points within the limits` : `${bad} of ${others.length} other points outside the limits`}`;
}

/** One point as `--json` prints it: the contract fields first, then the rest. */
export function pointJson(p: PointResult): Record<string, unknown> {
  const m = p.measurement;
  return {
    name: p.name,
    voltage: round(p.voltage, 6),
    current: round(p.current, 6),
    pf: p.pf,
    errorPercent: round(p.errorPercent, 6),
    firmwareErrorPercent: round(p.firmwareErrorPercent, 6),
    limitPercent: p.limitPercent,
    pass: p.pass,
    kind: p.kind,
    pfLabel: p.pfLabel,
    hz: p.hz,
    shiftPercent: round(p.shiftPercent, 6),
    firmwareShiftPercent: round(p.firmwareShiftPercent, 6),
    referenceErrorPercent: round(p.referenceErrorPercent, 6),
    chipPass: p.chipPass,
    firmwarePass: p.firmwarePass,
    firmwareDefects: p.firmwareDefects,
    rule: p.rule,
    reasons: p.reasons,
    notes: p.notes,
    truePowerW: round(m.truePowerW, 6),
    durationS: round(m.durationS, 6),
    trueEnergyKWh: round(m.trueEnergyKWh, 9),
    cfPulses: m.cfPulses,
    cfEnergyKWh: round(m.cfEnergyKWh, 9),
    firmwareEnergyKWh: round(m.firmwareEnergyKWh, 9),
    read: { voltage: m.readings.V, current: m.readings.curr, pf: m.readings.PF, power: m.readings.true_power, freq: m.readings.freq },
    pinPeakMillivolts: { V: round(m.vPeakVolts * 1000, 3), IN: round(m.iPeakVolts * 1000, 3) },
  };
}

export interface JsonExtras {
  unitLabel?: string;
  whatIf?: readonly string[];
  monteCarlo?: { job: MonteCarloJob; result: MonteCarloResult };
}

/** `--json`: one object `{ pass, points: [...] }` (other fields free). */
export function suiteJson(r: SuiteResult, extras: JsonExtras = {}): Record<string, unknown> {
  return {
    pass: r.pass,
    points: r.points.map(pointJson),
    limits: LIMITS_NOTE,
    meterClass: r.limits.meterClass,
    ratings: r.ratings,
    meterConstant: r.meterConstant,
    meterConstantSource: r.meterConstantSource,
    creepMinutes: r.creepMinutes,
    firmware: r.firmwareLabel,
    judge: r.judge,
    firmwarePass: r.firmwarePass,
    firmwareDefects: r.firmwareDefects,
    ...(dcImmunityPoint(r) ? { passWithoutDcImmunity: passWithoutDcImmunity(r), dcImmunity: dcImmunityExplanation(dcImmunityPoint(r)!) } : {}),
    fidelity: r.fidelity,
    unit: extras.unitLabel ?? 'nominal board',
    whatIf: extras.whatIf ?? [],
    ...(extras.monteCarlo ? { monteCarlo: monteCarloJson(extras.monteCarlo.job, extras.monteCarlo.result) } : {}),
  };
}

export function monteCarloJson(job: MonteCarloJob, m: MonteCarloResult): Record<string, unknown> {
  return {
    units: m.units,
    seed: job.seed,
    calibrated: job.calibrate,
    passed: m.passed,
    yield: m.yield,
    confidence95: { low: m.low, high: m.high, method: 'Wilson score' },
    points: m.points,
    failingUnits: m.failingUnits,
    worstUnits: m.worstUnits,
    judge: job.judge,
    firmware: { passed: m.firmwarePassed, yield: m.firmwareYield, defects: m.firmwareDefects },
    ...(m.withoutDcImmunity ? {
      withoutDcImmunity: { ...m.withoutDcImmunity, confidence95: { low: m.withoutDcImmunity.low, high: m.withoutDcImmunity.high, method: 'Wilson score' } },
    } : {}),
  };
}

/** When units failed the DC immunity point: the yield without it, how many failed it and why, as a line (else null). */
export function monteCarloWithoutDcLine(m: MonteCarloResult): string | null {
  const w = m.withoutDcImmunity;
  if (!w || w.passed === m.passed) return null;
  const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
  const dcFailed = m.points.find((p) => p.name === w.point)?.failures ?? 0;
  const why = w.failedSaturated > 0
    ? `, ${w.failedSaturated === dcFailed ? 'each' : `${w.failedSaturated} of them`} with the CT's core saturated by the test's DC (a limit of the current sensor's design, not of the tolerances; osm accuracy explains it)`
    : '';
  return `without the DC immunity point: passed ${w.passed} of ${m.units}: yield ${pct(w.yield)}, 95 % confidence interval `
    + `${pct(w.low)} .. ${pct(w.high)}; DC immunity failed on ${dcFailed} of ${plural(m.units, 'unit')}${why}`;
}

/** The yield report of `--monte-carlo`. */
export function formatMonteCarlo(job: MonteCarloJob, m: MonteCarloResult, o: { color?: boolean; top?: number; rerun?: (unit: number) => string } = {}): string {
  const rerun = o.rerun ?? ((k: number) => `osm accuracy --seed ${job.seed} --unit ${k}`);
  const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
  const out = [
    `Monte Carlo yield: ${plural(m.units, 'unit')} drawn from the board's tolerances (seed ${job.seed})${job.calibrate ? ', each calibrated by the application-note procedure' : ', firmware registers as shipped'}`,
    `${job.judge === 'chip' ? 'Hardware (chip CF pulses): passed' : job.judge === 'firmware' ? 'Firmware billing: passed' : 'Chip and firmware: passed'} `
      + `${m.passed} of ${m.units}: yield ${pct(m.yield)}, 95 % confidence interval ${pct(m.low)} .. ${pct(m.high)} (Wilson score)`,
  ];
  const w = monteCarloWithoutDcLine(m);
  if (w) out.push(`  ${w}`);
  if (job.judge === 'chip') {
    const named = m.firmwareDefects.length ? `; failures caused by ${m.firmwareDefects.map((d) => `${d} (${BILLING_DEFECTS[d] ?? 'see docs/defects.md'})`).join(', ')}` : '';
    out.push(`Firmware billing (${job.firmwareLabel}), its own verdict: ${m.firmwarePassed} of ${plural(m.units, 'unit')} within the limits${named}`);
  }
  out.push('');
  const failing = m.points.filter((p) => p.failures > 0).slice(0, o.top ?? 10);
  if (failing.length) {
    out.push('Points that fail most:');
    out.push(...table(
      ['Test point', 'failed', 'share', 'chip error mean %', 'sd %', 'min %', 'max %', 'fw error mean %'],
      failing.map((p) => [p.name, String(p.failures), pct(p.failures / m.units), num(p.mean, 3, true), num(p.sd, 3), num(p.min, 3, true), num(p.max, 3, true), num(p.firmwareMean, 3, true)]),
    ));
    out.push('');
    const w = m.withoutDcImmunity;
    if (w && w.passed > m.passed) {
      out.push(w.failingUnits.length ? `First units failing a point besides DC immunity: ${w.failingUnits.join(', ')}` : 'No unit fails a point besides DC immunity.');
    } else {
      out.push(`First failing units: ${m.failingUnits.join(', ')}`);
    }
  } else {
    out.push('No point failed on any unit.');
  }
  if (m.worstUnits.length) {
    const both = job.judge === 'both';
    out.push('');
    out.push(`Worst units (the largest ${job.judge === 'chip' ? 'chip ' : job.judge === 'firmware' ? 'firmware ' : ''}error against its limit in the error table${m.withoutDcImmunity ? '; DC immunity aside' : ''}):`);
    out.push(...table(
      ['Unit', 'Test point', ...(both ? ['error of'] : []), 'error %', 'limit %', 'of the limit'],
      m.worstUnits.map((w) => [String(w.index), w.point, ...(both ? [w.side] : []), num(w.errorPercent, 3, true), `±${w.limitPercent.toFixed(1)}`,
        `${Math.round((100 * Math.abs(w.errorPercent)) / w.limitPercent)} %`]),
      both ? 3 : 2,
    ));
    out.push(`Rerun one unit by itself: ${rerun(m.worstUnits[0].index)}`);
  }
  return `${out.join('\n')}\n`;
}

function round(x: number | null, digits: number): number | null {
  if (x === null || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
