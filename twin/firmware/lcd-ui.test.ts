import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lcd_update, parameters_display } from './lcd-ui.ts';
import { createUnit, type Unit } from '../../test/support/firmware-bench.ts';

/** Draws scene `cnt` once with the given values (no scene switch: the 5 s timer has not run out). */
function scene(u: Unit, cnt: 0 | 1, v: { V?: number; I?: number; P?: number; PF?: number; credit?: number; E?: number }): [string, string] {
  u.s.cnt = cnt;
  u.s.prev_lcdtime = u.board.millis();
  u.s.mains_input_value = Math.fround(v.V ?? 0);
  u.s.curr = Math.fround(v.I ?? 0);
  u.s.true_power = Math.fround(v.P ?? 0);
  u.s.powerFactor = Math.fround(v.PF ?? 0);
  u.s.creditt = Math.fround(v.credit ?? 0);
  u.s.ENERGY = Math.fround(v.E ?? 0);
  lcd_update(u.fw);
  return [u.line(0), u.line(1)];
}

// The rendered examples of docs/firmware.md §3.7.
for (const [values, r0, r1] of [
  [{ V: 230.45, I: 1.23, P: 271.66, PF: 0.96 }, 'V=230.4 C=1.23 A', 'W=271.66 PF=0.96'],
  [{}, 'V=0.00  C=0.00 A', 'W=0.00   PF=0.00'],
  [{ V: 231.5, I: 12.34, P: 2856.1, PF: -0.98 }, 'V=231.5 C=12.34A', 'W=2856.1 PF=-0.9'],
  [{ V: 655.35, I: 0, P: 0, PF: -32.767 }, 'V=655.3 C=0.00 A', 'W=0.00   PF=-32.'],
] as const) {
  test(`scene 1 with ${JSON.stringify(values)} reads "${r0}" / "${r1}"`, () => {
    const u = createUnit();
    assert.equal(scene(u, 0, values), [r0, r1]);
  });
}

for (const [values, r0, r1] of [
  [{ credit: 125, E: 0 }, ' CREDIT=#125.00 ', 'ENERGY=0.00 KW/H'],
  [{ credit: 4294967296 }, ' CREDIT=#ovf    ', 'ENERGY=0.00 KW/H'],
  [{ credit: 12415, E: 123.456 }, ' CREDIT=#12415.0', 'ENERGY=123.4KW/H'],
] as const) {
  test(`scene 2 with ${JSON.stringify(values)} reads "${r0}" / "${r1}"`, () => {
    const u = createUnit();
    assert.equal(scene(u, 1, values), [r0, r1]);
  });
}

test('scene 2 redraws a new energy while the credit holds (D16 keeps credit 1000 still at 100 W)', () => {
  const u = createUnit();
  assert.equal(scene(u, 1, { credit: 1000, E: 1.5 }), [' CREDIT=#1000.00', 'ENERGY=1.50 KW/H']);
  assert.equal(scene(u, 1, { credit: 1000, E: 1.75 }), [' CREDIT=#1000.00', 'ENERGY=1.75 KW/H']);
});

test('the first call after boot switches straight to scene 2 (prev_lcdtime starts at 0)', async () => {
  const u = createUnit();
  await u.clock.runFor(6_000_000);
  u.s.creditt = 125;
  lcd_update(u.fw);
  assert.is(u.s.cnt, 1);
  assert.is(u.line(0), ' CREDIT=#125.00 ');
});

test('after scene 2 the display is blank for one call, then scene 1 follows', async () => {
  const u = createUnit();
  await u.clock.runFor(6_000_000);
  lcd_update(u.fw); // cnt 1: scene 2
  await u.clock.runFor(5_000_000);
  lcd_update(u.fw); // cnt 2: begin() clears, nothing drawn, cnt back to 0
  assert.is(u.line(0), ' '.repeat(16));
  lcd_update(u.fw);
  assert.is(u.line(0).slice(0, 2), 'V=');
});

test('D33: the scene switch re-runs lcd.begin (about 61 ms)', async () => {
  const u = createUnit();
  await u.clock.runFor(6_000_000);
  const before = u.cpu.nowUs();
  lcd_update(u.fw);
  assert.ok(u.cpu.nowUs() - before > 60_000);
});

test('D33 fixed: the scene switch only clears the display (about 2 ms)', async () => {
  const u = createUnit({ fix: ['D33'] });
  await u.clock.runFor(6_000_000);
  const before = u.cpu.nowUs();
  lcd_update(u.fw);
  assert.ok(u.cpu.nowUs() - before < 20_000);
});

test('page 2 shows day/hour:min:sec without padding: day 5 at 09:07:03 is " 5 /9 :7 :3     "', () => {
  const u = createUnit();
  Object.assign(u.s, { parameters: 2, rtcday: 5, hours: 9, minutes: 7, seconds: 3 });
  parameters_display(u.fw);
  assert.is(u.line(0), 'date/time :     ');
  assert.is(u.line(1), ' 5 /9 :7 :3     ');
});

test('page 5 shows the tamper log as an int: -1 on a virgin EEPROM', () => {
  const u = createUnit();
  u.s.parameters = 5;
  parameters_display(u.fw);
  assert.is(u.line(1), '      -1        ');
});

test('D25: page 6 prints lastmonth_KWH where the billing date belongs (only "0." visible)', () => {
  const u = createUnit();
  Object.assign(u.s, { parameters: 6, billing_date: 17, lastmonth_KWH: 0 });
  parameters_display(u.fw);
  assert.is(u.line(1), 'billing date :0.');
});

test('D25 fixed: page 6 shows the billing date', () => {
  const u = createUnit({ fix: ['D25'] });
  Object.assign(u.s, { parameters: 6, billing_date: 17 });
  parameters_display(u.fw);
  assert.is(u.line(1), 'billing date :17');
});

test('a page number above 7 returns to the scenes (parameters = 0)', () => {
  const u = createUnit();
  u.s.parameters = 8;
  parameters_display(u.fw);
  assert.is(u.s.parameters, 0);
});

test.run();
