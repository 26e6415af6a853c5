// The `--board` options of `osm run`, `osm diff` and `osm board`: their help and their check. Apart from the rig itself
// (hil-rig/rig-bench.ts), so that a command can read them without loading the rig's code (the Firmata emulator,
// johnny-five), which a run on the twin does not need.
import type { FirmataBoardConfig } from './emulator/firmata-board.ts';
import { DEFAULT_WIRING, PART_NAMES, type PartName } from './wiring.ts';

export type BoardKind = 'twin' | 'emulated' | 'johnny-five';

export interface BoardChoice {
  board: Exclude<BoardKind, 'twin'>;
  /** Serial port of the rig board (johnny-five). */
  port?: string;
  wiring: string;
  parts: PartName[];
  afeWaitBoundMs?: number;
  emulator?: Partial<FirmataBoardConfig>;
}

export const BOARD_OPTIONS_HELP = `  --board B         twin (default): the simulated board; emulated: the firmware twin drives an in-process
                    Firmata board (StandardFirmataPlus 2.5) through johnny-five, wired to the part models;
                    johnny-five: a real rig board on --port (always in real time: --speed is ignored)
  --port PATH       serial port of the rig board (with --board johnny-five)
  --wiring FILE     wiring map (default hil-rig/wiring/mega2560.yaml)
  --parts LIST      parts on the rig, comma-separated, from ${PART_NAMES.join(',')}
                    (default: all); the others stay simulated`;

export class BoardOptionError extends Error {}

/** Check `--board/--port/--wiring/--parts` values; null for the twin. */
export function parseBoardChoice(v: { board?: string; port?: string; wiring?: string; parts?: string }): BoardChoice | null {
  const board = v.board ?? 'twin';
  if (board !== 'twin' && board !== 'emulated' && board !== 'johnny-five') throw new BoardOptionError(`--board: expected twin, emulated or johnny-five, got '${board}'`);
  if (board === 'twin') {
    for (const k of ['port', 'wiring', 'parts'] as const) if (v[k] !== undefined) throw new BoardOptionError(`--${k} needs --board emulated or johnny-five`);
    return null;
  }
  if (board === 'johnny-five' && !v.port) throw new BoardOptionError('--board johnny-five needs --port PATH (the rig board\'s serial port)');
  if (board === 'emulated' && v.port) throw new BoardOptionError('--port is for --board johnny-five (the emulated board is in-process)');
  const parts = v.parts === undefined ? [...PART_NAMES] : v.parts.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of parts) if (!(PART_NAMES as readonly string[]).includes(p)) throw new BoardOptionError(`--parts: unknown part '${p}' (parts: ${PART_NAMES.join(', ')})`);
  if (!parts.length) throw new BoardOptionError('--parts: name at least one part');
  return { board, ...(v.port ? { port: v.port } : {}), wiring: v.wiring ?? DEFAULT_WIRING, parts: parts as PartName[] };
}
