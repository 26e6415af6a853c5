// What-if overrides, as typed on the command line: `--set frontend.ct.ratio=2000 --set afe.IgainN=0x1000`.
//   frontend.<section>.<name>  any board-profile value (models/board-profile.ts BOARD_PARAMS; SI prefixes allowed:
//                              `33n`, `620k`); a unique parameter name alone also works (`frontend.burdenOhms`), and
//                              `frontend.ctRatio` is ct.ratio
//   afe.<Register>             a calibration register of the ATM90E26 (both CS blocks, FuncEn, SagTh), hex (0x1D39)
//                              or decimal; CS1/CS2 are recomputed unless set explicitly (to try a wrong checksum)
//   firmware.ENERGY            the firmware's ENERGY (kWh) when the test starts (float32 rounding, D16)
// Every problem is a WhatIfError naming the entry and saying what was expected.
import { BOARD_PARAMS, DEFAULT_BOARD_PROFILE, applyOverrides, paramKeys, type BoardProfile } from '../../models/board-profile.ts';
import { closest } from '../suggest.ts';
import type { FrontEndNetlist } from '../../models/frontend/circuit/netlist.ts';
import { boardForNetlist } from '../../models/frontend/circuit/profile.ts';
import type { FirmwareBillingConfig } from './firmware-billing.ts';
import { CALIBRATION_REGISTERS, FIRMWARE_REGISTERS, withChecksums, type CalibrationRegister, type ChipRegisters, type MeterUnit } from './meter-unit.ts';

export class WhatIfError extends Error {
  override readonly name = 'WhatIfError';
}

export interface WhatIf {
  /** Board overrides in applyOverrides' `section.name` form, values as typed. */
  board: Record<string, string>;
  /** Register values set explicitly. */
  registers: Partial<ChipRegisters>;
  billing: Partial<Pick<FirmwareBillingConfig, 'ENERGY'>>;
  /** The entries as typed, for reports. */
  entries: string[];
  /**
   * A front end with no board profile (`--schematic` with an added part, `--set C99=...` on a new topology): the
   * netlist the bench solves as a circuit, and how the user gave it (for reports). Null for the fixed topology.
   */
  circuit: { netlist: FrontEndNetlist; label: string; args: string[] } | null;
  /** A schematic or REF=VALUE parts that keep the built-in topology: how the user gave them (for reports). */
  frontEndSource?: string;
}

export const NAMESPACES = ['frontend', 'afe', 'firmware'] as const;

/** Aliases that read the way engineers write them (the issue text's `frontend.ctRatio`). */
const BOARD_ALIASES: Record<string, string> = { ctRatio: 'ct.ratio' };

export function emptyWhatIf(): WhatIf {
  return { board: {}, registers: {}, billing: {}, entries: [], circuit: null };
}

/** Parse `key=value` entries; later entries of the same key win. */
export function parseWhatIf(entries: readonly string[]): WhatIf {
  const out = emptyWhatIf();
  for (const raw of entries) {
    if (typeof raw !== 'string') throw new WhatIfError(`--set expects key=value text, got ${String(raw)}`);
    const eq = raw.indexOf('=');
    if (eq <= 0 || eq === raw.length - 1) {
      throw new WhatIfError(`--set '${raw}': expected key=value, e.g. frontend.ct.ratio=2000 or afe.IgainN=0x1000`);
    }
    const key = raw.slice(0, eq).trim();
    const value = raw.slice(eq + 1).trim();
    const dot = key.indexOf('.');
    const ns = dot < 0 ? key : key.slice(0, dot);
    const rest = dot < 0 ? '' : key.slice(dot + 1);
    if (!(NAMESPACES as readonly string[]).includes(ns) || rest === '') {
      throw new WhatIfError(`--set '${raw}': unknown key '${key}'; keys start with ${NAMESPACES.map((n) => `${n}.`).join(', ')} `
        + '(frontend.<section>.<name>, afe.<Register>, firmware.ENERGY)');
    }
    if (ns === 'frontend') {
      const param = boardKey(rest, raw);
      // Check the value now, so the message names the entry.
      try { applyOverrides(DEFAULT_BOARD_PROFILE, { [param]: value }); } catch (err) { throw new WhatIfError(`--set '${raw}': ${(err as Error).message}`); }
      out.board[param] = value;
    } else if (ns === 'afe') {
      const name = registerName(rest, raw);
      out.registers[name] = registerValue(value, raw);
    } else {
      if (rest !== 'ENERGY') throw new WhatIfError(`--set '${raw}': unknown firmware value '${rest}' (known: ENERGY, kWh at the start of the test)`);
      const v = Number(value);
      if (value === '' || !Number.isFinite(v) || v < 0) throw new WhatIfError(`--set '${raw}': ENERGY must be a number of kWh >= 0`);
      out.billing.ENERGY = v;
    }
    out.entries.push(raw);
  }
  return out;
}

function boardKey(rest: string, raw: string): string {
  if (BOARD_ALIASES[rest]) return BOARD_ALIASES[rest];
  const known = paramKeys();
  if (known.includes(rest)) return rest;
  if (!rest.includes('.')) {
    const hits = known.filter((k) => k.endsWith(`.${rest}`));
    if (hits.length === 1) return hits[0];
    if (hits.length > 1) throw new WhatIfError(`--set '${raw}': '${rest}' is in several sections; write one of ${hits.map((h) => `frontend.${h}`).join(', ')}`);
  }
  const near = closest(rest, known);
  throw new WhatIfError(`--set '${raw}': unknown board parameter 'frontend.${rest}'${near ? ` (did you mean 'frontend.${near}'?)` : ''}; `
    + `sections: ${Object.keys(BOARD_PARAMS).join(', ')}; parameters: ${known.join(', ')}`);
}

function registerName(rest: string, raw: string): CalibrationRegister {
  const hit = CALIBRATION_REGISTERS.find((r) => r === rest) ?? CALIBRATION_REGISTERS.find((r) => r.toLowerCase() === rest.toLowerCase());
  if (hit) return hit;
  const near = closest(rest, CALIBRATION_REGISTERS);
  throw new WhatIfError(`--set '${raw}': '${rest}' is not a calibration register of the ATM90E26${near ? ` (did you mean 'afe.${near}'?)` : ''}; `
    + `registers: ${CALIBRATION_REGISTERS.join(', ')}`);
}

function registerValue(text: string, raw: string): number {
  let v = NaN;
  if (/^0x[0-9a-f]+$/i.test(text)) v = parseInt(text.slice(2), 16);
  else if (/^\d+$/.test(text)) v = Number(text);
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) {
    throw new WhatIfError(`--set '${raw}': a register value is a 16-bit word, hex (0x1D39) or decimal (0..65535), got '${text}'`);
  }
  return v;
}

/** The board with the what-if applied (before any tolerance draw). */
export function whatIfProfile(w: WhatIf, base: BoardProfile = DEFAULT_BOARD_PROFILE): BoardProfile {
  if (w.circuit) {
    const keys = Object.keys(w.board);
    if (keys.length) {
      // (a netlist file is always solved as a circuit, even one of the built-in topology; another topology has no profile)
      throw new WhatIfError(`${keys.map((k) => `frontend.${k}`).join(', ')}: the front end (${w.circuit.label}) is solved as a circuit, `
        + 'so board-profile parameters do not apply to it; change its parts by reference (R12=150k) or edit its netlist (the CT is its ct: section)');
    }
    try { return boardForNetlist(w.circuit.netlist); } catch (err) { throw new WhatIfError(`${w.circuit.label}: ${(err as Error).message}`); }
  }
  try { return applyOverrides(base, w.board); } catch (err) { throw new WhatIfError((err as Error).message); }
}

/** The firmware's registers with the what-if applied; CS1/CS2 recomputed unless the what-if sets them. */
export function whatIfRegisters(w: WhatIf, base: ChipRegisters = FIRMWARE_REGISTERS): ChipRegisters {
  const merged: ChipRegisters = { ...base, ...w.registers };
  const sums = withChecksums(merged);
  return {
    ...sums,
    CS1: w.registers.CS1 ?? sums.CS1,
    CS2: w.registers.CS2 ?? sums.CS2,
  };
}

/** The nominal unit under the what-if. */
export function whatIfUnit(w: WhatIf): MeterUnit {
  return { profile: whatIfProfile(w), registers: whatIfRegisters(w) };
}
