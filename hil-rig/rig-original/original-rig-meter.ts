// The meter under test when the ORIGINAL firmware runs on a real meter board (or, in CI, the twin standing in for it
// at pin level): `osm run --target rig | rig-emulated`. The host sees the meter only as a rig does:
// - keys: one rig output per key closes an analog switch across the key (held for the press's duration);
// - relay: the coil drive pins are rig inputs; a relay model fed by them gives the contact (and the bench switches the
//   plant's loads with it); LEDs and buzzer are rig inputs;
// - cover: a rig output through a divider to PA1; power: a rig output switching the meter's supply;
// - debug port: read directly (USB serial adapter), parsed into lines and readings (debug-port.ts);
// - the metering chip: an ATM90E26 model fed by the plant, whose registers the AFE responder serves the meter
//   (responder-driver.ts).
// What it cannot see (LCD, EEPROM, firmware variables) stays unobserved; the credit and readings the firmware prints
// after each web poll are kept as `rig.readings` (and traced), not offered as the twin's live variables.
// Faults (a port lost, the responder or the rig board silent, the meter resetting by itself) abort the run at once with
// the message and the last known relay state; the trace up to then is kept.
import type { VirtualClock } from '../../twin/kernel/clock.ts';
import type { TraceBus } from '../../twin/kernel/trace.ts';
import type { KeyName, MeterUnderTest } from '../../twin/meter.ts';
import type { AfePinPhasors } from '../../models/signals.ts';
import { ATM90E26, type Atm90e26Config } from '../../models/afe/atm90e26.ts';
import { LatchingRelay } from '../../models/relay/latching-relay.ts';
import { Indicator } from '../../models/indicators/indicator.ts';
import { RigError } from '../rig/connection.ts';
import type { OriginalRigLink } from './original-link.ts';
import type { ResponderDriver, ByteLink } from './responder-driver.ts';
import { BOOT_LINE, DebugPortReader, type DebugReadings } from './debug-port.ts';
import { KEY_SIGNALS } from './original-wiring.ts';

export interface OriginalRigMeterConfig {
  /** Relay contact position assumed before the first coil pulse is seen (default open). */
  relayClosed?: boolean;
  /** Cover position at the start (default closed). */
  cover?: 'open' | 'closed';
  /** Settings of the ATM90E26 model behind the responder (scale constants of the board). */
  chip?: Partial<Atm90e26Config>;
}

export class OriginalRigMeter implements MeterUnderTest {
  readonly kind = 'rig' as const;
  onRelayContact: ((closed: boolean) => void) | undefined = undefined;
  readonly relay: LatchingRelay;
  readonly redLed: Indicator;
  readonly greenLed: Indicator;
  readonly buzzer: Indicator;
  readonly debug = new DebugPortReader();
  readonly link: OriginalRigLink;
  readonly afe: ResponderDriver;
  readonly debugPort: ByteLink;
  /** The chip model of the present power cycle (null while the meter is unpowered). */
  chip: ATM90E26 | null = null;
  #clock: VirtualClock;
  #trace: TraceBus;
  #config: OriginalRigMeterConfig;
  #pins: AfePinPhasors | null = null;
  #powered = false;
  #expectBoot = false;
  #fault: string | null = null;
  /** Keys held now, with their release events (a new press of a held key extends it). */
  #held = new Map<KeyName, { cancel(): void }>();

  constructor(clock: VirtualClock, trace: TraceBus, link: OriginalRigLink, afe: ResponderDriver, debugPort: ByteLink, config: OriginalRigMeterConfig = {}) {
    this.#clock = clock;
    this.#trace = trace;
    this.#config = config;
    this.link = link;
    this.afe = afe;
    this.debugPort = debugPort;
    this.relay = new LatchingRelay(clock, { initiallyClosed: config.relayClosed ?? false });
    this.redLed = new Indicator(clock, { name: 'red' });
    this.greenLed = new Indicator(clock, { name: 'green' });
    this.buzzer = new Indicator(clock, { name: 'buzzer', minToggles: 1_000_000 });
    this.relay.onChange = (closed) => {
      trace.emit('meter', 'relay', { state: closed ? 'closed' : 'open' });
      this.onRelayContact?.(closed);
    };
    this.redLed.onChange = (on) => trace.emit('meter', 'led', { name: 'red', on });
    this.greenLed.onChange = (on) => trace.emit('meter', 'led', { name: 'green', on });
    this.buzzer.onChange = (on) => trace.emit('meter', 'buzzer', { on });
    link.onInput = (signal, level) => {
      const on = level === 1;
      switch (signal) {
        case 'relay_coil_a': case 'relay_coil_b':
          this.relay.drive(link.inputs.get('relay_coil_a') === 1, link.inputs.get('relay_coil_b') === 1);
          break;
        case 'red_led': this.redLed.set(on); break;
        case 'green_led': this.greenLed.set(on); break;
        case 'buzzer': this.buzzer.set(on); break;
      }
    };
    this.debug.onLine = (line) => {
      trace.emit('meter', 'serial', { port: 'debug', line });
      if (line === BOOT_LINE) {
        if (this.#expectBoot) this.#expectBoot = false;
        else if (this.#powered) this.#failed(`the meter reset by itself (its firmware started again: "${BOOT_LINE.trim()}" on the debug port)`);
      }
    };
    this.debug.onReadings = (r) => trace.emit('rig', 'readings', { ...r });
    debugPort.onData = (bytes) => this.debug.push(bytes, clock.now());
    debugPort.onClose = (why) => this.#failed(`the meter's debug port closed (${why})`);
    link.onFault = (m) => this.#failed(m);
    afe.onFault = (m) => this.#failed(m);
    afe.onReport = (r) => {
      if (r.type === 'badChecksum' || r.type === 'timeout' || r.type === 'badHostFrame') trace.emit('rig', 'afe', { ...r });
    };
  }

  get powered(): boolean { return this.#powered; }
  get fault(): string | null { return this.#fault; }
  /** The last readings block the firmware printed on its debug port. */
  get readings(): DebugReadings | null { return this.debug.readings; }

  powerOn(): void {
    if (this.#powered) return;
    this.#powered = true;
    this.#expectBoot = true;
    // a real chip resets with the meter: a fresh model, and the responder loaded from it before the firmware starts
    const chip = new ATM90E26(this.#clock, this.#config.chip ?? {});
    if (this.#pins) chip.setPins(this.#pins);
    this.chip = chip;
    this.afe.meterPowered(chip);
    this.link.write('meter_power', 1);
    this.#trace.emit('meter', 'power', { on: true });
  }

  powerCut(): void {
    if (!this.#powered) return;
    this.#powered = false;
    this.#expectBoot = false;
    this.link.write('meter_power', 0);
    this.chip = null;
    this.afe.meterUnpowered();
    this.#trace.emit('meter', 'power', { on: false });
  }

  pressKey(key: KeyName, holdMs: number): void {
    const signal = KEY_SIGNALS[key];
    if (!signal) throw new RangeError(`no key '${String(key)}' on the keypad`);
    this.#held.get(key)?.cancel();
    this.link.write(signal, 1);
    this.#held.set(key, this.#clock.after(Math.round(holdMs * 1000), () => { this.#held.delete(key); this.link.write(signal, 0); }));
  }

  setCoverOpen(open: boolean): void {
    this.link.write('cover', open ? 0 : 1);
    this.#trace.emit('meter', 'cover', { open });
  }

  /** Set the cover output for the start of the run (before the meter is powered). */
  initCover(): void { this.link.write('cover', this.#config.cover === 'open' ? 0 : 1); }

  setPins(pins: AfePinPhasors): void {
    this.#pins = pins;
    if (this.chip) { this.chip.setPins(pins); this.afe.sync(); }
  }

  /** The relay as last seen on its coil pins. */
  lastRelayState(): 'open' | 'closed' { return this.relay.isClosed ? 'closed' : 'open'; }

  observe(name: string): unknown {
    switch (name) {
      case 'relay': return this.lastRelayState();
      case 'led.red': return this.redLed.state();
      case 'led.green': return this.greenLed.state();
      case 'buzzer': return this.buzzer.isOn ? 'on' : 'off';
      case 'serial': return this.debug.text;
      case 'telemetry': return {};
      default: return undefined;
    }
  }

  #failed(message: string): void {
    if (this.#fault) return;
    this.#fault = message;
    const relay = this.lastRelayState();
    for (const h of this.#held.values()) h.cancel();
    this.#trace.emit('rig', 'fault', { message, relay });
    this.#clock.at(this.#clock.now(), () => { throw new RigError(`rig: ${message}; run aborted, last known relay state: ${relay}`); });
  }
}
