import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { profileFromNetlist, profileOverrides } from './profile.ts';
import { builtInNetlist } from './netlist.ts';
import { withValues } from '../circuit-front-end.ts';
import { DEFAULT_BOARD_PROFILE } from '../../board-profile.ts';

function close(a: unknown, b: unknown, path = ''): void {
  if (typeof a === 'number' && typeof b === 'number') { assert.ok(Math.abs(a - b) <= 1e-12 * Math.abs(b), `${path}: ${a} vs ${b}`); return; }
  if (a && typeof a === 'object') { for (const k of Object.keys(b as object)) close((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`); return; }
  assert.is(a, b, path);
}

test('the built-in netlist gives the default board profile', () => {
  const r = profileFromNetlist(builtInNetlist());
  assert.ok(r.ok, r.ok ? '' : r.why);
  if (r.ok) close(r.profile, DEFAULT_BOARD_PROFILE);
});

test('a changed divider resistor shows in rTopOhms', () => {
  const r = profileFromNetlist(withValues(builtInNetlist(), { R12: '150k' }));
  assert.ok(r.ok && Math.abs(r.profile.divider.rTopOhms - 650e3) < 1e-6);
});

test('a resistor added to the divider chain adds to rTopOhms', () => {
  const n = builtInNetlist();
  n.parts = n.parts.map((p) => (p.ref === 'R12' ? { ...p, nets: ['LINE', 'DIV0'] as [string, string] } : p));
  n.parts.push({ ref: 'R99', kind: 'R', value: '47k', nets: ['DIV0', 'DIV1'] });
  const r = profileFromNetlist(n);
  assert.ok(r.ok && Math.abs(r.profile.divider.rTopOhms - 667e3) < 1e-6, r.ok ? String(r.profile.divider.rTopOhms) : r.why);
});

test('an added capacitor has no profile, and the reason names it', () => {
  const n = builtInNetlist();
  n.parts.push({ ref: 'C99', kind: 'C', value: '1n', nets: ['DIV3', 'GND'] });
  const r = profileFromNetlist(n);
  assert.ok(!r.ok && /C99/.test(r.why), r.ok ? 'had a profile' : r.why);
});

test('the overrides of the built-in board are none, and R12 150k gives rTopOhms 650000', () => {
  assert.equal(profileOverrides(builtInNetlist()), {});
  assert.equal(profileOverrides(withValues(builtInNetlist(), { R12: '150k' })), { 'divider.rTopOhms': '650000' });
});

test('a burden of R7 3.3R + R8 2.4R reads burdenOhms=5.7, not the sum\'s float noise 5.699999999999999', () => {
  assert.equal(profileOverrides(withValues(builtInNetlist(), { R7: '3.3R' })), { 'ct.burdenOhms': '5.7' });
});

test.run();
