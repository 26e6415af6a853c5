// An HD44780 on six wires (RS, E, D4..D7), 4-bit mode, RW tied low: the controller latches D4..D7 with RS on each
// falling edge of E; what it does with each nibble (8-bit mode after power-on, pairing, busy) is the controller's
// 4-bit interface, models/lcd/hd44780-nibbles.ts.
import type { SimTime } from '../../models/sim-time.ts';
import type { HD44780 } from '../../models/lcd/hd44780.ts';
import { Hd44780Nibbles } from '../../models/lcd/hd44780-nibbles.ts';

export class Hd44780Pins {
  readonly lcd: HD44780;
  #time: () => SimTime;
  #rs = 0;
  #e = 0;
  #d = [0, 0, 0, 0];
  readonly #bus: Hd44780Nibbles;
  nibbles = 0;

  constructor(lcd: HD44780, time: () => SimTime) {
    this.lcd = lcd;
    this.#time = time;
    this.#bus = new Hd44780Nibbles(lcd);
  }

  /** Nibbles ignored because the controller was busy. */
  get ignoredNibbles(): number { return this.#bus.ignoredNibbles; }

  /** Controller power cycle: 8-bit mode, no half byte pending. */
  reset(): void { this.#bus.powerOff(); this.lcd.reset(); }

  rs(level: number): void { this.#rs = level ? 1 : 0; }
  data(bit: 0 | 1 | 2 | 3, level: number): void { this.#d[bit] = level ? 1 : 0; }
  enable(level: number): void {
    const was = this.#e;
    this.#e = level ? 1 : 0;
    if (was === 1 && this.#e === 0) this.#latch();
  }

  #latch(): void {
    this.nibbles++;
    const n = this.#d[0] | (this.#d[1] << 1) | (this.#d[2] << 2) | (this.#d[3] << 3);
    this.#bus.latch(n, this.#rs === 1, this.#time().now());
  }
}
