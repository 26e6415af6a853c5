// The board profile a netlist gives (models/board-profile.ts: divider, CT, filter), when the netlist has the fixed
// topology the profile describes: a resistor chain LINE -> VP, R || C from VP and from VN to the chip's ground, a
// resistor chain from the ground to neutral, the burden (one resistor, or two through a mid node) and any capacitor
// across the CT, and one resistor per leg into I2P/I2N with a capacitor from each pin to a common node. Anything else
// (an extra capacitor, a different CT connection) has no profile: the circuit front end models it, the profile
// cannot, and the reason names the part.
import { DEFAULT_BOARD_PROFILE, type BoardProfile } from '../../board-profile.ts';
import { type FrontEndNetlist, type NetlistPart, circuitElements } from './netlist.ts';
import { parseValue } from './values.ts';
import { Circuit } from './circuit.ts';

export type ProfileResult = { ok: true; profile: BoardProfile } | { ok: false; why: string };

export function profileFromNetlist(n: FrontEndNetlist): ProfileResult {
  const parts = n.parts.map((p) => ({ ...p, v: parseValue(p.value, p.kind, p.ref).value }));
  const used = new Set<string>();
  const between = (kind: 'R' | 'C', a: string, b: string): (NetlistPart & { v: number })[] =>
    parts.filter((p) => p.kind === kind && !used.has(p.ref) && ((p.nets[0] === a && p.nets[1] === b) || (p.nets[0] === b && p.nets[1] === a)));
  const take = (ps: (NetlistPart & { v: number })[], combine: 'parallelR' | 'sumC'): number | null => {
    if (ps.length === 0) return null;
    for (const p of ps) used.add(p.ref);
    return combine === 'sumC' ? ps.reduce((s, p) => s + p.v, 0) : 1 / ps.reduce((s, p) => s + 1 / p.v, 0);
  };
  const on = (net: string) => parts.filter((p) => p.nets.includes(net));
  /** Sum of a series chain of resistors from `from` to `to` whose middle nets join only two parts. */
  let stoppedAt = '';
  const chain = (from: string, to: string): number | null => {
    let net = from, sum = 0;
    stoppedAt = from;
    const mine: string[] = [];
    for (let guard = 0; guard < 64; guard++) {
      const next = on(net).filter((p) => p.kind === 'R' && !used.has(p.ref) && !mine.includes(p.ref));
      stoppedAt = net;
      if (net !== from && on(net).length !== 2) return null;
      if (next.length !== 1 && net !== from) return null;
      const direct = next.filter((p) => p.nets.includes(to));
      const p = direct.length === 1 && next.length === 1 ? direct[0] : next.length === 1 ? next[0] : net === from ? next.find((q) => reaches(q, net)) : undefined;
      if (!p) return null;
      mine.push(p.ref);
      sum += p.v;
      net = p.nets[0] === net ? p.nets[1] : p.nets[0];
      if (net === to) { for (const r of mine) used.add(r); return sum; }
    }
    return null;
  };
  // From the start net several resistors may leave (VP has R43 and R44): take the one not going straight to ground.
  const reaches = (p: NetlistPart, from: string): boolean => { const o = p.nets[0] === from ? p.nets[1] : p.nets[0]; return o !== n.chip.ground; };
  const { VP, VN, I2P, I2N } = n.chip.pins;
  const g = n.chip.ground;
  const fail = (why: string): ProfileResult => ({ ok: false, why });
  if (!VP || !VN) return fail('the voltage inputs are not both connected');
  const rTop = chain(n.terminals.line, VP);
  const branch = (): string => `branches or ends at ${stoppedAt} (${on(stoppedAt).map((p) => p.ref).join(', ')})`;
  if (rTop === null) return fail(`the resistor chain from ${n.terminals.line} to ${VP} ${branch()}`);
  const rReturn = chain(n.terminals.neutral, g);
  if (rReturn === null) return fail(`the resistor chain from ${n.terminals.neutral} to ${g} ${branch()}`);
  const rSample = take(between('R', VP, g), 'parallelR'), cFilter = take(between('C', VP, g), 'sumC');
  const rVn = take(between('R', VN, g), 'parallelR'), cVn = take(between('C', VN, g), 'sumC');
  if (rSample === null || cFilter === null || rVn === null || cVn === null) return fail('VP or VN lacks its resistor and capacitor to ground');
  const profile: BoardProfile = structuredClone(DEFAULT_BOARD_PROFILE) as BoardProfile;
  profile.divider = { rTopOhms: rTop, rSampleOhms: rSample, rReturnOhms: rReturn, cFilterFarads: cFilter, chipInputOhms: n.chip.inputOhms.VP, rVnOhms: rVn, cVnFarads: cVn };
  if (!n.ct || !I2P || !I2N) return fail('no CT on I2P/I2N');
  const [cp, cm] = n.ct.nets;
  let burden = take(between('R', cp, cm), 'parallelR');
  let mid: string | null = null;
  if (burden === null) {
    const legs = parts.filter((p) => p.kind === 'R' && p.nets.includes(cp) && !p.nets.includes(I2P));
    for (const l of legs) {
      const m = l.nets[0] === cp ? l.nets[1] : l.nets[0];
      const other = between('R', m, cm);
      if (other.length === 1) { used.add(l.ref); used.add(other[0].ref); burden = l.v + other[0].v; mid = m; break; }
    }
  }
  if (burden === null) return fail(`no burden resistor across the CT (${cp} - ${cm})`);
  const cPar = take(between('C', cp, cm), 'sumC') ?? 0;
  const rP = take(between('R', cp, I2P), 'parallelR'), rN = take(between('R', cm, I2N), 'parallelR');
  const capsP = parts.filter((p) => p.kind === 'C' && !used.has(p.ref) && p.nets.includes(I2P));
  const capsN = parts.filter((p) => p.kind === 'C' && !used.has(p.ref) && p.nets.includes(I2N));
  if (rP === null || rN === null || capsP.length !== 1 || capsN.length !== 1) return fail('the current filter is not one resistor and one capacitor per leg');
  const farP = capsP[0].nets[0] === I2P ? capsP[0].nets[1] : capsP[0].nets[0];
  const farN = capsN[0].nets[0] === I2N ? capsN[0].nets[1] : capsN[0].nets[0];
  if (farP !== farN || (mid !== null && farP !== mid)) return fail(`${capsP[0].ref} and ${capsN[0].ref} do not meet at the burden mid node`);
  used.add(capsP[0].ref); used.add(capsN[0].ref);
  if (n.chip.inputOhms.I2P !== n.chip.inputOhms.I2N) return fail('I2P and I2N input impedances differ');
  profile.filter = { rPOhms: rP, rNOhms: rN, cPFarads: capsP[0].v, cNFarads: capsN[0].v, chipInputOhms: n.chip.inputOhms.I2P };
  const { connector: _c, nets: _n, ...ct } = n.ct;
  profile.ct = { ...ct, burdenOhms: burden, parallelCapFarads: cPar };
  const left = parts.filter((p) => !used.has(p.ref));
  if (left.length) return fail(`${left.map((p) => `${p.ref} (${p.value}, ${p.nets.join(' - ')})`).join(', ')} ${left.length === 1 ? 'does' : 'do'} not fit the fixed topology`);
  return { ok: true, profile };
}

/**
 * The board-profile overrides (`section.name` -> value text, as `osm accuracy --set frontend.<key>=` takes them)
 * that turn the default board into the profile this netlist gives; an error naming the reason when it has none.
 */
export function profileOverrides(n: FrontEndNetlist): Record<string, string> {
  const r = profileFromNetlist(n);
  if (!r.ok) throw new Error(`the front end has no board profile: ${r.why}`);
  const out: Record<string, string> = {};
  for (const sec of ['divider', 'ct', 'filter'] as const) {
    const base = DEFAULT_BOARD_PROFILE[sec] as unknown as Record<string, number | boolean>;
    const got = r.profile[sec] as unknown as Record<string, number | boolean>;
    for (const k of Object.keys(base)) {
      const a = got[k], b = base[k];
      const same = typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= 1e-12 * Math.abs(b) : a === b;
      // 12 significant digits: a sum of part values such as R7 + R8 = 3.3 + 2.4 carries float noise
      // (5.699999999999999) that would be printed in every what-if line; the value differs by at most an ulp or two.
      if (!same) out[`${sec}.${k}`] = String(typeof a === 'number' ? Number(a.toPrecision(12)) : a);
    }
  }
  return out;
}

/**
 * The board a netlist gives the plant and the accuracy bench: its fixed-topology profile where it has one (exactly as
 * `--set frontend.<key>` would give it), otherwise the default board carrying the netlist as its `circuit` (the pins'
 * transfers are then the circuit's solve), with the netlist's CT loaded by what the circuit puts across its terminals
 * at `hz` (the burden's resistance and the capacitance in parallel), which sets the CT's knee and saturation.
 */
export function boardForNetlist(n: FrontEndNetlist, hz = 50): BoardProfile {
  const r = profileFromNetlist(n);
  if (r.ok) return r.profile;
  const profile: BoardProfile = structuredClone(DEFAULT_BOARD_PROFILE) as BoardProfile;
  if (n.ct) {
    const { connector: _c, nets: _n, ...ct } = n.ct;
    const y = ctLoadAdmittance(n, hz);
    profile.ct = { ...profile.ct, ...ct, burdenOhms: 1 / y.re, parallelCapFarads: Math.max(0, y.im / (2 * Math.PI * hz)) };
  }
  profile.circuit = n;
  return profile;
}

/** Admittance the netlist's circuit presents across the CT's terminals at `hz` (siemens, as {re, im}). */
export function ctLoadAdmittance(n: FrontEndNetlist, hz: number): { re: number; im: number } {
  if (!n.ct) throw new Error('the netlist has no CT');
  const [plus, minus] = n.ct.nets;
  const els = circuitElements(n).filter((e) => e.kind !== 'CT');
  els.push({ kind: 'I', ref: 'ITEST', a: minus, b: plus, drive: 'test' });
  const s = new Circuit(els, n.chip.ground).solve(hz, { test: 1 });
  const v = s.v(plus), w = s.v(minus);
  const zr = v.re - w.re, zi = v.im - w.im, zz = zr * zr + zi * zi;
  return { re: zr / zz, im: -zi / zz };
}
