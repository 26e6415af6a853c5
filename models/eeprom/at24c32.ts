// AT24C32: 32 kbit (4096 x 8) serial EEPROM on I2C at 0x50 (Atmel AT24C32 datasheet).
// - 2-byte word address (12 bits used), sequential read across the whole array (rolls over 0xFFF -> 0x000);
// - page write of up to 32 bytes: the address counter wraps inside the page ("roll over" within the page);
// - after STOP the self-timed write cycle tWR (max 10 ms) runs; the device NACKs its address until it ends;
// - a power cut during tWR leaves each byte of that page write old, new or erased (0xFF): the twin draws which.
//   [UNDET] the datasheet says nothing of a write cycle cut short; old/new/erased per byte with equal odds is the
//   twin's documented choice (an internal erase-then-program cycle can stop before, between or after its two steps).
// - a repeated START before STOP abandons a page write ("the write cycle starts on the STOP condition").
import type { I2cDevice } from '../i2c.ts';
import { DOUBLE_FIELD, type SimTime } from '../sim-time.ts';

export const AT24C32_SIZE = 4096;
export const AT24C32_PAGE = 32;

export interface At24c32Config {
  /** 7-bit address: 0x50 with A2..A0 low. */
  address: number;
  /** Self-timed write cycle tWR, microseconds (datasheet: max 10 ms; the twin takes the maximum). */
  tWRUs: number;
  /** Device fitted and answering. */
  present: boolean;
  /** Write endurance per cell (datasheet: 1 million write cycles); `wornCells()` lists the cells past it. */
  endurance: number;
}

export const AT24C32_DEFAULTS: At24c32Config = { address: 0x50, tWRUs: 10_000, present: true, endurance: 1_000_000 };

export class EepromImageError extends Error {}

export class AT24C32 implements I2cDevice {
  readonly config: At24c32Config;
  readonly image = new Uint8Array(AT24C32_SIZE).fill(0xff);
  #time: SimTime;
  #pointer = 0;
  #phase: 'idle' | 'addrHi' | 'addrLo' | 'data' | 'read' = 'idle';
  #pending: { addr: number; value: number }[] = [];
  #busyUntil = DOUBLE_FIELD;
  #inFlight: { addr: number; old: number; value: number }[] = [];
  #pendingFirst = 0;
  #pendingCount = 0;
  /** Every committed page write, for wear statistics. */
  writeCycles = 0;
  /** Program cycles per cell (a page write counts once for each cell it writes). */
  readonly cellWrites = new Uint32Array(AT24C32_SIZE);
  /** Fitted and answering; a test can unplug it at any time (then every address byte is NACKed). */
  present: boolean;
  /** Called after each write cycle completes. */
  onWrite?: (firstAddress: number, length: number, tUs: number) => void;

  constructor(time: SimTime, config: Partial<At24c32Config> = {}) {
    // Time fields: doubles from the start (DOUBLE_FIELD above), then their first values.
    this.#busyUntil = -1;
    this.#time = time;
    this.config = { ...AT24C32_DEFAULTS, ...config };
    if (!(this.config.tWRUs >= 0) || !Number.isFinite(this.config.tWRUs)) {
      throw new RangeError(`AT24C32 tWRUs must be a finite number of microseconds >= 0, got ${String(this.config.tWRUs)}`);
    }
    this.present = this.config.present;
  }

  get address(): number { return this.config.address; }
  get busy(): boolean { return this.#time.now() < this.#busyUntil; }

  /** Replace the whole array (an EEPROM dump); must be exactly 4096 bytes. */
  load(image: Uint8Array): void {
    if (!(image instanceof Uint8Array) || image.length !== AT24C32_SIZE) {
      throw new EepromImageError(`an AT24C32 image must be exactly ${AT24C32_SIZE} bytes, got ${image?.length ?? 'nothing'}`);
    }
    this.image.set(image);
  }

  dump(): Uint8Array { this.#finishWriteCycle(); return this.image.slice(); }

  /**
   * A write cycle whose time is over is committed when the part is next looked at, not only by its clock event: the
   * firmware's time (the CPU's) can run ahead of the clock's events within one synchronous stretch of code.
   */
  #finishWriteCycle(): void {
    if (this.#inFlight.length > 0 && this.#time.now() >= this.#busyUntil) this.#commit(this.#pendingFirst, this.#pendingCount);
  }

  /** Cells written more often than the rated endurance. */
  wornCells(): number[] {
    const out: number[] = [];
    for (let i = 0; i < AT24C32_SIZE; i++) if (this.cellWrites[i] > this.config.endurance) out.push(i);
    return out;
  }

  start(read: boolean): boolean {
    this.#finishWriteCycle();
    this.#pending = []; // a repeated START abandons an unfinished page write
    if (!this.present || this.busy) { this.#phase = 'idle'; return false; }
    this.#phase = read ? 'read' : 'addrHi';
    return true;
  }

  write(byte: number): boolean {
    switch (this.#phase) {
      case 'addrHi': this.#pointer = ((byte & 0x0f) << 8) | (this.#pointer & 0xff); this.#phase = 'addrLo'; return true;
      case 'addrLo': this.#pointer = (this.#pointer & 0xf00) | (byte & 0xff); this.#phase = 'data'; this.#pending = []; return true;
      case 'data': {
        this.#pending.push({ addr: this.#pointer, value: byte & 0xff });
        const page = this.#pointer & ~(AT24C32_PAGE - 1);
        this.#pointer = page | ((this.#pointer + 1) & (AT24C32_PAGE - 1));
        return true;
      }
      default: return false;
    }
  }

  read(): number {
    if (this.#phase !== 'read') return 0xff; // not addressed for reading: nothing drives SDA, the bus reads high
    const v = this.image[this.#pointer];
    this.#pointer = (this.#pointer + 1) & (AT24C32_SIZE - 1);
    return v;
  }

  stop(): void {
    if (this.#phase === 'data' && this.#pending.length > 0) {
      // Later bytes written to the same cell within the page win, as the page latch holds one value per cell.
      const cells = new Map<number, number>();
      for (const p of this.#pending) cells.set(p.addr, p.value);
      this.#inFlight = [...cells].map(([addr, value]) => ({ addr, old: this.image[addr], value }));
      this.#pendingFirst = this.#pending[0].addr;
      this.#pendingCount = this.#pending.length;
      const t = this.#time.now();
      this.#busyUntil = t + this.config.tWRUs;
      this.#time.at(this.#busyUntil, () => this.#finishWriteCycle());
    }
    this.#pending = [];
    this.#phase = 'idle';
  }

  #commit(first: number, n: number): void {
    if (this.#inFlight.length === 0) return;
    for (const c of this.#inFlight) { this.image[c.addr] = c.value; this.cellWrites[c.addr]++; }
    this.#inFlight = [];
    this.writeCycles++;
    this.onWrite?.(first, n, this.#time.now());
  }

  /**
   * Power removed now. A write cycle still running tears: each of its bytes ends old, new or 0xFF (erased before
   * programming), drawn from `rand` in [0, 1). Returns the number of torn bytes.
   */
  powerCut(rand: () => number): number {
    if (typeof rand !== 'function') throw new TypeError('AT24C32.powerCut needs a seeded source: a function returning [0, 1)');
    this.#phase = 'idle';
    this.#pending = [];
    this.#finishWriteCycle(); // a cycle whose time is over is complete, even if its clock event has not run yet
    if (!this.busy || this.#inFlight.length === 0) { this.#inFlight = []; return 0; }
    for (const c of this.#inFlight) {
      const r = rand();
      this.cellWrites[c.addr]++;
      this.image[c.addr] = r < 1 / 3 ? c.old : r < 2 / 3 ? c.value : 0xff;
    }
    const n = this.#inFlight.length;
    this.#inFlight = [];
    this.#busyUntil = -1;
    return n;
  }
}
