// LEDs and buzzer (led_buzzer.hpp): the red LED on PA0, the green LED on PA4, the buzzer on PB5 (HIGH = sound).
import type { PinName } from '../board/board.ts';
import { HIGH, LOW, PINS } from '../board/board.ts';
import type { FirmwareContext } from './firmware-context.ts';

/** `buss()`: length of the key beep, ms (led_buzzer.hpp:36-40). */
export const KEY_BEEP_MS = 10;

/** `ChangeLedState(pin)`: reads the output latch and writes the opposite level. */
export function ChangeLedState(fw: FirmwareContext, pin: PinName): void {
  if (fw.board.digitalRead(pin) === LOW) fw.board.digitalWrite(pin, HIGH);
  else fw.board.digitalWrite(pin, LOW);
}

/** `BlinkLED(pin, n, period)`: toggle, wait, toggle, wait — relative to the LED's current state. */
export async function BlinkLED(fw: FirmwareContext, pin: PinName, NumberOfBlinks: number, BlinkPeriode: number): Promise<void> {
  for (let i = 0; i < NumberOfBlinks; i++) {
    ChangeLedState(fw, pin);
    await fw.board.delay(BlinkPeriode);
    ChangeLedState(fw, pin);
    await fw.board.delay(BlinkPeriode);
  }
}

export function BlinkRedLED(fw: FirmwareContext, n: number, period: number): Promise<void> {
  return BlinkLED(fw, PINS.redLed, n, period);
}

export function BlinkGreenLED(fw: FirmwareContext, n: number, period: number): Promise<void> {
  return BlinkLED(fw, PINS.greenLed, n, period);
}

/**
 * `buss()`: buzzer HIGH, `delay(10)`, LOW. The keypad handler calls it from the mode-0 loop and (field profile) from
 * the timer interrupt, so the wait is the busy one. D33 fixed: inside the interrupt the beep does not block; the
 * interrupt ends it at a later tick (`serviceBuzzer`), so it lasts one tick (≈50 ms) instead of 10 ms.
 */
export function buss(fw: FirmwareContext): void {
  fw.board.digitalWrite(PINS.buzzer, HIGH);
  if (fw.board.inInterrupt && !fw.has('D33')) {
    fw.state.buzzerOffAtMs = fw.board.millis() + KEY_BEEP_MS;
    return;
  }
  fw.board.delayBlocking(KEY_BEEP_MS);
  fw.board.digitalWrite(PINS.buzzer, LOW);
}

/** D33 fixed: ends a non-blocking beep once its time has passed (called at every interrupt tick). */
export function serviceBuzzer(fw: FirmwareContext): void {
  const s = fw.state;
  if (s.buzzerOffAtMs >= 0 && fw.board.millis() >= s.buzzerOffAtMs) {
    s.buzzerOffAtMs = -1;
    fw.board.digitalWrite(PINS.buzzer, LOW);
  }
}
