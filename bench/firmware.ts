// Benchmark: 30 simulated days of the field firmware in STS mode under a household's daily load profile, run as a
// scenario (loader + runner + bench), as `osm run` would run it. Reports the wall time and the speed ratio.
import { performance } from 'node:perf_hooks';
import { parseScenario } from '../scenarios/loader.ts';
import { runScenario } from '../scenarios/runner.ts';
import { createBench } from '../twin/kernel/bench.ts';
import { DAILY_PROFILE_W, type Benchmark } from './benchmark.ts';

const DAYS = 30;
/** Evening hours (18:00-21:59) are motor loads at PF 0.8, the rest resistive, as in the sts-day benchmark. */
const isEvening = (h: number): boolean => h >= 18 && h <= 21;

/** The scenario text: boot, then one set-load and a 1 h delay per hour of the 30 days, then a final check. */
export function thirtyDayScenario(days = DAYS): string {
  const lines = [
    `name: ${days} days of the field firmware in STS mode, household load profile`,
    'version: 1',
    'meter: { firmware: field, mode: sts, credit: 500, clock: "2026-03-01T00:00:00" }',
    'plant: { grid: { vrms: 240, hz: 50 }, fidelity: phasor }',
    'steps:',
  ];
  for (let h = 0; h < days * 24; h++) {
    const w = DAILY_PROFILE_W[h % 24];
    const evening = isEvening(h % 24);
    lines.push(`  - set-load: { id: house, kind: ${evening ? 'motor' : 'resistive'}, watts: ${w}, pf: ${evening ? 0.8 : 1} }`);
    lines.push('  - delay: 1h');
  }
  lines.push('  - expect: { relay: closed, energy: { min: 1 } }');
  return lines.join('\n') + '\n';
}

export const FIRMWARE_BENCHMARK: Benchmark = {
  name: 'field-sts-30-days',
  description: `${DAYS} simulated days of the field firmware in STS mode with the daily load profile, run as a scenario`,
  async run(progress) {
    const scenario = parseScenario(thirtyDayScenario(), 'bench/field-sts-30-days.yaml');
    const bench = createBench({ meter: scenario.meter, plant: scenario.plant, seed: 1, speed: 'max' });
    const w0 = performance.now();
    let hours = 0;
    const result = await runScenario(scenario, bench, {
      seed: 1,
      onStepDone: (o) => { if (o.command === 'delay' && ++hours % 24 === 0) progress(`day ${hours / 24}/${DAYS}`); },
    });
    const wallS = (performance.now() - w0) / 1000;
    const simS = bench.now() / 1e6;
    const credit = bench.observe('credit') as number;
    const energy = bench.observe('energy') as number;
    await bench.close();
    return [
      `simulated ${(simS / 86400).toFixed(1)} days (${simS.toFixed(0)} s) in ${wallS.toFixed(1)} s of wall time`,
      `speed ${(simS / wallS).toFixed(0)} simulated seconds per wall second (target >= 10000)`,
      `scenario ${result.status}; firmware at the end: credit ${credit.toFixed(2)}, energy ${energy.toFixed(2)} kWh`,
    ];
  },
};
