import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { frontEndWhatIf } from './front-end-what-if.ts';
import { WhatIfError, parseWhatIf, whatIfProfile } from './what-if.ts';
import { builtInNetlist, type FrontEndNetlist } from '../../models/frontend/circuit/netlist.ts';
import { parseValue } from '../../models/frontend/circuit/values.ts';
import { CircuitFrontEnd } from '../../models/frontend/circuit-front-end.ts';
import { FrontEnd } from '../../models/frontend/front-end.ts';
import { drawUnit } from '../../models/board-profile.ts';

const ORIGINAL = new URL('../../../shared/reference/seed-hardware/opensmartmeter.kicad_sch', import.meta.url).pathname;
const original = existsSync(ORIGINAL) ? test : test.skip;

test('without a schematic or a part setting the entries pass through unchanged', () => {
  assert.equal(frontEndWhatIf(undefined, ['frontend.ct.ratio=2000', 'afe.IgainN=0x1000']).sets, ['frontend.ct.ratio=2000', 'afe.IgainN=0x1000']);
});

test('R12=150k becomes the divider override it implies, ahead of the other entries', () => {
  assert.equal(frontEndWhatIf(undefined, ['R12=150k', 'afe.IgainN=0x1000']).sets, ['frontend.divider.rTopOhms=650000', 'afe.IgainN=0x1000']);
});

test('a changed burden resistor and filter capacitor reach the CT and filter sections', () => {
  const p = whatIfProfile(parseWhatIf(frontEndWhatIf(undefined, ['R7=4R7', 'C29=47n']).sets));
  assert.ok(Math.abs(p.ct.burdenOhms - 7.1) < 1e-12);
  assert.ok(Math.abs(p.filter.cPFarads - 47e-9) < 1e-21);
});

test('C42=220n by reference sets the capacitor across the CT', () => {
  const p = whatIfProfile(parseWhatIf(frontEndWhatIf(undefined, ['C42=220n']).sets));
  assert.ok(Math.abs(p.ct.parallelCapFarads - 220e-9) < 1e-21);
});

/** The built-in board with a 4.7 nF capacitor across R43 (a speed-up capacitor: no board profile describes it). */
function withSpeedUpCap(): FrontEndNetlist {
  const n = builtInNetlist();
  return { ...n, parts: [...n.parts, { ref: 'C99', kind: 'C', value: '4.7n', tolerance: 0.1, nets: ['DIV5', 'VP'] }] };
}

test('a what-if whose netlist has no board profile gives a board whose transfers are the circuit\'s', () => {
  const w = parseWhatIf([]);
  w.circuit = { netlist: withSpeedUpCap(), label: 'test', args: [] };
  const p = whatIfProfile(w);
  assert.ok(p.circuit);
  const got = new FrontEnd(p).voltagePin(50), want = new CircuitFrontEnd(withSpeedUpCap()).voltagePin(50);
  assert.ok(got.sub(want).abs() <= 1e-15 * want.abs());
  assert.ok(want.sub(new FrontEnd(whatIfProfile(parseWhatIf([]))).voltagePin(50)).abs() > 1e-3 * want.abs(), 'the capacitor matters');
});

test('profile entries do not mix with a circuit front end: an error says to set parts by reference', () => {
  const w = parseWhatIf(['frontend.ct.ratio=2000']);
  w.circuit = { netlist: withSpeedUpCap(), label: 'test', args: [] };
  assert.throws(() => whatIfProfile(w), (e: Error) => e instanceof WhatIfError && /frontend\.ct\.ratio: .* change its parts by reference/.test(e.message));
});

test('a drawn unit of a circuit board draws its parts from their tolerances, the same unit for the same source', () => {
  const w = parseWhatIf([]);
  w.circuit = { netlist: withSpeedUpCap(), label: 'test', args: [] };
  const p = whatIfProfile(w);
  const src = (): (() => number) => { let x = 0.1234; return () => (x = (x * 9301 + 0.49297) % 1); };
  const a = drawUnit(p, src()), b = drawUnit(p, src());
  assert.equal(a.circuit, b.circuit);
  const c99 = a.circuit!.parts.find((q) => q.ref === 'C99')!;
  const v = parseValue(c99.value, 'C', 'C99').value;
  assert.ok(v !== 4.7e-9 && Math.abs(v / 4.7e-9 - 1) <= 0.1, c99.value);
  assert.is(a.circuit!.ct!.ratio, a.ct.ratio);
});

test('an unknown reference is a what-if error naming it', () => {
  assert.throws(() => frontEndWhatIf(undefined, ['R99=1k']), (e: Error) => e instanceof WhatIfError && /R99: no such part/.test(e.message));
});

test('an unreadable schematic is a what-if error naming the file', () => {
  assert.throws(() => frontEndWhatIf('/nonexistent/x.kicad_sch', []), (e: Error) => e instanceof WhatIfError && /cannot read '\/nonexistent\/x\.kicad_sch': no such file/.test(e.message));
});

original('the original schematic implies no override: the accuracy table is today\'s', () => {
  assert.equal(frontEndWhatIf(ORIGINAL, []), { sets: [], circuit: null, source: `schematic ${ORIGINAL}` });
});

original('the original schematic with R12=150k implies the 650 kohm divider', () => {
  assert.equal(frontEndWhatIf(ORIGINAL, ['R12=150k']), { sets: ['frontend.divider.rTopOhms=650000'], circuit: null, source: `schematic ${ORIGINAL} R12=150k` });
});

test.run();
