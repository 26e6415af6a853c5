// The keypad UI (keypad.hpp:34-253; docs/firmware.md §4): `STS_keypad()` — token entry with its echo
// positions, `#` submit rules, `D` cancel, `A` parameter pages — and the factory menu `FactorySetting()`.
//
// It runs in the mode-0 wait loop (shipped) and at every timer tick (field profile, D5 fixed), so it is synchronous:
// its `delay()`s are busy-waits (`delayBlocking`), which inside the interrupt hold the main loop as on the meter.
import type { FirmwareContext } from './firmware-context.ts';
import { NO_KEY } from './lib/arduino.ts';
import { buss } from './led-buzzer.ts';
import { DATA_LENGTH } from './state.ts';
import { StoreActivationVariables, storeModeSelect } from './storage.ts';
import { STStoken_decode, check_tokenused } from './sts-token.ts';
import { initializeTime } from './timekeeping.ts';

/** Keypad layout (keypad.hpp:25-28), rows PB9, PB8, PB1, PB0 and columns PA7, PA6, PA5, PC13. */
export const HEXA_KEYS: readonly (readonly string[])[] = [
  ['1', '2', '3', 'A'],
  ['4', '5', '6', 'B'],
  ['7', '8', '9', 'C'],
  ['*', '0', '#', 'D'],
];

/** `delay(2000)` after each factory-menu confirmation. */
const MENU_MESSAGE_MS = 2000;

/** `Data[i] = c` for i in 0..20: index 20 is the out-of-bounds byte (D35), modelled as `overflowByte`. */
function storeKey(fw: FirmwareContext, index: number, code: number): void {
  if (index < DATA_LENGTH) fw.state.Data[index] = code;
  else if (index === DATA_LENGTH) fw.state.overflowByte = code;
}

/**
 * `sts_data = Data;` — `String(const char*)` reads up to the first NUL. After 20 or more typed characters there is
 * none inside the array, so the text runs on into the byte after it (see `FirmwareState.overflowByte`). D3 fixed:
 * only the characters typed since `*` (the array is used as a counted buffer).
 */
function dataAsString(fw: FirmwareContext): string {
  const s = fw.state;
  let out = '';
  if (!fw.has('D3')) {
    const n = Math.min(s.data_count, DATA_LENGTH);
    for (let i = 0; i < n; i++) out += String.fromCharCode(s.Data[i]);
    if (s.data_count > DATA_LENGTH) out += String.fromCharCode(s.overflowByte);
    return out;
  }
  for (let i = 0; i < DATA_LENGTH; i++) {
    const c = s.Data[i];
    if (c === 0) return out;
    out += String.fromCharCode(c);
  }
  if (s.overflowByte !== 0) out += String.fromCharCode(s.overflowByte);
  return out;
}

/** `STS_keypad()` (keypad.hpp:176-253): one `getKey()` and its handling. */
export function STS_keypad(fw: FirmwareContext): void {
  const s = fw.state;
  const lcd = fw.lcd;
  const b = fw.board;
  const key = fw.customKeypad.getKey();
  s.customKey = key;
  // No key and no `*` being watched (nearly every call, 20 a second in the field profile): none of the rules below
  // applies.
  if (key === NO_KEY && !s.starHoldPending) return;

  if (key === '*') {
    s.data_count = 0;
    s.lcd_count = 12;
    s.dt = 0;
    s.sts_value = 0;
    b.delayBlocking(20);
    lcd.clear();
    buss(fw); // "ready to receive the token"
    lcd.setCursor(0, 0);
    s.sts_mode = 1;
    // D2: the HOLD test runs on the call that reported the press, when the state is always PRESSED.
    if (fw.customKeypad.getState() === 'HOLD') {
      lcd.println('Enter Password to start factory setting: ');
      s.setting_mode = 1;
    } else {
      lcd.print('TOKEN: ');
      s.setting_mode = 0;
      if (!fw.has('D2')) s.starHoldPending = true;
    }
  } else if (s.starHoldPending) {
    // D2 fixed: the `*` that opened the entry is watched on later calls; held past the hold time (and nothing typed
    // yet) it asks for the factory password, released earlier it was a plain token entry.
    const state = fw.customKeypad.getState();
    if (key !== NO_KEY || s.data_count > 0 || state === 'RELEASED' || state === 'IDLE') {
      s.starHoldPending = false;
    } else if (state === 'HOLD') {
      s.starHoldPending = false;
      lcd.clear();
      lcd.setCursor(0, 0);
      lcd.println('Enter Password to start factory setting: ');
      s.setting_mode = 1;
    }
  }

  if (s.sts_mode === 1 && key !== '*' && key !== '#' && key !== 'D') {
    if (key !== NO_KEY) {
      // D35: `dt < 21` accepts a 21st character into Data[20]; fixed: 20 at most.
      if (s.dt < (fw.has('D35') ? 21 : DATA_LENGTH)) {
        b.delayBlocking(20);
        buss(fw);
        s.dt = (s.dt + 1) & 0xff;
        const code = key.charCodeAt(0);
        if (s.dt < 5) {
          storeKey(fw, s.data_count, code);
          lcd.setCursor(s.lcd_count, 0);
          lcd.write(code);
          s.data_count = (s.data_count + 1) & 0xff;
        }
        if (s.lcd_count > 15) s.lcd_count = 0;
        if (s.dt > 4) {
          storeKey(fw, s.data_count, code);
          lcd.setCursor(s.lcd_count, 1);
          lcd.write(code);
          s.data_count = (s.data_count + 1) & 0xff;
        }
        s.lcd_count = (s.lcd_count + 1) | 0;
        s.sts_value = s.data_count;
      }
    }
  }
  if (key === 'D') {
    s.sts_data = '';
    s.sts_mode = 0;
    s.sts_value = 0;
  }

  if (key === 'A' && s.sts_mode === 0) s.parameters = (s.parameters + 1) & 0xff;

  if (key === '#' && s.sts_mode === 1) {
    s.sts_data = dataAsString(fw);
    if (s.data_count > 19) {
      check_tokenused(fw);
      if (s.token_used === 0) STStoken_decode(fw);
      if (!fw.has('D7')) {
        // D7 fixed: the entry is consumed; `#` finds nothing to submit and keys are ignored until the next `*`
        // (dt at its byte maximum fails the `dt < 21` test).
        s.data_count = 0;
        s.sts_value = 0;
        s.dt = 0xff;
      }
    }

    if (s.data_count < 19 && s.data_count >= 3) {
      if (s.setting_mode === 1) {
        if (s.sts_data === s.password) FactorySetting(fw);
      } else if (s.setting_mode > 1) {
        FactorySetting(fw);
      }
    }
  }
}

/** `FactorySetting()` (keypad.hpp:34-173): the factory menu step for the code just submitted. */
export function FactorySetting(fw: FirmwareContext): void {
  const s = fw.state;
  const lcd = fw.lcd;
  lcd.clear();
  lcd.setCursor(0, 0);
  s.data_count = 0;
  s.lcd_count = 8;
  s.dt = 0;
  switch (s.setting_mode) {
    case 1:
      lcd.println('001:Reinitialisation  011:Configuration  021:Change password');
      s.setting_mode = 2;
      break;

    case 2:
      if (s.sts_data === '001') {
        reinitialise(fw);
        lcd.println('Values reinitialize');
        fw.board.delayBlocking(MENU_MESSAGE_MS);
        lcd.clear();
        lcd.setCursor(0, 0);
        s.setting_mode = 0;
      }
      if (s.sts_data === '011') {
        lcd.println('112:STS  122:Energy-based  132:Timed-based');
        s.setting_mode = 3;
      }
      if (s.sts_data === '021') {
        lcd.println('Old password: ');
        s.setting_mode = 4;
      }
      break;

    case 3:
      if (s.sts_data === '112') configured(fw, 1, 'configured to STS Mode');
      if (s.sts_data === '122') configured(fw, 2, 'configured to OPaygo Energy-based Mode');
      if (s.sts_data === '132') configured(fw, 3, 'configured to OPaygo Time-based Mode');
      s.setting_mode = 0;
      break;

    case 4:
      if (s.sts_data === s.password) {
        lcd.println('New password: ');
        s.setting_mode = 5;
      }
      break;

    case 5:
      s.new_password = s.sts_data;
      lcd.println('confirm new password: ');
      s.setting_mode = 6;
      break;

    case 6:
      if (s.sts_data === s.new_password) {
        s.password = s.new_password;
        lcd.println('password changed ');
        fw.board.delayBlocking(MENU_MESSAGE_MS);
        lcd.clear();
        lcd.setCursor(0, 0);
        s.setting_mode = 0;
      }
      break;
    default:
      break;
  }
}

function configured(fw: FirmwareContext, mode: number, text: string): void {
  fw.state.Mode_select = mode;
  if (!fw.has('D1')) storeModeSelect(fw, mode); // D1 fixed: the mode survives a reboot
  fw.lcd.println(text);
  fw.board.delayBlocking(MENU_MESSAGE_MS);
  fw.lcd.clear();
  fw.lcd.setCursor(0, 0);
}

/** Code `001` (keypad.hpp:48-108): resets measurement, OpenPAYGO, top-up, time, LCD/UI and token-list variables. */
function reinitialise(fw: FirmwareContext): void {
  const s = fw.state;
  s.fault = 0;
  s.billing = 0;
  s.true_power = 0;
  s.ENERGY = 0;
  s.freq = 0;
  s.curr = 0;
  s.powerFactor = 0;
  s.mains_input_value = 0;

  s.InvalidTokenCount = 0;
  s.TokenCount = 1;
  s.UsedTokens = 0;
  s.PAYGEnabled = true;
  s.ActiveUntil = 0;
  s.TokenEntryLockedUntil = 0;
  s.nbDisconnections = 0;
  StoreActivationVariables(fw);

  s.topup = 0;
  s.topupnew = 0;

  s.warntime = 0;
  s.warn_now = 0;

  s.timeInitializationRtc = 0;
  s.hours = 0;
  s.minutes = 0;
  s.seconds = 0;
  s.rtcday = 0;
  s.nw_month_cnt = 0;
  s.rtcmonth = 0;
  s.rtcnewmonth = 0;
  s.billing_date = 0;

  s.thingsboard_check = 0;

  s.lastmonth_KWH = 0;
  initializeTime(fw);

  s.lcdtime_now = 0;
  s.prev_lcdtime = 0;
  s.cnt = 0;
  s.lcd_count = 0;
  s.data_count = 0;
  s.dt = 0;
  s.parameters = 0;
  s.token_used = 0;

  s.sts_eeprom_fetched = 0;
  s.token_eeprom_location = 20;
  s.eeprom_location_cnt = 40;

  s.sts_value = 0;
  s.sts_mode = 0;
}
