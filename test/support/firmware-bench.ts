// The firmware tests' meter: the firmware twin on the one SimulatedBoard (twin/board/) with the real part models and
// the CPU model, so a change of the board is made once. Two ways in:
// - `createBench`: the whole meter running: `setup()` then `loop()`, the ATM90E26 on the AFE UART fed by the phasor
//   plant, optionally a scripted SIM800 on the modem UART;
// - `createUnit`: the same board with a firmware context whose `setup()` has not run, for tests of one function. The
//   board is left as `setup()` leaves it: the serial ports begun at the firmware's rates, the LCD in 2-line mode.
// Both record what the firmware wrote on each serial port and the output pins' changes.
import { ATM90E26, type Atm90e26Config } from '../../models/afe/atm90e26.ts';
import { Plant } from '../../models/plant.ts';
import type { LoadSpec } from '../../twin/kernel/stimuli.ts';
import type { Level, PinName } from '../../twin/board/board.ts';
import { PINS } from '../../twin/board/board.ts';
import { Cpu, PowerLoss } from '../../twin/board/cpu.ts';
import { createSimulatedBoard, type SerialName, type SimulatedBoard } from '../../twin/board/simulated-board.ts';
import { VirtualClock } from '../../twin/kernel/clock.ts';
import type { BootMode, FirmwareSelection } from '../../twin/profiles/profile.ts';
import { resolveFirmware } from '../../twin/profiles/profile.ts';
import { OsmFirmware, createFirmwareContext } from '../../twin/firmware/firmware.ts';
import type { FirmwareOptions } from '../../twin/firmware/firmware-context.ts';
import { DateTime } from '../../twin/firmware/lib/rtclib.ts';
import { ScriptedSim800, type ScriptedSim800Options } from './scripted-sim800.ts';
import { eepromCells, setEepromCells, settleEeprom } from './i2c-parts.ts';

export { ScriptedSim800, type ScriptedSim800Options } from './scripted-sim800.ts';

const KEYPAD_PINS: ReadonlySet<PinName> = new Set<PinName>([...PINS.keypadRows, ...PINS.keypadCols]);
const SERIAL_NAMES: readonly SerialName[] = ['afe', 'modem', 'debug'];

/** A change of an output pin's driven level (keypad columns left out), at the running code's time. */
export interface PinEvent { tUs: number; pin: PinName; level: Level }

export interface MeterOptions {
  profile?: FirmwareSelection['profile'];
  mode?: BootMode;
  fix?: string[];
  defects?: string[];
  options?: FirmwareOptions;
  /** EEPROM credit at address 9 (uint32); default: virgin EEPROM (all 0xFF). */
  credit?: number;
  /** RTC time at start, default 2026-03-01T08:00:00. */
  clock?: DateTime;
  /** NVRAM offset 4 preset (non-zero = not the first setup). */
  nvramInit?: number;
  /** Terminal cover open at power-on (PA1 then reads about 0). */
  coverOpen?: boolean;
  rtcPresent?: boolean;
  eepromPresent?: boolean;
  /** A SIM800 that answers on the modem UART (default: no modem at all, every AT command times out). */
  modem?: ScriptedSim800Options;
}

/** The ATM90E26 model on the AFE UART, its pins fed by the phasor plant. */
export interface ChipOptions {
  afe?: Partial<Atm90e26Config>;
  grid?: { vrms?: number; hz?: number };
  loads?: LoadSpec[];
}

export interface BenchOptions extends MeterOptions, ChipOptions {}

export interface UnitOptions extends MeterOptions {
  /** Wire the ATM90E26 model to the AFE UART (default: nothing answers there). */
  chip?: ChipOptions;
}

/** The chip and the plant that feeds its pins (grid 240 V 50 Hz, no load unless told). */
function chipAtPins(clock: VirtualClock, o: ChipOptions): { chip: ATM90E26; plant: Plant } {
  const chip = new ATM90E26(clock, o.afe ?? {});
  const plant = new Plant({ grid: { vrms: o.grid?.vrms ?? 240, hz: o.grid?.hz ?? 50 }, loads: o.loads ?? [] });
  chip.setPins(plant.pinPhasors());
  plant.onChange = (p) => chip.setPins(p.pinPhasors());
  return { chip, plant };
}

/** The board and its parts, the records every test reads, and the helpers shared by benches and units. */
function meter(o: MeterOptions, clock: VirtualClock, chip: ATM90E26 | null) {
  const cpu = new Cpu(clock);
  const sim = o.modem ? new ScriptedSim800(clock, o.modem) : null;
  const board: SimulatedBoard = createSimulatedBoard(cpu, {
    eeprom: { present: o.eepromPresent ?? true },
    rtc: { present: o.rtcPresent ?? true, unixTime: (o.clock ?? new DateTime(2026, 3, 1, 8, 0, 0)).unixtime() },
    cover: { open: o.coverOpen ?? false },
    peers: { ...(chip ? { afe: chip.uart } : {}), ...(sim ? { modem: sim.uart } : {}) },
  });
  chip?.attachHost(board.serialPeer('afe'));
  sim?.attachHost(board.serialPeer('modem'));
  const parts = board.parts;
  const eeprom = parts.eeprom!;
  const rtc = parts.rtc!;
  if (o.credit !== undefined) new DataView(eeprom.image.buffer).setUint32(9, o.credit >>> 0, true);
  if (o.nvramInit !== undefined) new DataView(rtc.nvram.buffer).setUint32(4, o.nvramInit >>> 0, true);

  let eepromWrites = 0;
  board.wire.onTransfer = (address, read, bytes, result) => {
    // A page write the EEPROM acknowledged: more than its two address bytes.
    if (address === eeprom.address && !read && result === 0 && bytes.length > 2) eepromWrites++;
  };
  const pinLog: PinEvent[] = [];
  const pins = new Map<PinName, Level>();
  board.onPinChange = (pin, level, tUs) => {
    pins.set(pin, level);
    if (!KEYPAD_PINS.has(pin)) pinLog.push({ tUs, pin, level });
  };
  const config = resolveFirmware({ profile: o.profile ?? 'field', mode: o.mode, fix: o.fix, defects: o.defects });

  return {
    clock, cpu, board, parts, eeprom, rtc, sim, pinLog, config,
    relay: parts.relay, cover: parts.cover, lcd: parts.lcd, keypad: parts.keypad,
    redLed: parts.redLed, greenLed: parts.greenLed, buzzer: parts.buzzer,
    /** Page writes the EEPROM acknowledged since power-on. */
    get eepromWrites() { return eepromWrites; },
    line(row: 0 | 1): string { return parts.lcd.visibleLines()[row]; },
    /** EEPROM cells as programmed (a page write is programmed at the end of its write cycle). */
    eepromBytes(addr: number, n: number): number[] { return eepromCells(eeprom, addr, n); },
    /** Change EEPROM cells behind the firmware's back (what a power cut or a programmer leaves). */
    setEepromBytes(addr: number, bytes: ArrayLike<number>): void { setEepromCells(eeprom, addr, bytes); },
    eepromLong(addr: number): number { settleEeprom(eeprom); return new DataView(eeprom.image.buffer).getUint32(addr, true); },
    setEepromLong(addr: number, v: number): void { settleEeprom(eeprom); new DataView(eeprom.image.buffer).setUint32(addr, v >>> 0, true); },
    /** The level an output pin drives now (an input or a pin never driven: LOW). */
    pinLevel(pin: PinName): Level { return pins.get(pin) ?? 0; },
    /** Times (ms) at which an output pin went HIGH. */
    risingEdges(pin: PinName): number[] {
      return pinLog.filter((e) => e.pin === pin && e.level === 1).map((e) => e.tUs / 1000);
    },
    /** Type keys one after another (each held `holdMs`, then `gapMs` of rest), running the clock. */
    async type(keys: string, holdMs = 100, gapMs = 150): Promise<void> {
      for (const k of keys) {
        parts.keypad.press(k);
        await clock.runFor(holdMs * 1000);
        parts.keypad.release(k);
        await clock.runFor(gapMs * 1000);
      }
    },
    /** Run the simulation until `tMs` (absolute, ms of virtual time). */
    async runUntilMs(tMs: number): Promise<void> { await clock.runUntil(Math.round(tMs * 1000)); },
    async runForMs(ms: number): Promise<void> { await clock.runFor(Math.round(ms * 1000)); },
  };
}

/** What the firmware sent on each port: as bytes left the pin (`wire`) or as the code wrote them (`written`). */
function serialText(board: SimulatedBoard, when: 'wire' | 'written'): Record<SerialName, { readonly text: string }> {
  const text: Record<SerialName, string> = { afe: '', modem: '', debug: '' };
  for (const name of SERIAL_NAMES) {
    const add = (b: number): void => { text[name] += String.fromCharCode(b); };
    if (when === 'wire') board.serial[name].onTransmit = add;
    else board.serial[name].onWrite = add;
  }
  return {
    afe: { get text() { return text.afe; } },
    modem: { get text() { return text.modem; } },
    debug: { get text() { return text.debug; } },
  };
}

/**
 * The whole meter: the firmware running on the board from power-on, the ATM90E26 on the AFE UART fed by the phasor
 * plant (grid 240 V 50 Hz, no load unless told).
 */
export function createBench(o: BenchOptions = {}) {
  const clock = new VirtualClock();
  const { chip, plant } = chipAtPins(clock, o);
  const m = meter(o, clock, chip);
  const uarts = serialText(m.board, 'wire');
  const firmware = new OsmFirmware(m.board, m.config, o.options ?? {});
  let failure: unknown = null;
  const started = m.clock.spawn('firmware', () => firmware.run(), (e) => e instanceof PowerLoss);
  started.catch((e: unknown) => { failure = e; });
  return Object.assign(m, {
    chip, plant, firmware, uarts,
    get failure() { return failure; },
  });
}

export type Bench = ReturnType<typeof createBench>;

/**
 * A firmware context on the board without running `setup()`: for tests of one function. The serial ports are begun
 * as `setup()` leaves them (debug 115200, modem and AFE 9600 baud), the buzzer, relay and LED pins outputs (LOW), the LCD
 * initialised to 2 lines; nothing answers on
 * the AFE UART unless `chip` is given or a test wires a peer there.
 */
export function createUnit(o: UnitOptions = {}) {
  const clock = new VirtualClock();
  const wired = o.chip ? chipAtPins(clock, o.chip) : null;
  const m = meter(o, clock, wired?.chip ?? null);
  const uarts = serialText(m.board, 'written');
  const { serial } = m.board;
  serial.debug.begin(115200);
  serial.modem.begin(9600);
  serial.afe.begin(9600);
  for (const pin of [PINS.buzzer, PINS.relayA, PINS.relayB, PINS.redLed, PINS.greenLed]) m.board.pinMode(pin, 'OUTPUT');
  m.pinLog.length = 0;
  const fw = createFirmwareContext(m.board, m.config, o.options ?? {});
  fw.lcd.begin(16, 2);
  return Object.assign(m, {
    fw, s: fw.state, uarts, chip: wired?.chip ?? null, plant: wired?.plant ?? null,
    /**
     * PA1 reads `raw` ADC counts: 0 with the cover open; otherwise the cover closed on a 12 V rail that sags to give
     * that reading (167 on the nominal 12 V: cover closed, btt ≈ 12.2; ≤ 27 reads as cover open).
     */
    setPa1(raw: number): void {
      const cover = m.parts.cover;
      if (raw === 0) { cover.setOpen(true); return; }
      cover.setOpen(false);
      const { seriesOhms, pullDownOhms, vrefVolts } = cover.config;
      const pinVolts = ((raw * 4 + 2) / 4096) * vrefVolts; // the middle of the 12-bit codes that give `raw`
      cover.railVolts = (pinVolts * (seriesOhms + pullDownOhms)) / pullDownOhms;
      if (cover.adcRaw() !== raw) throw new Error(`PA1 cannot read ${raw} counts`);
    },
  });
}

export type Unit = ReturnType<typeof createUnit>;
