// `osm frontend show | import | spice`: the analog front end as a circuit (models/frontend/circuit/): the built-in
// board's netlist or one read from a KiCad schematic, its parts and nets, the board profile it gives, its pin
// transfers, and its export as an ngspice netlist.
import { readSchematicText } from '../../io/input-file.ts';
import { OutputError, checkDistinctOutputs, checkOutputPath, writeOutputFile, type OutputTarget } from '../../io/output-file.ts';
import { CircuitError } from '../../models/frontend/circuit/circuit.ts';
import { NetlistError, builtInNetlist, netlistToYaml, type FrontEndNetlist } from '../../models/frontend/circuit/netlist.ts';
import { readNetlistFile } from '../../scenarios/accuracy/front-end-what-if.ts';
import { boardForNetlist, profileFromNetlist } from '../../models/frontend/circuit/profile.ts';
import { FrontEnd } from '../../models/frontend/front-end.ts';
import { CtOperatingPointError } from '../../models/frontend/current-transformer.ts';
import { toSpice } from '../../models/frontend/circuit/spice.ts';
import { SPICE_AGREEMENT, SpiceOutputError, compareChannel, parseSpiceTables, type ChannelComparison } from '../../models/frontend/circuit/spice-compare.ts';
import { ValueError } from '../../models/frontend/circuit/values.ts';
import { CircuitFrontEnd, withValues } from '../../models/frontend/circuit-front-end.ts';
import { cabs, cargDeg } from '../../models/frontend/impedance.ts';
import { ImportError, importSchematic } from '../../models/frontend/kicad/extract.ts';
import { SchematicError } from '../../models/frontend/kicad/schematic.ts';
import { SExprError } from '../../models/frontend/kicad/sexpr.ts';
import { spawnSync } from 'node:child_process';
import { parseArgs, type OptionSpec } from '../args.ts';
import { EXIT, UsageError, processIo, type CliIo, type Command } from '../command.ts';

export const FRONTEND_USAGE = `Usage: osm frontend <show|import|spice> [options]

The meter's analog front end as a circuit: every part between the line and neutral terminals and the ATM90E26's
analog inputs, solved exactly (modified nodal analysis) at each frequency. The built-in board is the OpenSmartMeter
main board (models/frontend/netlists/osm-board.yaml); a KiCad schematic can replace it.

osm frontend show [--schematic FILE | --netlist FILE] [--set REF=VALUE]... [--amps A] [--json]
  The configured front end: chip pins, terminals, CT, parts with values and nets, the board profile it gives and the
  pin transfers at 50 Hz (VP-VN per line volt, I2P-I2N per line amp).

osm frontend import FILE.kicad_sch [--save FILE.yaml] [--line NET] [--neutral NET] [--json]
  Read a KiCad 6-8 schematic (hierarchical sheets too), find the ATM90E26, follow the nets of its analog inputs
  through resistors, capacitors, inductors and the CT connector to the line and neutral nets and the chip's ground,
  and print what was found as show does. --save writes it in the project's netlist form (use it with --netlist).
  --line/--neutral name the terminal nets when they are not called LINE/L and NEUT/NEUTRAL/N.

osm frontend spice [--schematic FILE | --netlist FILE] [--set REF=VALUE]... [--amps A] [--out FILE] [--compare] [--json]
  The front end as an ngspice netlist with an AC sweep at 50 Hz and every harmonic to 2.5 kHz, per excitation (line
  voltage, then line current). Run it with 'ngspice -b FILE.cir'. --compare runs ngspice (on the PATH) on it and
  holds its VP-VN and I2P-I2N against the project's circuit solver at every frequency: the transfers at 50 Hz side by
  side, the largest gain and phase differences, exit 0 within 1e-6 and 1e-4 deg, 1 outside.

Options:
  --schematic FILE     a KiCad schematic instead of the built-in board
  --netlist FILE       a netlist file in the project's form (as written by import --save)
  --set REF=VALUE      change a part by reference designator, repeatable (e.g. --set R12=150k --set C38=47n)
  --json               print JSON instead of the report
  --compare            spice: run ngspice on the export and compare it with the circuit solver
  --amps A             show, spice: a CT with an excitation curve at its operating point for A primary amps rms
  --help, -h           show this help

The CT is not on a schematic (only its connector): its ratio, winding, magnetising and core-loss values are the
project's defaults (1000:1, 8 ohm, 30 H, 25 kohm); edit them in a saved netlist.
Exit code 2: invalid arguments or input (an unreadable value, a part with an unconnected pin, an open chip input,
each naming the reference and the sheet).`;

const OPTIONS = {
  schematic: { type: 'string' },
  netlist: { type: 'string' },
  save: { type: 'string' },
  out: { type: 'string' },
  line: { type: 'string' },
  neutral: { type: 'string' },
  json: { type: 'boolean' },
  compare: { type: 'boolean' },
  amps: { type: 'string' },
} as const satisfies Record<string, OptionSpec>;

/** ngspice could not be run or gave no tables: said in one line, exit 2. */
class SpiceRunError extends Error {
  override readonly name = 'SpiceRunError';
}

const INPUT_ERRORS = [UsageError, OutputError, ImportError, SchematicError, SExprError, ValueError, NetlistError, CircuitError, SpiceRunError];

export interface FrontendDeps {
  io?: CliIo;
  /** The ngspice program `spice --compare` runs (default `ngspice` on the PATH). */
  ngspice?: string;
}

export function createFrontendCommand(deps: FrontendDeps = {}): Command {
  const io = deps.io ?? processIo;
  const out = (text: string): void => { io.stdout.write(text.endsWith('\n') ? text : `${text}\n`); };

  async function run(argv: string[]): Promise<number> {
    try {
      const { sets, rest } = takeSets(argv);
      const [sub, ...more] = rest;
      if (sub === undefined) { out(FRONTEND_USAGE); return EXIT.ok; }
      if (!['show', 'import', 'spice'].includes(sub)) throw new UsageError(`unknown subcommand '${sub}': expected show, import or spice`);
      const { values, positionals } = parseArgs(more, OPTIONS);
      const allowed: Record<string, string[]> = {
        show: ['schematic', 'netlist', 'json', 'line', 'neutral', 'amps'],
        import: ['save', 'json', 'line', 'neutral'],
        spice: ['schematic', 'netlist', 'out', 'line', 'neutral', 'compare', 'json', 'amps'],
      };
      for (const k of Object.keys(values)) {
        if (values[k] !== undefined && !allowed[sub].includes(k)) throw new UsageError(`'frontend ${sub}' takes no --${k}`);
      }
      if (sub === 'import' && sets.length) throw new UsageError("'frontend import' takes no --set (import, then use show or spice with --set)");
      let netlist: FrontEndNetlist;
      // Output paths are checked before the work (io/output-file.ts writes them: whole, or streamed to a device).
      let saveOut: OutputTarget | undefined;
      let specOut: OutputTarget | undefined;
      const terminals = { ...(values.line ? { line: values.line as string } : {}), ...(values.neutral ? { neutral: values.neutral as string } : {}), read: readSchematicText };
      if (sub === 'import') {
        if (positionals.length !== 1) throw new UsageError('give one schematic file: osm frontend import FILE.kicad_sch');
        saveOut = values.save ? checkOutputPath(values.save as string, '--save', 'front-end.yaml') : undefined;
        checkDistinctOutputs([saveOut], [{ path: positionals[0], what: 'the schematic' }]);
        netlist = importSchematic(positionals[0], terminals);
      } else {
        if (positionals.length) throw new UsageError(`'frontend ${sub}' takes no positional argument, got '${positionals[0]}'`);
        if (values.schematic && values.netlist) throw new UsageError('give --schematic or --netlist, not both');
        specOut = values.out ? checkOutputPath(values.out as string, '--out', 'front-end.cir') : undefined;
        if (values.schematic) checkDistinctOutputs([specOut], [{ path: values.schematic as string, what: 'the schematic' }]);
        if (values.netlist) checkDistinctOutputs([specOut], [{ path: values.netlist as string, what: 'the netlist' }]);
        netlist = values.schematic ? importSchematic(values.schematic as string, terminals)
          : values.netlist ? readNetlistFile(values.netlist as string) : builtInNetlist();
      }
      if (sets.length) netlist = withValues(netlist, parseSets(sets));
      // A CT with an excitation curve at one operating point (the board profile and --save keep the curve as given).
      const given = netlist;
      const ctPoint = ctAt(netlist, values.amps as string | undefined);
      netlist = ctPoint.netlist;
      const fe = new CircuitFrontEnd(netlist);
      if (sub === 'spice') {
        if (values.json && !values.compare) throw new UsageError("'frontend spice' prints a netlist; --json goes with --compare");
        const text = toSpice(netlist, ctPoint.note ? { note: ctPoint.note } : {});
        if (specOut) { writeOutputFile(specOut, text); if (specOut.target !== '-') io.stderr.write(`wrote ${specOut.path}\n`); } else if (!values.compare) out(text);
        if (!values.compare) return EXIT.ok;
        if (specOut?.target === '-') throw new UsageError('--compare prints the comparison: give --out a file, or leave it out');
        const c = compareWithSpice(text, fe, netlist.ct !== null && netlist.ct !== undefined, deps.ngspice ?? 'ngspice');
        if (values.json) out(JSON.stringify({ ...c, ...(ctPoint.note ? { ct: ctPoint.note } : {}) }, null, 2));
        else out(compareReport(c, netlist.board, ctPoint.note));
        return c.pass ? EXIT.ok : EXIT.failed;
      }
      if (saveOut) {
        writeOutputFile(saveOut, netlistToYaml(netlist, `Front end of ${netlist.chip.ref} (${netlist.chip.value}) imported from ${netlist.board} by osm frontend import.`));
      }
      const profile = profileFromNetlist(given);
      if (values.json) {
        const t = (c: { re: number; im: number }) => ({ re: c.re, im: c.im, abs: cabs(c as never), deg: cargDeg(c as never) });
        out(JSON.stringify({ netlist, ...(ctPoint.note ? { ct: ctPoint.note } : {}), profile: profile.ok ? profile.profile : null, profileNote: profile.ok ? null : profile.why,
          transfers50Hz: { voltagePin: t(fe.voltagePin(50)), currentPinN: t(fe.currentPinN(50)) } }, null, 2));
      } else {
        out(report(netlist, fe, profile, ctPoint.note));
        if (values.save) out(`saved the netlist to ${values.save as string}`);
      }
      return EXIT.ok;
    } catch (err) {
      if (!INPUT_ERRORS.some((E) => err instanceof E)) throw err;
      io.stderr.write(`osm frontend: ${(err as Error).message}\n`);
      return EXIT.invalid;
    }
  }

  return { name: 'frontend', summary: 'the analog front end as a circuit: show, import a KiCad schematic, export to SPICE', usage: FRONTEND_USAGE, run };
}

interface SpiceComparison {
  ngspice: string;
  tolerance: typeof SPICE_AGREEMENT;
  voltage: ChannelComparison;
  current: ChannelComparison | null;
  pass: boolean;
}

/** Runs `ngspice -b` on the export (given on its standard input: no scratch file) and compares its tables with the solver's. */
function compareWithSpice(text: string, fe: CircuitFrontEnd, hasCt: boolean, program: string): SpiceComparison {
  const r = spawnSync(program, ['-b'], { input: text, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new SpiceRunError(code === 'ENOENT'
      ? `--compare: ${program} is not on the PATH: install ngspice (Debian: apt-get install ngspice), or run 'ngspice -b' on the --out file yourself`
      : `--compare: could not run ${program}: ${r.error.message}`);
  }
  const stdout = r.stdout;
  // ngspice -b exits 1 with a note when a netlist has no .print card outside .control; the tables are the check.
  if (r.status !== 0 && r.status !== 1) throw new SpiceRunError(`--compare: ${program} exited with ${String(r.status ?? r.signal)}: ${firstLine(r.stderr || r.stdout)}`);
  let tables;
  try { tables = parseSpiceTables(stdout); } catch (err) {
    if (err instanceof SpiceOutputError) throw new SpiceRunError(`--compare: ${err.message}`);
    throw err;
  }
  if (hasCt && tables.i.length === 0) throw new SpiceRunError('--compare: ngspice printed no current-channel table');
  const voltage = compareChannel(tables.v, (hz) => fe.voltagePin(hz));
  const current = hasCt ? compareChannel(tables.i, (hz) => fe.currentPinN(hz)) : null;
  const within = (x: ChannelComparison): boolean => x.gain <= SPICE_AGREEMENT.gain && x.phaseDeg <= SPICE_AGREEMENT.phaseDeg;
  return { ngspice: program, tolerance: SPICE_AGREEMENT, voltage, current, pass: within(voltage) && (current === null || within(current)) };
}

function firstLine(t: string): string {
  return t.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '(no output)';
}

/**
 * The netlist with its CT at the operating point for `amps` primary amps rms at 50 Hz (a CT with an excitation curve;
 * without `amps`, its initial permeability), and a line saying which branch it holds; no note for a linear CT.
 */
function ctAt(n: FrontEndNetlist, amps: string | undefined): { netlist: FrontEndNetlist; note: string | null } {
  let a: number | null = null;
  if (amps !== undefined) {
    a = Number(amps);
    if (amps.trim() === '' || !Number.isFinite(a) || a < 0) throw new UsageError(`--amps must be a primary current in amps >= 0, got '${amps}'`);
    if (!n.ct?.excitation) throw new UsageError('--amps sets the operating point of a CT with an excitation curve (ct.excitation); this front end\'s CT is linear');
  }
  if (!n.ct?.excitation) return { netlist: n, note: null };
  const fmt = (x: number): string => Number(x.toPrecision(6)).toString();
  if (a === null) {
    return { netlist: n, note: `CT excitation curve: magnetising branch at its initial permeability (no current), ${fmt(n.ct.magnetisingHenries)} H || ${fmt(n.ct.coreLossOhms)} ohm; --amps A for the branch at A primary amps` };
  }
  let op;
  try { op = new FrontEnd(boardForNetlist(n)).ctOperatingPoint(a, 50); } catch (err) {
    if (err instanceof CtOperatingPointError) throw new NetlistError(err.message);
    throw err;
  }
  return {
    netlist: { ...n, ct: { ...n.ct, magnetisingHenries: op.magnetisingHenries, coreLossOhms: op.coreLossOhms } },
    note: `CT excitation curve: magnetising branch at ${fmt(a)} A primary (50 Hz): EMF ${fmt(op.emfVolts)} V, ${fmt(op.magnetisingHenries)} H || ${fmt(op.coreLossOhms)} ohm`,
  };
}

/** A value with an SI prefix, 4 significant digits: 2.2 uA, 30 mV. */
function siText(v: number, unit: string): string {
  for (const [k, p] of [[1, ''], [1e-3, 'm'], [1e-6, 'u'], [1e-9, 'n']] as const) if (v >= k) return `${Number((v / k).toPrecision(4))} ${p}${unit}`;
  return `${v} ${unit}`;
}

function compareReport(c: SpiceComparison, board: string, ctNote: string | null = null): string {
  const fmtV = (x: { abs: number; deg: number }): string => `1/${(1 / x.abs).toFixed(3)} at ${x.deg.toFixed(4)} deg`;
  const fmtI = (x: { abs: number; deg: number }): string => `${(1e3 * x.abs).toFixed(5)} mV/A at ${x.deg.toFixed(4)} deg`;
  const row = (name: string, x: ChannelComparison, f: (v: { abs: number; deg: number }) => string): string[] => [
    `${name} (${x.points} frequencies, ${x.first.hz} Hz up)`,
    `  at ${x.first.hz} Hz: ngspice ${f(x.first.spice)}, solver ${f(x.first.solver)}`,
    `  largest difference: gain ${x.gain.toExponential(2)} (at ${x.gainHz} Hz), phase ${x.phaseDeg.toExponential(2)} deg (at ${x.phaseHz} Hz)`,
  ];
  const lines = [
    `${board}: ${c.ngspice} against the project's circuit solver`,
    ...(ctNote ? [ctNote] : []),
    ...row('VP-VN per line volt', c.voltage, fmtV),
    ...(c.current ? row('I2P-I2N per line amp', c.current, fmtI) : ['I2P-I2N: no CT on this front end, nothing to compare']),
    c.pass ? `PASS: within ${c.tolerance.gain.toExponential(0)} in gain and ${c.tolerance.phaseDeg.toExponential(0)} deg in phase at every frequency`
      : `FAIL: outside ${c.tolerance.gain.toExponential(0)} in gain or ${c.tolerance.phaseDeg.toExponential(0)} deg in phase (the project's agreement with ngspice): check the export, or report it with both files`,
  ];
  return lines.join('\n');
}

function takeSets(argv: readonly string[]): { sets: string[]; rest: string[] } {
  const sets: string[] = [], rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--set') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError("option '--set' needs REF=VALUE (e.g. --set R12=150k)");
      sets.push(v);
    } else if (a.startsWith('--set=')) sets.push(a.slice(6));
    else rest.push(a);
  }
  return { sets, rest };
}

function parseSets(sets: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sets) {
    const m = /^([A-Za-z]+[0-9]+[A-Za-z0-9_]*)=(.+)$/.exec(s);
    if (!m) throw new UsageError(`--set ${s}: expected REF=VALUE, e.g. R12=150k`);
    out[m[1]] = m[2];
  }
  return out;
}

function report(n: FrontEndNetlist, fe: CircuitFrontEnd, profile: ReturnType<typeof profileFromNetlist>, ctNote: string | null = null): string {
  const pins = Object.entries(n.chip.pins).map(([k, v]) => `${k}=${v ?? '(not connected)'}`).join('  ');
  const lines = [
    `Front end of ${n.chip.ref} (${n.chip.value}) in ${n.board}`,
    `  chip pins: ${pins}; analog ground ${n.chip.ground}`,
    `  terminals: line ${n.terminals.line}, neutral ${n.terminals.neutral}`,
    n.ct
      ? `  CT on ${n.ct.connector}: + ${n.ct.nets[0]}, - ${n.ct.nets[1]}${n.ct.reversed ? ' (reversed)' : ''}; ratio ${n.ct.ratio}:1, winding ${n.ct.windingOhms} ohm, magnetising ${Number(n.ct.magnetisingHenries.toPrecision(6))} H, core loss ${Number(n.ct.coreLossOhms.toPrecision(6))} ohm`
      : '  no CT',
    ...(n.ct?.excitation ? [`  CT excitation curve (${n.ct.excitation.hz} Hz, loss angle ${Number(n.ct.excitation.lossAngleDeg.toPrecision(6))} deg), EMF at exciting current: ${n.ct.excitation.points.map(([e, i]) => `${siText(e, 'V')} at ${siText(i, 'A')}`).join(', ')}`] : []),
    ...(ctNote ? [`  ${ctNote}`] : []),
    '',
  ];
  const rows = n.parts.map((p) => [p.ref, p.value, p.tolerance === undefined ? '' : `${Number((p.tolerance * 100).toPrecision(4))}%`, `${p.nets[0]} - ${p.nets[1]}`, p.sheet ?? '']);
  const head = ['Ref', 'Value', 'Tol', 'Nets', 'Sheet'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) lines.push(`  ${r.map((c, i) => c.padEnd(w[i])).join('  ')}`.trimEnd());
  lines.push('');
  const v = fe.voltagePin(50), i = fe.currentPinN(50);
  lines.push(`Pin transfers at 50 Hz: VP-VN = 1/${(1 / cabs(v)).toFixed(2)} of the line voltage (${cargDeg(v).toFixed(3)} deg); I2P-I2N = ${(1e3 * cabs(i)).toFixed(4)} mV per line amp (${cargDeg(i).toFixed(3)} deg)`);
  lines.push('');
  if (profile.ok) {
    lines.push('Board profile it gives (osm accuracy --set frontend.<section>.<name>=VALUE):');
    for (const sec of ['divider', 'ct', 'filter'] as const) {
      lines.push(`  ${sec}: ${Object.entries(profile.profile[sec]).filter(([k]) => k !== 'excitation').map(([k, x]) => `${k}=${typeof x === 'number' ? Number(x.toPrecision(6)) : x}`).join(', ')}`);
    }
  } else {
    lines.push(`Board profile: none (${profile.why}); the circuit front end models it as drawn, and osm accuracy solves it as a circuit.`);
  }
  return lines.join('\n');
}

export const frontendCommand = createFrontendCommand();
export default frontendCommand;
