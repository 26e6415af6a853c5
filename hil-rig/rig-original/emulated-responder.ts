// The AFE responder of the rig for the original firmware, emulated: the sketch's image (hil-rig/firmware/afe-responder)
// running in avr8js as a Mega 2560 (hil-rig/responder/mega2560.ts) on the bench's virtual clock. Its Serial1 (USART1,
// 9600 baud) is wired to the meter's USART3; its Serial (USART0, 250000 baud) is the host's --afe-port, reached
// through the Mega's USB bridge (`usbLatencyUs`).
//
// Time: the simulated CPU is kept at the clock's time, cycle for cycle, while it has work: a byte arriving or leaving
// on either line keeps it running for `meterTailUs` (meter side: longer than the sketch's 20 ms inter-byte timeout, so
// a frame the meter left unfinished times out as on the board) or `hostTailUs` (host side) afterwards. Between such
// spans the sketch only polls its empty UARTs, and that idle time is skipped: the CPU's cycle count jumps to the
// clock's. Skipped time runs no instruction, so the sketch's micros() does not count it; the sketch reads micros()
// only for the inter-byte timeout, which the tail has already run out. Without the skip avr8js would pace a day's
// scenario at about real time.
import type { EventHandle, SimTime } from '../../models/sim-time.ts';
import type { UartPeer } from '../../models/uart.ts';
import { byteTimeUs } from '../../models/uart.ts';
import { Mega2560, MEGA2560_F_CPU } from '../responder/mega2560.ts';

const CYC_PER_US = MEGA2560_F_CPU / 1e6;
const STANDARD_BAUDS = [9600, 19200, 38400, 57600, 115200, 250000];

/** The nominal rate a UART clocked at `actual` is set up for (16 MHz gives 9615 for 9600), within 2.5 %. */
function nominalBaud(actual: number): number {
  for (const b of STANDARD_BAUDS) if (Math.abs(actual / b - 1) < 0.025) return b;
  return actual;
}

export interface EmulatedResponderConfig {
  /** Host link (the sketch's Serial.begin), bit/s. */
  hostBaud: number;
  /** The Mega's USB-serial bridge (ATmega16U2), each way, microseconds. */
  usbLatencyUs: number;
  /** Keep running this long after a byte on the meter line, microseconds. */
  meterTailUs: number;
  /** Keep running this long after a byte on the host line, microseconds. */
  hostTailUs: number;
  /** Largest step of the simulated CPU between two clock events, microseconds. */
  stepUs: number;
}

export const EMULATED_RESPONDER_DEFAULTS: EmulatedResponderConfig = {
  hostBaud: 250_000, usbLatencyUs: 1000, meterTailUs: 25_000, hostTailUs: 2000, stepUs: 100,
};

export class EmulatedResponder {
  readonly m: Mega2560;
  readonly config: EmulatedResponderConfig;
  /** What the responder's TX1 is wired to: the meter's USART3 RX. */
  meterRx: UartPeer | null = null;
  /** Bytes the responder sent the host, when they reach it. */
  onHostBytes: ((bytes: Uint8Array) => void) | undefined = undefined;
  /** The meter's USART3 TX is wired here (the responder's RX1). */
  readonly meterPeer: UartPeer;
  /** Simulated and skipped time (diagnostics, the benchmark). */
  runUs = 0;
  skippedUs = 0;
  readonly #time: SimTime;
  readonly #t0: number;
  #activeUntil = 0;
  #ev: EventHandle | null = null;
  #evAt = -1;
  #hostTxFree = 0;
  #frozen = false;

  constructor(image: Uint8Array, time: SimTime, config: Partial<EmulatedResponderConfig> = {}) {
    this.config = { ...EMULATED_RESPONDER_DEFAULTS, ...config };
    this.#time = time;
    this.#t0 = time.now();
    const m = new Mega2560(image);
    this.m = m;
    m.onTransmit = (port, byte, cycle) => {
      const end = this.#usOf(cycle + m.charCycles(port));
      if (port === 'usart1') {
        this.#extend(end + this.config.meterTailUs);
        const baud = nominalBaud(m.usart1.baudRate);
        this.#time.at(Math.max(this.#time.now(), Math.ceil(end)), () => { if (!this.#frozen) this.meterRx?.receive(byte, baud); });
      } else {
        this.#extend(end + this.config.hostTailUs);
        const at = Math.max(this.#time.now(), Math.ceil(end + this.config.usbLatencyUs));
        this.#time.at(at, () => { if (!this.#frozen) this.onHostBytes?.(Uint8Array.of(byte)); });
      }
    };
    this.meterPeer = {
      receive: (byte: number, baud: number) => {
        if (this.#frozen) return;
        this.#catchUp();
        if (nominalBaud(m.usart1.baudRate) !== nominalBaud(baud)) return; // a framing error: the sketch gets garbage or nothing
        m.receiveAt('usart1', byte, this.#cycleOf(this.#time.now()));
        this.#extend(this.#time.now() + this.config.meterTailUs);
        this.#arm(this.#time.now());
      },
    };
    // power-up: setup() opens both ports and announces the reset to the host
    this.#extend(this.#t0 + 5000);
    this.#arm(this.#t0);
  }

  /** The host writes to the responder's USB port: each byte reaches USART0 at the host's pace plus the bridge. */
  hostWrite(bytes: ArrayLike<number>): void {
    if (this.#frozen || bytes.length === 0) return;
    const now = this.#time.now();
    const charUs = byteTimeUs(this.config.hostBaud);
    let first = -1;
    for (let i = 0; i < bytes.length; i++) {
      this.#hostTxFree = Math.max(now, this.#hostTxFree) + charUs;
      const arrive = this.#hostTxFree + this.config.usbLatencyUs;
      if (first < 0) first = arrive;
      // bytes in the future wait in the CPU's queue and land at their own cycle
      this.#pending.push({ byte: bytes[i] & 0xff, at: arrive });
    }
    this.#extend(this.#hostTxFree + this.config.usbLatencyUs + this.config.hostTailUs);
    this.#arm(Math.ceil(first));
  }

  readonly #pending: { byte: number; at: number }[] = [];

  /** The responder hangs (a crashed sketch, its board unplugged): nothing more comes out of it. */
  freeze(): void { this.#frozen = true; this.#ev?.cancel(); this.#ev = null; }
  get frozen(): boolean { return this.#frozen; }

  #usOf(cycle: number): number { return this.#t0 + cycle / CYC_PER_US; }
  #cycleOf(us: number): number { return Math.round((us - this.#t0) * CYC_PER_US); }

  /** New work until `untilUs`: idle time before it is skipped first, so only the work itself is simulated. */
  #extend(untilUs: number): void {
    if (!this.#running && this.#activeUntil < this.#time.now()) this.#catchUp();
    if (untilUs > this.#activeUntil) this.#activeUntil = untilUs;
  }

  #running = false;

  /** Bring the CPU to now: run it while it has work, jump over idle time. */
  #catchUp(): void {
    if (this.#running) return;
    this.#running = true;
    try {
      const target = this.#cycleOf(this.#time.now());
      const cpu = this.m.cpu;
      while (cpu.cycles < target) {
        // the work may grow while the CPU runs (a byte it sends keeps it busy): look again after each run
        const lastActive = Math.min(target, this.#cycleOf(this.#activeUntil));
        if (lastActive > cpu.cycles) {
          this.#deliverHost(this.#usOf(lastActive));
          const from = cpu.cycles;
          this.m.runUntil(lastActive);
          this.runUs += (cpu.cycles - from) / CYC_PER_US;
        } else {
          // idle: the sketch polls empty UARTs; skip (see the header)
          this.skippedUs += (target - cpu.cycles) / CYC_PER_US;
          cpu.cycles = target;
        }
      }
    } finally {
      this.#running = false;
    }
  }

  /** Hand the CPU the host bytes due by `us`. */
  #deliverHost(us: number): void {
    while (this.#pending.length && this.#pending[0].at <= us) {
      const p = this.#pending.shift()!;
      this.m.receiveAt('usart0', p.byte, Math.max(this.m.cpu.cycles, this.#cycleOf(p.at)));
    }
  }

  #arm(at: number): void {
    if (this.#frozen) return;
    const t = Math.max(this.#time.now(), Math.ceil(at));
    if (this.#ev && this.#evAt <= t) return;
    this.#ev?.cancel();
    this.#evAt = t;
    this.#ev = this.#time.at(t, this.#step);
  }

  readonly #step = (): void => {
    this.#ev = null;
    if (this.#frozen) return;
    const now = this.#time.now();
    this.#deliverHost(now + this.config.stepUs);
    this.#catchUp();
    const next = this.#pending.length ? this.#pending[0].at : Infinity;
    if (now < this.#activeUntil) this.#arm(Math.min(now + this.config.stepUs, this.#activeUntil));
    else if (next < Infinity) this.#arm(next);
  };
}
