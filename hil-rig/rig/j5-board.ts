// The firmware twin's Board on a rig: a SimulatedBoard (the blue pill's core: CPU time, TIM1, the serial ports and
// parts that stay simulated) in which the parts chosen for the rig are served by the real (or emulated) board over
// johnny-five / firmata-io.
//
// Synchronous reads: the Board interface is synchronous, as the Arduino core is (digitalRead returns a level, the
// firmware's libraries call it mid-computation, often inside the timer interrupt). A Firmata read is a round trip of
// milliseconds. Suspending the firmware task at each read would need every read site of the firmware twin to be
// async (including the interrupt, which must run to completion), or a worker thread blocking on Atomics, which would
// take the run off the single virtual clock that makes it deterministic. So every read is served at once from what
// the board has reported most recently:
// - keypad rows: from the matrix the rig's keypad scanner last saw (keypad-scanner.ts), combined with the columns the
//   firmware is driving, as on the simulated board;
// - PA1 (cover): from the analog value the board reports every sampling interval (19 ms), rescaled from the rig
//   board's ADC reference to the blue pill's 3.3 V;
// - RTC and EEPROM: from local copies read at connect, every write passed through (i2c-shadow.ts);
// - AFE: bytes arrive in the RX buffer when the board's SERIAL_REPLY arrives; the firmware's fixed `delay(10)` is
//   stretched until the reply is complete (up to `afeWaitBoundMs`) and each stretch is reported as a deviation.
// Writes go out at once: relay coils, LEDs and buzzer as Firmata digital writes (only on a change of level); the LCD
// through lcd-sync.ts.
import type { Level, PinMode, PinName, SerialPort } from '../../twin/board/board.ts';
import { SimulatedBoard, cpuTime, type BoardParts } from '../../twin/board/simulated-board.ts';
import type { Cpu } from '../../twin/board/cpu.ts';
import type { UartPeer } from '../../models/uart.ts';
import { LatchingRelay } from '../../models/relay/latching-relay.ts';
import { Indicator } from '../../models/indicators/indicator.ts';
import { CoverSwitch } from '../../models/indicators/cover-switch.ts';
import { PIN_MODE } from '../firmata/protocol.ts';
import { boardSpec } from '../boards.ts';
import { PIN_SIGNALS } from '../wiring.ts';
import type { RigConnection } from './connection.ts';
import type { AfePort } from './afe-port.ts';

/** Longest the board stretches the firmware's AFE frame wait for a late reply, milliseconds, counted from when the frame has left the host (after any backlog on the link). */
export const AFE_WAIT_BOUND_MS = 50;

export interface Deviation { what: 'afe-reply-wait'; waitedUs: number; complete: boolean }

export interface JohnnyFiveBoardOptions {
  afeWaitBoundMs?: number;
  /** What `serialPeer('afe')` hands the metering chip model (the emulated board's serial RX; default: nowhere). */
  afeHostPeer?: UartPeer;
  onDeviation?: (d: Deviation) => void;
}

/** The cover divider read through the rig board's analog report. */
class ReportedCover extends CoverSwitch {
  readonly #rig: RigConnection;
  readonly #vref: number;
  constructor(rig: RigConnection) {
    super();
    this.#rig = rig;
    this.#vref = boardSpec(rig.wiring.board).adcVref;
  }
  override pinVolts(): number { return Math.max(0, this.#rig.coverRaw) / 1023 * this.#vref; }
}

/** The parts the SimulatedBoard core gets: the rig's stand-ins for the parts on the rig, the twin's models for the rest. */
export function rigCoreParts(cpu: Cpu, twin: BoardParts, rig: RigConnection): BoardParts {
  const time = cpuTime(cpu);
  const has = (p: string): boolean => rig.parts.has(p as never);
  const i2c = (twin.i2c ?? []).map((d) => (d.address === 0x50 && rig.eeprom ? rig.eeprom : d.address === 0x68 && rig.rtc ? rig.rtc : d));
  return {
    lcd: rig.lcd ? rig.lcd.intent : twin.lcd,
    keypad: rig.keypad ? rig.keypad.matrix : twin.keypad,
    // the commanded state: the real relay's contact cannot be read back
    relay: has('relay') ? new LatchingRelay(time, { operateUs: 0 }) : twin.relay,
    // LEDs and buzzer: on the emulated board the twin's models are the rig's parts (wired to its pins), so the core
    // drives stand-ins; on a real board the core drives the twin's models, which then show the level each rig
    // output was set to (what observe('led.*'), 'buzzer' and the trace report)
    redLed: has('leds') && rig.emulator ? new Indicator(time, { name: 'red' }) : twin.redLed,
    greenLed: has('leds') && rig.emulator ? new Indicator(time, { name: 'green' }) : twin.greenLed,
    buzzer: has('buzzer') && rig.emulator ? new Indicator(time, { name: 'buzzer' }) : twin.buzzer,
    cover: has('cover') ? new ReportedCover(rig) : twin.cover,
    i2c,
    peers: twin.peers,
    rand: twin.rand,
  };
}

export class JohnnyFiveBoard extends SimulatedBoard {
  readonly rig: RigConnection;
  readonly #out = new Map<PinName, number>();
  readonly #latch = new Map<number, number>();
  readonly #afe: AfePort | null;
  readonly #opts: JohnnyFiveBoardOptions;

  constructor(cpu: Cpu, parts: BoardParts, rig: RigConnection, opts: JohnnyFiveBoardOptions = {}) {
    super(cpu, parts, { fastPaths: false }); // real parts: every pin operation goes to the board
    this.rig = rig;
    this.#opts = opts;
    for (const p of Object.values(rig.wiring.pins)) {
      if (!rig.parts.has(p.part)) continue;
      if (p.part === 'relay' || p.part === 'leds' || p.part === 'buzzer') this.#out.set(PIN_SIGNALS[p.signal].meterPin, p.pin);
    }
    this.#afe = rig.afe;
    rig.partsTime = cpuTime(cpu);
    if (rig.afe) (this as unknown as { serial: { afe: SerialPort; modem: SerialPort; debug: SerialPort } }).serial = { ...this.serial, afe: rig.afe };
    rig.lcd?.start();
  }

  override serialPeer(name: 'afe' | 'modem' | 'debug'): UartPeer {
    if (name === 'afe' && this.#afe) return this.#opts.afeHostPeer ?? { receive: () => {} };
    return super.serialPeer(name);
  }

  override pinMode(pin: PinName, mode: PinMode): void {
    super.pinMode(pin, mode);
    const f = this.#out.get(pin);
    if (f === undefined) return;
    const m = mode === 'OUTPUT' ? PIN_MODE.OUTPUT : mode === 'INPUT_PULLUP' ? PIN_MODE.PULLUP : mode === 'ANALOG' ? PIN_MODE.ANALOG : PIN_MODE.INPUT;
    if (this.rig.io.pins[f].mode !== m) this.rig.io.pinMode(f, m);
  }

  override digitalWrite(pin: PinName, level: Level): void {
    super.digitalWrite(pin, level);
    const f = this.#out.get(pin);
    if (f === undefined || this.#latch.get(f) === level) return;
    this.#latch.set(f, level);
    this.rig.io.digitalWrite(f, level);
    if (level && (pin === 'PB12' || pin === 'PB4')) this.rig.commandedRelay = pin === 'PB12' ? 'closed' : 'open';
  }

  override async delay(ms: number): Promise<void> {
    await super.delay(ms);
    const afe = this.#afe;
    // The shipped driver waits a fixed delay(10) after a frame and reads without checking; a late reply would read
    // as 0xFFFF and, arriving later, shift every read after it by one frame. The fixed driver polls with delay(1) up
    // to its own 30 ms, which the link's backlog also overruns (p99 37 ms on the emulated link with the LCD synced).
    // Either wait is stretched, once per frame, until the reply is complete, up to the bound.
    if (!afe || ms < 1 || !afe.awaitingReply || this.inInterrupt) return;
    const clock = this.cpu.clock;
    const t0 = clock.now();
    // the bound runs from the moment the frame has left the host: on a shared Firmata link the frame queues behind
    // what went before it (an LCD redraw is hundreds of pin writes), which a meter's own UART never sees
    const backlog = Math.max(0, this.rig.linkBusyUntil() - t0);
    const bound = (this.#opts.afeWaitBoundMs ?? AFE_WAIT_BOUND_MS) * 1000 + backlog;
    while (afe.awaitingReply && clock.now() - t0 < bound) await super.delay(1);
    this.#opts.onDeviation?.({ what: 'afe-reply-wait', waitedUs: clock.now() - t0, complete: !afe.awaitingReply });
  }

  override powerOff(rand?: () => number): number {
    const torn = super.powerOff(rand);
    for (const [f, level] of this.#latch) if (level) this.rig.io.digitalWrite(f, 0);
    this.#latch.clear();
    this.rig.lcd?.stop();
    return torn;
  }
}
