// The AFE responder image running in avr8js (a Mega 2560), with the meter's side of its UART driven as the meter
// firmware drives it: a frame queued at 9600 baud, the reply read after the firmware's fixed delay(10). Used by the
// tests and the benchmark; a rig run drives the real board through serialport instead.
import { Mega2560, MEGA2560_F_CPU } from './mega2560.ts';
import { ReportDecoder, type ResponderReport } from './protocol.ts';

const CYC_PER_US = MEGA2560_F_CPU / 1e6;
/** The firmware's fixed wait between queuing a frame and reading the reply (its AFE driver's delay(10)). */
export const FIRMWARE_WINDOW_US = 10_000;
/** The meter's USART3 at 9600 baud: 10 bits a character. */
export const METER_CHAR_US = (1e6 * 10) / 9600;
/** The host link at 250000 baud: 10 bits a character. */
const HOST_CHAR_US = 40;

export interface Transaction {
  /** The reply bytes complete by the end of the window. */
  reply: number[];
  /** When the reply's last byte was complete, microseconds after the frame was queued (NaN: no reply). */
  lastEndUs: number;
}

export class ResponderSim {
  readonly m: Mega2560;
  /** Everything the responder reported to the host. */
  readonly reports: ResponderReport[] = [];
  readonly #decoder = new ReportDecoder();
  readonly #meterRx: { byte: number; endUs: number }[] = [];

  constructor(image: Uint8Array) {
    const m = new Mega2560(image);
    this.m = m;
    m.onTransmit = (port, byte, cycle) => {
      if (port === 'usart0') this.reports.push(...this.#decoder.push([byte]));
      // a byte put into the data register on an idle line is complete one character later
      else this.#meterRx.push({ byte, endUs: cycle / CYC_PER_US + (1e6 * 10) / m.usart1.baudRate });
    };
    m.runForUs(2000); // setup(): both ports opened, the reset announced
  }

  /** Now, in microseconds of the simulated board. */
  get us(): number { return this.m.us; }

  /** The host sends frames back to back; runs until the responder has taken them and sent its reports. */
  host(frames: readonly Uint8Array[]): void {
    let t = this.m.cycles;
    for (const f of frames) for (const b of f) { t += HOST_CHAR_US * CYC_PER_US; this.m.receiveAt('usart0', b, t); }
    this.m.runUntil(t + 1000 * CYC_PER_US); // and the reports back (6 bytes: 240 us)
  }

  /** The meter queues `bytes` at `startUs` (default: just after now) and reads what is in by the end of its window. */
  transaction(bytes: readonly number[], startUs = this.us + 100): Transaction {
    const from = this.#meterRx.length;
    bytes.forEach((b, k) => this.m.receiveAt('usart1', b, Math.round((startUs + (k + 1) * METER_CHAR_US) * CYC_PER_US)));
    this.m.runUntil(Math.round((startUs + FIRMWARE_WINDOW_US) * CYC_PER_US));
    const got = this.#meterRx.slice(from).filter((x) => x.endUs <= startUs + FIRMWARE_WINDOW_US);
    return { reply: got.map((x) => x.byte), lastEndUs: got.length ? got[got.length - 1].endUs - startUs : Number.NaN };
  }

  /** The meter's frames, as its AFE driver builds them. */
  static readFrame(addr: number): number[] { return [0xfe, addr | 0x80, addr | 0x80]; }
  static writeFrame(addr: number, v: number): number[] {
    return [0xfe, addr, v >> 8, v & 0xff, (addr + (v >> 8) + (v & 0xff)) & 0xff];
  }
}
