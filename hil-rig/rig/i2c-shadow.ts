// The rig's RTC and EEPROM as the firmware sees them: a local copy (a DS1307 or AT24C32 model holding what the real
// chip held when the rig connected) that serves every read at once, and passes every write through to the real chip
// over Firmata I2C.
//
// Why: Wire.requestFrom() is synchronous in the firmware (as on the blue pill) while a Firmata I2C read is a round
// trip of milliseconds. The EEPROM and the RTC's NVRAM change only when this firmware writes them, so the copy stays
// true; the RTC's time registers are kept by the local model's clock from the time read at connect (on a real-time
// run that is wall time, so the two clocks agree to the crystal's drift over the run).
import type { I2cDevice } from '../../models/i2c.ts';
import type { Firmata } from '../firmata/io.ts';

export class WriteThroughDevice implements I2cDevice {
  readonly address: number;
  readonly local: I2cDevice;
  #io: Firmata;
  #writing = false;
  #bytes: number[] = [];
  /** Write transactions passed to the real chip. */
  forwarded = 0;

  constructor(local: I2cDevice, io: Firmata) {
    this.local = local;
    this.address = local.address;
    this.#io = io;
  }

  start(read: boolean): boolean {
    this.#flush();
    const ack = this.local.start(read);
    this.#writing = ack && !read;
    this.#bytes = [];
    return ack;
  }

  write(byte: number): boolean {
    const ack = this.local.write(byte);
    if (this.#writing && ack) this.#bytes.push(byte & 0xff);
    return ack;
  }

  read(): number { return this.local.read(); }

  stop(): void {
    this.local.stop();
    this.#flush();
  }

  #flush(): void {
    if (this.#writing && this.#bytes.length) {
      this.#io.i2cWrite(this.address, this.#bytes);
      this.forwarded++;
    }
    this.#writing = false;
    this.#bytes = [];
  }
}
