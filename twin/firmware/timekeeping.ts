// Time (time_management.hpp; docs/firmware.md §7.4, §8): the DS1307 through RTClib, the first-setup detection
// in its NVRAM, `get_time()` of the mode-1 loop (credit save at minute 30, ThingsBoard at hour 23, the monthly
// rollover that the comma operator disables), and the OpenPAYGO time base.
import type { FirmwareContext } from './firmware-context.ts';
import { toUint32 } from './lib/arduino.ts';
import { DateTime } from './lib/rtclib.ts';
import { incrementNbDisconnectionsEeprom, printfPort, storeTimeStampEEPROM } from './storage.ts';
import { post_to_thingsboard } from './thingsboard.ts';

/** `TIME_INITIALIZATION_NVRAM_ADDRESS` (time_management.hpp:18). */
export const TIME_INITIALIZATION_NVRAM_ADDRESS = 4;
/** `TIME_DIVIDER` (time_management.hpp:15): one activation unit = 1 day. */
export const TIME_DIVIDER = 1;
/** D29 fixed: a signature in NVRAM offsets 8..11 marks a clock this firmware has initialised. */
export const NVRAM_SIGNATURE_ADDRESS = 8;
export const NVRAM_SIGNATURE = [0x4f, 0x53, 0x4d, 0x01] as const; // "OSM" 1
/** D28 as shipped: `while (1);` after `Couldn't find RTC`. The twin charges this much busy time (≈24.8 days). */
export const HANG_MS = 0x7fffffff;
const MINUTE_MS = 60_000;

/** `readUint32FromNvram(address)`: 4 NVRAM bytes, little-endian. */
export function readUint32FromNvram(fw: FirmwareContext, address: number): number {
  const b = fw.rtc.readnvramBytes(address, 4);
  return (b[0] + (b[1] << 8) + (b[2] << 16) + b[3] * 0x1000000) >>> 0;
}

/** `storeUint32InNvram(value, address)`. */
export function storeUint32InNvram(fw: FirmwareContext, value: number, address: number): void {
  const v = value >>> 0;
  fw.rtc.writenvramBytes(address, [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]);
}

/** `GetTimeInSeconds()`: unixtime since the first setup (uint32, wraps if the clock moves back). */
export function GetTimeInSeconds(fw: FirmwareContext): number {
  return (fw.rtc.now().unixtime() - fw.state.timeInitializationRtc) >>> 0;
}

/** `AddTime(days)` (OpenPAYGO time mode). */
export function AddTime(fw: FirmwareContext, ActivationValue: number): void {
  const s = fw.state;
  const Now = GetTimeInSeconds(fw);
  const NumberOfSecondsToActivate = Math.trunc(Math.imul(Math.imul(ActivationValue | 0, 3600), 24) / TIME_DIVIDER) | 0;
  if (s.ActiveUntil < Now) s.ActiveUntil = Now;
  s.ActiveUntil = (s.ActiveUntil + NumberOfSecondsToActivate) >>> 0;
}

/** `SetTime(days)` (OpenPAYGO time mode). */
export function SetTime(fw: FirmwareContext, ActivationValue: number): void {
  const Now = GetTimeInSeconds(fw);
  const NumberOfSecondsToActivate = Math.trunc(Math.imul(Math.imul(ActivationValue | 0, 3600), 24) / TIME_DIVIDER) | 0;
  fw.state.ActiveUntil = (Now + NumberOfSecondsToActivate) >>> 0;
}

function compileDateTime(fw: FirmwareContext): DateTime {
  const c = fw.opts.compileTime;
  return new DateTime(c.year, c.month, c.day, c.hour, c.minute, c.second);
}

/** D27 fixed: a halted DS1307 is started where it stopped (`adjust` rewrites the time with CH clear). */
export function startHaltedRtc(fw: FirmwareContext): void {
  fw.rtc.adjust(fw.rtc.now());
}

/**
 * `initializeTime()` (time_management.hpp:114-142). Synchronous (the factory menu calls it from the keypad handler).
 * Returns false when the RTC is missing: as shipped the firmware then spins in `while (1);` — the caller hangs.
 */
export function initializeTime(fw: FirmwareContext): boolean {
  const s = fw.state;
  const out = printfPort(fw);
  if (!fw.rtc.begin()) {
    out.println("Couldn't find RTC");
    if (fw.has('D28')) {
      // `while (1);` — no way out. In the interrupt or the keypad handler the spin is one long busy-wait.
      fw.board.delayBlocking(HANG_MS);
      return false;
    }
    s.rtcMissing = true; // D28 fixed: run on without a clock
    return true;
  }
  if (!fw.rtc.isrunning()) {
    out.println('RTC is NOT running!');
    if (!fw.has('D27')) startHaltedRtc(fw);
  }

  const nvramCheck = readUint32FromNvram(fw, TIME_INITIALIZATION_NVRAM_ADDRESS);
  let firstSetup = nvramCheck === 0;
  if (!fw.has('D29')) {
    const sig = fw.rtc.readnvramBytes(NVRAM_SIGNATURE_ADDRESS, NVRAM_SIGNATURE.length);
    firstSetup = sig.some((b, i) => b !== NVRAM_SIGNATURE[i]) || nvramCheck === 0;
  }
  if (firstSetup) {
    const build = compileDateTime(fw);
    // D29 fixed: a running clock that is not behind the build time keeps its time.
    const keepClock = !fw.has('D29') && fw.rtc.isrunning() && fw.rtc.now().unixtime() >= build.unixtime() &&
      fw.rtc.now().year() < 2100;
    if (!keepClock) fw.rtc.adjust(build); // "sets the RTC to the date & time this sketch was compiled"
    s.timeInitializationRtc = fw.rtc.now().unixtime();
    storeUint32InNvram(fw, s.timeInitializationRtc, TIME_INITIALIZATION_NVRAM_ADDRESS);
    if (!fw.has('D29')) fw.rtc.writenvramBytes(NVRAM_SIGNATURE_ADDRESS, [...NVRAM_SIGNATURE]);
  } else {
    s.timeInitializationRtc = nvramCheck;
    incrementNbDisconnectionsEeprom(fw);
    storeTimeStampEEPROM(fw, GetTimeInSeconds(fw));
  }
  return true;
}

/** D26 fixed: the periodic credit save is due once an hour (at minute 30, or after 60 min without one). */
function creditSaveDue(fw: FirmwareContext): boolean {
  const s = fw.state;
  const since = (fw.board.millis() - s.lastCreditSaveMs) >>> 0;
  return (s.minutes === 30 && since >= 30 * MINUTE_MS) || since >= 60 * MINUTE_MS;
}

/** `get_time()` (time_management.hpp:32-62), once per mode-1 loop. */
export async function get_time(fw: FirmwareContext): Promise<void> {
  const s = fw.state;
  const now = fw.rtc.now();
  s.hours = now.hour();
  s.minutes = now.minute();
  s.seconds = now.second();
  s.rtcday = now.day();
  // D24: `rtcmonth = (now.month(), DEC);` — the comma operator: the month is read and discarded, the value is DEC.
  s.rtcmonth = fw.has('D24') ? 10 : now.month();
  if (s.nw_month_cnt === 0) {
    s.rtcnewmonth = s.rtcmonth;
    s.nw_month_cnt = 1;
    s.monthStartEnergy = s.ENERGY;
  }
  if (fw.has('D26') ? s.minutes === 30 : creditSaveDue(fw)) {
    fw.mem.writeLong(s.credit_eeprom_location, toUint32(s.creditt));
    s.lastCreditSaveMs = fw.board.millis();
    await fw.board.delay(10); // "update newly added topup value"
  }

  if (s.hours === 23 && s.thingsboard_check === 0) {
    await post_to_thingsboard(fw);
    s.thingsboard_check = 1;
  }
  if (s.hours < 23 || s.hours > 23) s.thingsboard_check = 0;

  if (fw.has('D24')) {
    if (s.rtcmonth > s.rtcnewmonth && s.nw_month_cnt === 1) {
      s.lastmonth_KWH = s.ENERGY; // the total since boot, not the month's
      s.billing_date = s.rtcday;
      s.nw_month_cnt = 0;
    }
  } else if (s.rtcmonth !== s.rtcnewmonth && s.nw_month_cnt === 1) {
    // D24 fixed: any change of month (December → January too), and the energy of the month that ended.
    s.lastmonth_KWH = Math.fround(s.ENERGY - s.monthStartEnergy);
    s.billing_date = s.rtcday;
    s.nw_month_cnt = 0;
  }
}
