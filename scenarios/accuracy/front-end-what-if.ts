// `osm accuracy --schematic FILE` and `--set R12=150k`: the front end's parts (from a KiCad schematic or the built-in
// netlist, with values changed by reference designator) turned into the board-profile what-if entries the accuracy
// bench takes (`frontend.divider.rTopOhms=650000`), so calibration, Monte Carlo workers and reports see one list.
// A front end without the fixed topology has no profile: that is an error naming the part.
import { importSchematic } from '../../models/frontend/kicad/extract.ts';
import { builtInNetlist } from '../../models/frontend/circuit/netlist.ts';
import { profileOverrides } from '../../models/frontend/circuit/profile.ts';
import { withValues } from '../../models/frontend/circuit-front-end.ts';
import { WhatIfError } from './what-if.ts';

const PART_SET = /^([A-Za-z]+[0-9][A-Za-z0-9_]*)=(.+)$/;

/**
 * The `--set` entries with the schematic's and the part settings' profile differences put first (as
 * `frontend.<section>.<name>=VALUE`) and the REF=VALUE entries taken out; unchanged when there is neither.
 */
export function frontEndWhatIf(schematic: string | undefined, sets: readonly string[]): string[] {
  const parts = sets.filter((s) => PART_SET.test(s.trim()));
  const others = sets.filter((s) => !PART_SET.test(s.trim()));
  if (schematic === undefined && parts.length === 0) return [...sets];
  const values: Record<string, string> = {};
  for (const s of parts) { const m = PART_SET.exec(s.trim())!; values[m[1]] = m[2].trim(); }
  try {
    const netlist = withValues(schematic === undefined ? builtInNetlist() : importSchematic(schematic), values);
    const overrides = profileOverrides(netlist);
    return [...Object.entries(overrides).map(([k, v]) => `frontend.${k}=${v}`), ...others];
  } catch (err) {
    throw new WhatIfError(`${schematic ? `--schematic ${schematic}` : `--set ${parts.join(' ')}`}: ${(err as Error).message}`);
  }
}
