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
import { HD44780_STATE_BYTES, type HD44780 } from '../../models/lcd/hd44780.ts';
import { Hd44780Nibbles } from '../../models/lcd/hd44780-nibbles.ts';
import { DOUBLE_FIELD } from '../../models/sim-time.ts';

/** CPU time of one byte in 4-bit mode: 15 GPIO writes of ~1 us and 2 enable pulses of 1 + 1 + 100 us. */
export const LCD_BYTE_US = 220;
/** When the controller latches each nibble, from the start of the byte's transfer (falling edge of E). */
export const LCD_NIBBLE_LATCH_US = [10, 119] as const;

/**
 * A redraw as it ran last in its slot: its key, the controller's generation after it, whether running it again would
 * leave the controller as it is (it left it as it found it, or it is a draw whose repeat provably changes nothing),
 * the CPU time it charged and when the controller was free after it (from its start).
 */
class SceneRecord {
  readonly key: string;
  readonly generation: number;
  readonly repeatIsNoOp: boolean;
  /** (Times: double fields from the start, models/sim-time.ts.) */
  readonly costUs: number = DOUBLE_FIELD;
  readonly busyOffsetUs: number = DOUBLE_FIELD;
  constructor(key: string, generation: number, repeatIsNoOp: boolean, costUs: number, busyOffsetUs: number) {
    this.key = key;
    this.generation = generation;
    this.repeatIsNoOp = repeatIsNoOp;
    this.costUs = costUs;
    this.busyOffsetUs = busyOffsetUs;
  }
}

export interface LcdPortOptions {
  /**
   * Exact shortcut: skip a scene redraw that provably changes nothing (see `scene`). Off: every byte goes over the
   * bus (`osm run --exact-slow`). Default on.
   */
  fastPaths: boolean;
}

export class LcdPort implements LcdBus {
  readonly lcd: HD44780;
  /** Scene redraws skipped by the exact shortcut, and those run byte by byte. */
  scenesSkipped = 0;
  scenesDrawn = 0;
  readonly fastPaths: boolean;
  #cpu: Cpu;
  readonly #bus: Hd44780Nibbles;
  readonly #scenes = new Map<number, SceneRecord>();
  /** The slot recorded last and its record (the firmware draws in one slot: no map lookup per tick). */
  #lastSlot = Number.NaN;
  #lastScene: SceneRecord | undefined = undefined;
  /** While a scene draws: the bytes it has sent (-1 outside a scene), and whether they were cursor moves and characters. */
  #drawBytes = -1;
  #drawPure = true;
  /** The controller's state before and after a redraw run byte by byte (reused, one redraw at a time). */
  readonly #stateBefore = new Uint8Array(HD44780_STATE_BYTES);
  readonly #stateAfter = new Uint8Array(HD44780_STATE_BYTES);

  constructor(cpu: Cpu, lcd: HD44780, options: Partial<LcdPortOptions> = {}) {
    this.#cpu = cpu;
    this.lcd = lcd;
    this.#bus = new Hd44780Nibbles(lcd);
    this.fastPaths = options.fastPaths ?? true;
  }

  /** Nibbles the controller ignored because it was busy. */
  get ignoredNibbles(): number { return this.#bus.ignoredNibbles; }

  command(value: number): void { this.#send(value, false); }
  write(value: number): void { this.#send(value, true); }

  /**
   * The exact shortcut for the firmware's scene redraws (20 a second, nearly always identical). A redraw of `key`
   * is skipped when: the last redraw in this slot had the same key, started with the bus in step and the controller
   * idle, lost no nibble, and either left the controller exactly as it found it or was a draw of cursor moves and
   * characters only (whose repeat ends in the state it ended in); and nothing has touched the controller since (its
   * generation has not moved); and the bus is in step and idle now. Running it again would then write the same
   * bytes over the state they produce and end in that state, so the skip charges the same CPU time and sets the same
   * busy time relative to the start, and nothing else differs: no byte changes the display memory, so no change is
   * published.
   */
  scene(slot: number, key: string, draw: () => void): void {
    const cpu = this.#cpu;
    const start = cpu.nowUs();
    const bus = this.#bus;
    const inStep = bus.inStep(start + LCD_NIBBLE_LATCH_US[0]);
    const last = slot === this.#lastSlot ? this.#lastScene : this.#scenes.get(slot);
    if (this.fastPaths && inStep && last && last.repeatIsNoOp && last.key === key && last.generation === this.lcd.generation) {
      cpu.spend(last.costUs);
      bus.busyUntil = start + last.busyOffsetUs;
      this.scenesSkipped++;
      return;
    }
    this.scenesDrawn++;
    if (!this.fastPaths) { draw(); return; }
    const lost = this.ignoredNibbles;
    const before = this.lcd.stateBytes(this.#stateBefore);
    this.#drawBytes = 0;
    this.#drawPure = true;
    try { draw(); } catch (err) { this.#drawBytes = -1; throw err; }
    // A draw of cursor moves and characters only, starting with a cursor move, ends in the same state whatever state
    // it starts from: each character lands in the cell its cursor move and position name, and what that depends on
    // (increment, shift on write, line mode) it does not touch. A repeat of it then changes nothing, even when this
    // run changed the display. Any other draw counts as a no-op only if it left the state byte for byte as it was.
    const pure = this.#drawPure && this.#drawBytes > 0 && !this.lcd.shiftOnWrite;
    this.#drawBytes = -1;
    let repeatIsNoOp = inStep && this.ignoredNibbles === lost && bus.high === null;
    if (repeatIsNoOp && !pure) {
      const after = this.lcd.stateBytes(this.#stateAfter);
      for (let i = 0; repeatIsNoOp && i < before.length; i++) if (before[i] !== after[i]) repeatIsNoOp = false;
    }
    const record = new SceneRecord(key, this.lcd.generation, repeatIsNoOp, cpu.nowUs() - start, bus.busyUntil - start);
    this.#scenes.set(slot, record);
    this.#lastSlot = slot;
    this.#lastScene = record;
  }

  /** The controller loses power: it comes back in 8-bit mode with no half byte pending. */
  powerOff(): void {
    this.#bus.powerOff();
  }

  #send(value: number, rs: boolean): void {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new RangeError(`LCD bus takes a byte, got ${String(value)}`);
    }
    if (this.#drawBytes >= 0) {
      // Within a scene: anything but a DDRAM cursor move or a character, or a character before the first cursor move,
      // makes the draw depend on the state it found.
      if (rs ? this.#drawBytes === 0 : (value & 0x80) === 0) this.#drawPure = false;
      this.#drawBytes++;
    }
    const start = this.#cpu.nowUs();
    this.#cpu.spend(LCD_BYTE_US);
    const v = value & 0xff;
    const bus = this.#bus;
    if (bus.inStep(start + LCD_NIBBLE_LATCH_US[0])) {
      // Hot path, the whole byte arrives in step: the second nibble latches the byte.
      bus.byte(v, rs, start + LCD_NIBBLE_LATCH_US[1]);
      return;
    }
    bus.latch(v >> 4, rs, start + LCD_NIBBLE_LATCH_US[0]);
    bus.latch(v & 0x0f, rs, start + LCD_NIBBLE_LATCH_US[1]);
  }
}
