import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CircuitFrontEnd, withValues } from './circuit-front-end.ts';
import { FrontEnd } from './front-end.ts';
import { DEFAULT_BOARD_PROFILE, applyOverrides } from '../board-profile.ts';
import { builtInNetlist, netlistToYaml, parseNetlist } from './circuit/netlist.ts';
import { cabs, csub, type Complex } from './impedance.ts';

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

test.run();
