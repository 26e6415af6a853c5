// `loop()` (main.cpp:211-247; docs/firmware.md §3.1), called for ever after `setup()`.
//   mode 1: mesure (≥ 140 ms); credit_reminder if V > 50; LEDs off if V < 50; get_time; the web poll if no token is
//           being typed and V > 50 (seconds to minutes, §9.4). V exactly 50.00 does neither LED action.
//   modes 2, 3: the OpenPAYGO token loop (supplied by its own module).
import { LOW, PINS } from '../board/board.ts';
import { credit_reminder } from './credit.ts';
import type { FirmwareContext } from './firmware-context.ts';
import { mesure } from './measurement.ts';
import { gsm_func } from './remote.ts';
import { get_time } from './timekeeping.ts';

/** An empty `loop()` pass (no mode branch applies) spins; the twin lets this much time pass per pass, ms. */
export const EMPTY_LOOP_MS = 1;

/** D20 fixed: the web is polled at most once per `gsmPollIntervalMs`. */
function gsmPollDue(fw: FirmwareContext): boolean {
  if (fw.has('D20')) return true;
  const s = fw.state;
  return s.lastGsmPollMs < 0 || ((fw.board.millis() - s.lastGsmPollMs) >>> 0) >= fw.opts.gsmPollIntervalMs;
}

export async function loop(fw: FirmwareContext): Promise<void> {
  const s = fw.state;
  let ran = false;
  if (s.tamperLogPending) {
    // D33 fixed: the tamper event the interrupt noted is logged here, outside the interrupt.
    s.tamperLogPending = false;
    fw.mem.writeLong(s.tamper_location, 3);
  }
  if (s.Mode_select === 1) {
    ran = true;
    await mesure(fw);
    if (s.mains_input_value > 50) await credit_reminder(fw);
    if (s.mains_input_value < 50) {
      fw.board.digitalWrite(PINS.redLed, LOW);
      fw.board.digitalWrite(PINS.greenLed, LOW);
    }
    await get_time(fw);
    if (s.sts_mode === 0 && s.mains_input_value > 50 && gsmPollDue(fw)) {
      // Observation only (the demo shows it): the loop is blocked in the web poll from here until it returns.
      s.modemBusySinceMs = fw.board.millis();
      try { await gsm_func(fw); } finally { s.modemBusySinceMs = -1; }
    }
  }
  if (s.Mode_select === 2 || s.Mode_select === 3) {
    if (!fw.opts.opaygo) {
      throw new Error(`the firmware switched to OpenPAYGO mode ${s.Mode_select} (factory menu), but no OpenPAYGO ` +
        'implementation was supplied: pass options.opaygo to OsmFirmware');
    }
    ran = true;
    await fw.opts.opaygo.loop(fw);
  }
  if (!ran) await fw.board.delay(EMPTY_LOOP_MS);
}
