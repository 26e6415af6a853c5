// The matrix of a campaign: each scenario runs once per cell, a cell being one firmware profile, one set of defect
// knobs corrected and one seed. The axes multiply: `--profiles field,fixed --fix D11,D14` gives six cells (field,
// field fix D11, field fix D14, fixed, ...). The `--fix` axis always has the cell with no extra fix first, so every
// knob is compared with the build it changes.
//
// A cell overrides the scenario's own firmware (`meter.firmware`):
// - a profile cell replaces the whole selection (profile, fix and defects as written) by that profile; the boot mode
//   stays the scenario's, since it is what the scenario's steps are written for (an OpenPAYGO scenario types
//   OpenPAYGO tokens);
// - a fix cell corrects its knobs on top of that (and takes them out of a `defects:` list);
// - a seed cell replaces the run's seed.
// When the selection a cell runs differs from the scenario's own, the run says so (`FirmwareOverride`).
import { isDefectId, type DefectId } from '../../twin/profiles/defects.ts';
import { PROFILE_NAMES, resolveFirmware, type FirmwareSelection, type ProfileName } from '../../twin/profiles/profile.ts';
import type { Scenario } from '../schema.ts';
import { closest } from '../suggest.ts';

/** A matrix axis given wrongly; the message names the option. */
export class MatrixError extends Error {
  override readonly name = 'MatrixError';
}

export interface MatrixAxes {
  profiles?: readonly ProfileName[];
  /** Each entry is one cell's knobs (`D11+D14` is one cell correcting both). */
  fixes?: readonly (readonly DefectId[])[];
  seeds?: readonly number[];
}

/** One cell of the matrix; a field is absent when its axis was not given. */
export interface Cell {
  /** Column header and report label: `field`, `field fix D14`, `fixed seed 3`, or `as written`. */
  label: string;
  profile?: ProfileName;
  /** Knobs this cell corrects (empty: the fix axis's base cell, or no fix axis). */
  fix: DefectId[];
  seed?: number;
}

/** The most seeds one `--seeds` takes (a typo like 1..1000000000 must not allocate a billion runs). */
export const MAX_SEEDS = 100_000;
const SEED_MAX = 4294967295;

/** `--profiles field,fixed`. */
export function parseProfiles(text: string): ProfileName[] {
  const out: ProfileName[] = [];
  for (const raw of text.split(',')) {
    const p = raw.trim();
    if (p === '') throw new MatrixError(`--profiles: empty name in '${text}' (expected a comma list of ${PROFILE_NAMES.join(', ')})`);
    if (!(PROFILE_NAMES as readonly string[]).includes(p)) {
      const near = closest(p, PROFILE_NAMES);
      throw new MatrixError(`--profiles: unknown profile '${p}' (expected ${PROFILE_NAMES.join(', ')}${near ? `; did you mean '${near}'?` : ''})`);
    }
    if (out.includes(p as ProfileName)) throw new MatrixError(`--profiles: '${p}' is given twice`);
    out.push(p as ProfileName);
  }
  return out;
}

/** `--fix D14`, `--fix D11,D14`, `--fix D11+D14` (one cell with both), repeatable: every value adds cells. */
export function parseFixes(values: readonly string[]): DefectId[][] {
  const cells: DefectId[][] = [];
  const keys = new Set<string>();
  for (const text of values) {
    for (const raw of text.split(',')) {
      const cell: DefectId[] = [];
      for (const part of raw.split('+')) {
        const k = part.trim();
        const id = k.toUpperCase();
        if (k === '') throw new MatrixError(`--fix: empty knob in '${text}' (expected knobs like D14, D11,D14 or D11+D14)`);
        if (!isDefectId(id)) throw new MatrixError(`--fix: unknown defect knob '${k}' (expected D1..D48)`);
        if (!cell.includes(id)) cell.push(id);
      }
      const key = [...cell].sort().join('+');
      if (keys.has(key)) throw new MatrixError(`--fix: '${raw.trim()}' is given twice`);
      keys.add(key);
      cells.push(cell);
    }
  }
  return cells;
}

/** `--seeds 1..20`, `--seeds 1,5,9`, or both mixed (`1..3,10`). */
export function parseSeeds(text: string): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  const num = (s: string): number => {
    if (!/^\d+$/.test(s)) throw new MatrixError(`--seeds: '${s}' is not a whole number (expected e.g. 1..20 or 1,5,9)`);
    const v = Number(s);
    if (v > SEED_MAX) throw new MatrixError(`--seeds: ${s} is out of range (expected 0..${SEED_MAX})`);
    return v;
  };
  const push = (v: number): void => {
    if (seen.has(v)) throw new MatrixError(`--seeds: seed ${v} is given twice`);
    seen.add(v);
    out.push(v);
    if (out.length > MAX_SEEDS) throw new MatrixError(`--seeds: more than ${MAX_SEEDS} seeds`);
  };
  for (const raw of text.split(',')) {
    const part = raw.trim();
    const m = /^(\S+?)\.\.(\S+)$/.exec(part);
    if (m) {
      const a = num(m[1]);
      const b = num(m[2]);
      if (b < a) throw new MatrixError(`--seeds: the range ${part} is empty (write the lower seed first)`);
      if (b - a >= MAX_SEEDS) throw new MatrixError(`--seeds: ${part} is more than ${MAX_SEEDS} seeds`);
      for (let v = a; v <= b; v++) push(v);
    } else {
      push(num(part));
    }
  }
  return out;
}

/** The fixed build has no defect left to correct: a knob on it is the plain fixed cell run again. */
const redundant = (profile: ProfileName | undefined, fix: readonly DefectId[]): boolean => profile === 'fixed' && fix.length > 0;

/**
 * Every cell of the axes, profiles outermost, then fixes, then seeds. A knob on the `fixed` profile makes no cell
 * (the build it names is the fixed cell's): `matrixNotes` says so.
 */
export function matrixCells(axes: MatrixAxes): Cell[] {
  const profiles: (ProfileName | undefined)[] = axes.profiles?.length ? [...axes.profiles] : [undefined];
  const fixes: DefectId[][] = axes.fixes?.length ? [[], ...axes.fixes.map((f) => [...f])] : [[]];
  const seeds: (number | undefined)[] = axes.seeds?.length ? [...axes.seeds] : [undefined];
  const cells: Cell[] = [];
  for (const profile of profiles) {
    for (const fix of fixes) {
      if (redundant(profile, fix)) continue;
      for (const seed of seeds) {
        const parts: string[] = [];
        if (profile !== undefined) parts.push(profile);
        if (fix.length) parts.push(`fix ${fix.join('+')}`);
        if (seed !== undefined) parts.push(`seed ${seed}`);
        cells.push({
          label: parts.length ? parts.join(' ') : 'as written',
          ...(profile !== undefined ? { profile } : {}),
          fix,
          ...(seed !== undefined ? { seed } : {}),
        });
      }
    }
  }
  return cells;
}

/** What the user asked for that makes no cell of its own, one line each (empty when every cell runs). */
export function matrixNotes(axes: MatrixAxes): string[] {
  if (!axes.profiles?.includes('fixed') || !axes.fixes?.length) return [];
  const knobs = axes.fixes.map((f) => f.join('+')).join(', ');
  return [`--fix ${knobs} on the fixed build: no cell of its own (the fixed build has every defect corrected, so it is the fixed cell)`];
}

/** `field`, `field+D11`, `fixed-D26` (a defect put back), as short as the selection allows. */
export function describeSelection(sel: FirmwareSelection): string {
  return `${sel.profile}${(sel.fix ?? []).map((d) => `+${d}`).join('')}${(sel.defects ?? []).map((d) => `-${d}`).join('')}`;
}

function sameSelection(a: FirmwareSelection, b: FirmwareSelection): boolean {
  const set = (x: readonly string[] | undefined): string => [...(x ?? [])].sort().join(',');
  return a.profile === b.profile && set(a.fix) === set(b.fix) && set(a.defects) === set(b.defects);
}

/** A cell ran a scenario on another firmware than its own: both, as `describeSelection` writes them. */
export interface FirmwareOverride {
  /** The scenario's own (`field+D11`; the default, `field`, when the scenario names none: see `scenarioDefault`). */
  scenario: string;
  /** The scenario names no firmware: `scenario` is the default selection. */
  scenarioDefault?: true;
  /** What the cell ran. */
  cell: string;
}

/** The scenario as the cell runs it (a new object; the scenario is not changed) and the override when it differs. */
export function applyCell(scenario: Scenario, cell: Cell): { scenario: Scenario; override?: FirmwareOverride } {
  const own = scenario.meter.firmware;
  if (cell.profile === undefined && cell.fix.length === 0) return { scenario };
  const base: FirmwareSelection = cell.profile !== undefined ? { profile: cell.profile } : own;
  const fix = [...(base.fix ?? [])];
  for (const d of cell.fix) if (!fix.includes(d)) fix.push(d);
  const defects = (base.defects ?? []).filter((d) => !cell.fix.includes(d as DefectId));
  const sel: FirmwareSelection = {
    profile: base.profile,
    ...(own.mode !== undefined ? { mode: own.mode } : {}),
    ...(fix.length ? { fix } : {}),
    ...(defects.length ? { defects } : {}),
  };
  const build = resolveFirmware(sel);
  const next: Scenario = { ...scenario, meter: { ...scenario.meter, firmware: sel, build } };
  if (sameSelection(own, sel)) return { scenario: next };
  return {
    scenario: next,
    override: { scenario: describeSelection(own), cell: describeSelection(sel), ...(scenario.meter.firmwareDefault ? { scenarioDefault: true as const } : {}) },
  };
}
