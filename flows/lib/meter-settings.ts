// The settings of an `osm-meter` config node (strings, as the editor stores them) checked and turned into what a
// Bench is built from. Every value is optional; the defaults are the scenario language's (`field` firmware, STS
// mode, virgin EEPROM, 230 V 50 Hz, phasor plant, mute modem) and seed 1.
//
// The target is where the firmware twin runs: `twin` (the simulated board), `emulated` (an in-process Firmata board
// driven through johnny-five, wired to the part models) or `johnny-five` (a real rig board on a serial port). The
// board targets are checked here as far as they can be without opening the port: the wiring map is read and
// checked against the board it names, the parts are known and wired, a real board's port is a character device.
import { statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { applyOverrides, DEFAULT_BOARD_PROFILE } from '../../models/board-profile.ts';
import type { BenchConfig as ScenarioBenchConfig, MeterSection, PlantSection } from '../../scenarios/schema.ts';
import type { NetworkSetup } from '../../twin/comms/comms.ts';
import { loadWiring, missingSignals, PART_NAMES, type PartName } from '../../hil-rig/wiring.ts';
import { packageRoot } from './package-root.ts';
import { NodeInputError, parseNetworkSection, parseSections } from './step-parse.ts';

/** What the editor stores for an `osm-meter` node. */
export interface MeterNodeSettings {
  /** `twin` (simulated board), `emulated` (in-process Firmata board) or `johnny-five` (a real rig board). */
  target?: string;
  /** With `johnny-five`: the rig board's serial port (`/dev/ttyACM0`). */
  port?: string;
  /** With a board: the wiring map, a file (relative to the working folder) or a built-in name (`mega2560`, `bluepill`). */
  wiring?: string;
  /** With a board: the parts on the rig, `relay, leds, lcd` (blank: all); the others stay simulated. */
  parts?: string;
  /** `mute` (default: no network, as a scenario without `network:`) or `connected` (SIM800, network, servers). */
  modem?: string;
  /** With a connected modem: signal quality 0..31 at the start (blank: the network model's). */
  csq?: string | number;
  /** With a connected modem: one-way latency, modem to server (`250ms`). */
  latency?: string;
  firmware?: string;
  mode?: string;
  /** Defect knobs to correct, `D6, D11`. */
  fix?: string;
  /** Defect knobs to put back (on `fixed`), `D26`. */
  defects?: string;
  credit?: string | number;
  clock?: string;
  eeprom?: string;
  cover?: string;
  ctRatio?: string | number;
  /** Board profile overrides, one `section.name=value` a line or separated by commas (`ct.ratio=2000`). */
  board?: string;
  vrms?: string | number;
  hz?: string | number;
  fidelity?: string;
  seed?: string | number;
  /** `max` or a factor of wall time (1 = real time) at which waits run. */
  speed?: string | number;
}

export const TARGETS = ['twin', 'emulated', 'johnny-five'] as const;
export type Target = (typeof TARGETS)[number];

/** A board target: what hil-rig/rig-bench.ts `createRigBench` takes (its BoardChoice). */
export interface BoardTarget {
  board: 'emulated' | 'johnny-five';
  port?: string;
  /** The wiring map's full path. */
  wiring: string;
  parts: PartName[];
}

export interface MeterSetup {
  target: Target;
  /** The rig board, for the targets other than `twin`. */
  board: BoardTarget | null;
  /** The modem's network and servers (a scenario's `network:` section); null: the modem is mute. */
  network: NetworkSetup | null;
  meter: MeterSection;
  plant: PlantSection;
  overrides: Record<string, number | boolean>;
  seed: number;
  speed: 'max' | number;
}

const blank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

function numberOf(what: string, v: string | number): number {
  const n = typeof v === 'number' ? v : Number(v.trim());
  if (!Number.isFinite(n)) throw new NodeInputError(`${what}: expected a number, got '${String(v)}'`);
  return n;
}

function list(v: string | undefined): string[] {
  return blank(v) ? [] : (v as string).split(/[\s,]+/).filter((s) => s !== '').map((s) => s.toUpperCase());
}

/** `ct.ratio=2000, ct.burdenOhms=4.8` (or one a line) into `{ 'ct.ratio': 2000, ... }`, checked by the board profile. */
export function parseBoardOverrides(text: string | undefined): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  if (blank(text)) return out;
  for (const part of (text as string).split(/[\n,;]+/)) {
    const item = part.trim();
    if (item === '') continue;
    const m = /^([A-Za-z][\w.]*)\s*=\s*(\S+)$/.exec(item);
    if (!m) throw new NodeInputError(`board: expected section.name=value, got '${item}'`);
    const raw = m[2]!;
    out[m[1]!] = raw === 'true' ? true : raw === 'false' ? false : numberOf(`board ${m[1]}`, raw);
  }
  try {
    applyOverrides(DEFAULT_BOARD_PROFILE, out);
  } catch (err) {
    throw new NodeInputError(`board: ${(err as Error).message}`);
  }
  return out;
}

export function parseSeed(v: string | number | undefined): number {
  if (blank(v)) return 1;
  const n = numberOf('seed', v as string | number);
  if (!Number.isInteger(n) || n < 0 || n > 4294967295) throw new NodeInputError(`seed: expected a whole number 0..4294967295, got '${String(v)}'`);
  return n;
}

export function parseSpeed(v: string | number | undefined): 'max' | number {
  if (blank(v) || v === 'max') return 'max';
  const n = numberOf('speed', v as string | number);
  if (!(n > 0)) throw new NodeInputError(`speed: expected max or a factor > 0 of wall time, got '${String(v)}'`);
  return n;
}

/** The built-in wiring maps, by name. */
export function builtInWiring(name: string): string { return join(packageRoot(), 'hil-rig', 'wiring', `${name}.yaml`); }
export const BUILT_IN_WIRINGS = ['mega2560', 'bluepill'] as const;

/** A board target's settings, checked without opening the port. */
export function parseBoardTarget(target: 'emulated' | 'johnny-five', s: MeterNodeSettings, cwd = process.cwd()): BoardTarget {
  const w = blank(s.wiring) ? 'mega2560' : String(s.wiring).trim();
  const wiring = (BUILT_IN_WIRINGS as readonly string[]).includes(w) ? builtInWiring(w) : isAbsolute(w) ? w : resolve(cwd, w);
  let map;
  try { map = loadWiring(wiring); } catch (err) {
    throw new NodeInputError(`wiring: ${(err as Error).message}`);
  }
  const parts = blank(s.parts) ? [...PART_NAMES] : String(s.parts).split(/[\s,]+/).filter((p) => p !== '');
  for (const p of parts) {
    if (!(PART_NAMES as readonly string[]).includes(p)) throw new NodeInputError(`parts: unknown part '${p}' (parts: ${PART_NAMES.join(', ')})`);
  }
  const missing = missingSignals(map, parts as PartName[]);
  if (missing.size) {
    throw new NodeInputError(`wiring: ${w} lacks signals for the chosen parts: ${[...missing].map(([p, sig]) => `${p} (${sig.join(', ')})`).join('; ')}`);
  }
  const out: BoardTarget = { board: target, wiring, parts: parts as PartName[] };
  if (target === 'johnny-five') {
    if (blank(s.port)) throw new NodeInputError('port: a real board needs its serial port (e.g. /dev/ttyACM0)');
    const port = String(s.port).trim();
    let st;
    try { st = statSync(port); } catch {
      throw new NodeInputError(`port: no serial port at '${port}' (is the board plugged in? ls /dev/ttyACM* /dev/ttyUSB*)`);
    }
    if (!st.isCharacterDevice()) throw new NodeInputError(`port: '${port}' is not a serial port (not a character device)`);
    out.port = port;
  }
  return out;
}

/** Check an `osm-meter` node's settings; throws NodeInputError naming the setting and the reason. */
export function parseMeterSettings(s: MeterNodeSettings): MeterSetup {
  const target = blank(s.target) ? 'twin' : String(s.target).trim();
  if (!(TARGETS as readonly string[]).includes(target)) {
    throw new NodeInputError(`target: expected twin, emulated or johnny-five (a real board), got '${target}'`);
  }
  const board = target === 'twin' ? null : parseBoardTarget(target as BoardTarget['board'], s);
  const modem = blank(s.modem) ? 'mute' : String(s.modem).trim();
  if (modem !== 'mute' && modem !== 'connected') throw new NodeInputError(`modem: expected mute or connected, got '${modem}'`);
  let network: NetworkSetup | null = null;
  if (modem === 'connected') {
    if (board) throw new NodeInputError('modem: the network is simulated around the twin\'s SIM800; a connected modem needs target twin');
    const section: Record<string, unknown> = { coverage: true };
    if (!blank(s.csq)) section.csq = numberOf('csq', s.csq as string | number);
    if (!blank(s.latency)) section.latency = String(s.latency).trim();
    network = parseNetworkSection(section);
  } else if (!blank(s.csq) || !blank(s.latency)) {
    throw new NodeInputError('modem: csq and latency need the modem connected');
  }
  const firmware: Record<string, unknown> = { profile: blank(s.firmware) ? 'field' : String(s.firmware).trim() };
  if (!blank(s.mode)) firmware.mode = String(s.mode).trim();
  const fix = list(s.fix);
  const defects = list(s.defects);
  if (fix.length) firmware.fix = fix;
  if (defects.length) firmware.defects = defects;
  const meter: Record<string, unknown> = { firmware };
  if (!blank(s.credit)) meter.credit = numberOf('credit', s.credit as string | number);
  if (!blank(s.clock)) meter.clock = String(s.clock).trim();
  if (!blank(s.eeprom)) meter.eeprom = String(s.eeprom).trim();
  if (!blank(s.cover)) meter.cover = String(s.cover).trim();
  if (!blank(s.ctRatio)) meter.ctRatio = numberOf('ctRatio', s.ctRatio as string | number);
  const grid: Record<string, unknown> = {};
  if (!blank(s.vrms)) grid.vrms = numberOf('vrms', s.vrms as string | number);
  if (!blank(s.hz)) grid.hz = numberOf('hz', s.hz as string | number);
  const plant: Record<string, unknown> = { grid };
  if (!blank(s.fidelity)) plant.fidelity = String(s.fidelity).trim();
  const sections = parseSections(meter, plant);
  if (board && sections.plant.fidelity === 'waveform') throw new NodeInputError('fidelity: waveform runs on the twin only (a rig board\'s AFE sees the phasor plant)');
  return {
    target: target as Target,
    board,
    network,
    ...sections,
    overrides: parseBoardOverrides(s.board),
    seed: parseSeed(s.seed),
    speed: parseSpeed(s.speed),
  };
}

/** The Bench configuration of a setup (the scenario runner's shape plus the board overrides). */
export function benchConfigOf(setup: MeterSetup, seed = setup.seed): ScenarioBenchConfig & { meter: { overrides: Record<string, number | boolean> } } {
  return {
    meter: { ...setup.meter, overrides: setup.overrides }, plant: setup.plant, seed, speed: setup.speed,
    ...(setup.network ? { network: setup.network } : {}),
  };
}

/** How a meter's target reads in messages and statuses: `twin`, `emulated board`, `real board on /dev/ttyACM0`. */
export function targetText(setup: Pick<MeterSetup, 'board'>): string {
  if (!setup.board) return 'twin';
  return setup.board.board === 'emulated' ? 'emulated board' : `real board on ${setup.board.port}`;
}
