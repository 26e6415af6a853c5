// Component values as engineers write them on schematics and BOMs: `620k`, `4R7`, `2.4R`, `33n`, `33nf`, `100nF 50V`,
// `1k 1%`, `0R`, `4k7`, `10uH`, and the three-digit capacitor code (`104` = 10 x 10^4 pF = 100 nF).
// Extra words after the value are a tolerance (`1%`) or ratings (`50V`, `1/4W`, `X7R`, `0805`), which are ignored.

export type ValueKind = 'R' | 'C' | 'L';

export interface ParsedValue {
  /** Ohms, farads or henries. */
  value: number;
  /** Tolerance as a fraction (0.01 for `1%`), when the text gives one. */
  tolerance?: number;
}

export class ValueError extends Error {
  override readonly name = 'ValueError';
}

/**
 * Prefixes as powers of ten: a value is read as one decimal number with its exponent (`47e-9` for 47n), which is
 * the double nearest to it; 47 * 1e-9 would be 4.7000000000000004e-8, printed so in reports and what-if lines.
 */
const PREFIX: Record<string, number> = { p: -12, n: -9, u: -6, 'µ': -6, 'μ': -6, m: -3, k: 3, K: 3, M: 6, G: 9 };
const UNIT: Record<ValueKind, RegExp> = { R: /^(r|ohms?|Ω)$/i, C: /^f$/i, L: /^h$/i };
const NAME: Record<ValueKind, string> = { R: 'resistance', C: 'capacitance', L: 'inductance' };

/** Parses `text` as a value of `kind`; `where` (e.g. `R12 on sheet /`) names the part in the error. */
export function parseValue(text: string, kind: ValueKind, where: string): ParsedValue {
  const words = String(text).trim().split(/[\s,;]+/).filter(Boolean);
  const fail = (why: string): never => {
    throw new ValueError(`${where}: cannot read the ${NAME[kind]} '${String(text).trim()}' (${why})`);
  };
  if (words.length === 0) fail('the value is empty');
  const value = parseNumber(words[0], kind) ?? fail(`expected a number with an optional prefix and unit, like ${example(kind)}`);
  let tolerance: number | undefined;
  for (const w of words.slice(1)) {
    const t = /^[±+-]*(\d+(?:\.\d+)?)%$/.exec(w);
    if (t) tolerance = Number(t[1]) / 100;
  }
  if (!(value > 0) || !Number.isFinite(value)) {
    if (kind === 'R' && value === 0) return { value: 0, ...(tolerance === undefined ? {} : { tolerance }) };
    fail('it must be a positive number');
  }
  return tolerance === undefined ? { value } : { value, tolerance };
}

function example(kind: ValueKind): string {
  return kind === 'R' ? '`620k`, `4R7`, `2.4R` or `1k 1%`' : kind === 'C' ? '`33n`, `100nF 50V` or `104`' : '`10uH` or `2m2`';
}

function parseNumber(w: string, kind: ValueKind): number | undefined {
  // Three-digit capacitor code: two significant digits and a power of ten, in picofarads.
  if (kind === 'C' && /^\d{3}$/.test(w) && w[2] >= '1' && w[2] <= '6') return Number(`${w.slice(0, 2)}e${Number(w[2]) - 12}`);
  // Prefix or R as the decimal point: 4R7, 4k7, 2m2, 0R, 2.4R.
  const infix = /^(\d+)([pnuµμmkKMGRr])(\d+)$/.exec(w);
  if (infix) {
    const [, a, p, b] = infix;
    const exp10 = p === 'R' || p === 'r' ? (kind === 'R' ? 0 : undefined) : PREFIX[p];
    return exp10 === undefined ? undefined : Number(`${a}.${b}e${exp10}`);
  }
  const m = /^(\d+(?:\.\d*)?|\.\d+)(?:e([+-]?\d+))?([pnuµμmkKMG])?(.*)$/.exec(w);
  if (!m) return undefined;
  const [, num, exp, prefix, unit] = m;
  if (unit !== '' && !UNIT[kind].test(unit)) return undefined;
  if (kind === 'C' && prefix === undefined && unit === '') return undefined;
  return Number(`${num}e${Number(exp ?? 0) + (prefix ? PREFIX[prefix] : 0)}`);
}

/** The value in engineering notation: 620k, 4.7, 33n, 100n (for printing and SPICE; unit left off). */
export function formatValue(v: number): string {
  if (v === 0) return '0';
  const steps: [number, string][] = [[1e9, 'G'], [1e6, 'Meg'], [1e3, 'k'], [1, ''], [1e-3, 'm'], [1e-6, 'u'], [1e-9, 'n'], [1e-12, 'p']];
  for (const [k, s] of steps) {
    if (Math.abs(v) >= k * 0.999999999) return `${Number((v / k).toPrecision(12))}${s}`;
  }
  return String(v);
}
