// `--target rig-emulated`: the hardware of a rig for the original firmware, emulated, so the whole rig path runs in CI.
// The host side (OriginalRigMeter: johnny-five, firmata-io, the responder driver, the debug-port parser) is the same
// as with hardware; what it talks to is:
// - the rig board: the emulated StandardFirmataPlus Mega 2560 (hil-rig/emulator), its pins wired as the rig's map says;
// - the meter: a TWIN STANDING IN FOR THE REAL METER at pin level, a TwinMeter on a SimulatedBoard running the
//   firmware twin: its keypad matrix sees the CD4066 switches the key outputs close, its relay coil pins and LED and
//   buzzer pins are read by the rig's inputs (through the buffer: the meter's 3.3 V HIGH reads HIGH, an unpowered
//   meter LOW), its PA1 sees the cover divider, its supply follows the power output, its USART3 (AFE, 9600) is wired to
//   the emulated responder's Serial1 and its USART2 (debug, 115200) to a USB serial adapter whose bytes reach the
//   host's parser `adapterLatencyUs` after their stop bit;
// - the AFE responder: the sketch's image in avr8js (emulated-responder.ts), its USB port the host's --afe-port.
// The stand-in has no metering chip of its own on the line: it measures only what the responder serves.
import type { VirtualClock } from '../../twin/kernel/clock.ts';
import { TraceBus } from '../../twin/kernel/trace.ts';
import type { Rng } from '../../twin/kernel/rng.ts';
import { TwinMeter, type TwinMeterConfig } from '../../twin/twin-meter.ts';
import { SimulatedBoard } from '../../twin/board/simulated-board.ts';
import type { PinName } from '../../twin/board/board.ts';
import { KEY_NAMES, type KeyName } from '../../twin/meter.ts';
import type { UartPeer } from '../../models/uart.ts';
import type { FirmataBoard } from '../emulator/firmata-board.ts';
import { Cd4066 } from './cd4066.ts';
import { EmulatedResponder, type EmulatedResponderConfig } from './emulated-responder.ts';
import type { ByteLink } from './responder-driver.ts';
import { INPUT_SIGNALS, KEY_SIGNALS, type InputSignal, type OriginalWiringMap } from './original-wiring.ts';

export interface EmulatedWorldConfig {
  /** USB serial adapter on the debug port: time from a byte's stop bit to the host's read, microseconds. */
  adapterLatencyUs: number;
  /** The rig's cover divider: the rig output's HIGH, volts, and the series resistor to J16, ohms. */
  coverDriveVolts: number;
  coverSeriesOhms: number;
  responder: Partial<EmulatedResponderConfig>;
}

export const EMULATED_WORLD_DEFAULTS: EmulatedWorldConfig = { adapterLatencyUs: 1000, coverDriveVolts: 5, coverSeriesOhms: 3900, responder: {} };

/** A byte link delivered in-process on the clock (the emulated ports' host ends). */
class InProcessLink implements ByteLink {
  onData: ((bytes: Uint8Array) => void) | undefined = undefined;
  onClose: ((why: string) => void) | undefined = undefined;
  open = true;
  constructor(private readonly sink: (bytes: Uint8Array) => void) {}
  write(bytes: Uint8Array): void { if (!this.open) throw new Error('the port is closed'); this.sink(bytes); }
  deliver(bytes: Uint8Array): void { if (this.open) this.onData?.(bytes); }
  /** The cable is pulled. */
  unplug(why = 'unplugged'): void { if (!this.open) return; this.open = false; this.onClose?.(why); }
  async close(): Promise<void> { this.open = false; }
}

export class EmulatedOriginalWorld {
  readonly standIn: TwinMeter;
  readonly responder: EmulatedResponder;
  readonly switches: Cd4066[] = [new Cd4066(), new Cd4066(), new Cd4066(), new Cd4066()];
  readonly afePort: InProcessLink;
  readonly debugPort: InProcessLink;
  readonly config: EmulatedWorldConfig;
  /** The levels the stand-in drives on the pins the rig reads. */
  readonly #meterPins = new Map<PinName, 0 | 1>();
  readonly #board: FirmataBoard;
  readonly #clock: VirtualClock;

  constructor(clock: VirtualClock, rng: Rng, board: FirmataBoard, map: OriginalWiringMap, image: Uint8Array, meter: TwinMeterConfig, config: Partial<EmulatedWorldConfig> = {}) {
    this.config = { ...EMULATED_WORLD_DEFAULTS, ...config };
    this.#board = board;
    this.#clock = clock;
    this.responder = new EmulatedResponder(image, clock, this.config.responder);
    this.afePort = new InProcessLink((bytes) => this.responder.hostWrite(bytes));
    this.responder.onHostBytes = (bytes) => this.afePort.deliver(bytes);
    this.debugPort = new InProcessLink(() => { throw new Error('the debug port is read-only here'); });
    const adapter: UartPeer = {
      receive: (byte) => {
        const b = Uint8Array.of(byte);
        clock.after(this.config.adapterLatencyUs, () => this.debugPort.deliver(b));
      },
    };
    // the stand-in's own trace stays private: the bench's trace holds what the rig observes
    const standInTrace = new TraceBus(() => clock.now());
    this.standIn = new TwinMeter(clock, standInTrace, rng, {
      ...meter,
      board: (cpu, parts) => {
        const b = new SimulatedBoard(cpu, { ...parts, peers: { ...parts.peers, afe: this.responder.meterPeer, debug: adapter } }, { fastPaths: !meter.exactSlow });
        this.responder.meterRx = b.serialPeer('afe');
        return b;
      },
    });
    const s = this.standIn;
    // the stand-in's relay coil drive pins and indicator pins, as the rig's buffer sees them
    const relayDrive = s.relay.drive.bind(s.relay);
    s.relay.drive = (set: boolean, reset: boolean): void => {
      relayDrive(set, reset);
      const t = s.partsTime.now();
      this.#meterPin(INPUT_SIGNALS.relay_coil_a, set ? 1 : 0, t);
      this.#meterPin(INPUT_SIGNALS.relay_coil_b, reset ? 1 : 0, t);
    };
    s.redLed.onChange = (on, t) => this.#meterPin(INPUT_SIGNALS.red_led, on ? 1 : 0, t);
    s.greenLed.onChange = (on, t) => this.#meterPin(INPUT_SIGNALS.green_led, on ? 1 : 0, t);
    s.buzzer.onChange = (on, t) => this.#meterPin(INPUT_SIGNALS.buzzer, on ? 1 : 0, t);
    // the cover divider into J16: HIGH gives PA1 the closed cover's level (the meter's 470 ohm pull-down below it)
    const pullDown = s.cover.config.pullDownOhms;
    const pa1Closed = (this.config.coverDriveVolts * pullDown) / (this.config.coverSeriesOhms + pullDown);
    s.cover.railVolts = (pa1Closed * (s.cover.config.seriesOhms + pullDown)) / pullDown; // the same PA1 volts through the switch model
    // key index k of KEY_NAMES (row-major) sits on switch k >> 2, channel k & 3
    this.switches.forEach((sw, i) => {
      sw.onSwitch = (ch, closed) => {
        const key = KEY_NAMES[i * 4 + ch];
        if (closed) s.keypad.press(key); else s.keypad.release(key);
      };
    });
    const byPin = new Map<number, string>();
    for (const p of Object.values(map.pins)) byPin.set(p.pin, p.signal);
    const keyOf = new Map<string, KeyName>(Object.entries(KEY_SIGNALS).map(([k, sig]) => [sig, k as KeyName]));
    const inputPin = new Map<number, PinName>();
    for (const [sig, meterPin] of Object.entries(INPUT_SIGNALS)) inputPin.set(map.pins[sig].pin, meterPin);
    board.world = {
      drive: (pin, level) => {
        const signal = byPin.get(pin);
        if (!signal) return;
        const key = keyOf.get(signal);
        if (key !== undefined) {
          const k = KEY_NAMES.indexOf(key);
          this.switches[k >> 2].control(k & 3, level);
        } else if (signal === 'cover') {
          s.setCoverOpen(level !== 1);
        } else if (signal === 'meter_power') {
          if (level === 1) s.powerOn(); else s.powerCut();
        }
      },
      level: (pin) => {
        const meterPin = inputPin.get(pin);
        return meterPin === undefined ? undefined : (this.#meterPins.get(meterPin) ?? 0);
      },
    };
  }

  /** A meter pin changes level at `tUs`: the firmware's code runs ahead of the clock inside the interrupt and its
   * main-context work (a 20 ms beep inside one tick is on and off again before the clock moves), so the level the rig
   * sees changes when the code changed it, not when the clock catches up. */
  #meterPin(pin: PinName, level: 0 | 1, tUs: number): void {
    const apply = (): void => {
      if ((this.#meterPins.get(pin) ?? 0) === level) return;
      this.#meterPins.set(pin, level);
      this.#board.wake();
    };
    if (tUs > this.#clock.now()) this.#clock.at(tUs, apply); else apply();
  }

  /** The level the stand-in drives on a rig input's meter pin. */
  meterPinLevel(signal: InputSignal): 0 | 1 { return this.#meterPins.get(INPUT_SIGNALS[signal]) ?? 0; }

  /** The stand-in resets by itself (a brown-out, a watchdog): for the fault tests. */
  resetMeter(): void {
    if (!this.standIn.powered) return;
    this.standIn.powerCut();
    this.#clock.after(1000, () => this.standIn.powerOn());
  }

  /** Stop everything (the run is over). */
  close(): void {
    if (this.standIn.powered) this.standIn.powerCut();
    this.responder.freeze();
    this.afePort.open = false;
    this.debugPort.open = false;
  }
}
