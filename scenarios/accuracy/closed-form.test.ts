// The bench's chip errors on the nominal board against a hand calculation that shares no code with the models: the
// schematic's parts (docs/front-end.md) solved with a few lines of complex arithmetic, the meter constant taken, as
// the bench does, from the magnitudes of the two pin transfers at 50 Hz. With d = arg(current pins) - arg(voltage
// pins) (the current path leads by d), a point whose current lags by phi registers cos(phi - d) / cos(phi) - 1, i.e.
// about +tan(phi) x d: +0.2025 % at 0.5L, -0.0878 % at 0.8C. Tolerance 0.001 %: both sides solve the same circuit,
// and the bench gates CF pulses to the microsecond over more than 20 s (below 1e-5 %).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FIRMWARE_REGISTERS, impliedMeterConstant, nominalUnit } from './meter-unit.ts';
import { fullSuite } from './points.ts';
import { OSM_RATINGS } from './ratings.ts';
import { runSuite, type BenchOptions } from './runner.ts';
import { resolveFirmware } from '../../twin/profiles/profile.ts';

type C = [number, number];
const add = (a: C, b: C): C => [a[0] + b[0], a[1] + b[1]];
const mul = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const inv = (a: C): C => { const d = a[0] * a[0] + a[1] * a[1]; return [a[0] / d, -a[1] / d]; };
const par = (...zs: C[]): C => inv(zs.map(inv).reduce(add, [0, 0]));
const cap = (f: number, farads: number): C => inv([0, 2 * Math.PI * f * farads]);
const arg = (a: C): number => Math.atan2(a[1], a[0]);
const abs = (a: C): number => Math.hypot(a[0], a[1]);

/** VP-VN per line volt: 620k + 200k return over (1k || 33 nF || 400k chip input). */
function hv(f: number): C {
  const zs = par([1e3, 0], cap(f, 33e-9), [400e3, 0]);
  return mul(zs, inv(add(zs, [820e3, 0])));
}
/** I2P-I2N per line amp: 1000:1 CT (8 ohm winding, 30 H || 25 kohm), 4.8 ohm || 100 nF, 2k + 16.5 nF || 800k. */
function hi(f: number): C {
  const zm = par([25e3, 0], [0, 2 * Math.PI * f * 30]);
  const zsh = par(cap(f, 16.5e-9), [800e3, 0]);
  const zt = par([4.8, 0], cap(f, 100e-9), add([2e3, 0], zsh));
  const is = mul([1e-3, 0], mul(zm, inv(add(zm, add([8, 0], zt)))));
  return mul(mul(is, zt), mul(zsh, inv(add([2e3, 0], zsh))));
}
/** Error of the CF count at frequency f, current lagging by phi, with the meter constant fixed at 50 Hz. */
function handError(f: number, phiRad: number): number {
  const d = arg(hi(f)) - arg(hv(f));
  const gain = (abs(hi(f)) * abs(hv(f))) / (abs(hi(50)) * abs(hv(50)));
  return (gain * Math.cos(phiRad - d) / Math.cos(phiRad) - 1) * 100;
}

const NAMES = ['Ib (5 A) PF 1', 'Ib (5 A) PF 0.5L', 'Ib (5 A) PF 0.8C', 'fn -2 % (49 Hz), Ib (5 A) PF 0.5L', 'fn +2 % (51 Hz), Ib (5 A) PF 0.5L'];

test('the chip errors at Ib (PF 1, 0.5L, 0.8C, 49 and 51 Hz) are the hand-calculated phase errors of the front end', async () => {
  const suite = fullSuite();
  const spec = { ...suite, points: suite.points.filter((p) => NAMES.includes(p.name)) };
  assert.is(spec.points.length, NAMES.length);
  const options: BenchOptions = {
    meterConstant: impliedMeterConstant(nominalUnit().profile, FIRMWARE_REGISTERS, OSM_RATINGS), meterConstantSource: 'implied',
    defects: resolveFirmware({ profile: 'field', mode: 'sts' }).defects, firmwareLabel: 'field', judge: 'chip',
    gatePulses: 10, gateCalls: 20, billing: {},
  };
  const r = await runSuite(nominalUnit(), spec, options);
  const lag = (pf: number, capacitive: boolean): number => (capacitive ? -1 : 1) * Math.acos(pf);
  const expected: Record<string, number> = {
    [NAMES[0]]: handError(50, 0),
    [NAMES[1]]: handError(50, lag(0.5, false)),
    [NAMES[2]]: handError(50, lag(0.8, true)),
    [NAMES[3]]: handError(49, lag(0.5, false)),
    [NAMES[4]]: handError(51, lag(0.5, false)),
  };
  assert.ok(Math.abs(expected[NAMES[1]] - 0.2025) < 0.0005 && Math.abs(expected[NAMES[2]] + 0.0878) < 0.0005);
  for (const p of r.points) {
    assert.ok(p.errorPercent !== null && Math.abs(p.errorPercent - expected[p.name]) < 0.001,
      `${p.name}: bench ${p.errorPercent} %, hand ${expected[p.name].toFixed(6)} %`);
  }
});

test.run();
