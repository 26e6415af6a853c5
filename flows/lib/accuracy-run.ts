// What osm-accuracy runs: the IEC 62053-21 class-1 suite of `osm accuracy` on the nominal board, with what-if
// changes of the front end, the chip's registers or the firmware, judged on the chip, the firmware or both.
import { hex } from '../../models/afe/registers.ts';
import { FIRMWARE_REGISTERS, impliedMeterConstant, nominalUnit, plConstantOf } from '../../scenarios/accuracy/meter-unit.ts';
import { POINT_SETS, suiteFor, type PointSet } from '../../scenarios/accuracy/points.ts';
import { OSM_RATINGS } from '../../scenarios/accuracy/ratings.ts';
import { suiteJson } from '../../scenarios/accuracy/report.ts';
import { BENCH_DEFAULTS, FIDELITIES, JUDGES, runSuite, type BenchOptions, type Fidelity, type Judge, type SuiteResult } from '../../scenarios/accuracy/runner.ts';
import { WhatIfError, parseWhatIf, whatIfProfile, whatIfRegisters, type WhatIf } from '../../scenarios/accuracy/what-if.ts';
import { ProfileError, resolveFirmware } from '../../twin/profiles/profile.ts';
import { NodeInputError } from './step-parse.ts';

export interface AccuracyNodeSettings {
  points?: string;
  judge?: string;
  firmware?: string;
  fix?: string;
  /** What-if changes, one `name=value` a line (`frontend.ct.ratio=2000`, `afe.Ugain=0x7000`). */
  whatIf?: string;
  fidelity?: string;
}

export interface AccuracyJob { points: PointSet; options: BenchOptions; whatIf: WhatIf; label: string }

export function accuracyJob(s: AccuracyNodeSettings): AccuracyJob {
  const points = (s.points ?? '').trim() || 'seed';
  if (!(POINT_SETS as readonly string[]).includes(points)) throw new NodeInputError(`points: expected ${POINT_SETS.join(' or ')}, got '${points}'`);
  const judge = (s.judge ?? '').trim() || BENCH_DEFAULTS.judge;
  if (!(JUDGES as readonly string[]).includes(judge)) throw new NodeInputError(`judge: expected ${JUDGES.join(', ')}, got '${judge}'`);
  const fw = (s.firmware ?? '').trim() || 'field';
  if (fw !== 'field' && fw !== 'fixed') throw new NodeInputError(`firmware: expected field or fixed (shipped boots into 'No Configuration' and meters nothing), got '${fw}'`);
  const fix = (s.fix ?? '').split(/[\s,]+/).filter((x) => x !== '').map((x) => x.toUpperCase());
  let build;
  try { build = resolveFirmware({ profile: fw, mode: 'sts', fix }); } catch (err) {
    if (err instanceof ProfileError) throw new NodeInputError(`fix: ${err.message}`);
    throw err;
  }
  const fidelity = (s.fidelity ?? '').trim() || 'phasor';
  if (!(FIDELITIES as readonly string[]).includes(fidelity)) throw new NodeInputError(`fidelity: expected ${FIDELITIES.join(' or ')}, got '${fidelity}'`);
  let whatIf: WhatIf;
  try { whatIf = parseWhatIf((s.whatIf ?? '').split(/[\n;]+/).map((x) => x.trim()).filter((x) => x !== '')); } catch (err) {
    if (err instanceof WhatIfError) throw new NodeInputError(`what-if: ${err.message}`);
    throw err;
  }
  const k = impliedMeterConstant(nominalUnit().profile, FIRMWARE_REGISTERS, OSM_RATINGS);
  const relevant = ['D14', 'D15', 'D16', 'D47'].filter((d) => build.defects.has(d as never));
  const label = `${fw}${fix.length ? ` with ${fix.join(', ')} fixed` : ''}`;
  return {
    points: points as PointSet,
    whatIf,
    label,
    options: {
      meterConstant: k,
      meterConstantSource: `implied by the firmware's PL_Constant 0x${hex(plConstantOf(FIRMWARE_REGISTERS), 8)}`,
      defects: build.defects,
      firmwareLabel: `${label} (billing defects present: ${relevant.length ? relevant.join(', ') : 'none'})`,
      judge: judge as Judge,
      gatePulses: BENCH_DEFAULTS.gatePulses,
      gateCalls: BENCH_DEFAULTS.gateCalls,
      billing: whatIf.billing,
      fidelity: fidelity as Fidelity,
      noiseSeed: 1,
    },
  };
}

export interface AccuracyRun { result: SuiteResult; table: Record<string, unknown> }

export async function runAccuracy(job: AccuracyJob): Promise<AccuracyRun> {
  const unit = { profile: whatIfProfile(job.whatIf), registers: whatIfRegisters(job.whatIf) };
  const result = await runSuite(unit, suiteFor(job.points), job.options);
  return { result, table: suiteJson(result, { unitLabel: 'nominal board', whatIf: job.whatIf.entries }) };
}
