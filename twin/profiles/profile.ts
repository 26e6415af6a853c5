// Firmware variants: a profile plus per-defect knobs (README.md "Firmware profiles", docs/defects.md).
import { DEFECT_IDS, isDefectId, type DefectId } from './defects.ts';

export type ProfileName = 'shipped' | 'field' | 'fixed';
export type BootMode = 'none' | 'sts' | 'opaygo-energy' | 'opaygo-time';

export const PROFILE_NAMES: readonly ProfileName[] = ['shipped', 'field', 'fixed'];
export const BOOT_MODES: readonly BootMode[] = ['none', 'sts', 'opaygo-energy', 'opaygo-time'];

/** The firmware configuration the twin runs: which defects are present and which mode it boots into. */
export interface FirmwareConfig {
  profile: ProfileName;
  /** Boot mode (`Mode_select` 0..3). `shipped` always boots `none` unless D1 is fixed. */
  mode: BootMode;
  /** Defects present in this build. */
  defects: ReadonlySet<DefectId>;
}

export interface FirmwareSelection {
  profile: ProfileName;
  mode?: BootMode;
  /** Defects to correct on top of the profile (`fix: [D11]`). */
  fix?: readonly string[];
  /** Defects to put back (meaningful on `fixed`: `defects: [D26]`). */
  defects?: readonly string[];
}

export class ProfileError extends Error {}

/** `Mode_select` value of a boot mode. */
export function modeSelect(mode: BootMode): number {
  return BOOT_MODES.indexOf(mode);
}

/**
 * Resolve a selection into the set of present defects.
 * - shipped: all 48 present, boot mode `none` (D1: Mode_select is never loaded).
 * - field: shipped with the boot mode preset and the keypad scanned in the interrupt: D1 and D5 fixed.
 * - fixed: none present.
 */
export function resolveFirmware(sel: FirmwareSelection): FirmwareConfig {
  if (!PROFILE_NAMES.includes(sel.profile)) {
    throw new ProfileError(`unknown firmware profile '${sel.profile}' (expected one of ${PROFILE_NAMES.join(', ')})`);
  }
  const present = new Set<DefectId>(sel.profile === 'fixed' ? [] : DEFECT_IDS);
  if (sel.profile === 'field') { present.delete('D1'); present.delete('D5'); }
  for (const id of sel.fix ?? []) {
    if (!isDefectId(id)) throw new ProfileError(`unknown defect knob '${id}' (expected D1..D48)`);
    present.delete(id);
  }
  for (const id of sel.defects ?? []) {
    if (!isDefectId(id)) throw new ProfileError(`unknown defect knob '${id}' (expected D1..D48)`);
    present.add(id);
  }
  if (sel.mode !== undefined && !BOOT_MODES.includes(sel.mode)) {
    throw new ProfileError(`unknown boot mode '${sel.mode}' (expected one of ${BOOT_MODES.join(', ')})`);
  }
  const defaultMode: BootMode = sel.profile === 'shipped' ? 'none' : 'sts';
  let mode = sel.mode ?? defaultMode;
  // With D1 present the firmware cannot be told its mode at boot: it always starts in mode 0.
  if (present.has('D1')) mode = 'none';
  return { profile: sel.profile, mode, defects: present };
}

export function has(cfg: FirmwareConfig, id: DefectId): boolean { return cfg.defects.has(id); }
