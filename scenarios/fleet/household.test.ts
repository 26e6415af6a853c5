import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ARCHETYPES, archetype, dayScale, householdSchedule } from './household.ts';

const DAY = 24 * 3600e6;
const monday = new Date('2026-03-02T00:00:00Z');

test('the same seed gives the same household schedule; another seed another', () => {
  const a = archetype('fridge-home');
  assert.equal(householdSchedule(a, 5, monday, DAY), householdSchedule(a, 5, monday, DAY));
  assert.not.equal(householdSchedule(a, 5, monday, DAY), householdSchedule(a, 6, monday, DAY));
});

test('the background load steps at every hour boundary, following the daily shape', () => {
  const a = archetype('tv-fan');
  const bg = householdSchedule(a, 1, new Date('2026-03-02T00:30:00Z'), 3 * 3600e6).filter((c) => c.id === 'background');
  assert.equal(bg.map((c) => c.tUs), [0, 1800e6, 5400e6, 9000e6]);
  const evening = householdSchedule(a, 1, new Date('2026-03-02T20:00:00Z'), 3600e6).find((c) => c.id === 'background')!;
  const night = householdSchedule(a, 1, new Date('2026-03-02T03:00:00Z'), 3600e6).find((c) => c.id === 'background')!;
  assert.ok(evening.watts > 4 * night.watts, `${evening.watts} W in the evening, ${night.watts} W at night`);
});

test('every appliance switched on is switched off again within the run or stays on at its end, never twice on', () => {
  const changes = householdSchedule(archetype('small-shop'), 3, monday, DAY).filter((c) => c.id !== 'background');
  const on = new Set<string>();
  for (const c of changes) {
    if (c.watts > 0) { assert.not.ok(on.has(c.id), c.id); on.add(c.id); } else { assert.ok(on.has(c.id), c.id); on.delete(c.id); }
  }
  assert.ok(changes.length > 40, `${changes.length} switchings in a shop's day`);
});

test('a weekend and the season scale the profile', () => {
  const shop = archetype('small-shop');
  assert.ok(Math.abs(dayScale(shop, new Date('2026-03-07T12:00:00Z')) / dayScale(shop, new Date('2026-03-06T12:00:00Z')) - shop.weekend) < 0.01, 'Saturday is the weekend factor of Friday (same month)');
  const home = archetype('tv-fan');
  assert.ok(dayScale(home, new Date('2026-03-04T00:00:00Z')) > dayScale(home, new Date('2026-09-02T00:00:00Z')), 'peak month March above September');
  assert.ok(dayScale(shop, new Date('2026-03-07T12:00:00Z')) < dayScale(shop, new Date('2026-03-06T12:00:00Z')), 'a shop draws less on Saturday');
});

test('every archetype has a 24-hour shape', () => {
  for (const a of ARCHETYPES) assert.is(a.daily.length, 24, a.name);
  assert.throws(() => archetype('castle'), /unknown household 'castle'/);
});

test.run();
