import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TimedSettings, type TimedChange } from './timed-settings.ts';

interface Grid { vrms: number; outage: boolean }

/** A grid whose changes are applied after they are recorded, as the bench does. */
function grid(): { now: Grid; s: TimedSettings<Grid>; apply(v: Partial<Grid>): void } {
  const g = { now: { vrms: 240, outage: false }, s: null as unknown as TimedSettings<Grid>, apply(v: Partial<Grid>) { Object.assign(g.now, v); } };
  g.s = new TimedSettings<Grid>(() => ({ ...g.now }));
  return g;
}

/** A sag to 170 V, then a swell to 270 V clicked while it runs. */
function sagThenSwell(): { g: ReturnType<typeof grid>; sag: TimedChange<Grid>; swell: TimedChange<Grid> } {
  const g = grid();
  const sag = g.s.timed({ vrms: 170 });
  g.apply({ vrms: 170 });
  const swell = g.s.timed({ vrms: 270 });
  g.apply({ vrms: 270 });
  return { g, sag, swell };
}

test('a timed change ends with the setting as it was before it', () => {
  const g = grid();
  const sag = g.s.timed({ vrms: 170 });
  g.apply({ vrms: 170 });
  assert.equal(g.s.end(sag, ['vrms']), { vrms: 240 });
});

test('a timed change that ends while a later one runs goes back to the later one, and that one to the start', () => {
  const { g, sag, swell } = sagThenSwell();
  assert.equal(g.s.end(sag, ['vrms']), { vrms: 270 });
  assert.equal(g.s.end(swell, ['vrms']), { vrms: 240 });
});

test('a timed change that ends inside an earlier one goes back to the earlier one, which then goes back to the start', () => {
  const { g, sag, swell } = sagThenSwell();
  assert.equal(g.s.end(swell, ['vrms']), { vrms: 170 });
  assert.equal(g.s.end(sag, ['vrms']), { vrms: 240 });
});

test('a setting changed for good while a timed change runs is left alone when that change ends', () => {
  const g = grid();
  const sag = g.s.timed({ vrms: 170 });
  g.apply({ vrms: 170 });
  g.s.lasting({ vrms: 230 });
  g.apply({ vrms: 230 });
  assert.equal(g.s.end(sag, ['vrms']), {});
});

test('a setting the change did not set goes back to the timed change that holds it, else to its lasting value', () => {
  const g = grid();
  const outage = g.s.timed({ outage: true });
  g.apply({ outage: true });
  const sag = g.s.timed({ vrms: 170 });
  g.apply({ vrms: 170 });
  assert.equal(g.s.end(sag, ['vrms', 'outage']), { vrms: 240, outage: true });
  assert.equal(g.s.end(outage, ['vrms', 'outage']), { vrms: 240, outage: false });
});

test('the lasting settings while timed changes run are what they will be once those have ended', () => {
  const g = grid();
  g.s.timed({ vrms: 170 });
  g.apply({ vrms: 170 });
  g.s.lasting({ outage: true });
  g.apply({ outage: true });
  assert.equal(g.s.lastingNow(), { vrms: 240, outage: true });
});

test('a kept value is a copy: changing the object given later does not change what a change goes back to', () => {
  const now = { h: [{ order: 3 }] };
  const s = new TimedSettings<{ h: { order: number }[] }>(() => ({ h: now.h }), (v) => (Array.isArray(v) ? v.map((x) => ({ ...x })) : v) as typeof v);
  const given = [{ order: 5 }];
  s.lasting({ h: given });
  given[0].order = 7;
  const t = s.timed({ h: [{ order: 9 }] });
  assert.equal(s.end(t, ['h']), { h: [{ order: 5 }] });
});

test.run();
