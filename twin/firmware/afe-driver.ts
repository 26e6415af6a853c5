// The firmware's ATM90E26 UART driver (SAM_UART.cpp / SAM_UART.h), on `board.serial.afe` (USART3, 9600 baud).
//
// As shipped (D46 present), one transaction is:
//   write frame  FE, addr, MSB, LSB, (addr+MSB+LSB)&0xFF      read frame  FE, addr|0x80, addr|0x80
//   delay(10) — a fixed wait, then read 1 byte (write) or 3 bytes (read) WITHOUT checking available(): an empty
//   RX buffer gives -1, i.e. 0xFF. A mismatching checksum prints `Write failed` / `Read failed` on Serial2 and waits
//   20 ms; a failed read returns 0xFFFF. The RX buffer is never flushed, so a late or extra byte shifts every later
//   transaction (docs/firmware.md §2 "AFE initialisation", §10 D46).
// D46 fixed: stale RX bytes are flushed before each frame and the reply is awaited (polled every 1 ms) for up to
// `replyTimeoutMs` instead of the fixed 10 ms.
import type { Board } from '../board/board.ts';
import type { FirmwareConfig } from '../profiles/profile.ts';
import { has } from '../profiles/profile.ts';
import type { SerialPrint } from './serial-print.ts';

// Register addresses, named as in SAM_UART.h / the ATM90E26 datasheet.
export const SoftReset = 0x00;
export const SysStatus = 0x01;
export const FuncEn = 0x02;
export const SagTh = 0x03;
export const CalStart = 0x20;
export const PLconstH = 0x21;
export const PLconstL = 0x22;
export const Lgain = 0x23;
export const Lphi = 0x24;
export const Ngain = 0x25;
export const PStartTh = 0x27;
export const PNolTh = 0x28;
export const QStartTh = 0x29;
export const QNolTh = 0x2a;
export const MMode = 0x2b;
export const CSOne = 0x2c;
export const AdjStart = 0x30;
export const Ugain = 0x31;
export const IgainN = 0x33;
export const Uoffset = 0x34;
export const IoffsetL = 0x35;
export const IoffsetN = 0x36;
export const PoffsetL = 0x37;
export const QoffsetL = 0x38;
export const PoffsetN = 0x39;
export const QoffsetN = 0x3a;
export const CSTwo = 0x3b;
export const APenergy = 0x40;
export const ANenergy = 0x41;
export const ATenergy = 0x42;
export const EnStatus = 0x46;
export const Irms = 0x48;
export const Urms = 0x49;
export const Pmean = 0x4a;
export const Qmean = 0x4b;
export const Freq = 0x4c;
export const Irms2 = 0x68;
export const PmeanTwo = 0x6a;
export const PowerFTwo = 0x6d;

/** One step of `SET_register_values()`: a write of `value`, or a read whose result is discarded. */
export interface AfeInitStep { op: 'W' | 'R'; reg: number; value: number }

/**
 * `SET_register_values()` (SAM_UART.cpp:130-199) up to the SysStatus read, in order. The two checksum reads and
 * their prints are placed by `SET_register_values` itself (they sit between these writes).
 */
export const AFE_INIT_PART1: readonly AfeInitStep[] = [
  { op: 'W', reg: SoftReset, value: 0x789a },
  { op: 'W', reg: FuncEn, value: 0x0030 },
  { op: 'W', reg: SagTh, value: 0x1f2f },
  { op: 'W', reg: CalStart, value: 0x5678 },
  { op: 'W', reg: PLconstH, value: 0x001e }, // PL constant MSB
  { op: 'W', reg: PLconstL, value: 0xc8b4 }, // PL constant LSB
  { op: 'W', reg: Lgain, value: 0x1d39 },
  { op: 'W', reg: Ngain, value: 0x1d39 },
  { op: 'W', reg: Lphi, value: 0x0000 },
  { op: 'W', reg: PStartTh, value: 0x08bd },
  { op: 'W', reg: PNolTh, value: 0x08bd },
  { op: 'W', reg: QStartTh, value: 0x0aec },
  { op: 'W', reg: QNolTh, value: 0x0000 },
  { op: 'W', reg: MMode, value: 0x9422 },
  { op: 'W', reg: CSOne, value: 0x327c }, // "as self calculated"
];
export const AFE_INIT_PART2: readonly AfeInitStep[] = [
  { op: 'W', reg: AdjStart, value: 0x5678 },
  { op: 'W', reg: Ugain, value: 0x71d8 },
  { op: 'W', reg: IgainN, value: 0x0f56 },
  { op: 'W', reg: Uoffset, value: 0x0000 },
  { op: 'W', reg: IoffsetN, value: 0x0000 },
  { op: 'W', reg: PoffsetN, value: 0x0000 },
  { op: 'W', reg: QoffsetN, value: 0x0000 },
  { op: 'W', reg: IoffsetL, value: 0x0000 },
  { op: 'W', reg: PoffsetL, value: 0x0000 },
  { op: 'W', reg: QoffsetL, value: 0x0000 },
  { op: 'W', reg: Pmean, value: 0x0000 }, // read-only register, written anyway
  { op: 'W', reg: Qmean, value: 0x0000 },
  { op: 'W', reg: EnStatus, value: 0x4802 },
  { op: 'R', reg: APenergy, value: 0x0000 }, // clear-on-read, value discarded
  { op: 'R', reg: ANenergy, value: 0x0000 },
  { op: 'R', reg: ATenergy, value: 0x0000 },
  { op: 'W', reg: CSTwo, value: 0x993b },
];
export const AFE_INIT_PART3: readonly AfeInitStep[] = [
  { op: 'W', reg: CalStart, value: 0x8765 }, // check 21-2B and start metering
  { op: 'W', reg: AdjStart, value: 0x8765 }, // check 31-3A and start measurement
];

export interface AfeDriverConfig {
  /** `delay(10)` after each frame (SAM_UART.cpp:27). */
  frameWaitMs: number;
  /** `delay(20)` after a failed transaction (SAM_UART.cpp:40, 49). */
  failWaitMs: number;
  /** D46 fixed: longest wait for the reply bytes (the chip answers within 3-5 ms after the frame, docs/atm90e26.md §1). */
  replyTimeoutMs: number;
}

export const AFE_DRIVER_DEFAULTS: AfeDriverConfig = { frameWaitMs: 10, failWaitMs: 20, replyTimeoutMs: 30 };

export class ATM90E26_UART {
  readonly #board: Board;
  readonly #cfg: FirmwareConfig;
  readonly #serial2: SerialPrint;
  readonly #c: AfeDriverConfig;
  /** Transactions that failed (diagnostics). */
  failures = 0;

  constructor(board: Board, cfg: FirmwareConfig, serial2: SerialPrint, config: Partial<AfeDriverConfig> = {}) {
    this.#board = board;
    this.#cfg = cfg;
    this.#serial2 = serial2;
    this.#c = { ...AFE_DRIVER_DEFAULTS, ...config };
  }

  /** `AFECHIP(RW, address, val)`: one frame and its reply; returns the register for a good read, else 0xFFFF. */
  async AFECHIP(RW: 0 | 1, address: number, val: number): Promise<number> {
    const uart = this.#board.serial.afe;
    const addr = (address | (RW << 7)) & 0xff;
    let host_chksum = addr;
    if (!RW) host_chksum = (((val >> 8) & 0xff) + (val & 0xff) + addr) & 0xff;
    const fixed = !has(this.#cfg, 'D46');
    if (fixed) while (uart.available() > 0) uart.read();

    uart.write(0xfe);
    uart.write(addr);
    if (!RW) {
      uart.write((val >> 8) & 0xff);
      uart.write(val & 0xff);
    }
    uart.write(host_chksum);
    if (fixed) await this.#awaitReply(RW ? 3 : 1);
    else await this.#board.delay(this.#c.frameWaitMs);

    if (RW) {
      // `byte MSByte = ATM_UART->read();` — -1 on an empty buffer becomes 0xFF.
      const MSByte = uart.read() & 0xff;
      const LSByte = uart.read() & 0xff;
      const atm90_chksum = uart.read() & 0xff;
      if (atm90_chksum === ((LSByte + MSByte) & 0xff)) return (MSByte << 8) | LSByte;
      this.failures++;
      this.#serial2.println('Read failed');
      await this.#board.delay(this.#c.failWaitMs);
      return 0xffff;
    }
    const atm90_chksum = uart.read() & 0xff;
    if (atm90_chksum !== host_chksum) {
      this.failures++;
      this.#serial2.println('Write failed');
      await this.#board.delay(this.#c.failWaitMs);
    }
    return 0xffff;
  }

  async #awaitReply(n: number): Promise<void> {
    const board = this.#board;
    const start = board.millis();
    if (!this.#waiting(n, start)) return;
    // `while (waiting()) delay(1);` — on a simulated board each 1 ms poll runs from the clock, the task woken once.
    if (board.delayRepeat) await board.delayRepeat(1, () => (this.#waiting(n, start) ? 1 : -1));
    else while (this.#waiting(n, start)) await board.delay(1);
  }

  /**
   * The fixed build's `waiting()`: fewer than `n` reply bytes and less than the reply timeout since `start`. (A method,
   * not a named closure per read: tsx keeps function names with a `__name` call, a property definition, per closure.)
   */
  #waiting(n: number, start: number): boolean {
    return this.#board.serial.afe.available() < n && ((this.#board.millis() - start) >>> 0) < this.#c.replyTimeoutMs;
  }

  /** Urms / 100, in V (returns a double, assigned to a float by the caller). */
  async FETCH_mains(): Promise<number> {
    return (await this.AFECHIP(1, Urms, 0xffff)) / 100;
  }

  /** Irms2 (N channel, where the CT is) / 100, in A. */
  async FETCH_NEUTRALCurrent(): Promise<number> {
    return (await this.AFECHIP(1, Irms2, 0xffff)) / 100;
  }

  async FETCH_Frequency(): Promise<number> {
    return (await this.AFECHIP(1, Freq, 0xffff)) / 100;
  }

  /** PowerFTwo is sign-magnitude: `short pf = raw; if (pf & 0x8000) pf = (pf & 0x7FFF) * -1;` then / 1000. */
  async FETCH_PowerFactor(): Promise<number> {
    let pf = ((await this.AFECHIP(1, PowerFTwo, 0xffff)) << 16) >> 16; // (short int)
    if (pf & 0x8000) pf = (pf & 0x7fff) * -1;
    return pf / 1000;
  }

  async FETCH_SysStatus(): Promise<number> {
    return this.AFECHIP(1, SysStatus, 0xffff);
  }

  async FETCH_MeterCSOne(): Promise<number> {
    return this.AFECHIP(1, CSOne, 0x0000);
  }

  async FETCH_MeterCSTwo(): Promise<number> {
    return this.AFECHIP(1, CSTwo, 0x0000);
  }

  /** `SET_register_values()`: the calibration sequence with its Serial2 output (docs/firmware.md §2). */
  async SET_register_values(): Promise<void> {
    for (const s of AFE_INIT_PART1) await this.AFECHIP(s.op === 'W' ? 0 : 1, s.reg, s.value);
    // `Serial2.print("Checksum 1:")` runs before the read, so a failed read prints inside the line.
    this.#serial2.print('Checksum 1:');
    this.#serial2.printlnHex(await this.AFECHIP(1, CSOne, 0x0000));
    for (const s of AFE_INIT_PART2) await this.AFECHIP(s.op === 'W' ? 0 : 1, s.reg, s.value);
    this.#serial2.print('Checksum 2:');
    this.#serial2.printlnHex(await this.AFECHIP(1, CSTwo, 0x0000));
    for (const s of AFE_INIT_PART3) await this.AFECHIP(s.op === 'W' ? 0 : 1, s.reg, s.value);
    const systemstatus = await this.FETCH_SysStatus();
    if (systemstatus & 0xc000) this.#serial2.println('Checksum 1 Error!!');
    if (systemstatus & 0x3000) this.#serial2.println('Checksum 2 Error!!');
  }
}
