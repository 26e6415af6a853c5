// The keypad matrix on a rig board, scanned by the host over Firmata.
//
// Why not let the firmware's own scan drive the pins: the Keypad library drives a column LOW and reads the rows a
// microsecond later, synchronously. Over Firmata a read is a round trip (several milliseconds), and the Board's
// digitalRead() cannot wait for it (see j5-board.ts). So the rig scans the matrix itself, as a keypad controller
// would, and the firmware's scan reads the matrix this scanner last saw, through the same row/column logic as on the
// simulated board (a held key pulls its row LOW while the firmware drives its column LOW).
//
// Scanning, interrupt style: while idle every column is driven LOW and the rows (inputs with pull-up) are reported
// on change, so an idle keypad costs no link traffic. When a row goes LOW (or every `rescanUs` while keys are held)
// the scanner drives one column LOW at a time with the others released (inputs), asks the board for a fresh report
// of the row ports (re-enabling REPORT_DIGITAL makes StandardFirmata send the port at once) and then for its version:
// the board answers in order, so when the version reply arrives the row levels the host holds are those after the
// column change (a change report from an earlier loop pass may arrive before, never after). It records which rows
// are LOW; then all columns go LOW again.
import type { SimTime, EventHandle } from '../../models/sim-time.ts';
import { KeypadMatrix, KEYPAD_LAYOUT } from '../../models/keypad/keypad-matrix.ts';
import { PIN_MODE } from '../firmata/protocol.ts';
import type { Firmata } from '../firmata/io.ts';

export interface KeypadScannerConfig {
  /** Rescan period while keys are held (a key added in a row already LOW changes no row level). */
  rescanUs: number;
}

export class KeypadScanner {
  /** The matrix as last scanned: the firmware's reads go through it. */
  readonly matrix = new KeypadMatrix();
  readonly config: KeypadScannerConfig;
  #io: Firmata;
  #time: () => SimTime;
  #rows: number[];
  #cols: number[];
  #rowPorts: number[];
  #scanning = -1;
  #found = new Set<string>();
  #again = false;
  #rescan: EventHandle | null = null;
  #stopped = false;
  scans = 0;

  constructor(io: Firmata, rows: number[], cols: number[], time: () => SimTime, config: Partial<KeypadScannerConfig> = {}) {
    this.#io = io;
    this.#rows = rows;
    this.#cols = cols;
    this.#time = time;
    this.config = { rescanUs: 30_000, ...config };
    this.#rowPorts = [...new Set(rows.map((p) => p >> 3))];
    for (const r of rows) {
      io.pinMode(r, PIN_MODE.PULLUP);
      io.reportDigitalPin(r, 1);
      io.on(`digital-read-${r}`, () => this.#rowReport(r));
    }
    this.#idle();
  }

  stop(): void { this.#stopped = true; this.#rescan?.cancel(); }

  /** All columns driven LOW: any held key pulls its row LOW and the board reports it. */
  #idle(): void {
    for (const c of this.#cols) { this.#io.pinMode(c, PIN_MODE.OUTPUT); this.#io.updateDigitalPort(c, 0); }
    for (const port of new Set(this.#cols.map((c) => c >> 3))) this.#io.writeDigitalPort(port);
  }

  #rowReport(pin: number): void {
    if (this.#stopped) return;
    void pin;
    if (this.#scanning >= 0) return; // the version reply closes each column's read
    // idle: a row changed
    const anyLow = this.#rows.some((r) => this.#io.pins[r].value === 0);
    if (anyLow || this.matrix.pressedKeys.length) this.#startScan();
  }

  #startScan(): void {
    if (this.#scanning >= 0) { this.#again = true; return; }
    this.#rescan?.cancel();
    this.#rescan = null;
    this.#found = new Set();
    this.#scanColumn(0);
  }

  #scanColumn(c: number): void {
    this.#scanning = c;
    for (let i = 0; i < this.#cols.length; i++) {
      const pin = this.#cols[i];
      if (i === c) { this.#io.pinMode(pin, PIN_MODE.OUTPUT); this.#io.digitalWrite(pin, 0); } else this.#io.pinMode(pin, PIN_MODE.INPUT);
    }
    for (const port of this.#rowPorts) this.#io.reportDigitalPin(this.#rows.find((r) => r >> 3 === port)!, 1);
    this.#io.reportVersion(() => { if (!this.#stopped) this.#columnRead(); });
  }

  #columnRead(): void {
    const c = this.#scanning;
    this.#rows.forEach((r, i) => { if (this.#io.pins[r].value === 0) this.#found.add(KEYPAD_LAYOUT[i][c]); });
    if (c + 1 < this.#cols.length) { this.#scanColumn(c + 1); return; }
    this.#scanning = -1;
    this.scans++;
    this.#idle();
    for (const k of this.matrix.pressedKeys) if (!this.#found.has(k)) this.matrix.release(k);
    for (const k of this.#found) this.matrix.press(k);
    if (this.#again) { this.#again = false; this.#startScan(); return; }
    if (this.#found.size && !this.#stopped) {
      const t = this.#time();
      this.#rescan = t.at(t.now() + this.config.rescanUs, () => { this.#rescan = null; this.#startScan(); });
    }
  }
}
