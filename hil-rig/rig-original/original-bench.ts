// Building a Bench whose meter under test is a meter running the ORIGINAL firmware on a rig: `--target rig` (a real
// meter board, the rig board on --port, its debug port on --debug-port, the AFE responder on --afe-port) or
// `--target rig-emulated` (the same host side against emulated hardware and a twin standing in for the meter).
import { Bench, type BenchConfig } from '../../twin/kernel/bench.ts';
import type { TwinMeterConfig } from '../../twin/twin-meter.ts';
import { DEFAULT_BOARD_PROFILE } from '../../models/board-profile.ts';
import { FrontEnd } from '../../models/frontend/front-end.ts';
import { chipScaleFor } from '../../models/afe/factory-calibration.ts';
import { portOpenReason, RigError } from '../rig/connection.ts';
import { buildSketch, toolchainProblem } from '../firmware/build-sketch.ts';
import { OriginalRigLink } from './original-link.ts';
import { OriginalRigMeter } from './original-rig-meter.ts';
import { ResponderDriver, type ByteLink } from './responder-driver.ts';
import { EmulatedOriginalWorld } from './emulated-world.ts';
import { TargetOptionError, type RigTargetChoice } from './target-options.ts';

export { TARGETS, TARGET_OPTIONS_HELP, TargetOptionError, parseRigTarget, type RigTarget, type RigTargetChoice } from './target-options.ts';

/** The twin meter a scenario's meter section describes (the stand-in of rig-emulated is built from it). */
export function standInConfig(cfg: BenchConfig): TwinMeterConfig {
  return {
    firmware: cfg.meter.build,
    eeprom: cfg.meter.eepromImage ?? cfg.meter.eeprom ?? 'virgin',
    credit: cfg.meter.credit,
    clock: cfg.meter.clock,
    rtc: cfg.meter.rtc ?? 'running',
    relayClosed: cfg.meter.relay === 'closed',
    cover: cfg.meter.cover ?? 'closed',
    chip: chipScaleFor(new FrontEnd(DEFAULT_BOARD_PROFILE)),
    exactSlow: cfg.exactSlow ?? false,
  };
}

export interface OriginalRigBench extends Bench {
  readonly rigMeter: OriginalRigMeter;
  readonly link: OriginalRigLink;
  /** The emulated hardware and the stand-in twin (rig-emulated only). */
  readonly world: EmulatedOriginalWorld | null;
}

/** The responder image for rig-emulated (built from the sketch, cached), or a clear reason why not. */
export function responderImage(): Uint8Array {
  const problem = toolchainProblem();
  if (problem) throw new TargetOptionError(`--target rig-emulated runs the AFE responder's image in avr8js and cannot build it: ${problem}`);
  return buildSketch('afe-responder').image;
}

/** Refusals that hold before anything is opened. */
export function checkRigConfig(cfg: BenchConfig): void {
  if (cfg.plant.fidelity === 'waveform') throw new TargetOptionError('plant fidelity waveform runs on the twin only (the rig\'s AFE responder serves the phasor plant\'s registers)');
  if (cfg.network) throw new TargetOptionError('a scenario with a network: section runs on the twin only: the rig\'s modem line is not wired to the SIM800 model');
}

export async function createOriginalRigBench(cfg: BenchConfig, choice: RigTargetChoice): Promise<OriginalRigBench> {
  checkRigConfig(cfg);
  if (choice.target === 'rig-emulated') return emulatedBench(cfg, choice);
  return realBench(cfg, choice);
}

async function emulatedBench(cfg: BenchConfig, choice: RigTargetChoice): Promise<OriginalRigBench> {
  const image = responderImage();
  const link = await OriginalRigLink.openEmulated({ wiring: choice.wiring, emulator: choice.emulated?.board });
  try {
    let world: EmulatedOriginalWorld | null = null;
    let meter: OriginalRigMeter | null = null;
    let driver: ResponderDriver | null = null;
    const bench = new Bench({
      ...cfg,
      meterUnderTest: (clock, trace, rng) => {
        world = new EmulatedOriginalWorld(clock, rng, link.emulator!, link.wiring, image, standInConfig(cfg), choice.emulated);
        driver = new ResponderDriver(world.afePort, clock);
        meter = new OriginalRigMeter(clock, trace, link, driver, world.debugPort, {
          relayClosed: cfg.meter.relay === 'closed', cover: cfg.meter.cover ?? 'closed', chip: chipScaleFor(new FrontEnd(DEFAULT_BOARD_PROFILE)),
        });
        return meter;
      },
    });
    await link.attach(bench.clock);
    driver!.attach(bench.clock);
    meter!.initCover();
    return finish(bench, meter!, link, world, driver!);
  } catch (e) {
    await link.close();
    throw e;
  }
}

/** A serial port (serialport) as a ByteLink: the meter's debug port and the responder's USB port on a real rig. */
export async function openPort(path: string, baud: number, what: string): Promise<ByteLink & { port: unknown }> {
  const { SerialPort } = await import('serialport');
  const port = new SerialPort({ path, baudRate: baud, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(new RigError(`cannot open ${what} ${path}: ${portOpenReason(err, path)}`)) : resolve())));
  let closing = false;
  const link: ByteLink & { port: unknown } = {
    port,
    onData: undefined,
    onClose: undefined,
    write: (bytes) => { port.write(Buffer.from(bytes)); },
    close: async () => {
      closing = true;
      if (port.isOpen) await new Promise<void>((r) => port.close(() => r()));
    },
  };
  port.on('data', (d: Buffer) => link.onData?.(d));
  port.on('close', () => { if (!closing) link.onClose?.(`${path} closed`); });
  port.on('error', (e: Error) => { if (!closing) link.onClose?.(e.message); });
  return link;
}

async function realBench(cfg: BenchConfig, choice: RigTargetChoice): Promise<OriginalRigBench> {
  if (cfg.meter.eepromImage) throw new TargetOptionError('--eeprom: a real meter keeps its own EEPROM; write the dump into it with a programmer (or run on --target rig-emulated, whose stand-in loads it)');
  const link = await OriginalRigLink.openSerial({ path: choice.port!, wiring: choice.wiring });
  const opened: ByteLink[] = [];
  try {
    const debug = await openPort(choice.debugPort!, 115200, 'the meter\'s debug port');
    opened.push(debug);
    const afe = await openPort(choice.afePort!, 250000, 'the AFE responder\'s port');
    opened.push(afe);
    // opening the Mega's port resets it: its sketch announces itself (a pong) after the bootloader, about 2 s
    const driver = new ResponderDriver(afe, link.time, { overLoop: true });
    let pong = false;
    driver.onPong(() => { pong = true; });
    const t0 = Date.now();
    while (!pong && Date.now() - t0 < 4000) {
      if (Date.now() - t0 > 2500) driver.ping();
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!pong) throw new RigError(`no AFE responder on ${choice.afePort} within 4 s: flash hil-rig/firmware/afe-responder onto the Mega 2560 wired to the meter's USART3 (npm run build:responder) and check the port`);
    let meter: OriginalRigMeter | null = null;
    const bench = new Bench({
      ...cfg,
      speed: 1,
      meterUnderTest: (clock, trace) => (meter = new OriginalRigMeter(clock, trace, link, driver, debug, {
        relayClosed: cfg.meter.relay === 'closed', cover: cfg.meter.cover ?? 'closed', chip: chipScaleFor(new FrontEnd(DEFAULT_BOARD_PROFILE)),
      })),
    });
    await link.attach(bench.clock);
    driver.attach(bench.clock);
    meter!.initCover();
    return finish(bench, meter!, link, null, driver);
  } catch (e) {
    for (const l of opened) await l.close();
    await link.close();
    throw e;
  }
}

function finish(bench: Bench, meter: OriginalRigMeter, link: OriginalRigLink, world: EmulatedOriginalWorld | null, driver: ResponderDriver): OriginalRigBench {
  const close = bench.close.bind(bench);
  Object.assign(bench, {
    rigMeter: meter, link, world,
    close: async () => {
      await close();
      await driver.close();
      await meter.debugPort.close();
      world?.close();
      await link.close();
    },
  });
  return bench as OriginalRigBench;
}

