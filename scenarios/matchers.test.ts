import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeMatcher, matches, normalizeObserved } from './matchers.ts';
import type { Matcher } from './schema.ts';

const eq = (value: string | number | boolean): Matcher => ({ kind: 'equals', value });
const re = (source: string, flags = ''): Matcher => ({ kind: 'regex', source, flags });

const LCD = ' CREDIT=#125.00 \nENERGY=0.00 KW/H';

test('an lcd string without a newline matches either row, ignoring the padding spaces', () => {
  assert.ok(matches('lcd', eq('CREDIT=#125.00'), LCD));
  assert.ok(matches('lcd', eq('ENERGY=0.00 KW/H'), LCD));
  assert.not.ok(matches('lcd', eq('CREDIT'), LCD));
});

test('an lcd string with a newline must equal both rows', () => {
  assert.ok(matches('lcd', eq('CREDIT=#125.00\nENERGY=0.00 KW/H'), LCD));
  assert.not.ok(matches('lcd', eq('CREDIT=#125.00\nENERGY=1.00 KW/H'), LCD));
});

test('inner spaces of an lcd row are significant', () => {
  assert.ok(matches('lcd.line0', eq('TERMINAL  COVER'), 'TERMINAL  COVER '));
  assert.not.ok(matches('lcd.line0', eq('TERMINAL COVER'), 'TERMINAL  COVER '));
});

test('an lcd regex sees the raw rows joined by a newline', () => {
  assert.ok(matches('lcd', re('^ CREDIT=#125\\.00 $', 'm'), LCD));
  assert.not.ok(matches('lcd', re('^CREDIT'), LCD));
  assert.ok(matches('lcd', re('00 \\nENERGY'), LCD));
});

test('lcd rows given as an array are joined before matching', () => {
  const obs = normalizeObserved('lcd', ['TOKEN ACCEPTED  ', '   VIA KEYPAD   ']);
  assert.ok(matches('lcd', eq('TOKEN ACCEPTED\nVIA KEYPAD'), obs));
});

test('a plain serial string matches when the log contains it', () => {
  const log = 'Device Powered! \nSetting up LCD... \n';
  assert.ok(matches('serial', eq('Setting up LCD'), log));
  assert.not.ok(matches('serial', eq('Setup Complete'), log));
});

test('a number equals only exactly, approx respects an absolute tolerance', () => {
  assert.ok(matches('credit', eq(625), 625));
  assert.not.ok(matches('credit', eq(625), 624.99));
  assert.ok(matches('credit', { kind: 'approx', value: 1, tol: 0.2, percent: false }, 1.2));
  assert.not.ok(matches('credit', { kind: 'approx', value: 1, tol: 0.2, percent: false }, 1.21));
});

test('approx includes its bounds: 229 and 231 are within 230 ± 1, 231.5 is not', () => {
  const m: Matcher = { kind: 'approx', value: 230, tol: 1, percent: false };
  assert.ok(matches('voltage', m, 229));
  assert.ok(matches('voltage', m, 231));
  assert.not.ok(matches('voltage', m, 231.5));
});

test('approx with tolPercent scales the tolerance with the value', () => {
  const m: Matcher = { kind: 'approx', value: 230, tol: 2, percent: true };
  assert.ok(matches('voltage', m, 234.6));
  assert.not.ok(matches('voltage', m, 234.7));
  assert.ok(matches('voltage', m, 225.4));
});

test('a range is inclusive and may be open on one side', () => {
  assert.ok(matches('energy', { kind: 'range', min: 1, max: 2 }, 1));
  assert.ok(matches('energy', { kind: 'range', min: 1, max: 2 }, 2));
  assert.not.ok(matches('energy', { kind: 'range', min: 1, max: 2 }, 2.0001));
  assert.ok(matches('energy', { kind: 'range', max: 1 }, -5));
  assert.not.ok(matches('energy', { kind: 'range', min: 1 }, NaN));
});

test('not inverts a matcher', () => {
  assert.ok(matches('relay', { kind: 'not', matcher: eq('closed') }, 'open'));
  assert.not.ok(matches('relay', { kind: 'not', matcher: eq('closed') }, 'closed'));
});

test('an unobservable value never matches, not even under not', () => {
  assert.not.ok(matches('lcd', { kind: 'not', matcher: eq('x') }, undefined));
  assert.not.ok(matches('relay', eq('open'), undefined));
});

test('booleans from a bench become relay and led words', () => {
  assert.is(normalizeObserved('relay', true), 'closed');
  assert.is(normalizeObserved('relay', false), 'open');
  assert.is(normalizeObserved('led.red', true), 'on');
  assert.is(normalizeObserved('buzzer', false), 'off');
  assert.is(normalizeObserved('led.green', 'BLINKING'), 'blinking');
});

test('numeric text from a bench becomes a number for numeric observables', () => {
  assert.is(normalizeObserved('credit', '625.5'), 625.5);
  assert.ok(matches('credit', eq(625.5), normalizeObserved('credit', '625.5')));
});

test('telemetry values compare across number and text', () => {
  assert.ok(matches('telemetry.energy', eq(4), 4));
  assert.ok(matches('telemetry.energy', eq(4), '4'));
  assert.ok(matches('telemetry.ok', eq(true), true));
  assert.ok(matches('telemetry.energy', re('^4\\.5'), 4.5));
});

test('a regex matcher is reusable (no lastIndex state between tests)', () => {
  const m = re('CREDIT');
  assert.ok(matches('lcd', m, LCD));
  assert.ok(matches('lcd', m, LCD));
});

test('describes matchers as a reader would write them', () => {
  assert.is(describeMatcher(eq('closed')), '"closed"');
  assert.is(describeMatcher(re('CREDIT', 'i')), '/CREDIT/i');
  assert.is(describeMatcher({ kind: 'approx', value: 1, tol: 0.2, percent: false }), '≈ 1 ± 0.2');
  assert.is(describeMatcher({ kind: 'range', min: 1, max: 2 }), 'between 1 and 2');
  assert.is(describeMatcher({ kind: 'range', max: 2 }), '≤ 2');
  assert.is(describeMatcher({ kind: 'not', matcher: eq('on') }), 'not "on"');
});

test.run();
