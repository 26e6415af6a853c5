// The HD44780 on a rig board, kept in step with what the firmware draws.
//
// The firmware redraws its whole scene 20 times a second, byte by byte through LiquidCrystal: about 40 bytes per
// redraw, each byte 15 GPIO writes. Over Firmata each pin change is a 3-byte message (0.52 ms at 57600 baud), so a
// byte costs ~3 ms and a redraw ~120 ms: the link cannot carry the original write sequence (2.4 s of link time per
// second). So the firmware's LCD writes go to a local HD44780 (`intent`, the display the firmware means), and this
// sync sends the real display only what differs from what it already shows: the cells that changed (set-address +
// data), the custom characters, the display on/off state. The display ends up showing what the firmware drew; the
// half-finished redraws the original write sequence passes through are not reproduced on the rig (the twin's own
// display model still reproduces them). When the firmware clears the display, the real one is cleared too before
// the new text is sent, so no characters of the old screen stay beside the new one. Each nibble is RS and D4..D7 set, then E high, then E low (3 messages).
// The real display is initialised here (the 4-bit sequence 3, 3, 3, 2 with its waits) before the first sync.
import type { EventHandle, SimTime } from '../../models/sim-time.ts';
import { HD44780 } from '../../models/lcd/hd44780.ts';
import type { Firmata } from '../firmata/io.ts';

export interface LcdSyncConfig {
  /** How often the differences are sent, microseconds. */
  periodUs: number;
  /** Most bytes sent per sync (bounds the link time one sync takes). */
  maxBytes: number;
}

export interface LcdPins { rs: number; en: number; d: [number, number, number, number] }

/** The host's HD44780 that the firmware writes to; it tells when the firmware clears the display. */
class IntentLcd extends HD44780 {
  onClear: (() => void) | undefined = undefined;
  override command(value: number): number {
    if ((value & 0xff) === 0x01) this.onClear?.();
    return super.command(value);
  }
}

export class LcdSync {
  readonly intent = new IntentLcd();
  readonly config: LcdSyncConfig;
  #io: Firmata;
  #pins: LcdPins;
  #time: () => SimTime;
  #linkBusyUntil: () => number;
  #ev: EventHandle | null = null;
  #initialised = false;
  #sent = new Int16Array(0x80).fill(-1);
  #sentCg = new Int16Array(64).fill(-1);
  #sentDisplay = -1;
  #clearPending = false;
  bytesSent = 0;

  constructor(io: Firmata, pins: LcdPins, time: () => SimTime, linkBusyUntil: () => number, config: Partial<LcdSyncConfig> = {}) {
    this.#io = io;
    this.#pins = pins;
    this.#time = time;
    this.#linkBusyUntil = linkBusyUntil;
    this.config = { periodUs: 50_000, maxBytes: 24, ...config };
    this.intent.onClear = () => { this.#clearPending = true; };
  }

  /** True while the real display lacks something the firmware drew. */
  get pending(): boolean {
    if (!this.#initialised || this.#clearPending) return true;
    const lcd = this.intent;
    const display = (lcd.displayOn ? 4 : 0) | (lcd.cursorOn ? 2 : 0) | (lcd.blinkOn ? 1 : 0);
    if (display !== this.#sentDisplay) return true;
    for (const base of [0x00, 0x40]) for (let i = 0; i < 16; i++) if (this.#sent[base + i] !== lcd.ddram[base + i]) return true;
    for (let a = 0; a < 64; a++) if (this.#sentCg[a] !== lcd.cgram[a]) return true;
    return false;
  }

  /** Start syncing (at power-on of the meter). */
  start(): void {
    if (this.#ev) return;
    this.intent.reset();
    this.#schedule();
  }

  /** Stop (power cut): the display will be initialised again at the next start. */
  stop(): void {
    this.#ev?.cancel();
    this.#ev = null;
    this.#initialised = false;
    this.#sent.fill(-1);
    this.#sentCg.fill(-1);
    this.#sentDisplay = -1;
    this.#clearPending = false;
  }

  #schedule(): void {
    const t = this.#time();
    this.#ev = t.at(t.now() + this.config.periodUs, () => { this.#ev = null; this.#tick(); this.#schedule(); });
  }

  #tick(): void {
    const now = this.#time().now();
    if (this.#linkBusyUntil() > now + 5_000) return; // the link is still busy with earlier work
    if (!this.#initialised) { this.#init(); return; }
    // The firmware cleared the display (a new screen): clear the glass too, so that none of the old screen stays
    // beside the new text while the cells are sent; the next sync sends the text (the clear takes 1.52 ms, which
    // the real display must have before its next instruction).
    if (this.#clearPending) {
      this.#clearPending = false;
      this.#byte(0x01, 0);
      this.#sent.fill(0x20);
      return;
    }
    let budget = this.config.maxBytes;
    const lcd = this.intent;
    const display = (lcd.displayOn ? 4 : 0) | (lcd.cursorOn ? 2 : 0) | (lcd.blinkOn ? 1 : 0);
    if (display !== this.#sentDisplay) { this.#byte(0x08 | display, 0); this.#sentDisplay = display; budget--; }
    for (const base of [0x00, 0x40]) {
      for (let i = 0; i < 16 && budget > 0; i++) {
        const a = base + i;
        if (this.#sent[a] === lcd.ddram[a]) continue;
        this.#byte(0x80 | a, 0);
        budget--;
        let j = i;
        while (j < 16 && budget > 0 && this.#sent[base + j] !== lcd.ddram[base + j]) {
          this.#byte(lcd.ddram[base + j], 1);
          this.#sent[base + j] = lcd.ddram[base + j];
          j++;
          budget--;
        }
        i = j;
      }
    }
    for (let a = 0; a < 64 && budget > 0; a++) {
      if (this.#sentCg[a] === lcd.cgram[a]) continue;
      this.#byte(0x40 | a, 0);
      budget--;
      while (a < 64 && budget > 0 && this.#sentCg[a] !== lcd.cgram[a]) { this.#byte(lcd.cgram[a], 1); this.#sentCg[a] = lcd.cgram[a]; a++; budget--; }
    }
  }

  /** HD44780 "initializing by instruction" for 4-bit mode, then 2-line 5x8, display off, increment. */
  #init(): void {
    const t = this.#time();
    const t0 = t.now();
    this.#nibble(0x3, 0);
    // the first nibble needs > 4.1 ms before the next; the link spaces the rest (> 100 us each)
    t.at(t0 + 5_000, () => {
      this.#nibble(0x3, 0);
      this.#nibble(0x3, 0);
      this.#nibble(0x2, 0);
      this.#byte(0x28, 0);
      this.#byte(0x08, 0);
      this.#byte(0x06, 0);
      this.#initialised = true;
      this.#sentDisplay = 0;
    });
  }

  #byte(v: number, rs: number): void {
    this.#nibble(v >> 4, rs);
    this.#nibble(v & 0x0f, rs);
    this.bytesSent++;
  }

  #nibble(n: number, rs: number): void {
    const io = this.#io;
    const p = this.#pins;
    io.updateDigitalPort(p.rs, rs);
    for (let i = 0; i < 4; i++) io.updateDigitalPort(p.d[i], (n >> i) & 1);
    io.updateDigitalPort(p.en, 0);
    // RS and data settle with E low first (address setup time), then E pulses; the falling edge latches
    for (const port of new Set([p.rs, ...p.d, p.en].map((x) => x >> 3))) io.writeDigitalPort(port);
    io.digitalWrite(p.en, 1);
    io.digitalWrite(p.en, 0);
  }
}
