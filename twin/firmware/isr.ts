// The 20 Hz timer interrupt `urgeent()` (helpers.hpp:30-99; docs/firmware.md §3.3, §3.6), attached in boot
// mode 1. Synchronous: it runs atomically with respect to the loop and its `delay()`s are busy-waits.
//
// Steps, in the original's order:
//   1 zero P below 15 W · 2 billing when float millis advanced by more than 1000 (every 21 ticks, D14/D15) ·
//   (the keypad scan, commented out as shipped: D5) · 3 the 1.5 s warning timeout · 4 parameter pages ·
//   5 LCD scenes · 6 PA1 "battery" ADC · 7 tamper (EEPROM log, LCD, 20 ms beep) · 8 tamper clear · 9 voltage,
//   frequency and overload faults, whose clear rule is a tautology (D11).
import { HIGH, LOW, PINS } from '../board/board.ts';
import { credit_formular } from './credit.ts';
import type { FirmwareContext } from './firmware-context.ts';
import { perFirmware } from './per-firmware.ts';
import { STS_keypad } from './keypad-ui.ts';
import { lcd_update, parameters_display } from './lcd-ui.ts';
import { serviceBuzzer } from './led-buzzer.ts';
import { NO_LOAD_WATTS } from './measurement.ts';

/** `btt = btValue * 0.07331280915044247787610619469027` (helpers.hpp:69): 75 V full scale on a 10-bit ADC. */
export const BTT_PER_COUNT = 0.07331280915044247787610619469027;
/** ISR step 1 threshold (helpers.hpp:31). */
export const POWER_ZERO_WATTS = 15;
/** D34 fixed: the tamper alarm chirps for one tick in every `TAMPER_CHIRP_TICKS`. */
const TAMPER_CHIRP_TICKS = 20;
const TICK_MS = 50;

/** The defects the interrupt asks about at every tick, looked up once per firmware (its build does not change). */
class IsrDefects {
  readonly D5: boolean; readonly D11: boolean; readonly D14: boolean; readonly D15: boolean;
  readonly D33: boolean; readonly D34: boolean; readonly D47: boolean;
  constructor(fw: FirmwareContext) {
    this.D5 = fw.has('D5'); this.D11 = fw.has('D11'); this.D14 = fw.has('D14'); this.D15 = fw.has('D15');
    this.D33 = fw.has('D33'); this.D34 = fw.has('D34'); this.D47 = fw.has('D47');
  }
}

const isrDefects = perFirmware((fw) => new IsrDefects(fw));

/** `urgeent()`. */
export function urgeent(fw: FirmwareContext): void {
  const s = fw.state;
  const b = fw.board;
  const lcd = fw.lcd;
  const has = isrDefects(fw);

  // 1
  if (s.true_power < (has.D47 ? POWER_ZERO_WATTS : NO_LOAD_WATTS)) s.true_power = 0;

  // 2
  if (has.D15) {
    s.pulsetime_now = Math.fround(b.millis()); // unsigned long → float
    const elapsed = Math.fround(s.pulsetime_now - s.prev_pulsetime);
    if (elapsed > 1000) {
      s.prev_pulsetime = s.pulsetime_now;
      credit_formular(fw, has.D14 ? undefined : elapsed);
    }
  } else {
    // D15 fixed: uint32 millis arithmetic, which survives the 49.7-day wrap and keeps full resolution.
    const now = b.millis();
    const elapsed = (now - s.prevPulseMs) >>> 0;
    if (elapsed > 1000) {
      s.prevPulseMs = now;
      s.pulsetime_now = Math.fround(now);
      s.prev_pulsetime = s.pulsetime_now;
      credit_formular(fw, has.D14 ? undefined : elapsed);
    }
  }

  // helpers.hpp:41-43, commented out as shipped (D5); the field profile restores it.
  if (!has.D5 && s.Mode_select !== 2) STS_keypad(fw);

  // 3
  warningTimeout(fw);
  if (!has.D33) serviceBuzzer(fw);

  // 4
  if (s.parameters > 0) parameters_display(fw);
  // 5
  if (s.sts_mode === 0 && s.parameters === 0 && s.btt > 2 && s.tp_fetch === 0) lcd_update(fw);

  // 6
  s.btValue = Math.fround(b.analogRead(PINS.batteryInput));
  s.btt = Math.fround(s.btValue * BTT_PER_COUNT);

  // 7
  if (s.btt < 2) {
    s.fault = 1;
    if (s.fault_written === 0) {
      // D33 fixed: the ~21 ms EEPROM write is left to the loop.
      if (has.D33) fw.mem.writeLong(s.tamper_location, 3);
      else s.tamperLogPending = true;
      s.fault_written = 1;
    }
    lcd.setCursor(0, 0);
    lcd.print('TERMINAL  COVER ');
    lcd.setCursor(0, 1);
    lcd.print('      OPEN      ');
    if (has.D34) {
      b.digitalWrite(PINS.buzzer, HIGH);
      b.delayBlocking(20);
      b.digitalWrite(PINS.buzzer, LOW);
    } else {
      // D34 fixed: a 50 ms chirp once a second, without blocking.
      const chirp = Math.floor(b.millis() / TICK_MS) % TAMPER_CHIRP_TICKS === 0;
      if (chirp !== s.tamperChirpOn) {
        s.tamperChirpOn = chirp;
        b.digitalWrite(PINS.buzzer, chirp ? HIGH : LOW);
      }
    }
  }
  // 8
  if (s.btt > 2) {
    s.fault = 0;
    s.fault_written = 0;
    if (s.tamperChirpOn) {
      s.tamperChirpOn = false;
      b.digitalWrite(PINS.buzzer, LOW);
    }
  }
  // 9
  if (s.mains_input_value > 50) {
    if (s.freq < s.low_freq || s.mains_input_value > s.over_voltage || s.mains_input_value < s.low_voltage ||
        s.true_power > s.over_load) {
      s.fault = 1;
    }
    if (has.D11) {
      // `V < 250 || V > 150` holds for every V: this clears any fault the line above just set.
      if ((s.freq > s.low_freq || s.mains_input_value < s.over_voltage || s.mains_input_value > s.low_voltage ||
           s.true_power < s.over_load) && s.btt > 2) {
        s.fault = 0;
      }
    } else if (s.freq > s.low_freq && s.mains_input_value < s.over_voltage && s.mains_input_value > s.low_voltage &&
               s.true_power < s.over_load && s.btt > 2) {
      s.fault = 0; // D11 fixed: cleared only when every quantity is back in range and the cover is closed
    }
  }
}

/**
 * ISR step 3 (helpers.hpp:44-60): 1.5 s after a token screen the entry state is cleared and the buzzer silenced.
 * Also run by the mode-0 wait loop when D36 is fixed (as shipped, mode 0 has no timeout).
 */
export function warningTimeout(fw: FirmwareContext): void {
  const s = fw.state;
  s.warn_now = fw.board.millis() | 0; // long
  if (s.c_chek === 1) {
    if (((s.warn_now - s.warntime) | 0) > 1500) {
      s.sts_data = '';
      s.sts_mode = 0;
      s.data_count = 0;
      s.sts_value = 0;
      s.sts_accept = 0;
      s.topupnew = 0;
      s.topup = 0;
      s.c_chek = 0;
      s.token_ok = 0;
      s.token_used = 0;
      s.warntime = s.warn_now;
      fw.board.digitalWrite(PINS.buzzer, LOW);
    }
  }
}
