// Building a Bench whose meter under test runs on a rig board: `osm run --board emulated|johnny-five`, `osm diff`,
// `osm board check`. Self-contained so a command only has to hand over its parsed `--board` options.
import { Bench, type BenchConfig } from '../twin/kernel/bench.ts';
import { DEFAULT_BOARD_PROFILE } from '../models/board-profile.ts';
import { FrontEnd } from '../models/frontend/front-end.ts';
import { chipScaleFor } from '../models/afe/factory-calibration.ts';
import type { TwinMeterConfig } from '../twin/twin-meter.ts';
import type { Comms } from '../twin/comms/comms.ts';
import { RigConnection, RigError } from './rig/connection.ts';
import { RigMeter } from './rig-meter.ts';
import { DEFAULT_WIRING, PART_NAMES, type PartName } from './wiring.ts';
import type { FirmataBoardConfig } from './emulator/firmata-board.ts';

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

/** Open the rig link of a choice (the handshake and the wiring check happen here). */
export async function openRig(choice: BoardChoice): Promise<RigConnection> {
  const base = { wiring: choice.wiring, parts: choice.parts };
  return choice.board === 'emulated'
    ? RigConnection.openEmulated({ ...base, emulator: choice.emulator })
    : RigConnection.openSerial({ ...base, path: choice.port! });
}

/** The twin meter configuration a Bench builds from a scenario's meter section (as twin/kernel/bench.ts does). */
export function twinMeterConfig(cfg: BenchConfig, comms: Comms | null = null): TwinMeterConfig {
  return {
    firmware: cfg.meter.build,
    eeprom: cfg.meter.eepromImage ?? cfg.meter.eeprom ?? 'virgin',
    credit: cfg.meter.credit,
    clock: cfg.meter.clock,
    rtc: cfg.meter.rtc ?? 'running',
    relayClosed: cfg.meter.relay === 'closed',
    cover: cfg.meter.cover ?? 'closed',
    chip: chipScaleFor(new FrontEnd(DEFAULT_BOARD_PROFILE)),
    ...(comms ? { modem: comms.modem } : {}),
  };
}

export interface RigBench extends Bench { readonly rigMeter: RigMeter; readonly rig: RigConnection }

/**
 * A Bench on a rig board: connect, check the wiring, build the meter, read the rig's EEPROM and RTC into their copies,
 * then move the rig onto the bench's clock. A real board runs in real time (virtual time locked to the wall clock);
 * the emulated board keeps the bench's own pace (deterministic virtual time unless the caller sets a speed).
 */
export async function createRigBench(cfg: BenchConfig, choice: BoardChoice, rig?: RigConnection): Promise<RigBench> {
  if (cfg.plant.fidelity === 'waveform') throw new BoardOptionError('plant fidelity waveform runs on the twin only (the rig\'s AFE sees the phasor plant)');
  const conn = rig ?? await openRig(choice);
  try {
    let meter: RigMeter | null = null;
    const bench = new Bench({
      ...cfg,
      speed: choice.board === 'johnny-five' ? 1 : cfg.speed,
      meterUnderTest: (clock, trace, rng, comms) => {
        meter = new RigMeter(clock, trace, rng, twinMeterConfig(cfg, comms), conn, { afeWaitBoundMs: choice.afeWaitBoundMs });
        if (comms) { const t = meter.twin; comms.onTelemetry = (values) => Object.assign(t.telemetry, values); }
        return meter;
      },
    });
    await conn.loadI2cCopies();
    if (conn.parts.has('cover') && !(await conn.waitFor(() => conn.coverRaw >= 0, 1_000_000))) {
      throw new RigError('cover: the rig board sends no analog report for the cover pin');
    }
    await conn.attach(bench.clock);
    const close = bench.close.bind(bench);
    Object.assign(bench, {
      rigMeter: meter!,
      rig: conn,
      close: async () => { await close(); await conn.close(); },
    });
    return bench as RigBench;
  } catch (e) {
    await conn.close();
    throw e;
  }
}

/**
 * For `osm run`: the bench maker of a `--board` choice (null: keep the command's own). Connection and wiring
 * problems become `asUsage` errors (one line, exit 2).
 */
export function rigBenchMaker(
  values: { board?: string; port?: string; wiring?: string; parts?: string },
  asUsage: (message: string) => Error,
): ((cfg: BenchConfig) => Promise<RigBench>) | null {
  let choice: BoardChoice | null;
  try { choice = parseBoardChoice(values); } catch (e) { throw asUsage((e as Error).message); }
  if (!choice) return null;
  const c = choice;
  return async (cfg) => {
    try { return await createRigBench(cfg, c); } catch (e) {
      if (e instanceof RigError || e instanceof BoardOptionError || (e as Error).name === 'WiringError') throw asUsage((e as Error).message);
      throw e;
    }
  };
}
