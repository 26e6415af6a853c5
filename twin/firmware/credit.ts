// Credit and energy (credit.hpp; docs/firmware.md §3.4, §3.5).
//
// `credit_formular()` runs in the timer interrupt about once a second and assumes exactly 1 s has passed (D14); all
// of it is float32 (D16: tiny increments are rounded or lost once credit/energy are large) and it never deducts the
// last `billing` worth of credit (D17). `credit_reminder()` runs in the mode-1 loop and drives the LEDs and relay,
// with the 1 / 200 hysteresis (D12) and green left on during a fault (D13).
import { HIGH, LOW, PINS } from '../board/board.ts';
import type { FirmwareContext } from './firmware-context.ts';
import { toUint32 } from './lib/arduino.ts';
import { relay_off, relay_on } from './relay.ts';

/** `(3600000)`: W·s per kWh / 1000 — the per-second divisor of credit.hpp:19-21. */
export const MS_PER_HOUR_KILO = 3600000;

/** The float rounding of `creditt`, `ENERGY` and `billing`: float32 with D16, exact (double) when D16 is fixed. */
export function cfloat(fw: FirmwareContext, x: number): number {
  return fw.has('D16') ? Math.fround(x) : x;
}

/**
 * `credit_formular()` (credit.hpp:17-26): every call bills one second (D14). D14 fixed: the ISR passes `elapsedMs`,
 * the measured time since the previous call, and that is billed instead.
 */
export function credit_formular(fw: FirmwareContext, elapsedMs?: number): void {
  const s = fw.state;
  const f = fw.has('D16') ? Math.fround : (x: number): number => x;
  if (s.true_power > 0) {
    if (elapsedMs === undefined) {
      // ENERGY = ENERGY + (true_power / 3600000); billing = (true_power * tariff) / 3600000
      s.ENERGY = f(s.ENERGY + f(s.true_power / MS_PER_HOUR_KILO));
      s.billing = f(f(s.true_power * f(s.tariff)) / MS_PER_HOUR_KILO);
    } else {
      const kWh = f(f(s.true_power * f(elapsedMs / 1000)) / MS_PER_HOUR_KILO);
      s.ENERGY = f(s.ENERGY + kWh);
      s.billing = f(f(f(s.true_power * f(s.tariff)) * f(elapsedMs / 1000)) / MS_PER_HOUR_KILO);
    }
    if (s.creditt > s.billing) s.creditt = f(s.creditt - s.billing);
    else if (!fw.has('D17')) s.creditt = 0; // D17 fixed: the last fraction is spent, so credit reaches 0
  }
}

/** `credit_reminder()` (credit.hpp:28-45): LEDs and relay from credit and fault; the tests run in this order. */
export async function credit_reminder(fw: FirmwareContext): Promise<void> {
  const s = fw.state;
  const b = fw.board;
  if (s.creditt > 1 && s.creditt < 200) {
    b.digitalWrite(PINS.redLed, HIGH);
    b.digitalWrite(PINS.greenLed, LOW);
    await b.delay(80);
    b.digitalWrite(PINS.redLed, LOW);
    await b.delay(80);
  }
  if (s.creditt < 1 || s.fault === 1) {
    b.digitalWrite(PINS.redLed, HIGH);
    if (!fw.has('D13')) b.digitalWrite(PINS.greenLed, LOW); // D13 fixed: green off whenever the supply is cut
    await relay_off(fw);
  }
  if (fw.has('D12')) {
    if (s.creditt > 200 && s.fault === 0) {
      b.digitalWrite(PINS.redLed, LOW);
      await relay_on(fw);
      b.digitalWrite(PINS.greenLed, HIGH);
    }
  } else if (s.creditt >= 1 && s.fault === 0) {
    // D12 fixed: the supply returns as soon as there is credit to spend; the LEDs keep their low-credit meaning.
    await relay_on(fw);
    if (s.creditt > 200) {
      b.digitalWrite(PINS.redLed, LOW);
      b.digitalWrite(PINS.greenLed, HIGH);
    }
  }
}

/**
 * `writeLong(9, creditt); creditt = readLong(9);`, the first half of every top-up (STS accept, web top-up,
 * `AddCreditt`): the cell holds whole units, so as shipped the read-back drops the fraction below 1 unit (D30, "fraction
 * lost at each top-up"). D30 fixed: the same write and read, and the fraction the cell cannot hold stays in RAM.
 */
export function storeAndReloadCredit(fw: FirmwareContext): void {
  const s = fw.state;
  const whole = toUint32(s.creditt);
  const fraction = s.creditt - whole;
  fw.mem.writeLong(s.credit_eeprom_location, whole);
  const stored = fw.mem.readLong(s.credit_eeprom_location);
  s.creditt = cfloat(fw, stored);
  if (!fw.has('D30') && stored === whole && fraction > 0 && fraction < 1) s.creditt = cfloat(fw, stored + fraction);
}

/** `AddCreditt(v)` (credit.hpp:49-56, OpenPAYGO): write, read back (fraction lost, D30), add, write. */
export function AddCreditt(fw: FirmwareContext, ActivationValue: number): void {
  const s = fw.state;
  storeAndReloadCredit(fw);
  s.creditt = cfloat(fw, s.creditt + (ActivationValue | 0));
  fw.mem.writeLong(s.credit_eeprom_location, toUint32(s.creditt));
  s.get_credit = 1;
}

/** `SetCreditt(v)` (credit.hpp:58-66, OpenPAYGO): credit = v, written twice with a read between. */
export function SetCreditt(fw: FirmwareContext, ActivationValue: number): void {
  const s = fw.state;
  s.creditt = cfloat(fw, ActivationValue | 0);
  fw.mem.writeLong(s.credit_eeprom_location, toUint32(s.creditt));
  s.creditt = cfloat(fw, fw.mem.readLong(s.credit_eeprom_location));
  s.creditt = cfloat(fw, ActivationValue | 0);
  fw.mem.writeLong(s.credit_eeprom_location, toUint32(s.creditt));
  s.get_credit = 1;
}
