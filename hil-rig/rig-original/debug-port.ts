// The meter's debug port (USART2, 115200 baud) read by the host through a USB serial adapter, parsed into
// observations: every line the firmware prints (the field-log catalogue of docs/firmware.md §9.6) and the readings
// block the main loop prints after each web poll, which carries the firmware's own credit and measurements:
//   POWER FACTOR : 1.00 / FREQUENCY : 50.00 / MAINS VOLTAGE : 230.12 / CURRENT  : 0.43 / ACTIVE POWER : 99.80 /
//   ENERGY : 0.01 / CREDIT : 499.98
// A `Device Powered! ` line is the firmware starting: expected after the rig powers the meter, a reset otherwise.
// Bytes come in whatever chunks the adapter delivers; a line ends at LF, a CR before it is dropped.

/** The values of one readings block, with the time its CREDIT line arrived. */
export interface DebugReadings {
  tUs: number;
  pf: number; hz: number; vrms: number; amps: number; watts: number; kwh: number; credit: number;
}

const READING_KEYS = [
  ['POWER FACTOR : ', 'pf'], ['FREQUENCY : ', 'hz'], ['MAINS VOLTAGE : ', 'vrms'], ['CURRENT  : ', 'amps'],
  ['ACTIVE POWER : ', 'watts'], ['ENERGY : ', 'kwh'], ['CREDIT : ', 'credit'],
] as const;

export const BOOT_LINE = 'Device Powered! ';

export class DebugPortReader {
  /** Every line so far, each followed by LF (what the twin's `serial` observable holds). */
  text = '';
  /** Lines received. */
  lines = 0;
  /** The last complete readings block, or null before the first. */
  readings: DebugReadings | null = null;
  /** Bytes that are not printable text (noise on the line, a wrong baud rate). */
  garbageBytes = 0;
  /** A line arrived (time in microseconds of the host's clock). */
  onLine: ((line: string, tUs: number) => void) | undefined = undefined;
  /** A readings block completed. */
  onReadings: ((r: DebugReadings) => void) | undefined = undefined;
  #partial = '';
  #block: Partial<Record<(typeof READING_KEYS)[number][1], number>> = {};
  #next = 0;

  /** Bytes from the port, received at `tUs`. */
  push(bytes: ArrayLike<number>, tUs: number): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === 0x0a) { this.#line(this.#partial.endsWith('\r') ? this.#partial.slice(0, -1) : this.#partial, tUs); this.#partial = ''; continue; }
      if ((b < 0x20 && b !== 0x0d && b !== 0x09) || b > 0x7e) this.garbageBytes++;
      this.#partial += String.fromCharCode(b);
    }
  }

  #line(line: string, tUs: number): void {
    this.text += line + '\n';
    this.lines++;
    this.onLine?.(line, tUs);
    const [prefix, key] = READING_KEYS[this.#next];
    if (line.startsWith(prefix)) {
      this.#block[key] = Number(line.slice(prefix.length));
      this.#next++;
      if (this.#next === READING_KEYS.length) {
        const b = this.#block as Record<(typeof READING_KEYS)[number][1], number>;
        this.readings = { tUs, ...b };
        this.#next = 0;
        this.#block = {};
        this.onReadings?.(this.readings);
      }
    } else {
      // a block interrupted (a reset mid-block): start over, this line may open a new one
      this.#next = 0;
      this.#block = {};
      if (line.startsWith(READING_KEYS[0][0])) { this.#block.pf = Number(line.slice(READING_KEYS[0][0].length)); this.#next = 1; }
    }
  }
}
