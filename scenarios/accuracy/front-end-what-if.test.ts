import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { frontEndWhatIf } from './front-end-what-if.ts';
import { WhatIfError, parseWhatIf, whatIfProfile } from './what-if.ts';

const ORIGINAL = new URL('../../../shared/reference/seed-hardware/opensmartmeter.kicad_sch', import.meta.url).pathname;
const original = existsSync(ORIGINAL) ? test : test.skip;

test('without a schematic or a part setting the entries pass through unchanged', () => {
  assert.equal(frontEndWhatIf(undefined, ['frontend.ct.ratio=2000', 'afe.IgainN=0x1000']), ['frontend.ct.ratio=2000', 'afe.IgainN=0x1000']);
});

test('R12=150k becomes the divider override it implies, ahead of the other entries', () => {
  assert.equal(frontEndWhatIf(undefined, ['R12=150k', 'afe.IgainN=0x1000']), ['frontend.divider.rTopOhms=650000', 'afe.IgainN=0x1000']);
});

test('a changed burden resistor and filter capacitor reach the CT and filter sections', () => {
  const p = whatIfProfile(parseWhatIf(frontEndWhatIf(undefined, ['R7=4R7', 'C29=47n'])));
  assert.ok(Math.abs(p.ct.burdenOhms - 7.1) < 1e-12);
  assert.ok(Math.abs(p.filter.cPFarads - 47e-9) < 1e-21);
});

test('an unknown reference is a what-if error naming it', () => {
  assert.throws(() => frontEndWhatIf(undefined, ['R99=1k']), (e: Error) => e instanceof WhatIfError && /R99: no such part/.test(e.message));
});

test('an unreadable schematic is a what-if error naming the file', () => {
  assert.throws(() => frontEndWhatIf('/nonexistent/x.kicad_sch', []), (e: Error) => e instanceof WhatIfError && /cannot read \/nonexistent\/x\.kicad_sch/.test(e.message));
});

original('the original schematic implies no override: the accuracy table is today\'s', () => {
  assert.equal(frontEndWhatIf(ORIGINAL, []), []);
});

original('the original schematic with R12=150k implies the 650 kohm divider', () => {
  assert.equal(frontEndWhatIf(ORIGINAL, ['R12=150k']), ['frontend.divider.rTopOhms=650000']);
});

test.run();
