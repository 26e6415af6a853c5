// `osm accuracy --schematic FILE` and `--set R12=150k`: the front end's parts (from a KiCad schematic or the built-in
// netlist, with values changed by reference designator). Where they keep the fixed topology they become the
// board-profile what-if entries the accuracy bench takes (`frontend.divider.rTopOhms=650000`), so calibration, Monte
// Carlo workers and reports see one list and the table is exactly the profile's. Any other topology the importer
// accepts (an added capacitor, a changed chain) comes back as the netlist itself, which the bench solves as a circuit.
import { importSchematic } from '../../models/frontend/kicad/extract.ts';
import { builtInNetlist } from '../../models/frontend/circuit/netlist.ts';
import { profileFromNetlist, profileOverrides } from '../../models/frontend/circuit/profile.ts';
import { NetlistError, parseNetlist, type FrontEndNetlist } from '../../models/frontend/circuit/netlist.ts';
import { InputFileError, readInputFile, readSchematicText } from '../../io/input-file.ts';
import { withValues } from '../../models/frontend/circuit-front-end.ts';
import { WhatIfError } from './what-if.ts';

const PART_SET = /^([A-Za-z]+[0-9][A-Za-z0-9_]*)=(.+)$/;

export interface FrontEndWhatIf {
  /** The `--set` entries, REF=VALUE ones turned into profile entries (fixed topology) or taken out (circuit). */
  sets: string[];
  /** The netlist to solve as a circuit, and how it was given, when it has no board profile. */
  circuit: { netlist: FrontEndNetlist; label: string; args: string[] } | null;
  /** How a front end that keeps the built-in topology was given (`schematic FILE R12=150k`), for reports. */
  source?: string;
}

/**
 * The `--set` entries with the schematic's and the part settings' profile differences put first (as
 * `frontend.<section>.<name>=VALUE`) and the REF=VALUE entries taken out; unchanged when there is neither. A front end
 * whose topology has no board profile comes back as `circuit` instead.
 */
export function frontEndWhatIf(schematic: string | undefined, sets: readonly string[], netlistFile?: string): FrontEndWhatIf {
  const parts = sets.filter((s) => PART_SET.test(s.trim()));
  const others = sets.filter((s) => !PART_SET.test(s.trim()));
  if (schematic !== undefined && netlistFile !== undefined) throw new WhatIfError('give --schematic or --netlist, not both');
  if (netlistFile !== undefined) return fromNetlist(readOr(netlistFile), parts, others, ['--netlist', netlistFile], `netlist ${netlistFile}`);
  if (schematic === undefined && parts.length === 0) return { sets: [...sets], circuit: null };
  const values: Record<string, string> = {};
  for (const s of parts) { const m = PART_SET.exec(s.trim())!; values[m[1]] = m[2].trim(); }
  const label = [schematic ? `schematic ${schematic}` : 'built-in board', ...parts.map((p) => p.trim())].join(' ');
  try {
    const netlist = withValues(schematic === undefined ? builtInNetlist() : importSchematic(schematic, { read: readSchematicText }), values);
    const args = [...(schematic ? ['--schematic', schematic] : []), ...parts.flatMap((p) => ['--set', p.trim()])];
    if (!profileFromNetlist(netlist).ok) return { sets: others, circuit: { netlist, label, args } };
    const overrides = profileOverrides(netlist);
    return { sets: [...Object.entries(overrides).map(([k, v]) => `frontend.${k}=${v}`), ...others], circuit: null, source: label };
  } catch (err) {
    throw new WhatIfError(`${schematic ? `--schematic ${schematic}` : `--set ${parts.join(' ')}`}: ${(err as Error).message}`);
  }
}

/** Reads a netlist file in the project's form (at most 4 MB; a directory or an unreadable file is a NetlistError). */
export function readNetlistFile(file: string): FrontEndNetlist {
  let text: string;
  try { text = readInputFile(file, 4 << 20).toString('utf8'); } catch (err) {
    if (err instanceof InputFileError) throw new NetlistError(err.message);
    throw err;
  }
  return parseNetlist(text, file);
}

function readOr(file: string): FrontEndNetlist {
  try { return readNetlistFile(file); } catch (err) { throw new WhatIfError(`--netlist ${file}: ${(err as Error).message}`); }
}

/** A netlist file always drives the bench as a circuit, whatever its topology (it is what the user handed in). */
function fromNetlist(n: FrontEndNetlist, parts: string[], others: string[], source: string[], label: string): FrontEndWhatIf {
  const values: Record<string, string> = {};
  for (const s of parts) { const m = PART_SET.exec(s.trim())!; values[m[1]] = m[2].trim(); }
  try {
    const netlist = withValues(n, values);
    return {
      sets: others,
      circuit: { netlist, label: [label, ...parts.map((p) => p.trim())].join(' '), args: [...source, ...parts.flatMap((p) => ['--set', p.trim()])] },
    };
  } catch (err) {
    throw new WhatIfError(`${label}: ${(err as Error).message}`);
  }
}
