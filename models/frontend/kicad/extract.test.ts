import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importSchematic } from './extract.ts';
import { readSchematic } from './schematic.ts';
import { builtInNetlist, type FrontEndNetlist } from '../circuit/netlist.ts';
import { parseValue } from '../circuit/values.ts';
import { CircuitFrontEnd } from '../circuit-front-end.ts';
import { cabs, csub } from '../impedance.ts';
import { scratchDir } from '../../../test/support/scratch.ts';

const ORIGINAL = new URL('../../../../shared/reference/seed-hardware/opensmartmeter.kicad_sch', import.meta.url).pathname;

// ---- minimal hand-written schematics ------------------------------------------------------------------------------
// Two-pin parts stand upright: pin 1 at (x, y - 3.81), pin 2 at (x, y + 3.81). The chip's pins run down its left edge.
const LIB = `(lib_symbols
  (symbol "T:R" (symbol "R_1_1" (pin passive line (at 0 3.81 270) (length 1) (name "~") (number "1")) (pin passive line (at 0 -3.81 90) (length 1) (name "~") (number "2"))))
  (symbol "T:C" (symbol "C_1_1" (pin passive line (at 0 3.81 270) (length 1) (name "~") (number "1")) (pin passive line (at 0 -3.81 90) (length 1) (name "~") (number "2"))))
  (symbol "T:Conn2" (symbol "Conn2_1_1" (pin passive line (at 0 3.81 270) (length 1) (name "Pin_1") (number "1")) (pin passive line (at 0 -3.81 90) (length 1) (name "Pin_2") (number "2"))))
  (symbol "T:ATM90E26" (symbol "ATM90E26_1_1"
    ${['VP', 'VN', 'I1P', 'I1N', 'I2P', 'I2N', 'AGND'].map((n, i) => `(pin input line (at -10 ${-i * 2.54} 0) (length 2) (name "${n}") (number "${i + 1}"))`).join(' ')}))
  (symbol "power:GND" (power) (symbol "GND_0_1" (pin power_in line (at 0 0 0) (length 0) (name "GND") (number "1"))))
)`;

const partAt = (lib: string, ref: string, value: string, x: number, y: number, extra = ''): string =>
  `(symbol (lib_id "${lib}") (at ${x} ${y} 0) ${extra} (unit 1) (property "Reference" "${ref}" (at 0 0 0)) (property "Value" "${value}" (at 0 0 0)))`;
const label = (name: string, x: number, y: number): string => `(label "${name}" (at ${x} ${y} 0))`;

interface Two { ref: string; lib?: string; value: string; a: string | null; b: string | null }

function sheetText(parts: Two[], chipNets: (string | null | 'NC')[] | null, extra = ''): string {
  const items: string[] = [];
  parts.forEach((p, i) => {
    const x = 20 + i * 10, y = 50;
    items.push(partAt(p.lib ?? `T:${p.ref[0] === 'J' ? 'Conn2' : p.ref[0]}`, p.ref, p.value, x, y));
    if (p.a) items.push(label(p.a, x, y - 3.81));
    if (p.b) items.push(label(p.b, x, y + 3.81));
  });
  if (chipNets) {
    items.push(partAt('T:ATM90E26', 'U1', 'ATM90E26', 200, 50));
    chipNets.forEach((n, i) => {
      const y = 50 + i * 2.54;
      if (n === 'NC') items.push(`(no_connect (at 190 ${y}))`);
      else if (n) items.push(label(n, 190, y));
    });
  }
  return `(kicad_sch (version 20230121) (generator test)\n${LIB}\n${items.join('\n')}\n${extra})\n`;
}

const CHIP = ['VP', 'VN', 'NC', 'NC', 'I2P', 'I2N', 'GND'] as const;
const BOARD: Two[] = [
  { ref: 'R1', value: '820k', a: 'LINE', b: 'VP' },
  { ref: 'R2', value: '1k 1%', a: 'VP', b: 'GND' },
  { ref: 'C1', value: '33n', a: 'VP', b: 'GND' },
  { ref: 'R3', value: '1k', a: 'VN', b: 'GND' },
  { ref: 'R4', value: '200k', a: 'GND', b: 'NEUT' },
  { ref: 'J1', value: 'CT', a: 'CTP', b: 'CTN' },
  { ref: 'R5', value: '4R7', a: 'CTP', b: 'CTN' },
  { ref: 'R6', value: '1k', a: 'CTP', b: 'I2P' },
  { ref: 'R7', value: '1k', a: 'CTN', b: 'I2N' },
  { ref: 'C2', value: '100nF 50V', a: 'I2P', b: 'I2N' },
  { ref: 'C3', value: '100n', a: '+3V3', b: 'GND' },
];

function write(text: string, name = 'board.kicad_sch', dir = scratchDir('osm-kicad-')): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

test('a hand-written schematic gives its front-end parts, without the decoupling capacitor', () => {
  const n = importSchematic(write(sheetText(BOARD, [...CHIP])));
  assert.equal(n.parts.map((p) => p.ref).sort(), ['C1', 'C2', 'R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7']);
  assert.equal(n.chip.pins, { VP: 'VP', VN: 'VN', I1P: null, I1N: null, I2P: 'I2P', I2N: 'I2N' });
  assert.equal(n.terminals, { line: 'LINE', neutral: 'NEUT' });
  assert.equal(n.ct?.nets, ['CTP', 'CTN']);
  assert.is(n.parts.find((p) => p.ref === 'R2')?.tolerance, 0.01);
});

test('the imported hand-written board solves to the divider its values give', () => {
  const fe = new CircuitFrontEnd(importSchematic(write(sheetText(BOARD, [...CHIP]))));
  const rs = 1 / (1 / 1e3 + 1 / 400e3);
  assert.ok(Math.abs(cabs(fe.voltagePin(0.001)) / (rs / (820e3 + 200e3 + rs)) - 1) < 1e-9);
});

test('a resistor added to the divider chain is imported and solved', () => {
  const parts = BOARD.map((p) => (p.ref === 'R1' ? { ...p, b: 'MID' } : p)).concat([{ ref: 'R9', value: '100k', a: 'MID', b: 'VP' }]);
  const n = importSchematic(write(sheetText(parts, [...CHIP])));
  assert.equal(n.parts.find((p) => p.ref === 'R9')?.nets, ['MID', 'VP']);
  const rs = 1 / (1 / 1e3 + 1 / 400e3);
  assert.ok(Math.abs(cabs(new CircuitFrontEnd(n).voltagePin(0.001)) / (rs / (920e3 + 200e3 + rs)) - 1) < 1e-9);
});

test('a resistor drawn rotated and joined by wires lands on the same nets', () => {
  const parts = BOARD.filter((p) => p.ref !== 'R1');
  // R1 lying flat (rotated 90): pin 1 at (x - 3.81, y), pin 2 at (x + 3.81, y); wires run to the labelled points.
  const extra = `${partAt('T:R', 'R1', '820k', 100, 100, '').replace('(at 100 100 0)', '(at 100 100 90)')}
    (wire (pts (xy 96.19 100) (xy 90 100))) (wire (pts (xy 90 100) (xy 90 110))) ${label('LINE', 90, 110)}
    (wire (pts (xy 103.81 100) (xy 115 100))) (junction (at 110 100)) (wire (pts (xy 110 100) (xy 110 90))) ${label('VP', 110, 90)}`;
  const n = importSchematic(write(sheetText(parts, [...CHIP], extra)));
  const r1 = n.parts.find((p) => p.ref === 'R1');
  assert.equal(r1?.nets.slice().sort(), ['LINE', 'VP']);
});

test('a pin and a label on the interior of a long diagonal wire, on grid-cell edges, join that wire', () => {
  const parts = BOARD.filter((p) => p.ref !== 'R1');
  // The wire runs (0, 0) to (200, 150); R1's pin 2 lands on it at (40, 30), the VP label at (120, 90).
  const extra = `${partAt('T:R', 'R1', '820k', 40, 26.19)} ${label('LINE', 40, 22.38)}
    (wire (pts (xy 0 0) (xy 200 150))) ${label('VP', 120, 90)}`;
  const n = importSchematic(write(sheetText(parts, [...CHIP], extra)));
  assert.equal(n.parts.find((p) => p.ref === 'R1')?.nets.slice().sort(), ['LINE', 'VP']);
});

test('a part on a hierarchical sheet joins the root through its sheet pin', () => {
  const dir = scratchDir('osm-kicad-');
  write(`(kicad_sch (version 20230121) (generator test)\n${LIB}\n${partAt('T:R', 'R1', '820k', 20, 50)}
    (global_label "LINE" (at 20 46.19 0)) (hierarchical_label "TAP" (at 20 53.81 0)))`, 'divider.kicad_sch', dir);
  const sheet = `(sheet (at 100 100) (size 20 10) (property "Sheetname" "Divider" (at 0 0 0)) (property "Sheetfile" "divider.kicad_sch" (at 0 0 0))
    (pin "TAP" output (at 120 105 0))) ${label('VP', 120, 105)}`;
  const n = importSchematic(write(sheetText(BOARD.filter((p) => p.ref !== 'R1'), [...CHIP], sheet), 'board.kicad_sch', dir));
  const r1 = n.parts.find((p) => p.ref === 'R1');
  assert.equal(r1?.nets, ['LINE', 'VP']);
  assert.is(r1?.sheet, '/Divider/');
});

test('an unreadable value is an error naming the reference and the sheet', () => {
  const bad = BOARD.map((p) => (p.ref === 'R1' ? { ...p, value: '82O k' } : p));
  assert.throws(() => importSchematic(write(sheetText(bad, [...CHIP]))), /R1 on sheet \/: cannot read the resistance '82O k'/);
});

test('a front-end part with an unconnected pin is an error naming it', () => {
  const bad = [...BOARD, { ref: 'R8', value: '10k', a: 'VP', b: null }];
  assert.throws(() => importSchematic(write(sheetText(bad, [...CHIP]))), /R8 on sheet \/: pin 2 is not connected/);
});

test('a chip input left open is an error naming the chip, the pin and the sheet', () => {
  const chip = CHIP.map((n) => (n === 'VN' ? null : n));
  assert.throws(() => importSchematic(write(sheetText(BOARD, chip))), /U1 on sheet \/: chip input VN \(pin 2\) is left open/);
});

test('a schematic without the metering chip says so', () => {
  assert.throws(() => importSchematic(write(sheetText(BOARD, null))), /no ATM90E26 found/);
});

test('a file that is not a schematic says so', () => {
  assert.throws(() => importSchematic(write('(kicad_pcb (version 20221018))')), /not a KiCad schematic/);
});

test('a saved netlist given to import is pointed to --netlist, not reported as an S-expression error', () => {
  assert.throws(() => importSchematic(write('# Front end of U8\nboard: x\n')), (e: Error) =>
    /not a KiCad schematic \(a \.kicad_sch file starts with '\(kicad_sch'\); a netlist saved by 'osm frontend import --save' is read with --netlist/.test(e.message));
});

test('a KiCad 5 schematic is told to be saved in KiCad 6 or later', () => {
  assert.throws(() => importSchematic(write('EESchema Schematic File Version 4\nEELAYER 30 0\n')), /a KiCad 5 \(or older\) schematic: open it in KiCad 6 or later/);
});

// ---- the original board (skipped without ../shared) ----------------------------------------------------------------

const haveOriginal = existsSync(ORIGINAL);
/** Tests on the original board: counted as skipped when its schematic is absent (a clone without ../shared). */
const original = haveOriginal ? test : test.skip;
const numeric = (n: FrontEndNetlist) => new Map(n.parts.map((p) => [p.ref, parseValue(p.value, p.kind, p.ref).value]));

original('the original schematic gives the built-in netlist parts, values and topology', () => {
  const got = importSchematic(ORIGINAL), want = builtInNetlist();
  const a = numeric(got), b = numeric(want);
  assert.equal([...a.keys()].sort(), [...b.keys()].sort());
  for (const [ref, v] of b) assert.ok(Math.abs(a.get(ref)! / v - 1) < 1e-12, ref);
  // Same topology: one renaming of nets, seeded from the chip's pins and the terminals, maps every part onto its twin.
  const map = new Map<string, string>([[got.chip.ground, want.chip.ground], [got.terminals.line, want.terminals.line], [got.terminals.neutral, want.terminals.neutral]]);
  for (const k of ['VP', 'VN', 'I2P', 'I2N'] as const) map.set(got.chip.pins[k]!, want.chip.pins[k]!);
  for (let pass = 0; pass < 20; pass++) {
    for (const p of got.parts) {
      const q = want.parts.find((x) => x.ref === p.ref)!;
      p.nets.forEach((n, i) => {
        const o = p.nets[1 - i];
        if (map.has(n) && !map.has(o)) map.set(o, q.nets[0] === map.get(n) ? q.nets[1] : q.nets[0]);
      });
    }
  }
  for (const p of got.parts) {
    const q = want.parts.find((x) => x.ref === p.ref)!;
    assert.equal(p.nets.map((n) => map.get(n)).sort(), [...q.nets].sort(), p.ref);
  }
  assert.is(new Set(map.values()).size, map.size, 'the renaming is one to one');
  assert.is(map.get(got.ct!.nets[0]), want.ct!.nets[0], 'CT polarity');
});

original('the original schematic solves to the built-in front end to 1e-12 at 50 Hz to 2.5 kHz', () => {
  const got = new CircuitFrontEnd(importSchematic(ORIGINAL)), want = new CircuitFrontEnd(builtInNetlist());
  for (let f = 50; f <= 2500; f += 50) {
    assert.ok(cabs(csub(got.voltagePin(f), want.voltagePin(f))) <= 1e-12 * cabs(want.voltagePin(f)), `V ${f}`);
    assert.ok(cabs(csub(got.currentPinN(f), want.currentPinN(f))) <= 1e-12 * cabs(want.currentPinN(f)), `I ${f}`);
  }
});

original('every pin of the original schematic\'s ATM90E26 lands on a net or a no-connect flag', () => {
  const u8 = readSchematic(ORIGINAL).parts.find((p) => p.ref === 'U8')!;
  for (const p of u8.pins) assert.ok(p.fanout > 0 || p.noConnect, `U8 pin ${p.number} ${p.name}`);
});

test.run();
