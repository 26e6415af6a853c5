// On a real rig board (`osm run --board johnny-five`) the AT24C32 and the DS1307 on the rig are the meter's own: the
// firmware twin reads what they hold when the rig connects, and the scenario's `meter:` values for them (credit,
// EEPROM image, clock) are not written into the real chips; a real ATM90E26 measures its own inputs, not the
// scenario's plant. The run would otherwise start from a virgin EEPROM's credit 4294967296, the rig clock's time or
// the source's load without a word: these notes say so, one line per chip, before the run.
// The emulated board (`--board emulated`) wires the twin's own chips, built from the scenario, so it needs none.
import type { BenchConfig } from '../twin/kernel/bench.ts';

/** What the rig's chips hold when the rig connects. */
export interface RigChipState {
  /** The parts on the rig (`--parts`). */
  parts: ReadonlySet<string>;
  /** The AT24C32's 4096 bytes, when `eeprom` is on the rig. */
  eepromImage?: Uint8Array;
  /** The DS1307's time, Unix seconds of its local wall time, when `rtc` is on the rig. */
  rtcUnixSeconds?: number;
}

/** The line for a real ATM90E26 on the rig: it measures its own inputs, whatever the scenario's plant says. */
export const RIG_AFE_NOTE = 'the rig\'s ATM90E26 measures its own inputs: the scenario\'s grid and loads (and its grid and set-load steps) '
  + 'do not reach it, so the readings are what your source applies (leave afe out of --parts for the modelled chip)';

function localText(c: { year: number; month: number; day: number; hour: number; minute: number; second: number }): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${c.year}-${p(c.month)}-${p(c.day)}T${p(c.hour)}:${p(c.minute)}:${p(c.second)}`;
}

/** The scenario's meter values that the rig's own chips replace, one line each (empty when none is lost). */
export function rigStateNotes(meter: BenchConfig['meter'], rig: RigChipState): string[] {
  const notes: string[] = [];
  if (rig.parts.has('eeprom') && rig.eepromImage) {
    const lost = [
      // `virgin` is the loader's default, and what a fresh rig chip holds anyway: only another image is lost
      ...(meter.eepromImage ? ['eeprom-file'] : meter.eeprom === 'zero' ? ['eeprom zero'] : []),
      ...(meter.credit !== undefined ? [`credit ${meter.credit}`] : []),
    ];
    if (lost.length) {
      const img = rig.eepromImage;
      const credit = new DataView(img.buffer, img.byteOffset, img.byteLength).getUint32(9, true);
      const virgin = img.every((b) => b === 0xff) ? ' (virgin: all 0xFF)' : '';
      notes.push(`the rig's AT24C32 is the meter's EEPROM: the run starts from what it holds, credit word ${credit}${virgin}; `
        + `the scenario's meter.${lost.join(' and meter.')} ${lost.length === 1 ? 'is' : 'are'} not applied (leave eeprom out of --parts to start from the scenario's)`);
    }
  }
  if (rig.parts.has('rtc') && rig.rtcUnixSeconds !== undefined && meter.clock) {
    const d = new Date(rig.rtcUnixSeconds * 1000);
    const rtc = localText({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() });
    const own = localText(meter.clock);
    if (rtc !== own) {
      notes.push(`the rig's DS1307 is the meter's clock: it reads ${rtc}; the scenario's meter.clock ${own} is not applied (leave rtc out of --parts to start from the scenario's)`);
    }
  }
  if (rig.parts.has('afe')) notes.push(RIG_AFE_NOTE);
  return notes;
}
