// No value the scenario loader accepts can stall the twin: every load, grid and meter range of
// models/installation.ts is run at its extremes (alone and combined at the worst) on the real twin bench, under a
// budget of work counted deterministically (events scheduled on the virtual clock plus CF pulses the metering chip
// integrates: the two things whose number grows with the input), never wall time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CT_RATIO, GRID_HZ, GRID_VRMS, LOAD_AMPS, LOAD_RATED_VOLTS, PHASE_DEG, maxWattsAt } from '../models/installation.ts';
import { DEFAULT_PF, LOAD_KINDS } from '../models/loads/load.ts';
import { parseScenario } from '../scenarios/loader.ts';
import { createBench } from '../twin/kernel/bench.ts';
import { TwinMeter } from '../twin/twin-meter.ts';

/** Simulated time each case runs: the 20 s boot, then the load on the closed relay. */
const RUN_US = 40e6;
const SLICE_US = 100e3;
/** Work allowed in RUN_US. The nominal 2 kW kettle takes about 2.3e3; the worst case in range about 4.7e4. */
const BUDGET = 250_000;

interface Work { events: number; pulses: number }

async function work(yaml: string): Promise<Work> {
  const sc = parseScenario(`name: extreme\nversion: 1\n${yaml}\nsteps:\n  - delay: 1s\n`, 'extreme.yaml');
  const bench = createBench({ meter: sc.meter, plant: sc.plant, seed: 1, speed: 'max' });
  let events = 0;
  const at = bench.clock.at.bind(bench.clock);
  (bench.clock as { at: typeof at }).at = (t, fn) => { events++; return at(t, fn); };
  const pulses = (): number => {
    const chip = bench.meter instanceof TwinMeter ? bench.meter.chip : null;
    return chip ? chip.cf1Pulses + chip.cf2Pulses : 0;
  };
  let counted = 0;
  try {
    await bench.start();
    // Small slices, so a runaway case fails the budget instead of hanging the suite.
    for (let t = 0; t < RUN_US; t += SLICE_US) {
      await bench.runFor(SLICE_US);
      counted = pulses();
      if (events + counted > BUDGET) break;
    }
  } finally {
    await bench.close();
  }
  return { events, pulses: counted };
}

const worstLoad = (kind: string, pf: number): string => {
  const volts = LOAD_RATED_VOLTS.min;
  const p = kind === 'resistive' || kind === 'lamp' || kind === 'kettle' || kind === 'rectifier' ? 1 : pf;
  return `{ id: l, kind: ${kind}, pf: ${p}, ratedVolts: ${volts}, watts: ${maxWattsAt(volts, p)} }`;
};

const CASES: Record<string, string> = {
  'nominal 2 kW kettle': 'plant: { loads: [{ id: l, watts: 2000 }] }',
  [`grid at ${GRID_VRMS.min} V`]: `plant: { grid: { vrms: ${GRID_VRMS.min} }, loads: [{ id: l, watts: 2000 }] }`,
  [`grid at ${GRID_VRMS.max} V`]: `plant: { grid: { vrms: ${GRID_VRMS.max} }, loads: [{ id: l, watts: 2000 }] }`,
  [`grid at ${GRID_HZ.min} Hz`]: `plant: { grid: { hz: ${GRID_HZ.min} }, loads: [{ id: l, kind: motor, watts: 2000 }] }`,
  [`grid at ${GRID_HZ.max} Hz`]: `plant: { grid: { hz: ${GRID_HZ.max} }, loads: [{ id: l, kind: capacitive, watts: 2000 }] }`,
  [`${LOAD_AMPS.max} A at ${GRID_VRMS.max} V`]: `plant: { grid: { vrms: ${GRID_VRMS.max} }, loads: [{ id: l, amps: ${LOAD_AMPS.max} }] }`,
  [`the most watts at ${LOAD_RATED_VOLTS.max} V`]: `plant: { loads: [{ id: l, ratedVolts: ${LOAD_RATED_VOLTS.max}, watts: ${maxWattsAt(LOAD_RATED_VOLTS.max, 1)} }] }`,
  'harmonics of order 2 and 50 at 100 %, phase at both ends': `plant: { grid: { vrms: ${GRID_VRMS.max}, harmonics: [{ order: 2, percent: 100, phase: ${PHASE_DEG.min} }, { order: 50, percent: 100, phase: ${PHASE_DEG.max} }] }, loads: [{ id: l, amps: ${LOAD_AMPS.max} }] }`,
  [`CT ratio ${CT_RATIO.min}:1 with ${LOAD_AMPS.max} A`]: `meter: { ctRatio: ${CT_RATIO.min} }\nplant: { grid: { vrms: ${GRID_VRMS.max} }, loads: [{ id: l, amps: ${LOAD_AMPS.max} }] }`,
  [`CT ratio ${CT_RATIO.max}:1 with ${LOAD_AMPS.max} A`]: `meter: { ctRatio: ${CT_RATIO.max} }\nplant: { grid: { vrms: ${GRID_VRMS.max} }, loads: [{ id: l, amps: ${LOAD_AMPS.max} }] }`,
};
// Every load kind at its worst: the most power at the lowest rated voltage and the lowest power factor, on the
// highest voltage and frequency with the highest harmonic (a capacitor's current grows with the order).
for (const kind of LOAD_KINDS) {
  const pf = DEFAULT_PF[kind] === 1 ? 1 : 0.01;
  CASES[`${kind} load at its worst`] = `plant: { grid: { vrms: ${GRID_VRMS.max}, hz: ${GRID_HZ.max}, harmonics: [{ order: 50, percent: 100 }] }, loads: [${worstLoad(kind, pf)}] }`;
}

for (const [name, yaml] of Object.entries(CASES)) {
  test(`${name} runs within the work budget`, async () => {
    const w = await work(yaml);
    assert.ok(w.events + w.pulses <= BUDGET, `${name}: ${w.events} events + ${w.pulses} CF pulses in ${RUN_US / 1e6} s simulated (budget ${BUDGET})`);
  });
}

test.run();
