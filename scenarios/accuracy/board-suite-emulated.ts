// The accuracy bench on the emulated board: an in-process StandardFirmataPlus board (only its AFE serial port used)
// with a fresh ATM90E26 model on its Serial1, on a virtual clock, fed by the bench's phantom load.
import { VirtualClock } from '../../twin/kernel/clock.ts';
import type { ATM90E26 } from '../../models/afe/atm90e26.ts';
import type { SimTime } from '../../models/sim-time.ts';
import { newChip, type MeterUnit } from './meter-unit.ts';
import type { SuiteSpec } from './points.ts';
import type { BenchOptions, SuiteResult } from './runner.ts';
import { RigConnection } from '../../hil-rig/rig/connection.ts';
import { DEFAULT_WIRING } from '../../hil-rig/wiring.ts';
import { AfeRegisterLink, type LinkTime } from '../../hil-rig/afe-registers.ts';
import { EmulatedSource } from './reference-source.ts';
import { runBoardSuite, type BoardAccuracyConfig, type BoardSuiteContext } from './board-suite.ts';

export interface EmulatedAccuracyRig { rig: RigConnection; chip: ATM90E26; time: LinkTime & SimTime; link: AfeRegisterLink; source: EmulatedSource }

export async function openEmulatedAccuracyRig(unit: MeterUnit, bench: BenchOptions, wiring = DEFAULT_WIRING): Promise<EmulatedAccuracyRig> {
  const rig = await RigConnection.openEmulated({ wiring, parts: ['afe'] });
  try {
    const clock = new VirtualClock();
    const chip = newChip(clock);
    const port = rig.wiring.afe!.port;
    rig.emulator!.connectSerial(port, chip.uart);
    chip.attachHost(rig.emulator!.serialRx(port));
    await rig.attach(clock);
    const time: LinkTime & SimTime = {
      now: () => clock.now(),
      at: (t, fn) => clock.at(t, fn),
      waitFor: async (cond, us) => { if (!cond()) await clock.runUntil(clock.now() + us, cond); return cond(); },
    };
    return { rig, chip, time, link: new AfeRegisterLink(rig, time), source: new EmulatedSource(chip, clock, unit, bench.noiseSeed ?? 1) };
  } catch (e) {
    await rig.close();
    throw e;
  }
}

/** The whole suite on the emulated board (what `osm accuracy --board emulated` runs). */
export async function runBoardSuiteOnEmulated(spec: SuiteSpec, bench: BenchOptions, unit: MeterUnit, config: Partial<BoardAccuracyConfig> = {},
  hooks: Pick<BoardSuiteContext, 'onPoint' | 'onWindow'> = {}): Promise<SuiteResult> {
  const r = await openEmulatedAccuracyRig(unit, bench);
  try {
    return await runBoardSuite({ link: r.link, time: r.time, source: r.source, unit, spec, bench, emulatedChip: r.chip, config, ...hooks });
  } finally {
    await r.rig.close();
  }
}
