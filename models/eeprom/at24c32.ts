// AT24C32: 32 kbit (4096 x 8) serial EEPROM on I2C at 0x50 (Atmel AT24C32 datasheet).
// - 2-byte word address (12 bits used), sequential read across the whole array (rolls over 0xFFF -> 0x000);
// - page write of up to 32 bytes: the address counter wraps inside the page ("roll over" within the page);
// - after STOP the self-timed write cycle tWR (max 10 ms) runs; the device NACKs its address until it ends;
// - a power cut during tWR leaves each byte of that page write old, new or erased (0xFF): the twin draws which.
import type { I2cDevice } from '../i2c.ts';
import type { SimTime } from '../sim-time.ts';

export const AT24C32_SIZE = 4096;
export const AT24C32_PAGE = 32;

export interface At24c32Config {
  /** 7-bit address: 0x50 with A2..A0 low. */
  address: number;
  /** Write cycle time, microseconds (datasheet tWR max 10 ms). */
  writeCycleUs: number;
  /** Device fitted and answering. */
  present: boolean;
}

export const AT24C32_DEFAULTS: At24c32Config = { address: 0x50, writeCycleUs: 10_000, present: true };

export class EepromImageError extends Error {}

export class AT24C32 implements I2cDevice {
  readonly config: At24c32Config;
  readonly image = new Uint8Array(AT24C32_SIZE).fill(0xff);
  #time: SimTime;
  #pointer = 0;
  #phase: 'idle' | 'addrHi' | 'addrLo' | 'data' | 'read' = 'idle';
  #pending: { addr: number; value: number }[] = [];
  #busyUntil = -1;
  #inFlight: { addr: number; old: number; value: number }[] = [];
  #pendingFirst = 0;
  #pendingCount = 0;
  /** Every committed page write, for wear statistics. */
  writeCycles = 0;
  /** Called after each write cycle completes. */
  onWrite?: (firstAddress: number, length: number, tUs: number) => void;

  constructor(time: SimTime, config: Partial<At24c32Config> = {}) {
    this.#time = time;
    this.config = { ...AT24C32_DEFAULTS, ...config };
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

  start(read: boolean): boolean {
    this.#finishWriteCycle();
    if (!this.config.present || this.busy) { this.#phase = 'idle'; return false; }
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
      this.#busyUntil = t + this.config.writeCycleUs;
      this.#time.at(this.#busyUntil, () => this.#finishWriteCycle());
    }
    this.#pending = [];
    this.#phase = 'idle';
  }

  #commit(first: number, n: number): void {
    if (this.#inFlight.length === 0) return;
    for (const c of this.#inFlight) this.image[c.addr] = c.value;
    this.#inFlight = [];
    this.writeCycles++;
    this.onWrite?.(first, n, this.#time.now());
  }

  /**
   * Power removed now. A write cycle still running tears: each of its bytes ends old, new or 0xFF (erased before
   * programming), drawn from `rand` in [0, 1). Returns the number of torn bytes.
   */
  powerCut(rand: () => number): number {
    this.#phase = 'idle';
    this.#pending = [];
    this.#finishWriteCycle(); // a cycle whose time is over is complete, even if its clock event has not run yet
    if (!this.busy || this.#inFlight.length === 0) { this.#inFlight = []; return 0; }
    for (const c of this.#inFlight) {
      const r = rand();
      this.image[c.addr] = r < 1 / 3 ? c.old : r < 2 / 3 ? c.value : 0xff;
    }
    const n = this.#inFlight.length;
    this.#inFlight = [];
    this.#busyUntil = -1;
    return n;
  }
}
