// The settings of an `osm-meter` config node (strings, as the editor stores them) checked and turned into what a
// Bench is built from. Every value is optional; the defaults are the scenario language's (`field` firmware, STS
// mode, virgin EEPROM, 230 V 50 Hz, phasor plant) and seed 1.
import { applyOverrides, DEFAULT_BOARD_PROFILE } from '../../models/board-profile.ts';
import type { BenchConfig as ScenarioBenchConfig, MeterSection, PlantSection } from '../../scenarios/schema.ts';
import { NodeInputError, parseSections } from './step-parse.ts';

/** What the editor stores for an `osm-meter` node. */
export interface MeterNodeSettings {
  /** `twin`: the firmware twin on the simulated board (the only target this package drives). */
  target?: string;
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

export const TARGETS = ['twin'] as const;
export type Target = (typeof TARGETS)[number];

export interface MeterSetup {
  target: Target;
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

/** Check an `osm-meter` node's settings; throws NodeInputError naming the setting and the reason. */
export function parseMeterSettings(s: MeterNodeSettings): MeterSetup {
  const target = blank(s.target) ? 'twin' : String(s.target);
  if (!(TARGETS as readonly string[]).includes(target)) {
    throw new NodeInputError(`target: '${target}' is not a target this package can drive (expected ${TARGETS.join(', ')}); a real or emulated board needs the HIL rig`);
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
  return {
    target: target as Target,
    ...sections,
    overrides: parseBoardOverrides(s.board),
    seed: parseSeed(s.seed),
    speed: parseSpeed(s.speed),
  };
}

/** The Bench configuration of a setup (the scenario runner's shape plus the board overrides). */
export function benchConfigOf(setup: MeterSetup, seed = setup.seed): ScenarioBenchConfig & { meter: { overrides: Record<string, number | boolean> } } {
  return { meter: { ...setup.meter, overrides: setup.overrides }, plant: setup.plant, seed, speed: setup.speed };
}
