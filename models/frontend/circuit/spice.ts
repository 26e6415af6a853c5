// The front end as an ngspice netlist: every part with its value, the chip's input impedances, the CT as its
// secondary-referred equivalent (a current-controlled source of 1/ratio from a 1 A primary loop, the magnetising
// inductance and core-loss resistance across it, the winding resistance and leakage inductance in series), the line
// voltage source, and a .control block that runs an AC sweep at 50 Hz and every harmonic to 2.5 kHz for each
// excitation and prints the pin voltages (real and imaginary parts). Run it with `ngspice -b FILE.cir`.
import { type FrontEndNetlist, circuitElements } from './netlist.ts';

export interface SpiceOptions {
  /** First and last frequency of the sweep and its step, hertz (default 50, 2500, 50: the harmonics of 50 Hz). */
  startHz?: number;
  stopHz?: number;
  stepHz?: number;
  /** A comment line for the header (which operating point a CT with an excitation curve is exported at). */
  note?: string;
}

const num = (v: number): string => Number(v.toPrecision(15)).toExponential().replace('e+', 'e');

export function toSpice(n: FrontEndNetlist, options: SpiceOptions = {}): string {
  const { startHz = 50, stopHz = 2500, stepHz = 50 } = options;
  const points = Math.round((stopHz - startHz) / stepHz) + 1;
  const names = new Map<string, string>([[n.chip.ground, '0']]);
  const used = new Set(['0']);
  const node = (net: string): string => {
    let s = names.get(net);
    if (s === undefined) {
      const base = net.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'N';
      s = base;
      for (let k = 2; used.has(s.toLowerCase()); k++) s = `${base}_${k}`;
      used.add(s.toLowerCase());
      names.set(net, s);
    }
    return s;
  };
  const lines = [
    `* ${n.board}: analog front end of the ${n.chip.value} (${n.chip.ref}), exported by osm frontend spice`,
    `* Node 0 is the chip's analog ground (${n.chip.ground}). Excitations: VLINE (line to neutral, volts) and IPRI (CT primary, amps).`,
    `* The .control block sweeps ${startHz}..${stopHz} Hz in ${stepHz} Hz steps, first with VLINE = 1 V, then with IPRI = 1 A.`,
    ...(options.note ? [`* ${options.note.replace(/\n/g, ' ')}`] : []),
  ];
  const card = (name: string): string => name.replace(/[^A-Za-z0-9_]/g, '_');
  for (const e of circuitElements(n)) {
    switch (e.kind) {
      case 'R': lines.push(`R${card(e.ref)} ${node(e.a)} ${node(e.b)} ${num(e.ohms)}`); break;
      case 'C': lines.push(`C${card(e.ref)} ${node(e.a)} ${node(e.b)} ${num(e.farads)}`); break;
      case 'L': lines.push(`L${card(e.ref)} ${node(e.a)} ${node(e.b)} ${num(e.henries)}`); break;
      case 'V':
        if (e.ref === 'VLINE') lines.push(`VLINE ${node(e.a)} ${node(e.b)} DC 0 AC 1`);
        else lines.push(`V${card(e.ref)} ${node(e.a)} ${node(e.b)} DC 0`);
        break;
      case 'I': lines.push(`I${card(e.ref)} ${node(e.a)} ${node(e.b)} DC 0 AC 0`); break;
      case 'CT': {
        const emf = node(`${e.ref}_emf`);
        lines.push(
          `* ${e.ref}: ratio ${e.ratio}:1, referred to the secondary; + terminal ${e.plus}`,
          'IPRI 0 CT_PRI DC 0 AC 0',
          'VSENSE CT_PRI 0 DC 0',
          `FCT ${node(e.minus)} ${emf} VSENSE ${num(1 / e.ratio)}`,
          `LCT_M ${emf} ${node(e.minus)} ${num(e.magnetisingHenries)}`,
          `RCT_C ${emf} ${node(e.minus)} ${num(e.coreLossOhms)}`,
        );
        if (e.leakageHenries > 0) {
          const w = node(`${e.ref}_w`);
          lines.push(`RCT_W ${emf} ${w} ${num(e.windingOhms)}`, `LCT_L ${w} ${node(e.plus)} ${num(e.leakageHenries)}`);
        } else lines.push(`RCT_W ${emf} ${node(e.plus)} ${num(e.windingOhms)}`);
        break;
      }
    }
  }
  const pins = n.chip.pins;
  const diff = (p: string | null, m: string | null): string => {
    const a = p === null ? '0' : `v(${node(p)})`, b = m === null ? '0' : `v(${node(m)})`;
    return `(${a}-${b})`;
  };
  const v = diff(pins.VP, pins.VN), i = diff(pins.I2P, pins.I2N);
  lines.push(
    '.control',
    'set numdgt=12',
    'set width=400',
    `ac lin ${points} ${startHz} ${stopHz}`,
    `let vpin = ${v}`,
    'echo "voltage channel: VP-VN per line volt"',
    'print real(vpin) imag(vpin)',
  );
  if (n.ct) {
    lines.push(
      'alter VLINE ac = 0',
      'alter IPRI ac = 1',
      `ac lin ${points} ${startHz} ${stopHz}`,
      `let ipin = ${i}`,
      'echo "current channel: I2P-I2N per line amp"',
      'print real(ipin) imag(ipin)',
    );
  }
  lines.push('.endc', '.end', '');
  return lines.join('\n');
}
