import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CircuitFrontEnd, withValues } from './circuit-front-end.ts';
import { FrontEnd } from './front-end.ts';
import { DEFAULT_BOARD_PROFILE, applyOverrides } from '../board-profile.ts';
import { builtInNetlist, netlistToYaml, parseNetlist } from './circuit/netlist.ts';
import { cabs, csub, type Complex } from './impedance.ts';
import { readFileSync } from 'node:fs';
import { CurrentTransformer } from './current-transformer.ts';
import { boardForNetlist, ctLoadAdmittance } from './circuit/profile.ts';

const relErr = (a: Complex, b: Complex): number => cabs(csub(a, b)) / cabs(b);
const HARMONICS = Array.from({ length: 50 }, (_, i) => 50 * (i + 1));

test('the built-in netlist gives FrontEnd voltage transfer to 1e-9 at 50 Hz and every harmonic to 2.5 kHz', () => {
  const fe = new FrontEnd(DEFAULT_BOARD_PROFILE), ce = new CircuitFrontEnd(builtInNetlist());
  for (const f of HARMONICS) assert.ok(relErr(ce.voltagePin(f), fe.voltagePin(f)) < 1e-9, `${f} Hz`);
});

test('the built-in netlist gives FrontEnd N current transfer to 1e-9 at 50 Hz and every harmonic to 2.5 kHz', () => {
  const fe = new FrontEnd(DEFAULT_BOARD_PROFILE), ce = new CircuitFrontEnd(builtInNetlist());
  for (const f of HARMONICS) assert.ok(relErr(ce.currentPinN(f), fe.currentPinN(f)) < 1e-9, `${f} Hz`);
});

test('the L current pins read 0 on the built-in board (I1P/I1N not connected)', () => {
  assert.is(cabs(new CircuitFrontEnd(builtInNetlist()).currentPinL(50)), 0);
});

test('a CT fitted the other way round inverts the current transfer', () => {
  const n = builtInNetlist();
  const rev = new CircuitFrontEnd({ ...n, ct: { ...n.ct!, reversed: true } });
  const a = rev.currentPinN(50), b = new CircuitFrontEnd(n).currentPinN(50);
  assert.ok(Math.abs(a.re + b.re) < 1e-15 && Math.abs(a.im + b.im) < 1e-15);
});

test('R12 set to 150k by reference gives FrontEnd with rTopOhms 650k', () => {
  const ce = new CircuitFrontEnd(withValues(builtInNetlist(), { R12: '150k' }));
  const fe = new FrontEnd(applyOverrides(DEFAULT_BOARD_PROFILE, { 'divider.rTopOhms': 650e3 }));
  assert.ok(relErr(ce.voltagePin(50), fe.voltagePin(50)) < 1e-9);
});

test('setting an unknown reference or an unreadable value names it', () => {
  assert.throws(() => withValues(builtInNetlist(), { R99: '1k' }), /R99: no such part/);
  assert.throws(() => withValues(builtInNetlist(), { C38: 'big' }), /C38: cannot read the capacitance 'big'/);
});

test('the netlist written as YAML reads back to the same netlist', () => {
  const n = builtInNetlist();
  assert.equal(parseNetlist(netlistToYaml(n, 'saved'), 'saved.yaml'), n);
});

test('a netlist part with an unreadable value is refused naming the reference', () => {
  const text = netlistToYaml(builtInNetlist()).replace('value: 1k', 'value: 1kk');
  assert.throws(() => parseNetlist(text, 'x.yaml'), /R44: cannot read the resistance '1kk'/);
});

const CURVE_YAML = new URL('./netlists/osm-board-ct-curve.yaml', import.meta.url);
const curveNetlist = (): ReturnType<typeof parseNetlist> => parseNetlist(readFileSync(CURVE_YAML, 'utf8'), 'osm-board-ct-curve.yaml');

test('the example CT curve netlist reads its excitation curve and gives the CT the curve\'s initial branch', () => {
  const n = curveNetlist();
  assert.is(n.ct!.excitation!.points.length, 8);
  assert.equal(n.ct!.excitation!.points[2], [0.01, 2.2e-6]);
  const ct = new CurrentTransformer({ excitation: n.ct!.excitation });
  assert.is(n.ct!.magnetisingHenries, ct.config.magnetisingHenries);
  assert.is(n.ct!.coreLossOhms, ct.config.coreLossOhms);
});

test('a netlist with a CT excitation curve writes and reads back to itself (without a fixed magnetising branch)', () => {
  const n = curveNetlist();
  const text = netlistToYaml(n);
  assert.not.match(text, /magnetisingHenries|coreLossOhms/);
  assert.equal(parseNetlist(text, 'again.yaml'), n);
});

test('a netlist giving both an excitation curve and a magnetising inductance is refused, naming the field', () => {
  const text = readFileSync(CURVE_YAML, 'utf8').replace('  kneeVolts: 5\n', '  kneeVolts: 5\n  magnetisingHenries: 30\n');
  assert.throws(() => parseNetlist(text, 'b.yaml'), /^b\.yaml: ct\.magnetisingHenries: leave it out with ct\.excitation/);
});

test('a netlist whose CT excitation curve runs past the knee is refused, naming the point and kneeVolts', () => {
  const text = readFileSync(CURVE_YAML, 'utf8').replace('  kneeVolts: 5\n', '  kneeVolts: 2\n');
  assert.throws(() => parseNetlist(text, 'b.yaml'), /ct\.excitation\.points\[7\]: the EMF 3 V is above the knee \(ct\.kneeVolts 2 V\)/);
});

test('a netlist CT excitation point written with a wrong unit is refused, naming the point', () => {
  const text = readFileSync(CURVE_YAML, 'utf8').replace('[ 1mV, 0.40uA ]', '[ 1mA, 0.40uA ]');
  assert.throws(() => parseNetlist(text, 'b.yaml'), /ct\.excitation\.points\[0\]: "1mA" is not a voltage/);
});

test('with a CT excitation curve, the circuit\'s N pin at an operating point is the fixed-topology board\'s to 1e-9', () => {
  const n = curveNetlist();
  const board = boardForNetlist(n);
  assert.is(board.circuit, undefined);
  const fixed = new FrontEnd(board);
  // The same netlist solved as a circuit, as boardForNetlist does for a topology without a profile: the CT's load
  // folded into its burden and C42 at 50 Hz.
  const y = ctLoadAdmittance(n, 50);
  const circuit = new FrontEnd({ ...board, ct: { ...board.ct, burdenOhms: 1 / y.re, parallelCapFarads: y.im / (2 * Math.PI * 50) }, circuit: n });
  for (const amps of [0.25, 5, 80]) {
    for (const f of [50, 250]) assert.ok(relErr(circuit.currentPinN(f, { amps, hz: 50 }), fixed.currentPinN(f, { amps, hz: 50 })) < 1e-9, `${amps} A, ${f} Hz`);
  }
  assert.ok(relErr(circuit.currentPinN(50, { amps: 0.25, hz: 50 }), circuit.currentPinN(50, { amps: 5, hz: 50 })) > 1e-4);
});

test('without a CT excitation curve, the N pin is the same at every current (the linear CT)', () => {
  const fe = new FrontEnd(DEFAULT_BOARD_PROFILE);
  for (const amps of [0, 0.25, 5, 80]) assert.is(fe.currentPinN(50, { amps, hz: 50 }), fe.currentPinN(50));
});

test.run();
