// The front end as a netlist in the project's own readable form (YAML): the metering chip and the nets on its analog
// inputs, the line and neutral terminals, the current transformer on its connector, and every part with its
// reference, value as written, tolerance and nets. The built-in board is models/frontend/netlists/osm-board.yaml;
// `osm frontend import --save` writes the same form from a KiCad schematic.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { DEFAULT_CURRENT_TRANSFORMER } from '../current-transformer.ts';
import { ExcitationCurve, ExcitationCurveError, type ExcitationCurveSpec } from '../excitation-curve.ts';
import { type Element } from './circuit.ts';
import { parseValue, type ValueKind } from './values.ts';

/** The ATM90E26's analog inputs. */
export const CHIP_INPUTS = ['VP', 'VN', 'I1P', 'I1N', 'I2P', 'I2N'] as const;
export type ChipInput = (typeof CHIP_INPUTS)[number];

/** ATM90E26 datasheet channel table: every input 400 kohm single-ended except the L current inputs, 1 kohm. */
export const ATM90E26_INPUT_OHMS: Readonly<Record<ChipInput, number>> = { VP: 400e3, VN: 400e3, I1P: 1e3, I1N: 1e3, I2P: 400e3, I2N: 400e3 };

export interface NetlistPart {
  ref: string;
  kind: ValueKind;
  /** The value as written on the schematic (`620k`, `33nf`, `104`). */
  value: string;
  /** Tolerance at 3 sigma as a fraction (0.01 = 1 %), when known. */
  tolerance?: number;
  nets: [string, string];
  /** Sheet path of a part read from a schematic (`/` for the root sheet). */
  sheet?: string;
}

export interface NetlistCt {
  /** The connector the CT plugs into (J10). */
  connector: string;
  /** [plus, minus]: current entering the primary's dotted end leaves the plus terminal (J10.2 feeds I2P). */
  nets: [string, string];
  ratio: number;
  windingOhms: number;
  leakageHenries: number;
  magnetisingHenries: number;
  coreLossOhms: number;
  kneeVolts: number;
  reversed: boolean;
  /**
   * The core's excitation curve (secondary EMF against exciting current, both rms): with it, magnetisingHenries and
   * coreLossOhms are the curve's branch below its first point (not written in the file), and the CT's errors follow
   * its flux (models/frontend/excitation-curve.ts).
   */
  excitation?: ExcitationCurveSpec;
}

export interface FrontEndNetlist {
  board: string;
  chip: {
    ref: string;
    value: string;
    /** Net of each analog input, null when the pin is left unconnected (no-connect flag). */
    pins: Record<ChipInput, string | null>;
    /** The chip's analog ground net: the reference of every input. */
    ground: string;
    inputOhms: Record<ChipInput, number>;
  };
  /** The line and neutral nets the meter measures between. */
  terminals: { line: string; neutral: string };
  ct: NetlistCt | null;
  parts: NetlistPart[];
}

export class NetlistError extends Error {
  override readonly name = 'NetlistError';
}

export function where(p: { ref: string; sheet?: string }): string {
  return p.sheet ? `${p.ref} on sheet ${p.sheet}` : p.ref;
}

/** The netlist's parts and chip as circuit elements, values parsed (errors name the reference and sheet). */
export function circuitElements(n: FrontEndNetlist): Element[] {
  const els: Element[] = [];
  for (const p of n.parts) {
    const { value } = parseValue(p.value, p.kind, where(p));
    const [a, b] = p.nets;
    if (p.kind === 'R' && value === 0) {
      // A 0 ohm link: a zero-volt source keeps it exact without an infinite conductance.
      els.push({ kind: 'V', ref: p.ref, a, b, drive: `${p.ref}:link` });
    } else if (p.kind === 'R') els.push({ kind: 'R', ref: p.ref, a, b, ohms: value });
    else if (p.kind === 'C') els.push({ kind: 'C', ref: p.ref, a, b, farads: value });
    else els.push({ kind: 'L', ref: p.ref, a, b, henries: value });
  }
  for (const pin of CHIP_INPUTS) {
    const net = n.chip.pins[pin];
    if (net !== null && net !== n.chip.ground) {
      els.push({ kind: 'R', ref: `${n.chip.ref}.${pin}`, a: net, b: n.chip.ground, ohms: n.chip.inputOhms[pin] });
    }
  }
  if (n.ct) {
    const { ratio, windingOhms, leakageHenries, magnetisingHenries, coreLossOhms, reversed } = n.ct;
    const [plus, minus] = reversed ? [n.ct.nets[1], n.ct.nets[0]] : n.ct.nets;
    els.push({ kind: 'CT', ref: `CT(${n.ct.connector})`, plus, minus, drive: 'current', ratio, windingOhms, leakageHenries, magnetisingHenries, coreLossOhms });
  }
  els.push({ kind: 'V', ref: 'VLINE', a: n.terminals.line, b: n.terminals.neutral, drive: 'line' });
  return els;
}

// ---- the YAML form -------------------------------------------------------------------------------------------------

const KINDS: readonly ValueKind[] = ['R', 'C', 'L'];

/** Reads a netlist from its YAML text; `file` names it in errors. */
export function parseNetlist(text: string, file: string): FrontEndNetlist {
  let doc: unknown;
  try { doc = parseYaml(text); } catch (err) { throw new NetlistError(`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`); }
  const fail = (why: string): never => { throw new NetlistError(`${file}: ${why}`); };
  const obj = (v: unknown, what: string): Record<string, unknown> =>
    (v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : fail(`${what} must be a mapping`));
  const str = (v: unknown, what: string): string => (typeof v === 'string' && v.trim() !== '' ? v.trim() : fail(`${what} must be a non-empty string`));
  const num = (v: unknown, what: string, dflt: number): number => {
    if (v === undefined) return dflt;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string') { const x = Number(v); if (Number.isFinite(x)) return x; }
    return fail(`${what} must be a number, got ${JSON.stringify(v)}`);
  };
  const d = obj(doc, 'the file');
  const chip = obj(d.chip, 'chip');
  const pinsIn = obj(chip.pins, 'chip.pins');
  const pins = {} as Record<ChipInput, string | null>;
  const inputOhms = { ...ATM90E26_INPUT_OHMS };
  const ohmsIn = chip.inputOhms === undefined ? {} : obj(chip.inputOhms, 'chip.inputOhms');
  for (const p of CHIP_INPUTS) {
    pins[p] = pinsIn[p] === null || pinsIn[p] === undefined ? null : str(pinsIn[p], `chip.pins.${p}`);
    if (ohmsIn[p] !== undefined) inputOhms[p] = parseValue(String(ohmsIn[p]), 'R', `chip input ${p}`).value;
  }
  const terminals = obj(d.terminals, 'terminals');
  let ct: NetlistCt | null = null;
  if (d.ct !== undefined && d.ct !== null) {
    const c = obj(d.ct, 'ct');
    const nets = Array.isArray(c.nets) && c.nets.length === 2 ? c.nets.map((x, i) => str(x, `ct.nets[${i}]`)) as [string, string] : fail('ct.nets must be [plus, minus]');
    const D = DEFAULT_CURRENT_TRANSFORMER;
    const curve = c.excitation === undefined || c.excitation === null ? null : excitationOf(c.excitation, fail);
    if (curve) {
      for (const k of ['magnetisingHenries', 'coreLossOhms'] as const) {
        if (c[k] !== undefined) fail(`ct.${k}: leave it out with ct.excitation (the curve's first point gives the magnetising branch)`);
      }
    }
    ct = {
      connector: str(c.connector, 'ct.connector'), nets,
      ratio: num(c.ratio, 'ct.ratio', D.ratio), windingOhms: num(c.windingOhms, 'ct.windingOhms', D.windingOhms),
      leakageHenries: num(c.leakageHenries, 'ct.leakageHenries', D.leakageHenries),
      magnetisingHenries: num(c.magnetisingHenries, 'ct.magnetisingHenries', D.magnetisingHenries),
      coreLossOhms: num(c.coreLossOhms, 'ct.coreLossOhms', D.coreLossOhms), kneeVolts: num(c.kneeVolts, 'ct.kneeVolts', D.kneeVolts),
      reversed: c.reversed === undefined ? false : c.reversed === true ? true : c.reversed === false ? false : fail('ct.reversed must be true or false'),
    };
    if (curve) {
      ct.magnetisingHenries = curve.initial.henries;
      ct.coreLossOhms = curve.initial.lossOhms;
      ct.excitation = curve.spec;
      const pts = curve.spec.points;
      // The knee EMF is stated at 50 Hz; the curve's points at its own frequency: compare the flux.
      const last = pts[pts.length - 1][0] * (50 / curve.spec.hz);
      if (!(ct.kneeVolts > 0) || last > ct.kneeVolts) {
        fail(`ct.excitation.points[${pts.length - 1}]: the EMF ${pts[pts.length - 1][0]} V is above the knee (ct.kneeVolts ${ct.kneeVolts} V): give the curve below the knee and the knee-point EMF as kneeVolts`);
      }
    }
  }
  if (!Array.isArray(d.parts)) fail('parts must be a list');
  const seen = new Set<string>();
  const parts = (d.parts as unknown[]).map((x, i): NetlistPart => {
    const p = obj(x, `parts[${i}]`);
    const ref = str(p.ref, `parts[${i}].ref`);
    if (seen.has(ref)) fail(`${ref} is listed twice`);
    seen.add(ref);
    const kind = (p.kind ?? ref[0]) as ValueKind;
    if (!KINDS.includes(kind)) fail(`${ref}: kind must be R, C or L`);
    const nets = Array.isArray(p.nets) && p.nets.length === 2 ? p.nets.map((y, j) => str(y, `${ref} net ${j + 1}`)) as [string, string] : fail(`${ref}: nets must be a list of two nets`);
    const value = str(typeof p.value === 'number' ? String(p.value) : p.value, `${ref}: value`);
    parseValue(value, kind, ref);
    let tolerance: number | undefined;
    if (p.tolerance !== undefined) {
      const t = /^(\d+(?:\.\d+)?)\s*%$/.exec(String(p.tolerance).trim());
      tolerance = t ? Number(t[1]) / 100 : fail(`${ref}: tolerance must be a percentage like 1%`);
    }
    return { ref, kind, value, ...(tolerance === undefined ? {} : { tolerance }), nets, ...(typeof p.sheet === 'string' ? { sheet: p.sheet } : {}) };
  });
  return {
    board: typeof d.board === 'string' ? d.board : file,
    chip: { ref: str(chip.ref, 'chip.ref'), value: str(chip.value, 'chip.value'), pins, ground: str(chip.ground, 'chip.ground'), inputOhms },
    terminals: { line: str(terminals.line, 'terminals.line'), neutral: str(terminals.neutral, 'terminals.neutral') },
    ct,
    parts,
  };
}

/**
 * The `ct.excitation` mapping as written: `hz` and `lossAngleDeg` numbers, `points` a list of [EMF, current] pairs,
 * each a number or a value with an SI prefix and its unit (`10mV`, `2.2uA`, `3 V`).
 */
function excitationOf(raw: unknown, fail: (why: string) => never): ExcitationCurve {
  let spec = raw;
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && Array.isArray((raw as Record<string, unknown>).points)) {
    const pts = (raw as Record<string, unknown>).points as unknown[];
    spec = {
      ...(raw as Record<string, unknown>),
      points: pts.map((p, k) => (Array.isArray(p) ? p.map((x, j) => quantity(x, j === 0 ? 'V' : 'A', `ct.excitation.points[${k}]`, fail)) : p)),
    };
  }
  try { return new ExcitationCurve(spec, 'ct.excitation'); } catch (err) {
    if (err instanceof ExcitationCurveError) return fail(err.message);
    throw err;
  }
}

const SI_PREFIX: Record<string, number> = { p: 1e-12, n: 1e-9, u: 1e-6, 'µ': 1e-6, m: 1e-3, k: 1e3 };

/** A number, or text such as `2.2uA`, `10m`, `3 V` (the unit, when written, must be `unit`). */
function quantity(x: unknown, unit: 'V' | 'A', where: string, fail: (why: string) => never): unknown {
  if (typeof x !== 'string') return x;
  const m = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([pnuµmk]?)\s*([VA]?)\s*$/.exec(x);
  if (!m || (m[3] !== '' && m[3] !== unit)) return fail(`${where}: ${JSON.stringify(x)} is not a ${unit === 'V' ? 'voltage (e.g. 10mV)' : 'current (e.g. 2.2uA)'}`);
  return Number(m[1]) * (m[2] ? SI_PREFIX[m[2]] : 1);
}

/** The YAML text of a netlist (what `--save` writes); parseNetlist reads it back to the same netlist. */
export function netlistToYaml(n: FrontEndNetlist, header = ''): string {
  const flow = (v: unknown): string => stringifyYaml(v, { collectionStyle: 'flow', flowCollectionPadding: true, lineWidth: 0 }).trim();
  const lines = [
    `board: ${flow(n.board)}`,
    'chip:',
    `  ref: ${flow(n.chip.ref)}`,
    `  value: ${flow(n.chip.value)}`,
    `  ground: ${flow(n.chip.ground)}`,
    `  pins: ${flow(n.chip.pins)}`,
    `  inputOhms: ${flow(n.chip.inputOhms)}`,
    `terminals: ${flow(n.terminals)}`,
  ];
  if (n.ct) {
    lines.push('ct:');
    for (const [k, v] of Object.entries(n.ct)) {
      // With a curve the branch is the curve's (parseNetlist refuses both).
      if (n.ct.excitation && (k === 'magnetisingHenries' || k === 'coreLossOhms')) continue;
      lines.push(`  ${k}: ${flow(v)}`);
    }
  } else lines.push('ct: null');
  lines.push('parts:');
  for (const p of n.parts) {
    lines.push(`  - ${flow({
      ref: p.ref, kind: p.kind, value: p.value,
      ...(p.tolerance === undefined ? {} : { tolerance: `${Number((p.tolerance * 100).toPrecision(6))}%` }),
      nets: p.nets, ...(p.sheet ? { sheet: p.sheet } : {}),
    })}`);
  }
  return (header ? header.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n') + '\n' : '') + lines.join('\n') + '\n';
}

export const BUILT_IN_NETLIST = fileURLToPath(new URL('../netlists/osm-board.yaml', import.meta.url));

/** The built-in board's netlist. */
export function builtInNetlist(): FrontEndNetlist {
  return parseNetlist(readFileSync(BUILT_IN_NETLIST, 'utf8'), 'osm-board.yaml');
}
