// The custom 20-character "STS" token (sts_token.hpp:44-198) and the used-token check (token_management.hpp:35-65);
// docs/firmware.md §5.
//
// Arithmetic as on the meter: `String.toInt()` is `atol` (clamps at 2147483647), `topup` and `dcode` are float32,
// `topupnew` is an `unsigned long`, int division truncates and a division by 0 gives 0 (Cortex-M3 SDIV).
// Knobs: D6 (no used-token record), D8 (`sts_accept` sticky), D9 (A/e=3 never valid), D10 (meter check moves with
// the runtime tariff), D37 (the used-list scan starts on the pointer and compares clamped numbers).
import { HIGH, PINS } from '../board/board.ts';
import { cfloat, storeAndReloadCredit } from './credit.ts';
import type { FirmwareContext } from './firmware-context.ts';
import { atol, toUint32 } from './lib/arduino.ts';
import { TOKEN_LIST_END, TOKEN_LIST_START, TOKEN_RECORD_BYTES, eepromMap } from './eeprom.ts';

/** `tariff` at boot (sts_token.hpp:23): D10 fixed subtracts this build constant instead of the runtime tariff. */
export const STS_BUILD_TARIFF = 1;

/** Offset added to the amount and divisor for each identifier and encoder digit (sts_token.hpp:71-166). */
interface AmountRule { offset: number; divisor: number }
const RULES: Record<'A' | 'B' | 'C', { digits: number; e: readonly [AmountRule, AmountRule, AmountRule] }> = {
  A: { digits: 3, e: [{ offset: 25, divisor: 25 }, { offset: 50, divisor: 25 }, { offset: 39, divisor: 15 }] },
  C: { digits: 4, e: [{ offset: 15, divisor: 15 }, { offset: 36, divisor: 18 }, { offset: 39, divisor: 13 }] },
  B: { digits: 5, e: [{ offset: 99, divisor: 99 }, { offset: 70, divisor: 35 }, { offset: 60, divisor: 20 }] },
};
/** D9 fixed: the server's offset for A with e = 3 (web_software/token_generation.php subtracts 45; 45 / 15 = 3). */
const A3_FIXED: AmountRule = { offset: 45, divisor: 15 };

/** C `int / int` on the Cortex-M3: truncation toward zero, and 0 for a division by zero (no trap). */
function sdiv(a: number, b: number): number {
  return b === 0 ? 0 : Math.trunc(a / b) | 0;
}

/** `STStoken_decode()` (sts_token.hpp:44-198). */
export function STStoken_decode(fw: FirmwareContext): void {
  const s = fw.state;
  const d = s.sts_data;
  if (!fw.has('D8')) s.sts_accept = 0; // D8 fixed: every decode starts from "not accepted"

  const convertekeycofirmation = atol(d.substring(0, 3)); // int
  const convertekeycofirmationmultiplier = atol(d.substring(3, 4)); // int
  s.confirmkey = sdiv(convertekeycofirmation, convertekeycofirmationmultiplier);

  const sts_meter_no_count = d.substring(4, 5);
  s.convertedsts_data = atol(d) >>> 0; // unsigned int = long
  const stsnew_meter_no_count = atol(sts_meter_no_count) >>> 0;
  s.convertedsts_day = atol(d.substring(6, 8)) >>> 0;
  const sts_third = d.substring(8, 15);
  const encoder = sts_third.substring(0, 1);
  s.encodernew = atol(encoder) >>> 0;
  const identifier = sts_third.substring(6, 7);
  const tariff_MT_NO = atol(d.substring(15, 20)); // long
  // `unsigned long trueMT_NO = tariff_MT_NO - tariff;` (unsigned arithmetic), then `/ multiplier`.
  const subtracted = fw.has('D10') ? s.tariff : STS_BUILD_TARIFF;
  let trueMT_NO = (tariff_MT_NO - subtracted) >>> 0;
  trueMT_NO = Math.floor(trueMT_NO / s.multiplier);

  if (s.confirmkey === s.private_stskey && s.convertedsts_data !== s.eeprom_sts_data && trueMT_NO === s.meter_no &&
      s.meter_no_count === stsnew_meter_no_count) {
    if (identifier === 'A' || identifier === 'B' || identifier === 'C') {
      const rule = RULES[identifier];
      // `String tp = sts_third.substring(1, 1 + digits); topup = tp.toInt();`
      s.topup = Math.fround(atol(sts_third.substring(1, 1 + rule.digits)));
      // `if (encoder == "1") {...} if (encoder == "2") {...} if (encoder == "3") {...}`: other digits run no branch.
      const e = encoder === '1' ? 0 : encoder === '2' ? 1 : encoder === '3' ? 2 : -1;
      if (e === 0 || e === 1 || e === 2) {
        const r = identifier === 'A' && e === 2 && !fw.has('D9') ? A3_FIXED : rule.e[e];
        s.topupnew = toUint32(Math.fround(s.topup + r.offset)); // float → unsigned long
        s.dcode = Math.fround(Math.fround(Math.fround(s.topupnew) - s.topup) / r.divisor);
        if (s.dcode === Math.fround(s.encodernew)) s.sts_accept = 1;
        else s.sts_accept = 0;
      }
    }

    if (s.sts_accept === 1) {
      if (s.c_chek === 0) {
        s.warntime = s.warn_now;
        s.c_chek = 1;
      }
      fw.lcd.setCursor(0, 0);
      fw.lcd.print(' TOKEN ACCEPTED ');
      fw.lcd.setCursor(0, 1);
      fw.lcd.print('   VIA KEYPAD   ');
      s.topup = Math.fround(s.topupnew);
      storeAndReloadCredit(fw); // write present credit, fetch it back (fraction lost, D30)
      s.creditt = cfloat(fw, s.creditt + s.topup);
      fw.mem.writeLong(s.credit_eeprom_location, toUint32(s.creditt));
      s.get_credit = 1;
      if (!fw.has('D6')) recordUsedToken(fw);
    }
  }

  if (s.sts_accept === 0) {
    if (s.c_chek === 0) {
      s.warntime = s.warn_now;
      s.c_chek = 1;
    }
    fw.lcd.setCursor(0, 0);
    fw.lcd.print('  WARNING!!!!!  ');
    fw.lcd.setCursor(0, 1);
    fw.lcd.print('  INVALID TOKEN ');
    fw.board.digitalWrite(PINS.buzzer, HIGH);
  }
}

/** The warning screen and buzzer of a token found in the used list (token_management.hpp:52-63). */
function showUsedToken(fw: FirmwareContext): void {
  const s = fw.state;
  if (s.c_chek === 0) {
    s.warntime = s.warn_now;
    s.c_chek = 1;
  }
  fw.lcd.setCursor(0, 0);
  fw.lcd.print('  WARNING!!!!!  ');
  fw.lcd.setCursor(0, 1);
  fw.lcd.print('   USED TOKEN   ');
  fw.board.digitalWrite(PINS.buzzer, HIGH);
  s.token_used = 1;
}

/**
 * `check_tokenused()` (token_management.hpp:35-65). As shipped (D37): the list pointer at 40 is read; a value above
 * 4000 is reset to 40; then every byte address from 40 to pointer−1 is read as a uint32 (overlapping reads that
 * start on the pointer itself), its decimal text cut to 10 characters and converted with the clamping `toInt`, and
 * compared with `toInt` of the token's first 10 characters. D37 fixed: whole 20-character records from
 * `TOKEN_LIST_START`, compared exactly.
 */
export function check_tokenused(fw: FirmwareContext): void {
  const s = fw.state;
  const ptrAddr = eepromMap(fw.cfg).tokenListPointer;
  s.token_eeprom_location = fw.mem.readLong(s.eeprom_location_cnt);
  if (fw.has('D37')) {
    if (s.token_eeprom_location > 4000) {
      fw.mem.writeLong(s.eeprom_location_cnt, 40);
      s.token_eeprom_location = 40;
    }
    const conv_sts_keyco = atol(s.sts_data.substring(0, 10));
    // `unsigned int locationcount` runs from 40 while below the pointer.
    for (let locationcount = 40; locationcount < s.token_eeprom_location; locationcount++) {
      s.sts_eeprom_fetched = fw.mem.readLong(locationcount);
      const conv_keyco = atol(String(s.sts_eeprom_fetched).substring(0, 10));
      if (conv_keyco === conv_sts_keyco) showUsedToken(fw);
    }
    return;
  }
  const ptr = validTokenPointer(s.token_eeprom_location);
  if (ptr !== s.token_eeprom_location) fw.mem.writeLong(ptrAddr, ptr);
  s.token_eeprom_location = ptr;
  const token = s.sts_data.substring(0, TOKEN_RECORD_BYTES);
  // The whole ring is searched (a record never written holds erased bytes, which match no token).
  for (let a = TOKEN_LIST_START; a + TOKEN_RECORD_BYTES <= TOKEN_LIST_END; a += TOKEN_RECORD_BYTES) {
    if (fw.mem.readChars(a, TOKEN_RECORD_BYTES) === token) {
      showUsedToken(fw);
      return;
    }
  }
}

/** D37 fixed: a pointer inside the record ring, else the ring's start. */
function validTokenPointer(p: number): number {
  if (p < TOKEN_LIST_START || p + TOKEN_RECORD_BYTES > TOKEN_LIST_END) return TOKEN_LIST_START;
  if ((p - TOKEN_LIST_START) % TOKEN_RECORD_BYTES !== 0) return TOKEN_LIST_START;
  return p;
}

/**
 * D6 fixed: an accepted token is recorded. With D37 still present the record has the original list's format (one
 * uint32 per entry: the clamped number of the first 10 characters, the pointer advanced by 4), so the original scan
 * finds it; with D37 fixed it is the whole token in the ring of 20-byte records.
 */
export function recordUsedToken(fw: FirmwareContext): void {
  const s = fw.state;
  const ptrAddr = eepromMap(fw.cfg).tokenListPointer;
  if (fw.has('D37')) {
    let ptr = fw.mem.readLong(ptrAddr);
    if (ptr > 4000 || ptr < 44) ptr = 44; // the first entry after the pointer itself
    if (ptr + 4 > 4000) ptr = 44;
    fw.mem.writeLong(ptr, atol(s.sts_data.substring(0, 10)) >>> 0);
    fw.mem.writeLong(ptrAddr, ptr + 4);
    return;
  }
  let ptr = validTokenPointer(fw.mem.readLong(ptrAddr));
  fw.mem.writeChars(ptr, s.sts_data.substring(0, TOKEN_RECORD_BYTES).padEnd(TOKEN_RECORD_BYTES, '\0'));
  ptr += TOKEN_RECORD_BYTES;
  if (ptr + TOKEN_RECORD_BYTES > TOKEN_LIST_END) ptr = TOKEN_LIST_START; // a ring: the oldest record goes first
  fw.mem.writeLong(ptrAddr, ptr);
}
