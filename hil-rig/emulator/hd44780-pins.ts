// An HD44780 on six wires (RS, E, D4..D7), 4-bit mode, RW tied low: the controller latches D4..D7 with RS on each
// falling edge of E. After power-on it is in 8-bit mode (DL = 1), where each nibble is a whole instruction with
// D0..D3 read as 0; in 4-bit mode nibbles pair up, high nibble first. A nibble that arrives while an instruction is
// still executing (37 us, 1.52 ms for clear and home) is ignored, as on the part.
import type { SimTime } from '../../models/sim-time.ts';
import type { HD44780 } from '../../models/lcd/hd44780.ts';

export class Hd44780Pins {
  readonly lcd: HD44780;
  #time: () => SimTime;
  #rs = 0;
  #e = 0;
  #d = [0, 0, 0, 0];
  #high: number | null = null;
  #busyUntil = -Infinity;
  /** Nibbles ignored because the controller was busy. */
  ignoredNibbles = 0;
  nibbles = 0;

  constructor(lcd: HD44780, time: () => SimTime) {
    this.lcd = lcd;
    this.#time = time;
  }

  /** Controller power cycle: 8-bit mode, no half byte pending. */
  reset(): void { this.#high = null; this.#busyUntil = -Infinity; this.lcd.reset(); }

  rs(level: number): void { this.#rs = level ? 1 : 0; }
  data(bit: 0 | 1 | 2 | 3, level: number): void { this.#d[bit] = level ? 1 : 0; }
  enable(level: number): void {
    const was = this.#e;
    this.#e = level ? 1 : 0;
    if (was === 1 && this.#e === 0) this.#latch();
  }

  #latch(): void {
    const t = this.#time().now();
    this.nibbles++;
    if (t < this.#busyUntil) { this.ignoredNibbles++; return; }
    const n = this.#d[0] | (this.#d[1] << 1) | (this.#d[2] << 2) | (this.#d[3] << 3);
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
    const exec = this.#rs ? this.lcd.write(byte) : this.lcd.command(byte);
    this.#busyUntil = t + exec;
  }
}
