// Connectivity of a KiCad 6-8 schematic (.kicad_sch): places every symbol pin (library pin position, instance
// rotation and mirror), joins wires (end to end, and an end or pin landing on a wire), junctions, local, global and
// hierarchical labels, power symbols and hierarchical sheets (a sheet pin joins the sub-sheet's hierarchical label of
// the same name), and gives each part's pins their nets. No-connect flags are kept so an unconnected pin can be told
// from a pin meant to float.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type SList, atom, child, children, num, parseSExpr } from './sexpr.ts';

export interface SchPin {
  number: string;
  /** Pin name from the library (`VP`, `AGND@0`, `~` when unnamed). */
  name: string;
  net: string;
  /** True when a no-connect flag sits on the pin. */
  noConnect: boolean;
  /** Number of other items (pins, labels, power symbols) on the pin's net. */
  fanout: number;
}

export interface SchPart {
  ref: string;
  value: string;
  libId: string;
  /** Sheet path, `/` for the root sheet, `/Sheet name/` below it. */
  sheet: string;
  pins: SchPin[];
}

export interface SchNetlist {
  parts: SchPart[];
  /** Net name to the pins on it (`R7.2`). */
  nets: Map<string, string[]>;
}

export class SchematicError extends Error {
  override readonly name = 'SchematicError';
}

interface LibPin { number: string; name: string; x: number; y: number; unit: number; style: number }
interface LibSymbol { pins: LibPin[]; power: boolean }

class UnionFind {
  #parent = new Map<string, string>();
  find(a: string): string {
    let p = this.#parent.get(a);
    if (p === undefined) { this.#parent.set(a, a); return a; }
    if (p === a) return a;
    p = this.find(p);
    this.#parent.set(a, p);
    return p;
  }
  union(a: string, b: string): void { const ra = this.find(a), rb = this.find(b); if (ra !== rb) this.#parent.set(ra, rb); }
}

const key = (sheet: string, x: number, y: number): string => `${sheet}|${Math.round(x * 100)},${Math.round(y * 100)}`;

/** Reads a schematic file and the sheets below it into parts and nets (`read` gives a sheet's text). */
export function readSchematic(file: string, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): SchNetlist {
  const uf = new UnionFind();
  const parts = new Map<string, SchPart>();
  const pinKeys: { part: SchPart; pin: LibPin; key: string }[] = [];
  const noConnects = new Set<string>();
  const labelNames = new Map<string, { name: string; rank: number }>(); // union-find node -> best name
  const members = new Map<string, number>(); // point key -> number of items on it (pins, labels, power pins)
  const bump = (k: string): void => { members.set(k, (members.get(k) ?? 0) + 1); };
  const nameNode = (node: string, name: string, rank: number): void => {
    const cur = labelNames.get(node);
    if (!cur || rank < cur.rank) labelNames.set(node, { name, rank });
  };

  const visit = (path: string, sheet: string, depth: number): void => {
    if (depth > 16) throw new SchematicError(`${path}: sheets nested more than 16 deep (a sheet that includes itself?)`);
    let text: string;
    try { text = read(path); } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new SchematicError(code ? `cannot read ${path}: ${code}` : (err as Error).message);
    }
    const start = text.replace(/^\uFEFF/, '').trimStart();
    if (start.startsWith('EESchema')) throw new SchematicError(`${path}: a KiCad 5 (or older) schematic: open it in KiCad 6 or later and save it as .kicad_sch`);
    if (!start.startsWith('(')) {
      throw new SchematicError(`${path}: not a KiCad schematic (a .kicad_sch file starts with '(kicad_sch'); a netlist saved by 'osm frontend import --save' is read with --netlist (osm frontend show/spice, osm accuracy)`);
    }
    const root = parseSExpr(text, path);
    if (root.items[0] !== 'kicad_sch') throw new SchematicError(`${path}: not a KiCad schematic (starts with '${String(root.items[0])}')`);
    const version = Number(atom(root, 'version') ?? 0);
    if (version < 20211014) throw new SchematicError(`${path}: schematic format ${version} is older than KiCad 6: open and save it in KiCad 6 or later`);
    const lib = readLibSymbols(root);
    const segments: Segment[] = [];
    const points: [number, number][] = [];
    for (const w of children(root, 'wire')) {
      const pts = child(w, 'pts');
      const xy = pts ? children(pts, 'xy').map((p) => [Number(p.items[1]), Number(p.items[2])] as [number, number]) : [];
      for (let i = 0; i + 1 < xy.length; i++) {
        segments.push([xy[i][0], xy[i][1], xy[i + 1][0], xy[i + 1][1]]);
        uf.union(key(sheet, xy[i][0], xy[i][1]), key(sheet, xy[i + 1][0], xy[i + 1][1]));
        points.push(xy[i], xy[i + 1]);
      }
    }
    const at = (l: SList): [number, number] => [num(l, 'at', 1), num(l, 'at', 2)];
    for (const j of children(root, 'junction')) points.push(at(j));
    for (const nc of children(root, 'no_connect')) { const p = at(nc); points.push(p); noConnects.add(key(sheet, ...p)); }
    const labels: [string, string, number][] = [['label', 'local', 2], ['global_label', 'global', 1], ['hierarchical_label', 'hier', 3]];
    for (const [tag, scope, rank] of labels) {
      for (const l of children(root, tag)) {
        const name = String(l.items[1]);
        const p = at(l);
        points.push(p);
        const k = key(sheet, ...p);
        bump(k);
        const node = scope === 'global' ? `global:${name}` : `${scope}:${sheet}:${name}`;
        uf.union(k, node);
        nameNode(node, scope === 'global' || sheet === '/' ? name : `${sheet}${name}`, rank);
      }
    }
    for (const s of children(root, 'symbol')) {
      const libId = String(atom(s, 'lib_id') ?? '');
      const ls = lib.get(atom(s, 'lib_name') ?? libId);
      if (!ls) throw new SchematicError(`${path}: symbol ${libId} is used but not in the schematic's lib_symbols`);
      const props = new Map(children(s, 'property').map((p) => [String(p.items[1]), String(p.items[2] ?? '')]));
      const [x, y] = at(s);
      const rot = num(s, 'at', 3);
      const mirror = atom(s, 'mirror');
      const unit = Number(atom(s, 'unit') ?? 1);
      const style = Number(atom(s, 'convert') ?? atom(s, 'body_style') ?? 1);
      const place = (p: LibPin): [number, number] => {
        let px = p.x, py = p.y;
        if (mirror === 'x') py = -py;
        if (mirror === 'y') px = -px;
        const r = (rot * Math.PI) / 180, cs = Math.round(Math.cos(r) * 1e9) / 1e9, sn = Math.round(Math.sin(r) * 1e9) / 1e9;
        const rx = px * cs - py * sn, ry = px * sn + py * cs;
        return [x + rx, y - ry];
      };
      const pins = ls.pins.filter((p) => (p.unit === 0 || p.unit === unit) && (p.style === 0 || p.style === style));
      if (ls.power) {
        const name = props.get('Value') ?? libId;
        for (const p of pins) { const xy = place(p); points.push(xy); const k = key(sheet, ...xy); bump(k); uf.union(k, `global:${name}`); nameNode(`global:${name}`, name, 0); }
        continue;
      }
      const ref = props.get('Reference') ?? '?';
      if (ref.startsWith('#')) continue; // PWR_FLAG and other non-parts
      let part = parts.get(ref);
      if (!part) { part = { ref, value: props.get('Value') ?? '', libId, sheet, pins: [] }; parts.set(ref, part); }
      for (const p of pins) {
        const xy = place(p);
        points.push(xy);
        const k = key(sheet, ...xy);
        bump(k);
        pinKeys.push({ part, pin: p, key: k });
      }
    }
    // An item on a wire's interior joins that wire (KiCad draws a junction there; end-to-end joins are done above).
    // Each point is tried against the wires of its grid cell only, in wire order: linear in the sheet's size (all
    // points against all wires took 50 s for a 3.5 MB sheet of 22k wires).
    const near = segmentGrid(segments);
    for (const [px, py] of points) {
      for (const [x1, y1, x2, y2] of near(px, py)) {
        if (onSegment(px, py, x1, y1, x2, y2)) uf.union(key(sheet, px, py), key(sheet, x1, y1));
      }
    }
    for (const sh of children(root, 'sheet')) {
      const props = new Map(children(sh, 'property').map((p) => [String(p.items[1]), String(p.items[2] ?? '')]));
      const name = props.get('Sheetname') ?? props.get('Sheet name') ?? 'sheet';
      const f = props.get('Sheetfile') ?? props.get('Sheet file');
      if (!f) throw new SchematicError(`${path}: sheet '${name}' names no file`);
      const sub = `${sheet}${name}/`;
      for (const pin of children(sh, 'pin')) {
        const p = at(pin);
        const k = key(sheet, ...p);
        points.push(p);
        bump(k);
        uf.union(k, `hier:${sub}:${String(pin.items[1])}`);
        for (const [x1, y1, x2, y2] of near(p[0], p[1])) if (onSegment(p[0], p[1], x1, y1, x2, y2)) uf.union(k, key(sheet, x1, y1));
      }
      visit(join(dirname(path), f), sub, depth + 1);
    }
  };
  visit(file, '/', 0);

  // Name each net: a global label or power symbol first, then a local label, then a hierarchical label, else
  // Net-(REF-PadN) after its first pin, as KiCad does.
  const best = new Map<string, { name: string; rank: number }>();
  for (const [node, n] of labelNames) {
    const r = uf.find(node);
    const cur = best.get(r);
    if (!cur || n.rank < cur.rank || (n.rank === cur.rank && n.name < cur.name)) best.set(r, n);
  }
  const countByRoot = new Map<string, number>();
  for (const [k, c] of members) countByRoot.set(uf.find(k), (countByRoot.get(uf.find(k)) ?? 0) + c);
  const ncRoots = new Set([...noConnects].map((k) => uf.find(k)));
  const nets = new Map<string, string[]>();
  const sorted = [...pinKeys].sort((a, b) => a.part.ref.localeCompare(b.part.ref, 'en', { numeric: true }) || a.pin.number.localeCompare(b.pin.number, 'en', { numeric: true }));
  for (const { part, pin, key: k } of sorted) {
    const r = uf.find(k);
    let name = best.get(r)?.name;
    if (!name) { name = `Net-(${part.ref}-Pad${pin.number})`; best.set(r, { name, rank: 9 }); }
    part.pins.push({ number: pin.number, name: pin.name, net: name, noConnect: ncRoots.has(r) || noConnects.has(k), fanout: (countByRoot.get(r) ?? 1) - 1 });
    if (!nets.has(name)) nets.set(name, []);
    nets.get(name)!.push(`${part.ref}.${pin.number}`);
  }
  return { parts: [...parts.values()], nets };
}

/** A wire's segment: x1, y1, x2, y2. */
type Segment = [number, number, number, number];

/** How far off a wire a point may be and still be on it (schematic units, mm). */
const ON_WIRE_MM = 0.005;
/** The side of a cell of segmentGrid (mm): a few grid pitches of KiCad's 1.27 mm. */
const CELL_MM = 10;

/**
 * The wires a point may lie on, by grid cell: each segment is filed under every cell its box (widened by ON_WIRE_MM)
 * covers, so a point's own cell holds every segment onSegment can accept. (Which wire a point joins first does not
 * matter: the nets are the same whatever the order of the unions.)
 */
function segmentGrid(segments: readonly Segment[]): (px: number, py: number) => readonly Segment[] {
  const cells = new Map<string, Segment[]>();
  // A wire over more than 10,000 cells (a corrupt or absurd file) is tried against every point instead.
  const wide: Segment[] = [];
  const cell = (v: number): number => Math.floor(v / CELL_MM);
  for (const sg of segments) {
    const [x1, y1, x2, y2] = sg;
    const cx0 = cell(Math.min(x1, x2) - ON_WIRE_MM), cx1 = cell(Math.max(x1, x2) + ON_WIRE_MM);
    const cy0 = cell(Math.min(y1, y2) - ON_WIRE_MM), cy1 = cell(Math.max(y1, y2) + ON_WIRE_MM);
    if (!((cx1 - cx0 + 1) * (cy1 - cy0 + 1) <= 10_000)) { wide.push(sg); continue; }
    for (let cx = cx0; cx <= cx1; cx++) {
      for (let cy = cy0; cy <= cy1; cy++) {
        const k = `${cx},${cy}`;
        const list = cells.get(k);
        if (list) list.push(sg); else cells.set(k, [sg]);
      }
    }
  }
  return (px, py) => {
    const list = cells.get(`${cell(px)},${cell(py)}`) ?? [];
    return wide.length ? [...list, ...wide] : list;
  };
}

function onSegment(px: number, py: number, x1: number, y1: number, x2: number, y2: number): boolean {
  const eps = ON_WIRE_MM;
  if (px < Math.min(x1, x2) - eps || px > Math.max(x1, x2) + eps || py < Math.min(y1, y2) - eps || py > Math.max(y1, y2) + eps) return false;
  const cross = (x2 - x1) * (py - y1) - (y2 - y1) * (px - x1);
  return Math.abs(cross) <= eps * Math.hypot(x2 - x1, y2 - y1);
}

function readLibSymbols(root: SList): Map<string, LibSymbol> {
  const out = new Map<string, LibSymbol>();
  const libs = child(root, 'lib_symbols');
  if (!libs) return out;
  for (const s of children(libs, 'symbol')) {
    const name = String(s.items[1]);
    const power = s.items.some((x) => typeof x !== 'string' && x.items[0] === 'power');
    const pins: LibPin[] = [];
    const collect = (l: SList, unit: number, style: number): void => {
      for (const p of children(l, 'pin')) {
        pins.push({
          number: String(atom(p, 'number') ?? ''), name: String(atom(p, 'name') ?? ''),
          x: num(p, 'at', 1), y: num(p, 'at', 2), unit, style,
        });
      }
    };
    collect(s, 0, 0);
    for (const u of children(s, 'symbol')) {
      const m = /_(\d+)_(\d+)$/.exec(String(u.items[1]));
      collect(u, m ? Number(m[1]) : 0, m ? Number(m[2]) : 0);
    }
    out.set(name, { pins, power });
  }
  return out;
}
