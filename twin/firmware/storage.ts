// Persistence in the AT24C32 through the AT24CX library (mem_init.hpp, mem_operation.hpp; docs/firmware.md §7).
//
// The EEPROM address map of the original overlaps (§7.2, D31): the tamper log at 5 (4 bytes) covers TokenCount (6-7)
// and UsedTokens (8); the credit at 9 (4 bytes) covers UsedTokens' high byte, PAYGEnabled (10) and ActiveUntil (11).
// D31 fixed moves the OpenPAYGO variables and the tamper log to free addresses; the credit stays at 9 so an existing
// image keeps its credit.
//
// `Eeprom` is the global `AT24CX mem` as every module uses it. With D32 present it is the library as is (a missing or
// busy chip: writes skipped silently, reads return the stale 8-byte buffer). D32 fixed: before each operation the chip
// is polled for an ACK (the AT24C32's write cycle is at most 10 ms), and a chip that stays silent is reported once on
// the debug port as `EEPROM not responding`; reads then return 0 instead of stale data.
import type { Board } from '../board/board.ts';
import type { FirmwareConfig } from '../profiles/profile.ts';
import { has } from '../profiles/profile.ts';
import type { FirmwareContext } from './firmware-context.ts';
import { AT24CX, AT24CX_ID } from './lib/at24cx.ts';
import { toUint32 } from './lib/arduino.ts';
import { cfloat } from './credit.ts';
import type { SerialPrint } from './serial-print.ts';

export interface EepromMap {
  /** `tamper_location` (lcd_display.hpp:16): writeLong(…, 3) on a cover-open event. */
  tamper: number;
  TokenCount: number;
  UsedTokens: number;
  PAYGEnabled: number;
  ActiveUntil: number;
  TokenEntryLockedUntil: number;
  /** `credit_eeprom_location` (sts_token.hpp:25). */
  credit: number;
  /** `LAST_TIME_STAMP_ADDRESS`: low 16 bits of the boot timestamp. */
  lastTimeStamp: number;
  /** `NB_DISCONNECTIONS_ADDRESS`. */
  nbDisconnections: number;
  /** `eeprom_location_cnt`: the used-token list pointer, also the list's first entry (token_management.hpp:27). */
  tokenListPointer: number;
}

/** The addresses as shipped (mem_operation.hpp:16-22, lcd_display.hpp:16, sts_token.hpp:25). */
export const SHIPPED_EEPROM_MAP: Readonly<EepromMap> = {
  tamper: 5, TokenCount: 6, UsedTokens: 8, PAYGEnabled: 10, ActiveUntil: 11, TokenEntryLockedUntil: 15, credit: 9,
  lastTimeStamp: 27, nbDisconnections: 32, tokenListPointer: 40,
};

/** D31 fixed: the same variables without overlaps (0-3 tamper, 19-20, 21-22, 23, 34-37 are free in the original). */
export const FIXED_EEPROM_MAP: Readonly<EepromMap> = {
  tamper: 0, TokenCount: 19, UsedTokens: 21, PAYGEnabled: 23, ActiveUntil: 34, TokenEntryLockedUntil: 15, credit: 9,
  lastTimeStamp: 27, nbDisconnections: 32, tokenListPointer: 40,
};

/**
 * D1 fixed: `Mode_select` persisted in one byte (24..26 are unused by the original). 1..3 is a configured mode; an
 * erased (0xFF) or zero cell means "not configured", and the build's preset boot mode applies.
 */
export const MODE_SELECT_ADDRESS = 24;

/** D6 + D37 fixed: the used-token list holds whole 20-character tokens from here, as a ring up to `TOKEN_LIST_END`. */
export const TOKEN_LIST_START = 44;
export const TOKEN_RECORD_BYTES = 20;
/** The original's "wrap at 4000" (token_management.hpp:37). */
export const TOKEN_LIST_END = 4000;

export function eepromMap(cfg: FirmwareConfig): Readonly<EepromMap> {
  return has(cfg, 'D31') ? SHIPPED_EEPROM_MAP : FIXED_EEPROM_MAP;
}

/** D32 fixed: ACK polls (1 ms apart) before an operation is given up. */
const ACK_POLLS = 12;

/**
 * D30 fixed: the credit cell (address 9, uint32 little-endian as in the original, so dumps stay compatible) is written
 * through a journal, because a power cut during the AT24C32's write cycle leaves each byte of the page write old, new
 * or erased — a torn credit can read as anything up to 4.29e9. The journal record sits at `CREDIT_JOURNAL_ADDRESS`
 * (4088..4094, past the used-token list): value (4 bytes LE), CRC-16 of the value (2 bytes LE), state byte.
 *   write: journal {value, crc, PENDING} → credit cell → state DONE (three page writes, about 63 ms);
 *   read:  a PENDING record with a good CRC means the credit write was interrupted: its value is the credit;
 *          otherwise the credit cell is whole and is read as usual.
 * A cut while the journal is written leaves the cell untouched; a cut while the cell is written leaves a complete
 * journal; a cut while the state byte is written leaves either state with both copies equal.
 */
export const CREDIT_JOURNAL_ADDRESS = 4088;
export const JOURNAL_PENDING = 0x5a;
export const JOURNAL_DONE = 0x00;
const CREDIT_ADDRESS = SHIPPED_EEPROM_MAP.credit;

/** CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF) of a few bytes. */
export function crc16(bytes: ArrayLike<number>): number {
  let crc = 0xffff;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= (bytes[i] & 0xff) << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The 7 journal bytes for a credit value. */
export function creditJournalRecord(value: number, state: number): Uint8Array {
  const v = value >>> 0;
  const bytes = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
  const crc = crc16(bytes);
  return Uint8Array.of(...bytes, crc & 0xff, crc >>> 8, state);
}

export class Eeprom {
  readonly lib: AT24CX;
  readonly #board: Board;
  readonly #fixed: boolean;
  readonly #serial2: SerialPrint;
  /** D30 fixed: the credit cell goes through the journal. */
  readonly #journal: boolean;
  /** D32 fixed: an error has been reported since boot. */
  errorReported = false;

  constructor(board: Board, cfg: FirmwareConfig, serial2: SerialPrint) {
    this.lib = new AT24CX(board);
    this.#board = board;
    this.#fixed = !has(cfg, 'D32');
    this.#journal = !has(cfg, 'D30');
    this.#serial2 = serial2;
  }

  write(address: number, data: number): void { if (this.#ready()) this.lib.write(address, data); }
  read(address: number): number { return this.#ready() ? this.lib.read(address) : 0; }
  writeInt(address: number, value: number): void { if (this.#ready()) this.lib.writeInt(address, value); }
  readInt(address: number): number { return this.#ready() ? this.lib.readInt(address) : 0; }
  writeLong(address: number, value: number): void {
    if (this.#journal && address === CREDIT_ADDRESS) { this.#writeCredit(value); return; }
    if (this.#ready()) this.lib.writeLong(address, value);
  }
  readLong(address: number): number {
    if (this.#journal && address === CREDIT_ADDRESS) return this.#readCredit();
    return this.#ready() ? this.lib.readLong(address) : 0;
  }

  #writeCredit(value: number): void {
    if (!this.#ready()) return;
    this.lib.writeChars(CREDIT_JOURNAL_ADDRESS, creditJournalRecord(value, JOURNAL_PENDING));
    if (!this.#ready()) return;
    this.lib.writeLong(CREDIT_ADDRESS, value);
    if (!this.#ready()) return;
    this.lib.write(CREDIT_JOURNAL_ADDRESS + 6, JOURNAL_DONE);
  }

  #readCredit(): number {
    if (!this.#ready()) return 0;
    const rec = new Uint8Array(7);
    this.lib.readChars(CREDIT_JOURNAL_ADDRESS, rec, 7);
    if (rec[6] === JOURNAL_PENDING && crc16(rec.subarray(0, 4)) === (rec[4] | (rec[5] << 8))) {
      return (rec[0] | (rec[1] << 8) | (rec[2] << 16) | (rec[3] << 24)) >>> 0;
    }
    return this.#ready() ? this.lib.readLong(CREDIT_ADDRESS) : 0;
  }
  writeChars(address: number, data: string): void { if (this.#ready()) this.lib.writeChars(address, data); }
  readChars(address: number, n: number): string {
    const buf = new Uint8Array(n);
    if (this.#ready()) this.lib.readChars(address, buf, n);
    return String.fromCharCode(...buf);
  }

  /** True when the chip answers (always true with D32 present: the library does its own silent probe). */
  #ready(): boolean {
    if (!this.#fixed) return true;
    const wire = this.#board.wire;
    for (let i = 0; i < ACK_POLLS; i++) {
      wire.beginTransmission(AT24CX_ID);
      if (wire.endTransmission() === 0) return true;
      this.#board.delayBlocking(1);
    }
    if (!this.errorReported) {
      this.errorReported = true;
      this.#serial2.println('EEPROM not responding');
    }
    return false;
  }
}

/** `LoadActivationVariables()` (mem_operation.hpp:34-61). */
export function LoadActivationVariables(fw: FirmwareContext): void {
  const s = fw.state;
  const map = eepromMap(fw.cfg);
  s.TokenCount = fw.mem.readInt(map.TokenCount) & 0xffff;
  s.UsedTokens = fw.mem.readInt(map.UsedTokens) & 0xffff;
  switch (fw.mem.read(map.PAYGEnabled)) {
    case 0: s.PAYGEnabled = false; break;
    case 1: s.PAYGEnabled = true; break;
    default: break; // any other byte leaves PAYGEnabled unchanged
  }
  fw.mem.read(map.PAYGEnabled); // "Verify this syntax": a second read, result unused
  s.TokenEntryLockedUntil = fw.mem.readLong(map.TokenEntryLockedUntil);
  if (s.Mode_select === 2) s.creditt = cfloat(fw, fw.mem.readLong(s.credit_eeprom_location));
  else s.ActiveUntil = fw.mem.readLong(map.ActiveUntil);
  if (!fw.has('D30')) {
    // D30 fixed: erased cells are the factory state, not values. As shipped a virgin EEPROM loads TokenCount 65535
    // (every real token is then "old": -2, after a 65 600-step search), a lockout until 2106 and, in mode 3,
    // ActiveUntil 4294967295 (active for ever).
    if (s.TokenCount === 0xffff) {
      s.TokenCount = 1;
      s.UsedTokens = 0;
      s.PAYGEnabled = true;
    }
    if (s.TokenEntryLockedUntil === 0xffffffff) s.TokenEntryLockedUntil = 0;
    if (s.Mode_select !== 2 && s.ActiveUntil === 0xffffffff) s.ActiveUntil = 0;
  }
}

/** D1 fixed: the mode stored by the factory menu, or null when none is stored. */
export function loadModeSelect(fw: FirmwareContext): number | null {
  const m = fw.mem.read(MODE_SELECT_ADDRESS);
  return m >= 1 && m <= 3 ? m : null;
}

/** D1 fixed: the factory menu stores the mode it configured. */
export function storeModeSelect(fw: FirmwareContext, mode: number): void {
  fw.mem.write(MODE_SELECT_ADDRESS, mode & 0xff);
}

/** `StoreActivationVariables()` (mem_operation.hpp:63-84). */
export function StoreActivationVariables(fw: FirmwareContext): void {
  const s = fw.state;
  const map = eepromMap(fw.cfg);
  fw.mem.writeInt(map.TokenCount, s.TokenCount);
  fw.mem.writeInt(map.UsedTokens, s.UsedTokens);
  // `writeInt` writes 2 bytes (10-11) over credit bytes 1-2; D31 fixed writes the one byte that is read back.
  if (has(fw.cfg, 'D31')) fw.mem.writeInt(map.PAYGEnabled, s.PAYGEnabled ? 1 : 0);
  else fw.mem.write(map.PAYGEnabled, s.PAYGEnabled ? 1 : 0);
  fw.mem.writeLong(map.TokenEntryLockedUntil, s.TokenEntryLockedUntil);
  if (s.Mode_select === 2) fw.mem.writeLong(s.credit_eeprom_location, toUint32(s.creditt));
  else fw.mem.writeLong(map.ActiveUntil, s.ActiveUntil);
}

/** `storeTimeStampEEPROM(uint32_t)`: `writeInt` keeps the low 16 bits. */
export function storeTimeStampEEPROM(fw: FirmwareContext, timeStampInSeconds: number): void {
  fw.mem.writeInt(eepromMap(fw.cfg).lastTimeStamp, timeStampInSeconds >>> 0);
}

export function storeNbDisconnectionsEEPROM(fw: FirmwareContext): void {
  fw.mem.writeInt(eepromMap(fw.cfg).nbDisconnections, fw.state.nbDisconnections);
}

/** `incrementNbDisconnectionsEeprom()`: prints on `Serial` (the modem line, D39) and counts a reboot. */
export function incrementNbDisconnectionsEeprom(fw: FirmwareContext): void {
  printfPort(fw).println('Disconnection spotted!!');
  fw.state.nbDisconnections = fw.mem.readInt(eepromMap(fw.cfg).nbDisconnections) & 0xff; // uint8_t
  fw.state.nbDisconnections = (fw.state.nbDisconnections + 1) & 0xff;
  storeNbDisconnectionsEEPROM(fw);
}

/** `Serial` / `printf` output: the modem line as shipped (D39); the debug port when D39 is fixed. */
export function printfPort(fw: FirmwareContext): SerialPrint {
  return fw.has('D39') ? fw.Serial : fw.Serial2;
}
