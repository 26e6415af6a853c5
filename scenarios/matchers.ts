// Matchers of `expect` and `wait-until`: how an observed value is compared with what the scenario wrote.
//
// Written forms (the loader compiles them into `Matcher`, schema.ts):
// - a plain value: `relay: closed`, `credit: 625`, `lcd: "TOKEN ACCEPTED"`;
// - a regex: any string of the form `/source/flags` (flags from i, m, s, u), e.g. `lcd: "/CREDIT=#6\d\d/"`;
// - `{ approx: 1.0, tol: 0.2 }` (absolute) or `{ approx: 230, tolPercent: 2 }` (percent of `approx`);
// - `{ min: 1, max: 2 }` (inclusive; either bound may be left out);
// - `{ not: <matcher> }`.
//
// Precise rules per kind of observable (schema.ts OBSERVABLES):
// - enum (relay, led.*, buzzer): a plain value is one of the allowed words; equality.
// - number: a plain number is exact equality; approx is |observed - approx| <= tol (tolPercent: tol = |approx| *
//   tolPercent / 100); range is min <= observed <= max. A regex is tested against the number's JavaScript text.
// - lcd: the display's rows are 16 columns padded with spaces, so plain strings are compared after trimming
//   leading and trailing spaces of every row (and of the written text):
//     - `lcd: "A\nB"` (contains a newline) holds when row 0 equals A and row 1 equals B;
//     - `lcd: "A"` (no newline) holds when either row equals A;
//     - `lcd.line0` / `lcd.line1`: that row equals the text.
//   A regex sees the raw, untrimmed text: the row for lcd.line0/1, and for `lcd` the two rows joined by '\n', so
//   `/^ CREDIT=#/m` checks exact columns.
// - log (serial): a plain string holds when the log so far contains it; a regex is tested against the whole log.
// - any (telemetry.<key>): equality of numbers, booleans or text; a regex is tested against the value's text.
// An observable the meter cannot observe (undefined) never matches, not even `{ not: ... }`.
import type { Matcher, ObservableKind } from './schema.ts';
import { observableInfo } from './schema.ts';

const regexCache = new WeakMap<Matcher, RegExp>();

function regexOf(m: Extract<Matcher, { kind: 'regex' }>): RegExp {
  let re = regexCache.get(m);
  if (re === undefined) {
    re = new RegExp(m.source, m.flags);
    regexCache.set(m, re);
  }
  return re;
}

/** The LCD's two rows from whatever the bench returns for `lcd` (text with '\n', or an array of rows). */
export function lcdRows(observed: unknown): [string, string] | undefined {
  if (Array.isArray(observed)) return [String(observed[0] ?? ''), String(observed[1] ?? '')];
  if (typeof observed === 'string') {
    const nl = observed.indexOf('\n');
    return nl < 0 ? [observed, ''] : [observed.slice(0, nl), observed.slice(nl + 1)];
  }
  return undefined;
}

/**
 * Bring a raw observed value to the scenario's vocabulary: booleans become `closed`/`open` (relay) or `on`/`off`
 * (LEDs, buzzer), enum words are lower-cased, numeric text becomes a number, LCD arrays become text with '\n'.
 */
export function normalizeObserved(observable: string, raw: unknown): unknown {
  if (raw === undefined || raw === null) return undefined;
  const info = observableInfo(observable);
  switch (info?.kind) {
    case 'enum':
      if (typeof raw === 'boolean') return observable === 'relay' ? (raw ? 'closed' : 'open') : (raw ? 'on' : 'off');
      return typeof raw === 'string' ? raw.toLowerCase() : raw;
    case 'number':
      if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
      return raw;
    case 'lcd': {
      if (observable === 'lcd') {
        const rows = lcdRows(raw);
        return rows ? rows.join('\n') : raw;
      }
      return Array.isArray(raw) ? raw.join('') : raw;
    }
    case 'log':
      return typeof raw === 'string' ? raw : Array.isArray(raw) ? raw.join('') : String(raw);
    default:
      return raw;
  }
}

function textOf(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function equalsFor(kind: ObservableKind | undefined, observable: string, value: string | number | boolean, observed: unknown): boolean {
  switch (kind) {
    case 'number':
      return typeof observed === 'number' && observed === value;
    case 'lcd': {
      if (typeof value !== 'string') return false;
      if (observable !== 'lcd') return typeof observed === 'string' && observed.trim() === value.trim();
      const rows = lcdRows(observed);
      if (!rows) return false;
      const r0 = rows[0].trim();
      const r1 = rows[1].trim();
      const nl = value.indexOf('\n');
      if (nl < 0) { const v = value.trim(); return r0 === v || r1 === v; }
      return r0 === value.slice(0, nl).trim() && r1 === value.slice(nl + 1).trim();
    }
    case 'log':
      return typeof value === 'string' && textOf(observed).includes(value);
    case 'enum':
      return observed === value;
    default:
      if (typeof observed === typeof value) return observed === value;
      if (typeof value === 'number' && typeof observed === 'string' && observed.trim() !== '') return Number(observed) === value;
      return textOf(observed) === String(value);
  }
}

function test(kind: ObservableKind | undefined, observable: string, m: Matcher, observed: unknown): boolean {
  switch (m.kind) {
    case 'equals': return equalsFor(kind, observable, m.value, observed);
    case 'regex': {
      const re = regexOf(m);
      re.lastIndex = 0;
      return re.test(textOf(observed));
    }
    case 'approx': {
      if (typeof observed !== 'number' || !Number.isFinite(observed)) return false;
      const tol = m.percent ? (Math.abs(m.value) * m.tol) / 100 : m.tol;
      return Math.abs(observed - m.value) <= tol;
    }
    case 'range':
      if (typeof observed !== 'number' || Number.isNaN(observed)) return false;
      return (m.min === undefined || observed >= m.min) && (m.max === undefined || observed <= m.max);
    case 'not':
      return !test(kind, observable, m.matcher, observed);
  }
}

/** Does the (normalised) observed value satisfy the matcher? Undefined (not observable) never does. */
export function matches(observable: string, m: Matcher, observed: unknown): boolean {
  if (observed === undefined) return false;
  return test(observableInfo(observable)?.kind, observable, m, observed);
}

/** The matcher as a reader would write it: `closed`, `/CREDIT/`, `≈ 1 ± 0.2`, `between 1 and 2`, `not closed`. */
export function describeMatcher(m: Matcher): string {
  switch (m.kind) {
    case 'equals': return typeof m.value === 'string' ? JSON.stringify(m.value) : String(m.value);
    case 'regex': return `/${m.source}/${m.flags}`;
    case 'approx': return `≈ ${m.value} ± ${m.tol}${m.percent ? ' %' : ''}`;
    case 'range':
      if (m.min !== undefined && m.max !== undefined) return `between ${m.min} and ${m.max}`;
      return m.min !== undefined ? `≥ ${m.min}` : `≤ ${m.max}`;
    case 'not': return `not ${describeMatcher(m.matcher)}`;
  }
}

/** An observed value for a report: text quoted (so LCD padding and '\n' show), numbers as they are. */
export function describeObserved(observed: unknown): string {
  if (observed === undefined) return '(not observable on this meter)';
  if (typeof observed === 'string') {
    return JSON.stringify(observed.length > 200 ? `…${observed.slice(-200)}` : observed);
  }
  if (typeof observed === 'number' || typeof observed === 'boolean') return String(observed);
  return JSON.stringify(observed);
}
