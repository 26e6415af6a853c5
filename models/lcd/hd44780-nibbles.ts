// The HD44780's 4-bit data interface: what the controller does with each nibble it latches on a falling edge of E.
// After power-on it is in 8-bit mode (DL = 1): each nibble is a whole instruction with D0..D3 read as 0 (why the
// 4-bit initialisation sends 3, 3, 3, 2). In 4-bit mode nibbles pair up, high nibble first. A nibble that arrives
// while an instruction is still executing (busy flag: 37 us, 1.52 ms for clear and home) is ignored, and a lost
// nibble shifts every later pairing, as on the part. The simulated board's LCD port and the Firmata emulator's
// pin-level display both latch through this.
import type { HD44780 } from './hd44780.ts';

export class Hd44780Nibbles {
  readonly lcd: HD44780;
  /** Nibbles ignored because the controller was busy. */
  ignoredNibbles = 0;
  /** The high nibble waiting for its low half (4-bit mode), or null. */
  high: number | null = null;
  /** When the instruction executing now ends, microseconds (-Infinity: idle since power-on). */
  busyUntil = -Infinity;

  constructor(lcd: HD44780) { this.lcd = lcd; }

  /** The controller loses power: 8-bit mode again, no half byte pending (the HD44780's own reset is the caller's). */
  powerOff(): void {
    this.high = null;
    this.busyUntil = -Infinity;
  }

  /** A whole byte in step with the controller (no half byte pending, idle at its first nibble): executed at `tUs`. */
  inStep(firstLatchUs: number): boolean {
    return this.high === null && firstLatchUs >= this.busyUntil && !this.lcd.eightBitInterface;
  }

  /** Execute `byte` (its second nibble latched at `tUs`) in one go, for a byte known to be in step. */
  byte(byte: number, rs: boolean, tUs: number): void {
    this.busyUntil = tUs + (rs ? this.lcd.write(byte) : this.lcd.command(byte));
  }

  /** Nibble `n` (D7..D4) latched with RS = `rs` at `tUs`. */
  latch(n: number, rs: boolean, tUs: number): void {
    if (tUs < this.busyUntil) { this.ignoredNibbles++; return; }
    let byte: number;
    if (this.lcd.eightBitInterface) {
      byte = n << 4;
      this.high = null;
    } else if (this.high === null) {
      this.high = n;
      return;
    } else {
      byte = (this.high << 4) | n;
      this.high = null;
    }
    this.byte(byte, rs, tUs);
  }
}
