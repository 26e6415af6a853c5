// osm diff's comparison of two meters' changes: a train of changes that one side ends earlier in its own time.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compare, type Change } from './diff.ts';

/** A beep train: `n` pulses (on, off) every 50 ms from `startUs`, then `off` held. */
function beeps(startUs: number, n: number): Change[] {
  const out: Change[] = [];
  for (let k = 0; k < n; k++) out.push({ t: startUs + k * 50_000, value: 'on' }, { t: startUs + k * 50_000 + 500, value: 'off' });
  return out;
}
const TOL = { buzzer: 250_000, relay: 250_000, 'led.red': 250_000 };
const one = (a: Change[], b: Change[], name = 'buzzer', endUs = 100e6) =>
  compare(new Map([[name, a]]), new Map([[name, b]]), TOL, endUs)[0];

test('a beep train the side behind ends within the tolerance before the other: same, the extra changes counted', () => {
  // b runs 220 ms behind a; a stimulus at 10 s ends both trains: b, behind, has made 4 pulses fewer by then
  const a = beeps(5e6, 101);
  const b = beeps(5.22e6, 97);
  const o = one(a, b);
  assert.is(o.firstMismatch, -1);
  assert.equal(o.cutByEnd, { side: 'a', count: 8 });
  assert.ok(o.ok);
});

test('extra changes that come earlier than the tolerance before the other side stopped are a difference', () => {
  const a = beeps(5e6, 101);
  const b = beeps(5.22e6, 90); // 11 pulses fewer: a's last is 330 ms after b's last change
  const o = one(a, b);
  assert.is(o.firstMismatch, 180);
  assert.is(o.cutByEnd, undefined);
  assert.not.ok(o.ok);
});

test('one extra change near the other side\'s last, ending on another value, is a difference (an extra relay toggle)', () => {
  const a: Change[] = [{ t: 1e6, value: 'closed' }, { t: 2e6, value: 'open' }, { t: 2.1e6, value: 'closed' }];
  const b: Change[] = [{ t: 1.1e6, value: 'closed' }, { t: 2.1e6, value: 'open' }];
  const o = one(a, b, 'relay');
  assert.is(o.firstMismatch, 2);
  assert.not.ok(o.ok);
});

test('changes within the tolerance of the run\'s end that the side behind had not made yet: same', () => {
  const a: Change[] = [{ t: 1e6, value: 'closed' }, { t: 99.9e6, value: 'open' }];
  const b: Change[] = [{ t: 1.1e6, value: 'closed' }];
  const o = one(a, b, 'relay', 100e6);
  assert.equal(o.cutByEnd, { side: 'a', count: 1 });
  assert.ok(o.ok);
  assert.not.ok(one(a, b, 'relay', 100.2e6).ok, 'made 300 ms before the end: the side behind had time to follow');
});

test('LCD key echoes typed at the default 300 ms cadence are compared screen by screen, whatever the link jitter', () => {
  // press-keys: a key every 300 ms; the twin redraws the echo 299.997 ms apart, a board a little unevenly
  const echo = (t0: number, steps: number[]): Change[] => {
    let t = t0;
    return steps.map((dt, k) => { t += dt; return { t, value: `TOKEN: ${'4364350124'.slice(0, k + 1)}|` }; });
  };
  const a = echo(60e6, Array(10).fill(299_997));
  const b = echo(60.26e6, [299_997, 300_040, 299_950, 300_010, 299_990, 300_020, 299_980, 300_000, 299_960, 300_030]);
  const o = one(a, b, 'lcd');
  assert.is(o.countA, 10);
  assert.is(o.countB, 10);
  assert.ok(o.ok);
});

test('a blink one side lacks in the middle is reported where the timing parts, not as extra changes at the end', () => {
  // a blinks red five times after a token, b four (its firmware runs later on the link); a later blink pair on both
  const blinks = (t0: number, n: number): Change[] => Array.from({ length: n }, (_, k) => [
    { t: t0 + k * 300_000, value: 'on' }, { t: t0 + k * 300_000 + 80_000, value: 'off' }]).flat();
  const a = [...blinks(1609e6, 5), ...blinks(1926.17e6, 1)];
  const b = [...blinks(1609.1e6, 4), ...blinks(1926.25e6, 1)];
  const o = one(a, b, 'led.red');
  assert.is(o.cutByEnd, undefined);
  assert.equal(o.late, { index: 8, aUs: 1610.2e6, bUs: 1926.25e6 });
  assert.not.ok(o.ok);
});

test.run();
