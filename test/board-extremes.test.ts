// No what-if the command line accepts (`--set frontend.<section>.<name>=...`) can stall the accuracy bench: every
// board parameter at both ends of its range runs the highest and the lowest current point of the suite under a
// budget of virtual-clock events (each CF pulse the bench counts is one), never wall time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BOARD_PARAMS, type ParamSpec } from '../models/board-profile.ts';
import { FIRMWARE_REGISTERS } from '../scenarios/accuracy/meter-unit.ts';
import { suiteFor } from '../scenarios/accuracy/points.ts';
import { BENCH_DEFAULTS, runSuite, type BenchOptions } from '../scenarios/accuracy/runner.ts';
import { parseWhatIf, whatIfProfile } from '../scenarios/accuracy/what-if.ts';
import { VirtualClock } from '../twin/kernel/clock.ts';
import { resolveFirmware } from '../twin/profiles/profile.ts';

/** Events allowed for the two points; the nominal board takes about 3e3. */
const BUDGET = 200_000;

const spec = suiteFor('seed');
const byCurrent = [...spec.points].sort((a, b) => a.condition.amps - b.condition.amps);
const points = { ...spec, points: [byCurrent[0]!, byCurrent[byCurrent.length - 1]!] };
const bench: BenchOptions = {
  meterConstant: 3200, meterConstantSource: 'test', defects: resolveFirmware({ profile: 'field', mode: 'sts' }).defects,
  firmwareLabel: 'field', judge: 'chip', gatePulses: BENCH_DEFAULTS.gatePulses, gateCalls: BENCH_DEFAULTS.gateCalls,
  billing: {}, fidelity: 'phasor', noiseSeed: 1,
};

let events = 0;
const at = VirtualClock.prototype.at;
VirtualClock.prototype.at = function counted(this: VirtualClock, t: number, fn: () => void) { events++; return at.call(this, t, fn); };

async function eventsFor(sets: string[]): Promise<number> {
  events = 0;
  await runSuite({ profile: whatIfProfile(parseWhatIf(sets)), registers: FIRMWARE_REGISTERS }, points, bench);
  return events;
}

test('the nominal board runs the two points well within the budget', async () => {
  const n = await eventsFor([]);
  assert.ok(n > 0 && n < BUDGET / 10, `${n} events`);
});

for (const [section, params] of Object.entries(BOARD_PARAMS) as Array<[string, Record<string, ParamSpec>]>) {
  for (const [name, ps] of Object.entries(params)) {
    if (!ps.range) continue;
    for (const v of ps.range) {
      test(`frontend.${section}.${name}=${v} runs within the budget`, async () => {
        const n = await eventsFor([`frontend.${section}.${name}=${v}`]);
        assert.ok(n <= BUDGET, `${n} events`);
      });
    }
  }
}

test('every numeric board parameter has a range a real part can have', () => {
  for (const [section, params] of Object.entries(BOARD_PARAMS) as Array<[string, Record<string, ParamSpec>]>) {
    for (const [name, ps] of Object.entries(params)) {
      if (ps.kind !== 'boolean') assert.ok(ps.range && ps.why, `${section}.${name} has no range`);
    }
  }
});

test.after(() => { VirtualClock.prototype.at = at; });

test.run();
