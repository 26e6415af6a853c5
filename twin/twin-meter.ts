// TwinMeter: the simulated OpenSmartMeter as a meter under test. The physical parts that outlive a power cut (the
// EEPROM, the battery-backed RTC, the latching relay, the keypad, the cover switch) live as long as the meter; each
// power-on builds a new CPU, board, metering chip and firmware run, as a real reset does.
import { fastPathOn, type ExactSlow } from './board/fast-paths.ts';
import type { VirtualClock } from './kernel/clock.ts';
import type { TraceBus } from './kernel/trace.ts';
import type { Rng } from './kernel/rng.ts';
import type { KeyName, MeterUnderTest } from './meter.ts';
import type { FirmwareConfig } from './profiles/profile.ts';
import type { AfePinPhasors } from '../models/signals.ts';
import type { SimTime } from '../models/sim-time.ts';
import { Cpu, PowerLoss } from './board/cpu.ts';
import { SimulatedBoard, type BoardParts, type SerialName } from './board/simulated-board.ts';
import { ATM90E26, type Atm90e26Config } from '../models/afe/atm90e26.ts';
import { AT24C32 } from '../models/eeprom/at24c32.ts';
import { DS1307 } from '../models/rtc/ds1307.ts';
import { HD44780 } from '../models/lcd/hd44780.ts';
import { KeypadMatrix } from '../models/keypad/keypad-matrix.ts';
import { LatchingRelay } from '../models/relay/latching-relay.ts';
import { Indicator } from '../models/indicators/indicator.ts';
import { CoverSwitch } from '../models/indicators/cover-switch.ts';
import { OsmFirmware, type FirmwareOptions } from './firmware/firmware.ts';
import type { FirmwareState } from './firmware/state.ts';
import { OpaygoFirmware } from './firmware/opaygo/opaygo-firmware.ts';
import { observeOpaygo } from './firmware/opaygo/observe.ts';
import type { Sim800 } from '../models/modem/sim800.ts';

export interface LocalTime { year: number; month: number; day: number; hour: number; minute: number; second: number }

export interface TwinMeterConfig {
  firmware: FirmwareConfig;
  /** EEPROM contents at first power-up: `virgin` (all 0xFF), `zero`, or a 4096-byte dump. */
  eeprom: 'virgin' | 'zero' | Uint8Array;
  /** Credit stored at EEPROM address 9 (uint32 LE) at first power-up, overriding the image there. */
  credit?: number;
  /** RTC time at first power-up (local wall time). Default 2026-01-01 00:00:00. */
  clock?: LocalTime;
  rtc: 'running' | 'halted' | 'missing';
  cover: 'closed' | 'open';
  /**
   * RTC NVRAM at first power-up: `installed` (the meter was set up before: offset 4 holds a non-zero first-setup
   * timestamp, so the RTC keeps the scenario's time) or `blank` (all zero: the firmware treats the boot as its first
   * setup and sets the RTC to its compile time, docs/firmware.md §7.4). Default `installed`.
   */
  nvram?: 'installed' | 'blank';
  /**
   * Options of the firmware twin (compile time, OpenPAYGO implementation, ...). Without `opaygo` the meter runs
   * the firmware's OpenPAYGO part with its default options (twin/firmware/opaygo), so the OpenPAYGO boot modes work.
   */
  firmwareOptions?: FirmwareOptions;
  /** Contact position of the relay before the first power-up. Default open. */
  relayClosed?: boolean;
  /** Settings of the metering chip model (scale constants, fault knobs). */
  chip?: Partial<Atm90e26Config>;
  /**
   * Turn the simulation's exact shortcuts off (`osm run --exact-slow`): every LCD byte of every redraw goes over the
   * bus. The shortcuts change no observable (trace, timing, CPU time); this switch exists to prove it. A list turns
   * off only the shortcuts named (twin/board/fast-paths.ts), to measure each.
   */
  exactSlow?: ExactSlow;
  /**
   * The SIM800 on the modem UART (USART1), powered with the board. Without it the modem line goes nowhere: a mute
   * modem, every AT command times out.
   */
  modem?: Sim800;
  /**
   * Builds the board of each power cycle (default: a SimulatedBoard on these parts). The HIL rig passes its
   * johnny-five board here; the chip's replies go to `board.serialPeer('afe')` either way.
   */
  board?: (cpu: Cpu, parts: BoardParts, chip: ATM90E26) => SimulatedBoard;
  /**
   * Characters of the debug log kept for `debugLog` (the `serial` observable): the newest ones. Default: all of it
   * (a connected day prints about 2 MB). A fleet keeps a little: thousands of meters over weeks would otherwise hold
   * gigabytes of log nobody reads; the trace still carries every line.
   */
  debugLogKeep?: number;
}

const DEFAULT_CLOCK: LocalTime = { year: 2026, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
/** Debug-log lines joined into one flat piece (about 60 KiB of text: a regular heap object, not a large one). */
const DEBUG_PIECE_LINES = 4096;

export function unixOf(t: LocalTime): number {
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) / 1000;
}

interface PowerCycle { cpu: Cpu; board: SimulatedBoard; chip: ATM90E26; firmware: OsmFirmware }

export class TwinMeter implements MeterUnderTest {
  readonly kind = 'twin' as const;
  readonly clock: VirtualClock;
  readonly trace: TraceBus;
  readonly config: TwinMeterConfig;
  readonly eeprom: AT24C32;
  readonly rtc: DS1307;
  readonly relay: LatchingRelay;
  readonly keypad = new KeypadMatrix();
  readonly cover: CoverSwitch;
  readonly lcd = new HD44780();
  readonly redLed: Indicator;
  readonly greenLed: Indicator;
  readonly buzzer: Indicator;
  #rng: Rng;
  readonly #opaygo = new OpaygoFirmware();
  #pins: AfePinPhasors | null = null;
  #cycle: PowerCycle | null = null;
  #lastState: FirmwareState | null = null;
  /** The debug log so far: flat pieces of DEBUG_PIECE_LINES lines each, then the lines printed since. */
  #debugPieces: string[] = [];
  #debugLines: string[] = [];
  #lines: [string, string] = ['', ''];
  #lcdPending = false;
  /** Called at each power-on with the new metering chip (the bench attaches the waveform level here). */
  onChipPowered?: (chip: ATM90E26) => void;
  /** Called at each power cut. */
  onChipUnpowered?: () => void;
  /** Called when the relay contact completes its travel (the bench switches the loads with it). */
  onRelayContact?: (closed: boolean) => void;
  /** Telemetry the firmware published (ThingsBoard), by key. */
  readonly telemetry: Record<string, unknown> = {};

  /**
   * The time the board's parts see: the running code's time (the CPU cursor, which runs ahead of the clock inside
   * the interrupt and during main-context work), so an EEPROM written inside the interrupt is busy for its write
   * cycle of the interrupt's own time, not frozen at the interrupt's start.
   */
  readonly partsTime: SimTime;

  constructor(clock: VirtualClock, trace: TraceBus, rng: Rng, config: TwinMeterConfig) {
    this.clock = clock;
    this.trace = trace;
    this.config = config;
    this.#rng = rng;
    this.partsTime = {
      now: () => this.#cycle?.cpu.nowUs() ?? clock.now(),
      at: (t: number, fn: () => void) => clock.at(Math.max(t, clock.now()), fn),
    };
    const time = this.partsTime;
    this.eeprom = new AT24C32(time);
    if (config.eeprom === 'zero') this.eeprom.image.fill(0);
    else if (config.eeprom instanceof Uint8Array) this.eeprom.load(config.eeprom);
    if (config.credit !== undefined) {
      const c = config.credit;
      if (!Number.isInteger(c) || c < 0 || c > 0xffffffff) throw new RangeError(`credit must be a whole number 0..4294967295, got ${c}`);
      new DataView(this.eeprom.image.buffer).setUint32(9, c, true);
    }
    this.rtc = new DS1307(time, { present: config.rtc !== 'missing' });
    this.rtc.setUnixTime(unixOf(config.clock ?? DEFAULT_CLOCK));
    if (config.rtc === 'halted') this.rtc.setHalted(true);
    if ((config.nvram ?? 'installed') === 'installed') {
      // timeInitializationRtc at NVRAM offset 4: the meter was first set up a day before the scenario starts.
      new DataView(this.rtc.nvram.buffer).setUint32(4, this.rtc.unixtime() - 86400, true);
    }
    this.relay = new LatchingRelay(time, { initiallyClosed: config.relayClosed ?? false });
    this.cover = new CoverSwitch({ open: config.cover === 'open' });
    this.redLed = new Indicator(time, { name: 'red' });
    this.greenLed = new Indicator(time, { name: 'green' });
    this.buzzer = new Indicator(time, { name: 'buzzer', minToggles: 1_000_000 });
    this.relay.onChange = (closed) => {
      trace.emit('meter', 'relay', { state: closed ? 'closed' : 'open' });
      this.onRelayContact?.(closed);
    };
    this.redLed.onChange = (on) => trace.emit('meter', 'led', { name: 'red', on });
    this.greenLed.onChange = (on) => trace.emit('meter', 'led', { name: 'green', on });
    this.buzzer.onChange = (on) => trace.emit('meter', 'buzzer', { on });
    this.cover.onChange = (open) => trace.emit('meter', 'cover', { open });
    this.lcd.onChange = () => this.#lcdChanged();
  }

  get powered(): boolean { return this.#cycle !== null; }
  /** The firmware run of the present power cycle (null while unpowered). */
  get firmware(): OsmFirmware | null { return this.#cycle?.firmware ?? null; }
  get chip(): ATM90E26 | null { return this.#cycle?.chip ?? null; }
  get board(): SimulatedBoard | null { return this.#cycle?.board ?? null; }
  /** Everything the firmware printed on its debug port (Serial2) since the meter was built. */
  get debugLog(): string { return this.#debugFlat(); }

  /**
   * Appending line by line builds a rope of one node per piece (a connected day prints 200 000 lines: 6 MiB of
   * string nodes for 3 MiB of text), so lines are joined into flat pieces of DEBUG_PIECE_LINES lines. The whole
   * text is joined only when someone reads it: joining it at every piece copied the whole log each time (a
   * connected day: 50 copies of up to 3 MiB, 75 MiB of garbage in the large-object space, freed only by a full
   * collection).
   */
  #debugFlat(): string {
    if (this.#debugLines.length) this.#debugPiece();
    if (this.#debugPieces.length > 1) this.#debugPieces = [this.#debugPieces.join('')];
    return this.#debugPieces[0] ?? '';
  }

  #debugPiece(): void {
    this.#debugPieces.push(this.#debugLines.join(''));
    this.#debugLines = [];
    const keep = this.config.debugLogKeep;
    if (keep !== undefined) {
      // a fleet meter keeps only the newest `keep` characters
      const text = this.#debugPieces.length > 1 ? this.#debugPieces.join('') : this.#debugPieces[0];
      this.#debugPieces = [text.length > keep ? text.slice(text.length - keep) : text];
    }
  }

  powerOn(): void {
    if (this.#cycle) return;
    const slow = this.config.exactSlow;
    const cpu = new Cpu(this.clock, { fastPaths: fastPathOn(slow, 'parked-delay'), parkedPolls: fastPathOn(slow, 'parked-poll') });
    const chip = new ATM90E26(this.clock, this.config.chip ?? {});
    this.lcd.reset();
    const parts: BoardParts = {
      lcd: this.lcd, keypad: this.keypad, relay: this.relay, redLed: this.redLed, greenLed: this.greenLed,
      buzzer: this.buzzer, cover: this.cover, i2c: [this.eeprom, this.rtc],
      peers: { afe: chip.uart, ...(this.config.modem ? { modem: this.config.modem.uart } : {}) },
    };
    const board = this.config.board
      ? this.config.board(cpu, parts, chip)
      : new SimulatedBoard(cpu, parts, { lcdScenes: fastPathOn(slow, 'lcd-scene'), quietKeypad: fastPathOn(slow, 'quiet-keypad'), uartRuns: fastPathOn(slow, 'uart-run'), rxRuns: fastPathOn(slow, 'rx-run'), syncReads: fastPathOn(slow, 'sync-reads') });
    chip.attachHost(board.serialPeer('afe'));
    if (this.config.modem) {
      this.config.modem.attachHost(board.serialPeer('modem'));
      this.config.modem.powerOn();
    }
    if (this.#pins) chip.setPins(this.#pins);
    for (const port of ['debug', 'modem'] as SerialName[]) {
      board.serial[port].onLine = (line) => {
        if (port === 'debug' && this.#debugLines.push(line + '\n') >= DEBUG_PIECE_LINES) this.#debugPiece();
        this.trace.emit('meter', 'serial', { port, line });
      };
    }
    const options = this.config.firmwareOptions ?? {};
    const firmware = new OsmFirmware(board, this.config.firmware, { ...options, opaygo: options.opaygo ?? this.#opaygo });
    this.#cycle = { cpu, board, chip, firmware };
    this.onChipPowered?.(chip);
    this.trace.emit('meter', 'power', { on: true });
    this.clock.spawn('firmware', () => firmware.run(), (err) => err instanceof PowerLoss);
  }

  powerCut(): void {
    const c = this.#cycle;
    if (!c) return;
    this.#lastState = c.firmware.state as FirmwareState;
    c.board.powerOff();
    this.config.modem?.powerOff();
    const torn = this.eeprom.powerCut(() => this.#rng.next());
    this.lcd.reset();
    this.#cycle = null;
    this.onChipUnpowered?.();
    this.trace.emit('meter', 'power', { on: false, eepromBytesTorn: torn });
  }

  pressKey(key: KeyName, holdMs: number): void {
    this.keypad.press(key);
    this.clock.after(Math.round(holdMs * 1000), () => this.keypad.release(key));
  }

  setCoverOpen(open: boolean): void { this.cover.setOpen(open); }

  setPins(pins: AfePinPhasors): void {
    this.#pins = pins;
    this.#cycle?.chip.setPins(pins);
  }

  #lcdChanged(): void {
    // The scene is redrawn 20 times a second and passes through intermediate texts within one interrupt; publish the
    // visible text once per event turn, and only when it differs from the last published one. Comparing the display
    // memory first avoids building strings on the hot path.
    if (this.#lcdPending) return;
    this.#lcdPending = true;
    this.clock.at(this.clock.now(), this.#publishLcd);
  }

  readonly #lcdSnapshot = new Uint8Array(0x80);
  #lcdMode = '';
  readonly #publishLcd = (): void => {
    this.#lcdPending = false;
    const lcd = this.lcd;
    const mode = `${lcd.displayOn}/${lcd.displayShift}/${lcd.twoLine}`;
    const snap = this.#lcdSnapshot;
    const mem = lcd.ddram;
    let same = mode === this.#lcdMode;
    if (same) for (let i = 0; i < 0x80; i++) if (snap[i] !== mem[i]) { same = false; break; }
    if (same) return;
    snap.set(mem);
    this.#lcdMode = mode;
    const [a, b] = lcd.visibleLines();
    if (a === this.#lines[0] && b === this.#lines[1]) return;
    this.#lines = [a, b];
    this.trace.emit('meter', 'lcd', { line0: a, line1: b });
  };

  #state(): FirmwareState | null {
    return (this.#cycle?.firmware.state as FirmwareState | undefined) ?? this.#lastState;
  }

  observe(name: string): unknown {
    const st = this.#state();
    switch (name) {
      case 'relay': return this.relay.isClosed ? 'closed' : 'open';
      case 'led.red': return this.redLed.state();
      case 'led.green': return this.greenLed.state();
      case 'buzzer': return this.buzzer.isOn ? 'on' : 'off';
      case 'lcd': { const [a, b] = this.lcd.visibleLines(); return `${a}\n${b}`; }
      case 'lcd.line0': return this.lcd.visibleLines()[0];
      case 'lcd.line1': return this.lcd.visibleLines()[1];
      case 'credit': return st?.creditt;
      case 'energy': return st?.ENERGY;
      case 'voltage': return st?.mains_input_value;
      case 'current': return st?.curr;
      case 'power': return st?.true_power;
      case 'pf': return st?.powerFactor;
      case 'freq': return st?.freq;
      case 'serial': return this.#debugFlat();
      case 'telemetry': return { ...this.telemetry };
      default:
        if (name.startsWith('telemetry.')) return this.telemetry[name.slice('telemetry.'.length)];
        if (name.startsWith('opaygo.')) return st ? observeOpaygo(st, name, this.rtc.unixtime()) : undefined;
        return undefined;
    }
  }
}
