// The HD44780's 4-bit bus as LiquidCrystal 1.0.7 drives it (RS = PB3, E = PA15, D4..D7 = PA8 PB15 PB14 PB13;
// docs/firmware.md §1.2, §1.6). The firmware's libraries hand over whole bytes; this port cuts each into the two
// nibbles the wires carry and times them as the library's `send` does:
//   digitalWrite(RS); then per nibble 4 × digitalWrite(D4..D7) and pulseEnable() = E LOW, 1 us, E HIGH, 1 us, E LOW,
//   100 us ("commands need > 37us to settle"). With ~1 us per digitalWrite a byte is ≈ 220 us (§3.3); the controller
//   latches the first nibble ≈ 10 us into the transfer and the second ≈ 119 us in.
// What the controller does with nibbles is the HD44780's own logic, modelled here because it lives on the wires:
// - after power-on it is in 8-bit mode (DL = 1): each nibble is a whole instruction with D0..D3 read as 0, which is
//   why the 4-bit initialisation sends 3, 3, 3, 2 (ending with function set DL = 0);
// - in 4-bit mode nibbles pair up, high nibble first;
// - while an instruction executes (busy flag set: 37 us, or 1.52 ms for clear and home) a nibble is ignored.
//   LiquidCrystal never reads the busy flag; it waits 100 us after every nibble and 2 ms after clear and home, so with
//   it nothing is lost and the port charges no execution time of its own. Code that does not wait loses nibbles,
//   and a lost nibble shifts every later pairing, as on the real display.
import type { Cpu } from './cpu.ts';
import type { LcdBus } from './board.ts';
import type { HD44780 } from '../../models/lcd/hd44780.ts';

/** CPU time of one byte in 4-bit mode: 15 GPIO writes of ~1 us and 2 enable pulses of 1 + 1 + 100 us. */
export const LCD_BYTE_US = 220;
/** When the controller latches each nibble, from the start of the byte's transfer (falling edge of E). */
export const LCD_NIBBLE_LATCH_US = [10, 119] as const;

export class LcdPort implements LcdBus {
  readonly lcd: HD44780;
  /** Nibbles the controller ignored because it was busy. */
  ignoredNibbles = 0;
  #cpu: Cpu;
  #busyUntil = -Infinity;
  #high: number | null = null;

  constructor(cpu: Cpu, lcd: HD44780) {
    this.#cpu = cpu;
    this.lcd = lcd;
  }

  command(value: number): void { this.#send(value, false); }
  write(value: number): void { this.#send(value, true); }

  /** The controller loses power: it comes back in 8-bit mode with no half byte pending. */
  powerOff(): void {
    this.#high = null;
    this.#busyUntil = -Infinity;
  }

  #send(value: number, rs: boolean): void {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new RangeError(`LCD bus takes a byte, got ${String(value)}`);
    }
    const start = this.#cpu.nowUs();
    this.#cpu.spend(LCD_BYTE_US);
    const v = value & 0xff;
    const lcd = this.lcd;
    if (this.#high === null && start + LCD_NIBBLE_LATCH_US[0] >= this.#busyUntil && !lcd.eightBitInterface) {
      // Hot path, the whole byte arrives in sync: the second nibble latches the byte.
      const t = start + LCD_NIBBLE_LATCH_US[1];
      this.#busyUntil = t + (rs ? lcd.write(v) : lcd.command(v));
      return;
    }
    this.#nibble(v >> 4, rs, start + LCD_NIBBLE_LATCH_US[0]);
    this.#nibble(v & 0x0f, rs, start + LCD_NIBBLE_LATCH_US[1]);
  }

  #nibble(n: number, rs: boolean, t: number): void {
    if (t < this.#busyUntil) { this.ignoredNibbles++; return; }
    let byte: number;
    if (this.lcd.eightBitInterface) {
      byte = n << 4;
      this.#high = null;
    } else if (this.#high === null) {
      this.#high = n;
      return;
    } else {
      byte = (this.#high << 4) | n;
      this.#high = null;
    }
    const exec = rs ? this.lcd.write(byte) : this.lcd.command(byte);
    this.#busyUntil = t + exec;
  }
}
