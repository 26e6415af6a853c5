// The metering front end out of a schematic: find the ATM90E26 (by value or symbol name), follow the nets of its
// analog inputs (VP/VN, I1P/I1N, I2P/I2N) through resistors, capacitors and inductors to the line and neutral
// terminals, the chip's analog ground and the CT connector, add the return chains from the chip's ground to the
// line or neutral (R54 + R55 on this board), and give the result as the project's netlist form.
// Every problem is an ImportError naming the reference designator and the sheet.
import { DEFAULT_CURRENT_TRANSFORMER } from '../current-transformer.ts';
import { ATM90E26_INPUT_OHMS, CHIP_INPUTS, type ChipInput, type FrontEndNetlist, type NetlistPart } from '../circuit/netlist.ts';
import { parseValue, type ValueKind } from '../circuit/values.ts';
import { type SchNetlist, type SchPart, readSchematic } from './schematic.ts';

export class ImportError extends Error {
  override readonly name = 'ImportError';
}

export interface ImportOptions {
  /** Line and neutral net names when the schematic does not call them LINE/L and NEUT/NEUTRAL/N. */
  line?: string;
  neutral?: string;
  /** Reads a sheet's text (default: the whole file); the commands pass one with a size limit (io/input-file.ts). */
  read?: (path: string) => string;
}

const LINE_NAMES = /^(line|live|phase|l|l1|ac_?l|mains_?l)$/i;
const NEUTRAL_NAMES = /^(neut|neutral|n|ac_?n|mains_?n)$/i;

const at = (p: { ref: string; sheet: string }): string => `${p.ref} on sheet ${p.sheet}`;

function passiveKind(p: SchPart): ValueKind | null {
  if (p.pins.length !== 2) return null;
  const lib = p.libId.split(':').pop() ?? '';
  const m = /^(R|C|L)\d/.exec(p.ref);
  if (/^R(_|$)/.test(lib) || (m && m[1] === 'R' && !/pot|therm|varistor/i.test(lib))) return 'R';
  if (/^C(_|$)/.test(lib) || (m && m[1] === 'C')) return 'C';
  if (/^L(_|$)/.test(lib) || (m && m[1] === 'L')) return 'L';
  return null;
}

const isConnector = (p: SchPart): boolean => p.pins.length === 2 && (/^J\d/.test(p.ref) || /^Conn/i.test(p.libId.split(':').pop() ?? ''));

/** Reads `file` and extracts the front end. */
export function importSchematic(file: string, options: ImportOptions = {}): FrontEndNetlist {
  return extractFrontEnd(readSchematic(file, options.read), file, options);
}

export function extractFrontEnd(sch: SchNetlist, file: string, options: ImportOptions = {}): FrontEndNetlist {
  const chips = sch.parts.filter((p) => /ATM90E26/i.test(p.value) || /ATM90E26/i.test(p.libId));
  if (chips.length === 0) throw new ImportError(`${file}: no ATM90E26 found (looked for the value or symbol name ATM90E26)`);
  if (chips.length > 1) throw new ImportError(`${file}: more than one ATM90E26 (${chips.map(at).join(', ')}): one metering chip per front end`);
  const chip = chips[0];
  const pinByName = (name: string) => chip.pins.filter((p) => p.name.replace(/@\d+$/, '').toUpperCase() === name);
  const gnd = pinByName('AGND')[0] ?? pinByName('GND')[0];
  if (!gnd) throw new ImportError(`${at(chip)}: the ATM90E26 symbol has no AGND pin`);
  const ground = gnd.net;
  const pins = {} as Record<ChipInput, string | null>;
  for (const name of CHIP_INPUTS) {
    const p = pinByName(name)[0];
    if (!p) throw new ImportError(`${at(chip)}: the ATM90E26 symbol has no ${name} pin`);
    if (p.noConnect) { pins[name] = null; continue; }
    if (p.fanout === 0) throw new ImportError(`${at(chip)}: chip input ${name} (pin ${p.number}) is left open: connect it, or put a no-connect flag on it if it is meant to float`);
    pins[name] = p.net;
  }

  const netsAll = [...sch.nets.keys()];
  const findTerminal = (given: string | undefined, names: RegExp, what: string): string => {
    if (given !== undefined) {
      if (!sch.nets.has(given)) throw new ImportError(`${file}: no net named '${given}' for the ${what} terminal`);
      return given;
    }
    const found = netsAll.filter((n) => names.test(n));
    if (found.length !== 1) {
      throw new ImportError(`${file}: ${found.length === 0 ? 'no' : 'more than one'} ${what} net (${found.join(', ') || `none named like ${names.source}`}): name it with --${what}`);
    }
    return found[0];
  };
  const line = findTerminal(options.line, LINE_NAMES, 'line');
  const neutral = findTerminal(options.neutral, NEUTRAL_NAMES, 'neutral');

  const byRef = new Map(sch.parts.map((p) => [p.ref, p]));
  const pinsOn = (net: string): { part: SchPart; index: number }[] =>
    (sch.nets.get(net) ?? []).map((s) => {
      const dot = s.lastIndexOf('.');
      const part = byRef.get(s.slice(0, dot))!;
      return { part, index: part.pins.findIndex((q) => q.number === s.slice(dot + 1)) };
    });
  const stops = new Set([ground, line, neutral]);

  const included = new Map<string, SchPart>();
  let ctPart: SchPart | null = null;
  const seen = new Set<string>();
  const queue = CHIP_INPUTS.map((n) => pins[n]).filter((n): n is string => n !== null && !stops.has(n));
  while (queue.length) {
    const net = queue.shift()!;
    if (seen.has(net)) continue;
    seen.add(net);
    for (const { part, index } of pinsOn(net)) {
      if (part === chip || included.has(part.ref)) continue;
      if (passiveKind(part)) {
        included.set(part.ref, part);
        const other = part.pins[1 - index].net;
        if (!stops.has(other)) queue.push(other);
      } else if (isConnector(part)) {
        if (ctPart && ctPart !== part) throw new ImportError(`${at(part)}: a second connector on the current inputs (the first is ${ctPart.ref}): one CT per front end`);
        ctPart = part;
        const other = part.pins[1 - index].net;
        if (!stops.has(other)) queue.push(other);
      } else {
        throw new ImportError(`${at(part)}: ${part.value || part.libId} (pin ${part.pins[index].number}) is on the front-end net ${net}; only resistors, capacitors, inductors and a CT connector can be modelled`);
      }
    }
  }
  // Return chains: from the chip's ground through series parts (each middle net joining just two pins) to the line or
  // neutral. Parts from ground to anything else (decoupling, supplies) are not part of the measuring circuit.
  for (const start of pinsOn(ground)) {
    const chain: SchPart[] = [];
    let { part, index } = start;
    for (let guard = 0; guard < 100 && passiveKind(part) && !included.has(part.ref) && part !== chip; guard++) {
      chain.push(part);
      const other = part.pins[1 - index].net;
      if (other === line || other === neutral) { for (const p of chain) included.set(p.ref, p); break; }
      const on = pinsOn(other);
      if (other === ground || on.length !== 2 || part.pins[1 - index].fanout !== 1) break;
      const next = on.find((x) => x.part !== part)!;
      ({ part, index } = next);
    }
  }

  const parts: NetlistPart[] = [];
  for (const p of [...included.values()].sort((a, b) => a.ref.localeCompare(b.ref, 'en', { numeric: true }))) {
    const kind = passiveKind(p)!;
    for (const q of p.pins) {
      if (q.fanout === 0 && !q.noConnect) throw new ImportError(`${at(p)}: pin ${q.number} is not connected`);
    }
    const { tolerance } = parseValue(p.value, kind, at(p));
    parts.push({ ref: p.ref, kind, value: p.value.trim(), ...(tolerance === undefined ? {} : { tolerance }), nets: [p.pins[0].net, p.pins[1].net], sheet: p.sheet });
  }
  if (!parts.some((p) => p.nets.includes(line))) {
    throw new ImportError(`${at(chip)}: the voltage inputs do not reach the line net ${line} through resistors`);
  }
  let ct: FrontEndNetlist['ct'] = null;
  if (ctPart) {
    const cp = ctPart as SchPart;
    for (const q of cp.pins) if (q.fanout === 0) throw new ImportError(`${at(cp)}: pin ${q.number} is not connected`);
    // plus: the connector terminal nearer (in parts) to the P input of its channel.
    const pNet = pins.I2P ?? pins.I1P;
    const dist = (from: string): number => hops(from, pNet, parts, stops);
    const [a, b] = [cp.pins[0].net, cp.pins[1].net];
    const plusFirst = dist(a) <= dist(b);
    const { kneeVolts, ratio, windingOhms, leakageHenries, magnetisingHenries, coreLossOhms } = DEFAULT_CURRENT_TRANSFORMER;
    ct = { connector: cp.ref, nets: plusFirst ? [a, b] : [b, a], ratio, windingOhms, leakageHenries, magnetisingHenries, coreLossOhms, kneeVolts, reversed: false };
  }
  return {
    board: file.replace(/^.*\//, ''),
    chip: { ref: chip.ref, value: chip.value, ground, pins, inputOhms: { ...ATM90E26_INPUT_OHMS } },
    terminals: { line, neutral },
    ct,
    parts,
  };
}

function hops(from: string, to: string | null, parts: NetlistPart[], stops: Set<string>): number {
  if (to === null) return 0;
  const dist = new Map([[from, 0]]);
  const q = [from];
  while (q.length) {
    const n = q.shift()!;
    if (n === to) return dist.get(n)!;
    if (stops.has(n) && n !== from) continue;
    for (const p of parts) {
      const i = p.nets.indexOf(n);
      if (i < 0) continue;
      const o = p.nets[1 - i];
      if (!dist.has(o)) { dist.set(o, dist.get(n)! + 1); q.push(o); }
    }
  }
  return Infinity;
}
