// Every analog value of the OpenSmartMeter board in one object, with its tolerance, so a hardware engineer can change
// a part (`applyOverrides(p, { 'ct.ratio': 2000 })`, `osm ... --set frontend.ct.burdenOhms=10`) and a Monte Carlo run
// can build a population of units (`drawUnit(p, rand)`).
//
// Defaults: docs/atm90e26.md section 5 (schematic + BOM), via the components' own default configs. Tolerances are
// 3 sigma of a normal distribution, as a fraction of the nominal value: the BOM gives no tolerances, so these are
// the usual grades (1 % metal-film resistors, 10 % ceramic capacitors); series strings of 1 % parts get the root
// sum of squares (6 parts of 620 kohm: 0.41 %; 2 x 100k and 2 x 2.4R: 0.71 %). Operating conditions (temperature)
// and switches (fitted, reversed) have none.
import { DEFAULT_VOLTAGE_DIVIDER, type VoltageDividerConfig } from './frontend/voltage-divider.ts';
import { DEFAULT_CURRENT_TRANSFORMER, type CurrentTransformerConfig } from './frontend/current-transformer.ts';
import { ExcitationCurve } from './frontend/excitation-curve.ts';
import type { DifferentialFilterConfig } from './frontend/rc-filter.ts';
import { DEFAULT_SHUNT, type ShuntConfig } from './frontend/shunt.ts';
import { editDistance } from './edit-distance.ts';
import type { FrontEndNetlist } from './frontend/circuit/netlist.ts';
import { parseValue as parsePartValue } from './frontend/circuit/values.ts';

export interface BoardProfile {
  /** Voltage channel divider and its VP/VN filters (R12, R15, R40..R45, C38, C39, R54, R55). */
  divider: VoltageDividerConfig;
  /** The CT on J10, its burden R7 + R8 and C42 (N current channel). */
  ct: CurrentTransformerConfig;
  /** N current channel filter: R9/C29 on I2P, R10/C32 on I2N, into the burden mid node. */
  filter: DifferentialFilterConfig;
  /** What-if: a shunt on the L current channel (I1P/I1N are not connected on this board: `fitted` false). */
  shunt: ShuntConfig & { fitted: boolean };
  /** L current channel filter for the shunt what-if: 1k / 33 nF per leg (AN reference design). */
  filterL: DifferentialFilterConfig;
  /**
   * The front end as a circuit, when it has a topology the sections above cannot describe (an added capacitor, a
   * changed chain: `osm accuracy --schematic`): the pins' transfers are then this netlist's solve, and the sections
   * stand for the nearest fixed-topology board (its CT, with the load it sees) for the CT's knee and saturation.
   */
  circuit?: FrontEndNetlist;
}

export const DEFAULT_BOARD_PROFILE: Readonly<BoardProfile> = deepFreeze({
  divider: { ...DEFAULT_VOLTAGE_DIVIDER },
  ct: { ...DEFAULT_CURRENT_TRANSFORMER },
  filter: { rPOhms: 1e3, rNOhms: 1e3, cPFarads: 33e-9, cNFarads: 33e-9, chipInputOhms: 400e3 },
  shunt: { fitted: false, ...DEFAULT_SHUNT },
  // ATM90E26 datasheet channel table: the L current inputs are 1 kohm single-ended (N and V: 400 kohm).
  filterL: { rPOhms: 1e3, rNOhms: 1e3, cPFarads: 33e-9, cNFarads: 33e-9, chipInputOhms: 1e3 },
});

/** What a parameter may hold: `positive` (> 0), `nonNegative` (>= 0, 0 = not fitted), `finite`, or `boolean`. */
export type ParamKind = 'positive' | 'nonNegative' | 'finite' | 'boolean';

export interface ParamSpec {
  kind: ParamKind;
  /** Tolerance at 3 sigma, as a fraction of the nominal value (0.01 = 1 %); 0 for none. */
  tol: number;
  unit: string;
  doc: string;
  /**
   * What a part on a real board of this meter can be, [min, max] in `unit`, and why: a what-if outside it is refused
   * by applyOverrides (the user's edge) with that reason. Profiles built in code are not limited by it.
   */
  range?: readonly [number, number];
  why?: string;
}

type Specs = { [S in keyof BoardProfile]: { [K in keyof BoardProfile[S]]: ParamSpec } };

const R1 = 0.01;        // 1 % resistor
const C10 = 0.10;       // 10 % capacitor
const p = (kind: ParamKind, tol: number, unit: string, doc: string): ParamSpec => ({ kind, tol, unit, doc });
/** A parameter with the range a real part can have; `what` names the part as a message says it ("a CT burden"). */
const r = (spec: ParamSpec, min: number, max: number, what: string): ParamSpec => ({ ...spec, range: [min, max], why: what });
const RES = 'a resistor on this board';
const CAP = 'a filter capacitor on this board';
const CHIP_IN = 'an ATM90E26 input impedance';

/** Kind, tolerance, unit and meaning of every board parameter. */
export const BOARD_PARAMS: Readonly<Specs> = deepFreeze({
  divider: {
    rTopOhms: r(p('positive', 0.0041, 'ohm', 'LINE to VP: R12 120k + 5 x 100k (RSS of six 1 % parts)'), 1e3, 1e9, "the divider's top string"),
    rSampleOhms: r(p('positive', R1, 'ohm', 'VP to GND sample resistor R44'), 1, 1e6, RES),
    rReturnOhms: r(p('positive', 0.0071, 'ohm', 'GND to NEUTRAL return R54 + R55 (RSS of two 1 % parts)'), 1, 1e9, RES),
    cFilterFarads: r(p('positive', C10, 'F', 'VP filter capacitor C38'), 1e-12, 1e-4, CAP),
    chipInputOhms: r(p('positive', 0.2, 'ohm', 'ATM90E26 VP input impedance (datasheet typical; 20 % spread assumed)'), 10, 1e9, CHIP_IN),
    rVnOhms: r(p('positive', R1, 'ohm', 'VN to GND resistor R45'), 1, 1e6, RES),
    cVnFarads: r(p('positive', C10, 'F', 'VN to GND capacitor C39'), 1e-12, 1e-4, CAP),
  },
  ct: {
    ratio: r(p('positive', 0.005, ':1', 'CT turns ratio (effective ratio +-0.5 %)'), 100, 10000, 'the turns ratio of a CT for a 5(80) A meter'),
    burdenOhms: r(p('positive', 0.0071, 'ohm', 'burden R7 + R8 (RSS of two 1 % parts)'), 0.01, 1e3, 'a CT burden'),
    windingOhms: r(p('positive', 0.1, 'ohm', 'secondary winding resistance (copper, +-10 %)'), 0.01, 1e5, 'a CT secondary winding'),
    leakageHenries: r(p('nonNegative', 0.3, 'H', 'secondary leakage inductance'), 0, 100, 'a CT leakage inductance'),
    magnetisingHenries: r(p('positive', 0.3, 'H', 'magnetising inductance (core permeability +-30 %: the CT phase spread)'), 1e-3, 1e5, 'a CT magnetising inductance'),
    coreLossOhms: r(p('positive', 0.3, 'ohm', 'core-loss resistance (+-30 %: part of the ratio spread)'), 1, 1e9, 'a CT core-loss resistance'),
    parallelCapFarads: r(p('nonNegative', C10, 'F', 'capacitor across the CT, C42'), 0, 1e-4, 'a capacitor across the CT (0: not fitted)'),
    kneeVolts: r(p('positive', 0.2, 'V', 'knee-point EMF of the core'), 1e-3, 1e4, 'a CT knee-point EMF'),
    reversed: p('boolean', 0, '', 'CT fitted the other way round on J10'),
  },
  filter: {
    rPOhms: r(p('positive', R1, 'ohm', 'I2P series resistor R9'), 1, 1e6, RES),
    rNOhms: r(p('positive', R1, 'ohm', 'I2N series resistor R10'), 1, 1e6, RES),
    cPFarads: r(p('positive', C10, 'F', 'I2P to mid-node capacitor C29'), 1e-12, 1e-4, CAP),
    cNFarads: r(p('positive', C10, 'F', 'I2N to mid-node capacitor C32'), 1e-12, 1e-4, CAP),
    chipInputOhms: r(p('positive', 0.2, 'ohm', 'ATM90E26 I2P/I2N input impedance, single-ended (20 % spread assumed)'), 10, 1e9, CHIP_IN),
  },
  shunt: {
    fitted: p('boolean', 0, '', 'a shunt on the L channel (what-if; not on this board)'),
    ohms: r(p('positive', 0.05, 'ohm', 'shunt resistance at referenceTempC (+-5 %, calibrated out)'), 1e-6, 1, 'a shunt'),
    tempcoPpmPerK: r(p('finite', 0.5, 'ppm/K', 'shunt temperature coefficient'), -1e4, 1e4, 'a temperature coefficient'),
    referenceTempC: r(p('finite', 0, 'degC', 'temperature at which ohms holds'), -55, 155, "a part's temperature"),
    temperatureC: r(p('finite', 0, 'degC', 'operating temperature of the shunt'), -55, 155, "a part's temperature"),
    seriesHenries: r(p('nonNegative', 0.3, 'H', 'shunt self-inductance'), 0, 1e-3, "a shunt's self-inductance"),
  },
  filterL: {
    rPOhms: r(p('positive', R1, 'ohm', 'I1P series resistor'), 1, 1e6, RES),
    rNOhms: r(p('positive', R1, 'ohm', 'I1N series resistor'), 1, 1e6, RES),
    cPFarads: r(p('positive', C10, 'F', 'I1P filter capacitor'), 1e-12, 1e-4, CAP),
    cNFarads: r(p('positive', C10, 'F', 'I1N filter capacitor'), 1e-12, 1e-4, CAP),
    chipInputOhms: r(p('positive', 0.2, 'ohm', 'ATM90E26 I1P/I1N input impedance, single-ended (1 kohm per datasheet)'), 10, 1e9, CHIP_IN),
  },
});

export type ParamValue = number | boolean;

/** Every parameter as `section.name`, in a fixed order. */
export function paramKeys(): string[] {
  const out: string[] = [];
  for (const s of Object.keys(BOARD_PARAMS)) for (const k of Object.keys(spec(s))) out.push(`${s}.${k}`);
  return out;
}

/** The profile as a flat `{ 'ct.ratio': 1000, ... }` map, in `paramKeys()` order. */
export function flattenProfile(profile: BoardProfile): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const key of paramKeys()) {
    const [s, k] = key.split('.') as [string, string];
    out[key] = (profile as unknown as Record<string, Record<string, ParamValue>>)[s]![k]!;
  }
  return out;
}

/** Checks a whole profile (as a user might hand one in): every section and value present, known and valid. */
export function validateProfile(profile: unknown): BoardProfile {
  if (!isRecord(profile)) throw new TypeError(`board profile must be an object, got ${describe(profile)}`);
  if (profile.circuit !== undefined && !(isRecord(profile.circuit) && Array.isArray(profile.circuit.parts))) {
    throw new TypeError(`board profile 'circuit' must be a front-end netlist (with its parts), got ${describe(profile.circuit)}`);
  }
  for (const s of Object.keys(profile)) {
    if (s === 'circuit') continue;
    if (!(s in BOARD_PARAMS)) throw new Error(`unknown board profile section '${s}'${suggest(s, Object.keys(BOARD_PARAMS))}`);
  }
  for (const s of Object.keys(BOARD_PARAMS)) {
    const sec = profile[s];
    if (!isRecord(sec)) throw new TypeError(`board profile section '${s}' must be an object, got ${describe(sec)}`);
    const specs = spec(s);
    for (const k of Object.keys(sec)) {
      // The CT's excitation curve is data, not a parameter: checked as a curve; the Monte Carlo scales it through
      // ct.magnetisingHenries and ct.coreLossOhms (current-transformer.ts).
      if (s === 'ct' && k === 'excitation') {
        if (sec[k] !== null && sec[k] !== undefined) new ExcitationCurve(sec[k], 'board profile ct.excitation');
        continue;
      }
      if (!(k in specs)) throw new Error(`unknown board parameter '${s}.${k}'${suggest(`${s}.${k}`, paramKeys())}`);
    }
    for (const k of Object.keys(specs)) {
      if (!(k in sec)) throw new Error(`board profile is missing '${s}.${k}'`);
      checkValue(`${s}.${k}`, specs[k]!, sec[k]);
    }
  }
  return profile as unknown as BoardProfile;
}

/**
 * A copy of `profile` with `overrides` applied. Keys are `section.name` (an optional `frontend.` prefix is accepted,
 * as on the command line); values are numbers, booleans, or strings such as `"2000"`, `"33n"`, `"620k"`, `"true"`
 * (SI prefixes p n u m k M G). Unknown keys and invalid values throw an Error naming the key.
 */
export function applyOverrides(profile: BoardProfile, overrides: Record<string, unknown>): BoardProfile {
  if (!isRecord(overrides)) throw new TypeError(`board overrides must be an object of 'section.name': value, got ${describe(overrides)}`);
  const out = cloneProfile(validateProfile(profile));
  const known = paramKeys();
  for (const [rawKey, raw] of Object.entries(overrides)) {
    const key = rawKey.startsWith('frontend.') ? rawKey.slice('frontend.'.length) : rawKey;
    if (!known.includes(key)) {
      throw new Error(`unknown board parameter '${rawKey}'${suggest(key, known)}; known parameters: ${known.join(', ')}`);
    }
    const [s, k] = key.split('.') as [string, string];
    const ps = spec(s)[k]!;
    const value = parseValue(key, ps, raw);
    checkValue(key, ps, value);
    checkRange(key, ps, value);
    (out as unknown as Record<string, Record<string, ParamValue>>)[s]![k] = value;
  }
  return out;
}

/**
 * One unit drawn from the tolerances: every numeric parameter becomes nominal x (1 + tol/3 x z), z standard normal
 * clipped to +-3 (parts outside tolerance are screened out). `rand` gives uniforms in [0, 1) (a seeded source);
 * each parameter takes exactly two of them, in `paramKeys()` order, so the same source gives the same unit.
 */
export function drawUnit(profile: BoardProfile, rand: () => number): BoardProfile {
  if (typeof rand !== 'function') throw new TypeError('drawUnit needs a random source: a function returning numbers in [0, 1)');
  const out = cloneProfile(validateProfile(profile));
  const next = (): number => {
    const u = rand();
    if (typeof u !== 'number' || !(u >= 0 && u < 1)) {
      throw new RangeError(`drawUnit: the random source must return numbers in [0, 1), got ${String(u)}`);
    }
    return u;
  };
  for (const key of paramKeys()) {
    const [s, k] = key.split('.') as [string, string];
    const ps = spec(s)[k]!;
    if (ps.kind === 'boolean') continue;
    const u1 = next();
    const u2 = next();
    // Box-Muller; 1 - u1 is in (0, 1], so the log is finite.
    const z = Math.max(-3, Math.min(3, Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2)));
    const sec = (out as unknown as Record<string, Record<string, number>>)[s]!;
    sec[k] = sec[k]! * (1 + (ps.tol / 3) * z);
  }
  if (out.circuit) out.circuit = drawCircuit(out.circuit, out, next);
  return out;
}

/** A value as a schematic writes it (`1.00573k`, `33.1n`), 15 significant digits, so it reads back to itself. */
function withPrefix(v: number): string {
  if (v === 0) return '0';
  const prefixes: Array<[number, string]> = [[1e9, 'G'], [1e6, 'M'], [1e3, 'k'], [1, ''], [1e-3, 'm'], [1e-6, 'u'], [1e-9, 'n'], [1e-12, 'p']];
  const [scale, p] = prefixes.find(([k]) => Math.abs(v) >= k) ?? prefixes[prefixes.length - 1];
  return `${Number((v / scale).toPrecision(15))}${p}`;
}

/** Default part tolerances (3 sigma) where a netlist gives none: 1 % resistors, 10 % capacitors and inductors. */
const PART_TOL = { R: R1, C: C10, L: C10 } as const;

/**
 * A circuit front end drawn as drawUnit draws a profile: every part from its tolerance (two uniforms each, after the
 * profile's, in the netlist's order), and the CT's values taken from the profile's drawn `ct` section.
 */
function drawCircuit(n: FrontEndNetlist, drawn: BoardProfile, next: () => number): FrontEndNetlist {
  const parts = n.parts.map((part) => {
    const u1 = next();
    const u2 = next();
    const z = Math.max(-3, Math.min(3, Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2)));
    const { value, tolerance } = parsePartValue(part.value, part.kind, part.ref);
    const tol = part.tolerance ?? tolerance ?? PART_TOL[part.kind];
    return { ...part, nets: [...part.nets] as [string, string], value: withPrefix(value * (1 + (tol / 3) * z)) };
  });
  const { ratio, windingOhms, leakageHenries, magnetisingHenries, coreLossOhms, kneeVolts } = drawn.ct;
  const ct = n.ct ? { ...n.ct, nets: [...n.ct.nets] as [string, string], ratio, windingOhms, leakageHenries, magnetisingHenries, coreLossOhms, kneeVolts } : null;
  return { ...n, ct, parts };
}

/** A deep, mutable copy of a profile. */
export function cloneProfile(profile: BoardProfile): BoardProfile {
  return {
    divider: { ...profile.divider },
    ct: { ...profile.ct },
    filter: { ...profile.filter },
    shunt: { ...profile.shunt },
    filterL: { ...profile.filterL },
    // A netlist is never changed in place (withValues and drawUnit make new ones), so it is shared.
    ...(profile.circuit ? { circuit: profile.circuit } : {}),
  };
}

// --- helpers --------------------------------------------------------------------------------------------------

function spec(section: string): Record<string, ParamSpec> {
  return (BOARD_PARAMS as unknown as Record<string, Record<string, ParamSpec>>)[section]!;
}

const SI: Record<string, number> = { p: 1e-12, n: 1e-9, u: 1e-6, 'µ': 1e-6, m: 1e-3, k: 1e3, K: 1e3, M: 1e6, G: 1e9 };

function parseValue(key: string, ps: ParamSpec, raw: unknown): ParamValue {
  if (ps.kind === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    if (raw === 'true' || raw === 'yes' || raw === 1 || raw === '1') return true;
    if (raw === 'false' || raw === 'no' || raw === 0 || raw === '0') return false;
    throw new TypeError(`board parameter '${key}' must be true or false, got ${describe(raw)}`);
  }
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string') {
    const m = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([pnuµmkKMG]?)\s*$/.exec(raw);
    if (m) return Number(m[1]) * (m[2] ? SI[m[2]]! : 1);
  }
  throw new TypeError(`board parameter '${key}' must be a number (${ps.unit}; SI prefixes p n u m k M G allowed), got ${describe(raw)}`);
}

function checkValue(key: string, ps: ParamSpec, v: unknown): void {
  if (ps.kind === 'boolean') {
    if (typeof v !== 'boolean') throw new TypeError(`board parameter '${key}' must be true or false, got ${describe(v)}`);
    return;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new RangeError(`board parameter '${key}' must be a finite number (${ps.unit}), got ${describe(v)}`);
  }
  if (ps.kind === 'positive' && !(v > 0)) throw new RangeError(`board parameter '${key}' must be > 0 ${ps.unit}, got ${v}`);
  if (ps.kind === 'nonNegative' && !(v >= 0)) throw new RangeError(`board parameter '${key}' must be >= 0 ${ps.unit}, got ${v}`);
}

/** A what-if value outside what a real part can be: say what was given and the range, in the part's words. */
function checkRange(key: string, ps: ParamSpec, v: ParamValue): void {
  if (typeof v !== 'number' || !ps.range) return;
  const [min, max] = ps.range;
  if (v >= min && v <= max) return;
  const q = (x: number): string => (ps.unit === ':1' ? `${String(x).replace('e+', 'e')}:1` : si(x, ps.unit));
  throw new RangeError(`board parameter '${key}' is ${q(v)}, out of range: ${ps.why ?? 'this part'} is ${q(min)} to ${q(max)}`);
}

/** A value with an SI prefix, as parts are written (620k, 33n, 1e308 stays as it is). */
function si(v: number, unit: string): string {
  const a = Math.abs(v);
  const steps: Array<[number, string]> = [[1e9, 'G'], [1e6, 'M'], [1e3, 'k'], [1, ''], [1e-3, 'm'], [1e-6, 'u'], [1e-9, 'n'], [1e-12, 'p']];
  if (v === 0 || unit === 'degC' || unit === 'ppm/K') return `${v} ${unit}`;
  if (a >= 1e12 || a < 1e-12) return `${v.toExponential().replace('e+', 'e')} ${unit}`;
  for (const [f, pfx] of steps) if (a >= f) return `${Number((v / f).toPrecision(4))} ${pfx}${unit}`;
  return `${v} ${unit}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `"${v}"`;
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function suggest(word: string, candidates: string[]): string {
  let best = '';
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) { bestD = d; best = c; }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 4)) ? ` (did you mean '${best}'?)` : '';
}


function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) deepFreeze(v);
  return Object.freeze(o);
}
