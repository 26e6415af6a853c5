// RigMeter: the meter under test when the firmware twin runs on a rig board. It is the twin's meter (the firmware
// twin, the CPU, the parts not chosen for the rig) whose board is a JohnnyFiveBoard; the parts chosen for the rig
// are the real ones, or, with the emulated board, the twin's own part models wired to the emulated board's pins.
import type { VirtualClock } from '../twin/kernel/clock.ts';
import type { TraceBus } from '../twin/kernel/trace.ts';
import type { Rng } from '../twin/kernel/rng.ts';
import type { KeyName, MeterUnderTest } from '../twin/meter.ts';
import type { AfePinPhasors } from '../models/signals.ts';
import { TwinMeter, type TwinMeterConfig } from '../twin/twin-meter.ts';
import { JohnnyFiveBoard, rigCoreParts } from './rig/j5-board.ts';
import { RigError, type RigConnection } from './rig/connection.ts';
import { wireMeterParts } from './emulator/meter-parts.ts';

export class RigMeter implements MeterUnderTest {
  /** Hook: the relay contact moved (the bench connects or disconnects the loads). */
  onRelayContact: ((closed: boolean) => void) | undefined = undefined;
  /** The firmware runs on the host: its LCD text and variables are observable as on the twin. */
  readonly kind = 'board' as const;
  readonly twin: TwinMeter;
  readonly rig: RigConnection;
  readonly #trace: TraceBus;
  readonly #clock: VirtualClock;
  /** AFE waits the board added to the firmware's timing (count and total). */
  afeWaits = 0;
  afeWaitUs = 0;
  afeWaitsIncomplete = 0;

  constructor(clock: VirtualClock, trace: TraceBus, rng: Rng, config: TwinMeterConfig, rig: RigConnection, opts: { afeWaitBoundMs?: number } = {}) {
    this.rig = rig;
    this.#trace = trace;
    this.#clock = clock;
    const emu = rig.emulator;
    const afePort = rig.wiring.afe?.port;
    this.twin = new TwinMeter(clock, trace, rng, {
      ...config,
      board: (cpu, parts, chip) => {
        if (emu && rig.parts.has('afe') && afePort !== undefined) emu.connectSerial(afePort, chip.uart);
        return new JohnnyFiveBoard(cpu, rigCoreParts(cpu, parts, rig), rig, {
          afeWaitBoundMs: opts.afeWaitBoundMs,
          afeHostPeer: emu && afePort !== undefined ? emu.serialRx(afePort) : undefined,
          onDeviation: (d) => {
            this.afeWaits++;
            this.afeWaitUs += d.waitedUs;
            if (!d.complete) this.afeWaitsIncomplete++;
            trace.emit('meter', 'deviation', { ...d, note: 'rig: AFE frame wait stretched for the link' });
          },
        });
      },
    });
    // The relay contact is in series with the plant's loads: the bench follows the contact the rig reports.
    this.twin.onRelayContact = (closed) => this.onRelayContact?.(closed);
    if (emu) {
      const t = this.twin;
      const has = (p: string): boolean => rig.parts.has(p as never);
      wireMeterParts(emu, rig.wiring, {
        relay: has('relay') ? t.relay : null,
        redLed: has('leds') ? t.redLed : null,
        greenLed: has('leds') ? t.greenLed : null,
        buzzer: has('buzzer') ? t.buzzer : null,
        keypad: has('keypad') ? t.keypad : null,
        cover: has('cover') ? t.cover : null,
        lcd: has('lcd') ? t.lcd : null,
        rtc: has('rtc') ? t.rtc : null,
        eeprom: has('eeprom') ? t.eeprom : null,
      });
    }
    rig.onFault = (message) => {
      const relay = this.lastRelayState();
      trace.emit('rig', 'fault', { message, relay });
      clock.at(clock.now(), () => { throw new RigError(`rig: ${message}; run aborted, last known relay state: ${relay}`); });
    };
  }

  get powered(): boolean { return this.twin.powered; }
  powerOn(): void { this.twin.powerOn(); }
  powerCut(): void { this.twin.powerCut(); }

  /** The relay: the model's contact (simulated or emulated relay), or what the firmware last commanded a real one. */
  lastRelayState(): 'open' | 'closed' | 'unknown' {
    if (this.rig.emulator || !this.rig.parts.has('relay')) return this.twin.relay.isClosed ? 'closed' : 'open';
    return this.rig.commandedRelay;
  }

  pressKey(key: KeyName, holdMs: number): void {
    if (this.rig.parts.has('keypad') && !this.rig.emulator) {
      throw new RigError(`the keypad is on the rig: press '${key}' on it by hand, or run with the keypad simulated`);
    }
    this.twin.pressKey(key, holdMs);
  }

  setCoverOpen(open: boolean): void {
    if (this.rig.parts.has('cover') && !this.rig.emulator) {
      throw new RigError(`the cover switch is on the rig: ${open ? 'open' : 'close'} it by hand, or run with the cover simulated`);
    }
    this.twin.setCoverOpen(open);
  }

  setPins(pins: AfePinPhasors): void { this.twin.setPins(pins); }

  observe(name: string): unknown {
    // The LCD on a board run is the text the firmware wrote (the host's HD44780, the display it means), on a real
    // board and on the emulated one alike: the glass of a real display is not read back, and it lags what the
    // firmware wrote by the link's sync (lcd-sync.ts), so observing it would make verdicts depend on the link's
    // speed rather than on the firmware. The glass is what the user looks at; on the emulated board it is the twin's
    // LCD model wired to the board's pins (its trace `lcd` events).
    if (name.startsWith('lcd') && this.rig.lcd) {
      const [a, b] = this.rig.lcd.intent.visibleLines();
      return name === 'lcd' ? `${a}\n${b}` : name === 'lcd.line0' ? a : name === 'lcd.line1' ? b : undefined;
    }
    if (!this.rig.emulator && name === 'relay' && this.rig.parts.has('relay')) return this.lastRelayState();
    // LEDs and buzzer on a real board: the twin's indicator models are driven by the firmware's writes to the rig's
    // pins (rigCoreParts), so they show the level the rig's outputs were set to (an output is not read back)
    return this.twin.observe(name);
  }

  get clock(): VirtualClock { return this.#clock; }
  get trace(): TraceBus { return this.#trace; }
}
