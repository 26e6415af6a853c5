// `mesure()` (power.hpp:22-37; docs/firmware.md §3.2): four AFE reads, each followed by `delay(20)`, then
// P = I × V × PF in float (the chip's power register is not used). The timer interrupt may run between any two
// steps and sees the globals half-updated, as on the meter.
import type { FirmwareContext } from './firmware-context.ts';

/** Below this computed power the displayed current is zeroed (power.hpp:33). */
export const CURRENT_ZERO_WATTS = 5;

/** D47 fixed: the one no-load threshold used for both the displayed current and billing. */
export const NO_LOAD_WATTS = 5;

export async function mesure(fw: FirmwareContext): Promise<void> {
  const s = fw.state;
  const b = fw.board;
  const afe = fw.AFE_chip;
  s.freq = Math.fround(await afe.FETCH_Frequency());
  await b.delay(20);
  s.powerFactor = Math.fround(await afe.FETCH_PowerFactor());
  await b.delay(20);
  s.mains_input_value = Math.fround(await afe.FETCH_mains());
  await b.delay(20);
  s.curr = Math.fround(await afe.FETCH_NEUTRALCurrent());
  s.curr = Math.fround(s.curr * 2);
  await b.delay(20);
  s.true_power = Math.fround(Math.fround(s.curr * s.mains_input_value) * s.powerFactor);
  if (s.true_power < (fw.has('D47') ? CURRENT_ZERO_WATTS : NO_LOAD_WATTS)) {
    s.curr = 0;
    if (!fw.has('D47')) s.true_power = 0;
  }
  await b.delay(20);
}
