// Building a Bench whose meter under test runs on a rig board: `osm run --board emulated|johnny-five`, `osm diff`,
// `osm board check`. Self-contained so a command only has to hand over its parsed `--board` options.
import { Bench, loadComms, type BenchConfig } from '../twin/kernel/bench.ts';
import { DEFAULT_BOARD_PROFILE } from '../models/board-profile.ts';
import { FrontEnd } from '../models/frontend/front-end.ts';
import { chipScaleFor } from '../models/afe/factory-calibration.ts';
import type { TwinMeterConfig } from '../twin/twin-meter.ts';
import type { Comms } from '../twin/comms/comms.ts';
import { RigConnection, RigError } from './rig/connection.ts';
import { RigMeter } from './rig-meter.ts';
import { BoardOptionError, type BoardChoice } from './board-options.ts';
import { rigStateNotes, type RigChipState } from './rig-state-notes.ts';
import type { AT24C32 } from '../models/eeprom/at24c32.ts';
import type { DS1307 } from '../models/rtc/ds1307.ts';

export { BOARD_OPTIONS_HELP, BoardOptionError, parseBoardChoice, type BoardChoice, type BoardKind } from './board-options.ts';

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

/** What a caller hears of a real board's own chips when the rig connects (the emulated board's are the scenario's). */
export interface RigBenchHooks {
  /** Each line of this scenario's notes (hil-rig/rig-state-notes.ts): which of its meter values the chips replace. */
  onNote?: (line: string) => void;
  /** What the chips hold, for a caller that words its own notes (a campaign's, once for all its scenarios). */
  onRigState?: (rig: RigChipState) => void;
}

/**
 * A Bench on a rig board: connect, check the wiring, build the meter, read the rig's EEPROM and RTC into their copies,
 * then move the rig onto the bench's clock. A real board runs in real time (virtual time locked to the wall clock);
 * the emulated board keeps the bench's own pace (deterministic virtual time unless the caller sets a speed).
 */
export async function createRigBench(cfg: BenchConfig, choice: BoardChoice, rig?: RigConnection, opts: RigBenchHooks = {}): Promise<RigBench> {
  if (cfg.plant.fidelity === 'waveform') throw new BoardOptionError('plant fidelity waveform runs on the twin only (the rig\'s AFE sees the phasor plant)');
  // the rig's meter takes the SIM800 when it is made, so a network's comms must be loaded before the bench
  if (cfg.network) await loadComms();
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
    // A real board's EEPROM and RTC are the meter's own: say which of the scenario's meter values they replace.
    if (!conn.emulator && (opts.onNote || opts.onRigState)) {
      const state: RigChipState = {
        parts: conn.parts,
        ...(conn.eeprom ? { eepromImage: (conn.eeprom.local as AT24C32).image } : {}),
        ...(conn.rtc ? { rtcUnixSeconds: (conn.rtc.local as DS1307).unixtime() } : {}),
      };
      opts.onRigState?.(state);
      if (opts.onNote) for (const n of rigStateNotes(cfg.meter, state)) opts.onNote(n);
    }
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

