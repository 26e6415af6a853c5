// D40 fixed: an OpenPAYGO meter that enforces what it sells. As shipped, modes 2 and 3 only ever wait for keys: the
// relay is never switched off, `ActiveUntil` is never enforced and mode-2 credit falls only by one billing step per
// `#` press (docs/firmware.md §6.5). The corrected build, while it waits for a token:
// - mode 2 runs the 20 Hz timer interrupt `urgeent()` (billing every second from the measured power, tamper and
//   faults, LCD scenes, exactly as in mode 1; the keypad stays with the token entry), and measures once per
//   `servicePeriodMs` one AFE register per key poll (the four reads of `mesure()`), so that no key press is missed;
// - modes 2 and 3 set the relay from `IsActive()` once per `servicePeriodMs`;
// - mode 2 saves the credit to EEPROM once an hour (as the D26-fixed mode-1 loop does), so that a power cut gives
//   back at most an hour of consumption instead of everything since the last token.
import type { FirmwareContext } from '../firmware-context.ts';
import { TIM1_PERIOD, TIM1_PRESCALER } from '../boot.ts';
import { urgeent } from '../isr.ts';
import { CURRENT_ZERO_WATTS, NO_LOAD_WATTS } from '../measurement.ts';
import { relay_off, relay_on } from '../relay.ts';
import { toUint32 } from '../lib/arduino.ts';
import { IsActive } from './device-status.ts';
import type { OpaygoRun } from './run-state.ts';

/** Mode 2: least time between two periodic credit saves, ms. */
export const CREDIT_SAVE_PERIOD_MS = 3_600_000;

/** First loop pass of a power-on. */
export function startOpaygoMode(fw: FirmwareContext): void {
  if (!fw.has('D40') && fw.state.Mode_select === 2 && !fw.timer) {
    fw.timer = fw.board.createTimer(TIM1_PRESCALER, TIM1_PERIOD, () => urgeent(fw));
    fw.timer.resume();
  }
}

/** The relay follows `IsActive()`. */
export async function applyActivation(fw: FirmwareContext): Promise<void> {
  if (IsActive(fw)) await relay_on(fw);
  else await relay_off(fw);
}

/** One AFE read of the measurement cycle; the last one computes P as `mesure()` does (power.hpp:22-37). */
async function measureStep(fw: FirmwareContext, run: OpaygoRun): Promise<void> {
  const s = fw.state;
  const afe = fw.AFE_chip;
  switch (run.meterStep) {
    case 0: s.freq = Math.fround(await afe.FETCH_Frequency()); break;
    case 1: s.powerFactor = Math.fround(await afe.FETCH_PowerFactor()); break;
    case 2: s.mains_input_value = Math.fround(await afe.FETCH_mains()); break;
    default: {
      s.curr = Math.fround(Math.fround(await afe.FETCH_NEUTRALCurrent()) * 2);
      s.true_power = Math.fround(Math.fround(s.curr * s.mains_input_value) * s.powerFactor);
      if (s.true_power < (fw.has('D47') ? CURRENT_ZERO_WATTS : NO_LOAD_WATTS)) {
        s.curr = 0;
        if (!fw.has('D47')) s.true_power = 0;
      }
      run.meterStep = -1;
      await applyActivation(fw);
      return;
    }
  }
  run.meterStep++;
}

/** Called between two key polls of the waiting loop. Does nothing with D40 present. */
export async function serviceMeter(fw: FirmwareContext, run: OpaygoRun): Promise<void> {
  if (fw.has('D40')) return;
  if (run.meterStep >= 0) {
    await measureStep(fw, run);
    return;
  }
  const now = fw.board.millis();
  if (run.lastServiceMs >= 0 && ((now - run.lastServiceMs) >>> 0) < run.config.servicePeriodMs) return;
  run.lastServiceMs = now;
  if (fw.state.Mode_select === 2) {
    const s = fw.state;
    if (s.lastCreditSaveMs < 0 || ((now - s.lastCreditSaveMs) >>> 0) >= CREDIT_SAVE_PERIOD_MS) {
      fw.mem.writeLong(s.credit_eeprom_location, toUint32(s.creditt));
      s.lastCreditSaveMs = now;
    }
    run.meterStep = 0;
    await measureStep(fw, run);
  } else {
    await applyActivation(fw);
  }
}
