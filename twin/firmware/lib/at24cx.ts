// AT24CX library (Christian Paul, github.com/cyberp/AT24Cx) for the meter's AT24C32 at I2C 0x50, on the board's
// Wire (docs/firmware.md §7.1). Its quirks are the firmware's storage behaviour:
// - every operation first probes the device with an address-only write; when the probe is NACKed (chip absent, or
//   busy with an internal write cycle) a write is skipped silently and a read leaves the destination untouched, so
//   `readInt`/`readLong` return the stale contents of the object's 8-byte buffer `_b` (zero at start), while the
//   single-byte `read` returns 0 (it reads into a local initialised to 0);
// - writes are split at page boundaries (and at 30 bytes: the 32-byte Wire buffer less the 2 address bytes), and
//   each chunk is followed by `delay(20)`: a 4-byte write blocks for about 21 ms;
// - values are little-endian; `writeInt` writes 2 bytes of an `unsigned int`; `readInt` reads 2 bytes into `_b[0..1]`
//   and returns `_b[0..3]` as a uint32, so its upper bytes are whatever the previous read left there.
import type { Board } from '../../board/board.ts';

/** AT24CX.h: AT24CX_ID = B1010000. */
export const AT24CX_ID = 0x50;
/** The library's write chunk limit: "maximal 30 bytes to write". */
export const AT24CX_MAX_WRITE = 30;
/** The library's read chunk limit: "read maximal 32 bytes". */
export const AT24CX_MAX_READ = 32;
/** `delay(20)` after each page write, in ms. */
export const AT24CX_WRITE_DELAY_MS = 20;

function address16(address: number, what: string): number {
  if (typeof address !== 'number' || !Number.isInteger(address) || address < 0 || address > 0xffff) {
    throw new RangeError(`AT24CX.${what}: address must be an integer in 0..65535, got ${String(address)}`);
  }
  return address;
}

/** A C integer argument converted to an unsigned type of `bits` bits (modulo, as C converts integers). */
function cUnsigned(value: number, bits: 8 | 16 | 32, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -2147483648 || value > 0xffffffff) {
    throw new RangeError(`AT24CX.${what}: value must be a C integer (-2147483648..4294967295), got ${String(value)}; ` +
      'convert a float first as the C code does (toUint32 from arduino.ts)');
  }
  const u = value >>> 0;
  return bits === 32 ? u : u & ((1 << bits) - 1);
}

function count(n: number, what: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new RangeError(`AT24CX.${what}: length must be a non-negative integer, got ${String(n)}`);
  }
  return n;
}

export class AT24CX {
  readonly #board: Board;
  readonly #id: number;
  readonly #pageSize: number;
  /** The library's `byte _b[8]`: destination of readInt/readLong, never cleared. */
  readonly #b = new Uint8Array(8);

  /** `AT24CX(index, pageSize)`: device 0x50 | (index & 7); the AT24C32 has 32-byte pages. */
  constructor(board: Board, index = 0, pageSize = 32) {
    if (!Number.isInteger(index) || index < 0 || index > 255) throw new RangeError(`AT24CX: index must be a byte (0..7 used), got ${index}`);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 255) throw new RangeError(`AT24CX: pageSize must be 1..255 bytes, got ${pageSize}`);
    this.#board = board;
    this.#id = AT24CX_ID | (index & 0x7);
    this.#pageSize = pageSize;
  }

  /** The I2C address the object talks to. */
  get id(): number { return this.#id; }

  /** Write one byte (skipped when the probe is NACKed), then delay(20). */
  write(address: number, data: number): void {
    const a = address16(address, 'write');
    const byte = cUnsigned(data, 8, 'write');
    if (!this.#probe()) return;
    const wire = this.#board.wire;
    wire.beginTransmission(this.#id);
    wire.write(a >> 8);
    wire.write(a & 0xff);
    wire.write(byte);
    wire.endTransmission();
    this.#board.delayBlocking(AT24CX_WRITE_DELAY_MS);
  }

  /** Read one byte; 0 when the device does not answer. */
  read(address: number): number {
    const a = address16(address, 'read');
    let b = 0;
    const wire = this.#board.wire;
    if (!this.#probe()) return b;
    wire.beginTransmission(this.#id);
    wire.write(a >> 8);
    wire.write(a & 0xff);
    if (wire.endTransmission() === 0) {
      wire.requestFrom(this.#id, 1);
      let r = 0;
      while (wire.available() > 0 && r < 1) {
        b = wire.read() & 0xff;
        r++;
      }
    }
    return b;
  }

  /** `writeInt(addr, unsigned int)`: the low 2 bytes, little-endian. */
  writeInt(address: number, value: number): void {
    const v = cUnsigned(value, 32, 'writeInt');
    this.#writeBytes(address16(address, 'writeInt'), Uint8Array.of(v & 0xff, (v >>> 8) & 0xff));
  }

  /** `readInt`: 2 bytes into `_b[0..1]`, returned with the stale `_b[2..3]` as a uint32 (little-endian). */
  readInt(address: number): number {
    this.#readBytes(address16(address, 'readInt'), this.#b, 0, 2);
    return this.#bufferUint32();
  }

  /** `writeLong(addr, unsigned long)`: 4 bytes, little-endian. */
  writeLong(address: number, value: number): void {
    const v = cUnsigned(value, 32, 'writeLong');
    this.#writeBytes(address16(address, 'writeLong'), Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24));
  }

  /** `readLong`: 4 bytes into `_b[0..3]`, as a uint32 (the stale buffer when the device does not answer). */
  readLong(address: number): number {
    this.#readBytes(address16(address, 'readLong'), this.#b, 0, 4);
    return this.#bufferUint32();
  }

  /** `writeChars(addr, data, length)`: bytes of a string (codes 0..255) or a byte array. */
  writeChars(address: number, data: string | Uint8Array, length = data.length): void {
    const n = count(length, 'writeChars');
    if (n > data.length) throw new RangeError(`AT24CX.writeChars: length ${n} is longer than the ${data.length} bytes given`);
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const c = typeof data === 'string' ? data.charCodeAt(i) : data[i];
      if (c > 0xff) throw new RangeError(`AT24CX.writeChars: character at ${i} (U+${c.toString(16)}) is not a byte`);
      bytes[i] = c;
    }
    this.#writeBytes(address16(address, 'writeChars'), bytes);
  }

  /** `readChars(addr, data, n)`: into the caller's buffer, which keeps its old bytes when the device is absent. */
  readChars(address: number, data: Uint8Array, n = data.length): void {
    const len = count(n, 'readChars');
    if (len > data.length) throw new RangeError(`AT24CX.readChars: ${len} bytes do not fit a ${data.length}-byte buffer`);
    this.#readBytes(address16(address, 'readChars'), data, 0, len);
  }

  /** Address-only write: 0 (ACK) means the device is there and not busy. */
  #probe(): boolean {
    const wire = this.#board.wire;
    wire.beginTransmission(this.#id);
    return wire.endTransmission() === 0;
  }

  #bufferUint32(): number {
    const b = this.#b;
    return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }

  /** `write(address, data, n)`: chunks that never cross a page and never exceed 30 bytes. */
  #writeBytes(address: number, data: Uint8Array): void {
    let c = data.length;
    let offD = 0;
    let addr = address;
    while (c > 0) {
      const offP = addr % this.#pageSize;
      const nc = Math.min(c, AT24CX_MAX_WRITE, this.#pageSize - offP);
      this.#writeChunk(addr, data, offD, nc);
      c -= nc;
      offD += nc;
      addr += nc;
    }
  }

  #writeChunk(address: number, data: Uint8Array, offset: number, n: number): void {
    if (!this.#probe()) return;
    const wire = this.#board.wire;
    wire.beginTransmission(this.#id);
    // `Wire.write(address >> 8)` takes a uint8_t.
    wire.write((address >> 8) & 0xff);
    wire.write(address & 0xff);
    wire.write(data.subarray(offset, offset + n));
    wire.endTransmission();
    this.#board.delayBlocking(AT24CX_WRITE_DELAY_MS);
  }

  /** `read(address, data, n)`: chunks of at most 32 bytes. */
  #readBytes(address: number, data: Uint8Array, offset: number, n: number): void {
    let c = n;
    let offD = offset;
    let addr = address;
    while (c > 0) {
      const nc = Math.min(c, AT24CX_MAX_READ);
      this.#readChunk(addr, data, offD, nc);
      addr += nc;
      offD += nc;
      c -= nc;
    }
  }

  #readChunk(address: number, data: Uint8Array, offset: number, n: number): void {
    if (!this.#probe()) return;
    const wire = this.#board.wire;
    wire.beginTransmission(this.#id);
    wire.write((address >> 8) & 0xff);
    wire.write(address & 0xff);
    if (wire.endTransmission() !== 0) return;
    wire.requestFrom(this.#id, n);
    let r = 0;
    while (wire.available() > 0 && r < n) {
      data[offset + r] = wire.read() & 0xff;
      r++;
    }
  }
}
