// Arduino Wire (STM32duino 1.9.0 TwoWire) as I2C1 master at 100 kHz, routing transfers to the parts on the bus by
// 7-bit address (AT24C32 at 0x50, DS1307 at 0x68; docs/firmware.md §1.2).
// - Timing: each byte on the bus is 8 data bits + ACK = 9 clocks of 10 us: 90 us, the address byte included. The
//   core's transfers poll for completion, so the CPU is charged the bus time (START/STOP set-up times of about 5 us
//   are folded into that figure).
// - endTransmission() returns 0 on success, 2 when the address is NACKed (absent or busy device), 3 when a data byte
//   is NACKed; with sendStop = false the bus is kept (repeated START next), as a random read's dummy write does.
// - requestFrom() returns the bytes received: `count`, or 0 when the address is NACKed.
// - write() outside beginTransmission() would be a slave reply in the core; the board is never a slave, so it
//   queues nothing and returns 0.
import type { Cpu } from './cpu.ts';
import type { I2cBus } from './board.ts';
import type { I2cDevice } from '../../models/i2c.ts';

/** One I2C byte at 100 kHz: 8 data bits + ACK. */
export const I2C_BYTE_US = 90;

function address7(address: number, what: string): number {
  if (typeof address !== 'number' || !Number.isInteger(address) || address < 0 || address > 0x7f) {
    throw new RangeError(`Wire.${what}: I2C address must be a 7-bit integer 0..127, got ${String(address)}`);
  }
  return address;
}

export class TwoWire implements I2cBus {
  #cpu: Cpu;
  #devices = new Map<number, I2cDevice>();
  #transmitting = false;
  #txAddr = 0;
  #tx: number[] = [];
  #rx: number[] = [];
  #rxHead = 0;
  /** The device still holding the bus after endTransmission(false). */
  #held: I2cDevice | null = null;
  /** Each completed transfer (for traces): address, direction, bytes, result code. */
  onTransfer?: (address: number, read: boolean, bytes: number[], result: number) => void;

  constructor(cpu: Cpu, devices: readonly I2cDevice[]) {
    this.#cpu = cpu;
    for (const d of devices) this.attach(d);
  }

  /** Put a part on the bus; two parts at one address are a wiring error. */
  attach(device: I2cDevice): void {
    const a = address7(device.address, 'attach');
    const other = this.#devices.get(a);
    if (other && other !== device) throw new Error(`two I2C devices at address 0x${a.toString(16)}`);
    this.#devices.set(a, device);
  }

  beginTransmission(address: number): void {
    this.#txAddr = address7(address, 'beginTransmission');
    this.#tx = [];
    this.#transmitting = true;
  }

  write(data: number | Uint8Array): number {
    if (!this.#transmitting) return 0;
    if (typeof data === 'number') {
      if (!Number.isInteger(data)) throw new RangeError(`Wire.write takes a byte, got ${String(data)}`);
      this.#tx.push(data & 0xff);
      return 1;
    }
    if (!(data instanceof Uint8Array)) throw new TypeError(`Wire.write takes a byte or a Uint8Array, got ${typeof data}`);
    for (let i = 0; i < data.length; i++) this.#tx.push(data[i]);
    return data.length;
  }

  endTransmission(sendStop = true): number {
    const bytes = this.#tx;
    this.#tx = [];
    this.#transmitting = false;
    const dev = this.#start(this.#txAddr, false);
    if (!dev) { this.onTransfer?.(this.#txAddr, false, bytes, 2); return 2; }
    let result = 0;
    for (const b of bytes) {
      this.#cpu.spend(I2C_BYTE_US);
      if (!dev.write(b)) { result = 3; break; }
    }
    if (sendStop || result !== 0) dev.stop(); else this.#held = dev;
    this.onTransfer?.(this.#txAddr, false, bytes, result);
    return result;
  }

  requestFrom(address: number, count: number): number {
    const a = address7(address, 'requestFrom');
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
      throw new RangeError(`Wire.requestFrom: count must be a whole number >= 0, got ${String(count)}`);
    }
    this.#rx = [];
    this.#rxHead = 0;
    const dev = this.#start(a, true);
    if (!dev) { this.onTransfer?.(a, true, [], 2); return 0; }
    for (let i = 0; i < count; i++) { this.#cpu.spend(I2C_BYTE_US); this.#rx.push(dev.read() & 0xff); }
    dev.stop();
    this.onTransfer?.(a, true, this.#rx.slice(), 0);
    return count;
  }

  available(): number { return this.#rx.length - this.#rxHead; }
  read(): number { return this.#rxHead < this.#rx.length ? this.#rx[this.#rxHead++] : -1; }

  /** START (or repeated START) and the address byte; null when nobody ACKs. */
  #start(address: number, read: boolean): I2cDevice | null {
    const held = this.#held;
    this.#held = null;
    // A repeated START to another device ends the held device's transfer.
    if (held && held.address !== address) held.stop();
    this.#cpu.spend(I2C_BYTE_US);
    const dev = this.#devices.get(address);
    if (!dev || !dev.start(read)) { dev?.stop(); return null; }
    return dev;
  }

  /** Power removed: the bus and its buffers are lost. */
  powerOff(): void {
    this.#held = null;
    this.#tx = [];
    this.#rx = [];
    this.#rxHead = 0;
    this.#transmitting = false;
  }
}
