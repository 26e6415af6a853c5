// The device side of OpenPAYGO (opaygo_token.hpp:28-113; docs/firmware.md §6.4, §6.5): what a decoded token does
// to the meter, the LED codes that report it, the invalid-token lockout, and `IsActive()`.
//
// LED codes (BLINK_PERIOD 250 ms; one blink = toggle, 250 ms, toggle, 250 ms, relative to the LED's state):
//   -1 invalid: red ×10 (5 s) · -2 valid but already used: green ×1 · 999 counter sync: green ×3 ·
//   998 PAYG disable: green ×5 · any other value: green ×2.
// Lockout: from the third invalid token in a row, token entry is refused for 2^(n−2) minutes (n capped at 11, so at
// most 512 min); the time base is the RTC (§8), so a halted RTC makes a lockout permanent (D27).
import { LOW, PINS } from '../../board/board.ts';
import { AddCreditt, SetCreditt, credit_reminder } from '../credit.ts';
import type { FirmwareContext } from '../firmware-context.ts';
import { urgeent } from '../isr.ts';
import { BlinkGreenLED, BlinkRedLED } from '../led-buzzer.ts';
import { mesure } from '../measurement.ts';
import { StoreActivationVariables, printfPort } from '../storage.ts';
import { AddTime, GetTimeInSeconds, SetTime } from '../timekeeping.ts';
import { COUNTER_SYNC_VALUE, PAYG_DISABLE_VALUE } from '../../tokens/opaygo.ts';
import { storesBeforeBlinking } from './config.ts';

/** `#define BLINK_PERIOD 250` (opaygo_token.hpp:18), ms. */
export const BLINK_PERIOD = 250;
/** `InvalidTokenCount` is capped here before the lockout is computed. */
export const MAX_INVALID_TOKEN_COUNT = 11;
/** Invalid tokens forgiven before the first lockout. */
export const FORGIVEN_INVALID_TOKENS = 2;

/** `TokenEntryAllowed()`: false while `TokenEntryLockedUntil` lies ahead of the OpenPAYGO time. */
export function TokenEntryAllowed(fw: FirmwareContext): boolean {
  return !(fw.state.TokenEntryLockedUntil > GetTimeInSeconds(fw));
}

/** `UpdateInvalidTokenWaitingPeriod()`: `Now + pow(2, n − 2) * 60`, converted to uint32. */
export function UpdateInvalidTokenWaitingPeriod(fw: FirmwareContext): void {
  const s = fw.state;
  const Now = GetTimeInSeconds(fw);
  if (s.InvalidTokenCount > MAX_INVALID_TOKEN_COUNT) s.InvalidTokenCount = MAX_INVALID_TOKEN_COUNT;
  if (s.InvalidTokenCount > FORGIVEN_INVALID_TOKENS) {
    s.TokenEntryLockedUntil = Math.trunc(Now + 2 ** (s.InvalidTokenCount - 2) * 60) >>> 0;
  }
}

/** `IsActive()`: PAYG disabled → always; mode 2 → credit ≥ 1 and no fault; mode 3 → `ActiveUntil` ahead of now. */
export function IsActive(fw: FirmwareContext): boolean {
  const s = fw.state;
  if (s.PAYGEnabled) {
    if (s.Mode_select === 2) return !(s.creditt < 1 || s.fault === 1);
    if (s.Mode_select === 3) return s.ActiveUntil > GetTimeInSeconds(fw);
  }
  return true;
}

/** Add or set credit (mode 2) or days (mode 3), as the token's count parity says: odd SET, even ADD. */
function applyActivationValue(fw: FirmwareContext, TokenValue: number, ActivationCount: number): void {
  const s = fw.state;
  if (ActivationCount % 2) {
    s.PAYGEnabled = true;
    if (s.Mode_select === 2) SetCreditt(fw, TokenValue);
    else SetTime(fw, TokenValue);
  } else if (s.Mode_select === 2) {
    AddCreditt(fw, TokenValue);
  } else {
    AddTime(fw, TokenValue);
  }
}

/**
 * `UpdateDeviceStatusFromTokenValue(TokenValue, ActivationCount)`. As shipped the value is applied, the LEDs blink,
 * and only then are the activation variables stored; the `fixed` profile stores first (see config.ts).
 */
export async function UpdateDeviceStatusFromTokenValue(fw: FirmwareContext, TokenValue: number, ActivationCount: number): Promise<void> {
  const s = fw.state;
  if (TokenValue === -1) {
    s.InvalidTokenCount = (s.InvalidTokenCount + 1) | 0;
    UpdateInvalidTokenWaitingPeriod(fw);
    if (storesBeforeBlinking(fw.cfg)) StoreActivationVariables(fw); // fixed: the lockout survives a power cut
    await BlinkRedLED(fw, 10, BLINK_PERIOD);
    return;
  }
  if (TokenValue === -2) {
    await BlinkGreenLED(fw, 1, BLINK_PERIOD); // valid, but not any more
    return;
  }
  s.InvalidTokenCount = 0;
  let blinks = 2;
  if (TokenValue === COUNTER_SYNC_VALUE) blinks = 3;
  else if (TokenValue === PAYG_DISABLE_VALUE) { s.PAYGEnabled = false; blinks = 5; }
  if (storesBeforeBlinking(fw.cfg)) {
    // fixed: the decoder state first, so a cut from here on can only lose this token's value, never repeat it
    StoreActivationVariables(fw);
    if (blinks === 2) {
      applyActivationValue(fw, TokenValue, ActivationCount);
      StoreActivationVariables(fw);
    }
    await BlinkGreenLED(fw, blinks, BLINK_PERIOD);
    return;
  }
  if (blinks === 2) applyActivationValue(fw, TokenValue, ActivationCount);
  await BlinkGreenLED(fw, blinks, BLINK_PERIOD);
  StoreActivationVariables(fw); // "We store in every case"
}

/** `printf("%f")`: 6 decimals. [UNDET] newlib-nano's `%f` support; the twin prints what full newlib prints. */
function printfFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf';
  return x.toFixed(6);
}

/**
 * The `#` key while waiting for `*` (opaygo_token.hpp:131-152): green blink if active, red if not; with DEBUG, the
 * status line. Mode 2 as shipped also measures, runs `credit_reminder()` and calls the timer routine `urgeent()`
 * directly — one billing step per `#` (D40) — and prints `Energy Left:` with the energy *used* (D41).
 */
export async function reportStatus(fw: FirmwareContext): Promise<void> {
  const s = fw.state;
  const b = fw.board;
  const out = printfPort(fw);
  if (!IsActive(fw)) {
    await BlinkRedLED(fw, 1, BLINK_PERIOD);
    return;
  }
  await BlinkGreenLED(fw, 1, BLINK_PERIOD);
  if (s.Mode_select === 2) {
    if (fw.has('D40')) {
      await mesure(fw);
      if (s.mains_input_value > 50) await credit_reminder(fw);
      if (s.mains_input_value < 50) {
        b.digitalWrite(PINS.redLed, LOW);
        b.digitalWrite(PINS.greenLed, LOW);
      }
      urgeent(fw); // called from the loop, not the timer: one billing step if 1 s has passed
    }
    // D41 fixed: the energy the credit still buys at the present tariff (credit units per kWh).
    const left = fw.has('D41') ? s.ENERGY : s.tariff > 0 ? s.creditt / s.tariff : s.creditt;
    out.print(`\nEnergy Left: ${printfFloat(left)} KWH`);
  } else {
    out.print(`\nTime Left: ${(s.ActiveUntil - GetTimeInSeconds(fw)) >>> 0}seconds`);
  }
}
